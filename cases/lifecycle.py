"""The end of a person's data: anonymisation after the retention period, and erasure on the person's request.

Both remove what identifies the person and keep the case row with the facts that feed statistics (status,
dates, gender, age, nationality, residence status, forms of exploitation, presentations, decisions, periods,
stays, services, return plans and their countries), so published numbers do not change afterwards.

What goes (`_scrub`, shared by both):
  - the personal details row and every historical version of it;
  - names and contacts of personal representatives, the parent-tracing "with whom" and reason, the action
    plan's goals and wishes, review notes, planned activities' titles and providers, services' providers
    and notes, the names of housing places, the reason a case was deleted (also in the case's history), and
    the history rows of all of these (the history holds the old values);
  - evidence texts (police reasons, identification narratives), decision reasons, court names, the
    identification attachments (files in the private storage and rows);
  - the free texts of reflection periods (short reason, extension explanations, postponement reasons),
    referrals (request, override, answer and end notes), return plans (IOM reference, city, escort,
    receiving organisation, representative's part, step notes, component notes, follow-up notes), and the
    notes of outreach contacts and hotline calls linked to the case;
  - the files of case status reports (PDF copies of the file) and their download;
  - the personal grants on the case (the team's and accepting users' access to the details) and the team.

Erasure (`case_erase`) also: removes the organisations' grants on the case, ends open referrals, unlinks the
anonymous client codes (a later contact with the same code no longer joins the case) and closes an open case.
Its running reflection period, open identification tasks and return follow-ups stay in the records (they are
statistics facts) but nobody follows them any more: the scans do not remind them and the running-period,
calendar and task lists leave them out (they filter on `anonymised_at`).
Retention (`case_anonymise` from `retention_run`) keeps organisations' grants so partners still see the
(now anonymous) case they worked on.

Each run writes one audit entry (action "deleted", detail: what and why, counts only) and a timeline event
without detail. Running either twice does no harm.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import CloseReason, EventKind
from cases.models import (
    ActionPlan,
    ActionPlanReview,
    Case,
    CaseEvent,
    CaseGroupObjectPermission,
    CaseService,
    CaseTeamMember,
    CaseUserObjectPermission,
    ClientCode,
    ParentTracing,
    PersonalDetails,
    PersonalRepresentative,
    PlannedActivity,
    ShelterStay,
)
from cmm.models import AuditAction, Role
from cmm.permissions import active_membership
from cmm.selectors import is_cmm
from cmm.services import audit_record

logger = logging.getLogger(__name__)

RETENTION_BATCH = 100
# Case children whose history (django-simple-history) holds personal values; the rows' history goes.
_HISTORY_OF_CHILDREN = (
    PersonalDetails,
    PersonalRepresentative,
    ParentTracing,
    ActionPlan,
    PlannedActivity,
    CaseService,
    ShelterStay,
)


@dataclass
class Removal:
    """What one anonymisation removed (or, in a dry run, would remove): counts only, never values."""

    number: str
    closed_on: datetime.date | None
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, value: int) -> None:
        if value:
            self.counts[key] = self.counts.get(key, 0) + value


# --- Who may erase ------------------------------------------------------------------------------------


def can_erase_case(*, user) -> bool:
    """Only a CMM coordinator, acting for CMM, erases a person's data on request (the case itself is found
    through the case selectors, so they can erase only what they can see)."""
    membership = active_membership(user)
    return membership is not None and membership.role == Role.COORDINATOR and is_cmm(membership.organisation)


def case_get_for_erasure(*, user, case_id: int) -> Case:
    """The case to erase: Http404 unless the user sees it, PermissionDenied unless they may erase."""
    from cases.selectors import case_get_for_user

    case = case_get_for_user(user=user, case_id=case_id)
    if not can_erase_case(user=user):
        raise PermissionDenied(_("Only a CMM coordinator can erase a person's data."))
    return case


# --- What is due --------------------------------------------------------------------------------------


def retention_cutoff(*, today: datetime.date, years: int | None = None) -> datetime.date:
    """The last closing date that is due on `today`: closed_on + years <= today, in calendar years.

    A case closed on 29 February is due on 1 March of a common year (reports.periods.years_later), so the
    cutoff from a 29 February `today` is 28 February of the earlier year.
    """
    years = settings.RETENTION_YEARS if years is None else years
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # today is 29 February and the earlier year is common
        return datetime.date(today.year - years, 2, 28)


def retention_due(*, today: datetime.date) -> QuerySet[Case]:
    """Cases whose personal data must go: closed RETENTION_YEARS (calendar years) before `today`, or
    soft-deleted that long ago without being closed, and not anonymised yet (soft-deleted ones too)."""
    cutoff = retention_cutoff(today=today)
    return (
        Case.objects.filter(anonymised_at__isnull=True)
        .filter(Q(closed_on__lte=cutoff) | Q(closed_on__isnull=True, deleted_at__date__lte=cutoff))
        .order_by("closed_on", "pk")
    )


# --- The work -----------------------------------------------------------------------------------------


def _history(model):
    return model.history.model.objects


def _blank(queryset: QuerySet, fields: list[str], removal: Removal, key: str, *, dry_run: bool) -> None:
    """Set the free-text `fields` to "" where any of them holds something."""
    condition = Q(pk__in=[])
    for name in fields:
        condition |= ~Q(**{name: ""})
    holding = queryset.filter(condition)
    count = holding.count()
    removal.add(key, count)
    if count and not dry_run:
        holding.update(**dict.fromkeys(fields, ""))


def _delete_files_on_commit(names: list[str], storage=None) -> None:
    storage = storage or storages["private"]

    def delete():
        failed = 0
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                failed += 1
        if failed:
            logger.error("Could not delete %s private files of an anonymised case", failed)

    if names:
        transaction.on_commit(delete)


def _scrub(case: Case, removal: Removal, *, dry_run: bool, erase: bool) -> None:
    """Remove what identifies the person in `case` and everything around it (module docstring)."""
    from identification.models import (
        Attachment,
        CourtVerdict,
        Decision,
        IdentificationForm,
        PoliceAssessment,
    )
    from outreach.models import Contact, HotlineCall
    from referrals.choices import OPEN_REFERRAL_STATUSES, ReferralStatus
    from referrals.models import (
        Referral,
        ReintegrationComponent,
        ReturnFollowUp,
        ReturnPlan,
        ReturnStatusChange,
    )
    from reflection.models import Extension, Postponement, ReflectionPeriod
    from reports.models import JobStatus, ReportJob, ReportKind

    # The person's details, and every version of them the history kept.
    details = PersonalDetails.objects.filter(case=case)
    removal.add("personal_details", details.count())
    if not dry_run:
        details.delete()  # the history writes a last version: it goes with the others below

    # Free texts of the case's own records.
    _blank(Case.objects.filter(pk=case.pk), ["deletion_reason"], removal, "free_texts", dry_run=dry_run)
    _blank(_history(Case).filter(id=case.pk), ["deletion_reason"], removal, "history_rows", dry_run=dry_run)
    _blank(
        PersonalRepresentative.objects.filter(case=case),
        ["name", "organisation_name"],
        removal,
        "representatives",
        dry_run=dry_run,
    )
    _blank(
        ParentTracing.objects.filter(case=case),
        ["with_whom", "reason"],
        removal,
        "free_texts",
        dry_run=dry_run,
    )
    _blank(
        ActionPlan.objects.filter(case=case),
        ["goals", "wishes_after_stay"],
        removal,
        "free_texts",
        dry_run=dry_run,
    )
    _blank(ActionPlanReview.objects.filter(case=case), ["notes"], removal, "free_texts", dry_run=dry_run)
    _blank(
        PlannedActivity.objects.filter(case=case),
        ["title", "provider"],
        removal,
        "free_texts",
        dry_run=dry_run,
    )
    _blank(
        CaseService.objects.filter(case=case), ["provider", "notes"], removal, "free_texts", dry_run=dry_run
    )
    _blank(ShelterStay.objects.filter(case=case), ["housing_name"], removal, "free_texts", dry_run=dry_run)
    for model in _HISTORY_OF_CHILDREN:
        rows = _history(model).filter(case_id=case.pk)
        removal.add("history_rows", rows.count())
        if not dry_run:
            rows.delete()

    # Identification: evidence texts, reasons, court names and attachments.
    presentations = Q(presentation__case=case)
    _blank(PoliceAssessment.objects.filter(presentations), ["text"], removal, "free_texts", dry_run=dry_run)
    _blank(
        IdentificationForm.objects.filter(presentations),
        ["narrative"],
        removal,
        "free_texts",
        dry_run=dry_run,
    )
    _blank(Decision.objects.filter(presentations), ["reasons"], removal, "free_texts", dry_run=dry_run)
    _blank(CourtVerdict.objects.filter(presentations), ["court"], removal, "free_texts", dry_run=dry_run)
    attachments = Attachment.objects.filter(presentations)
    names = [name for name in attachments.values_list("file", flat=True) if name]
    removal.add("attachments", attachments.count())
    if not dry_run:
        attachments.delete()
        # The field's own storage (evaluated when the model was built), where the files were written.
        _delete_files_on_commit(names, Attachment._meta.get_field("file").storage)

    # Reflection periods.
    periods = Q(period__case=case)
    _blank(
        ReflectionPeriod.objects.filter(case=case), ["short_reason"], removal, "free_texts", dry_run=dry_run
    )
    _blank(Extension.objects.filter(periods), ["ground_text"], removal, "free_texts", dry_run=dry_run)
    _blank(Postponement.objects.filter(periods), ["reason"], removal, "free_texts", dry_run=dry_run)

    # Referrals and return plans.
    _blank(
        Referral.objects.filter(case=case),
        ["request_note", "override_reason", "response_note", "end_reason"],
        removal,
        "free_texts",
        dry_run=dry_run,
    )
    _blank(
        ReturnPlan.objects.filter(case=case),
        [
            "iom_reference",
            "destination_city",
            "escort_name",
            "receiving_organisation",
            "representative_involvement",
        ],
        removal,
        "free_texts",
        dry_run=dry_run,
    )
    plans = Q(plan__case=case)
    _blank(ReturnStatusChange.objects.filter(plans), ["note"], removal, "free_texts", dry_run=dry_run)
    _blank(ReintegrationComponent.objects.filter(plans), ["notes"], removal, "free_texts", dry_run=dry_run)
    _blank(ReturnFollowUp.objects.filter(plans), ["note"], removal, "free_texts", dry_run=dry_run)

    # Outreach records linked to the case keep their counts, not their notes.
    _blank(Contact.objects.filter(case=case), ["note"], removal, "free_texts", dry_run=dry_run)
    _blank(HotlineCall.objects.filter(case=case), ["note"], removal, "free_texts", dry_run=dry_run)

    # Case status reports are copies of the file: their files go, the rows stay marked as deleted. A job
    # still being generated loses its claim too, so its worker throws its file away (reports.services.jobs).
    jobs = ReportJob.objects.filter(kind=ReportKind.CASE_STATUS, case=case).exclude(
        status=JobStatus.EXPIRED, file=""
    )
    files = [name for name in jobs.values_list("file", flat=True) if name]
    removal.add("report_files", len(files))
    if not dry_run:
        jobs.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
            status=JobStatus.FAILED, error="personal data removed", lease_until=None
        )
        jobs.exclude(file="").update(status=JobStatus.EXPIRED, file="")
        _delete_files_on_commit(files)

    # Access: nobody is given the (now empty) details; an erasure ends the organisations' access too.
    user_grants = CaseUserObjectPermission.objects.filter(content_object=case)
    team = CaseTeamMember.objects.filter(case=case)
    removal.add("permissions", user_grants.count())
    removal.add("team_members", team.count())
    if not dry_run:
        user_grants.delete()
        team.delete()
    if erase:
        group_grants = CaseGroupObjectPermission.objects.filter(content_object=case)
        removal.add("permissions", group_grants.count())
        open_referrals = Referral.objects.filter(case=case, status__in=OPEN_REFERRAL_STATUSES)
        removal.add("referrals_ended", open_referrals.count())
        codes = ClientCode.objects.filter(case=case)
        removal.add("client_codes_unlinked", codes.count())
        if not dry_run:
            group_grants.delete()
            open_referrals.update(status=ReferralStatus.CLOSED, ended_at=timezone.now(), ended_by=None)
            codes.update(case=None, linked_at=None, linked_by=None)


def _record(case: Case, *, by, kind: str, what: str, reason_key: str, removal: Removal, **extra) -> None:
    CaseEvent.objects.create(case=case, kind=kind, occurred_on=timezone.localdate(), actor=by, data={})
    audit_record(
        actor=by,
        action=AuditAction.DELETED,
        organisation=case.organisation,
        target=case,
        target_label=case.number,
        detail={"what": what, "reason": reason_key, "counts": dict(sorted(removal.counts.items())), **extra},
    )


def case_anonymise(*, case: Case, by=None, reason: str = "retention", dry_run: bool = False) -> Removal:
    """Remove the person's data from a case and keep its statistics facts (the retention rule).

    `by` is None when the schedule runs it. An anonymised case is left alone the next time. `reason` is a
    short key for the audit entry ("retention"), never free text.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        removal = Removal(case.number, case.closed_on)
        if case.anonymised_at is not None:
            return removal
        _scrub(case, removal, dry_run=dry_run, erase=False)
        if dry_run:
            return removal
        Case.objects.filter(pk=case.pk).update(anonymised_at=timezone.now())
        _record(
            case, by=by, kind=EventKind.ANONYMISED, what="personal_data", reason_key=reason, removal=removal
        )
    return removal


_WORD = re.compile(r"[\w+@.-]{3,}", re.UNICODE)


def _mentions_the_person(text: str, details: PersonalDetails | None) -> bool:
    """Whether `text` repeats a word (3+ characters) of the person's own details: an erasure reason must
    not keep in the audit log what the erasure removes."""
    if details is None:
        return False
    words = set()
    for name in PersonalDetails.FIELDS:
        value = getattr(details, name)
        if value:
            words |= {w.casefold() for w in _WORD.findall(str(value))}
    said = {w.casefold() for w in _WORD.findall(text)}
    return bool(words & said)


def case_erase(*, case: Case, by, reason: str, confirm_number: str | None = None) -> Removal:
    """Erase the person's data on their request (GDPR art. 17): everything `case_anonymise` removes, the
    organisations' access, open referrals and client-code links; an open case is closed.

    The caller found the case through the selectors and checked `can_erase_case`. `reason` (a reference to
    the request) goes to the audit entry, so it may not repeat the person's details; `confirm_number`, when
    given, must be the case number.
    """
    reason = (reason or "").strip()
    errors: dict = {}
    if confirm_number is not None and confirm_number.strip() != case.number:
        errors["confirm_number"] = _("Type the case number exactly as shown to confirm.")
    if not reason:
        errors["reason"] = _("Give a reference to the person's request.")
    elif len(reason) > 500:
        errors["reason"] = _("Keep the reason under 500 characters.")
    elif _mentions_the_person(reason, PersonalDetails.objects.filter(case=case).first()):
        errors["reason"] = _(
            "The reason repeats the person's own details, which would outlive the erasure in the audit log. "
            "Give a reference to the request instead."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        removal = Removal(case.number, case.closed_on)
        if case.is_open:
            from cases.services import case_close

            case_close(case=case, by=by, closed_on=timezone.localdate(), reason=CloseReason.OTHER)
            case.refresh_from_db()
            removal.closed_on = case.closed_on
            removal.add("case_closed", 1)
        _scrub(case, removal, dry_run=False, erase=True)
        Case.objects.filter(pk=case.pk).update(anonymised_at=timezone.now())
        _record(
            case,
            by=by,
            kind=EventKind.ERASED,
            what="personal_data",
            reason_key="erasure",
            removal=removal,
            request=reason,
        )
    return removal


def case_erase_preview(*, case: Case) -> Removal:
    """Count what `case_erase` would remove now, changing nothing."""
    removal = Removal(case.number, case.closed_on)
    if case.is_open:
        removal.add("case_closed", 1)
    _scrub(case, removal, dry_run=True, erase=True)
    return removal


def retention_run(*, today: datetime.date | None = None, dry_run: bool = False) -> list[Removal]:
    """Anonymise every case that is due (`retention_due`), each in its own transaction, in batches.

    Returns what was (or, with `dry_run`, would be) removed per case. Running it again does nothing more.
    """
    today = today or timezone.localdate()
    removals: list[Removal] = []
    last_pk = 0
    while True:
        batch = list(
            retention_due(today=today)
            .filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:RETENTION_BATCH]
        )
        for pk in batch:
            removal = case_anonymise(case=Case(pk=pk), by=None, reason="retention", dry_run=dry_run)
            removals.append(removal)
        if len(batch) < RETENTION_BATCH:
            break
        last_pk = batch[-1]
    if not dry_run and removals:
        logger.info("Retention: personal data removed from %s cases", len(removals))
    return removals
