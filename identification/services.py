"""Every write of identification: presentations, evidence, decisions and what an identification sets off."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import CaseStatus, EventKind, ExploitationType
from cases.grounds import case_view_revoke_unless_grounded
from cases.models import Case, CaseEvent
from cmm.models import (
    AuditAction,
    Designation,
    Membership,
    Organisation,
    OrganisationKind,
    OutboundEmail,
    Role,
    User,
)
from cmm.permissions import active_membership, grant, has_role_permission
from cmm.selectors import designated_organisation, is_cmm
from cmm.services import audit_record, email_cancel_pending, email_queue
from identification.choices import Authority, Finding, Outcome, TaskKind, TaskStatus
from identification.models import (
    Attachment,
    CourtVerdict,
    Decision,
    IdentificationForm,
    IdentificationTask,
    PoliceAssessment,
    Presentation,
)
from identification.rules import MUST_LEAVE, competent_authority
from outreach.choices import Indicator

ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/heic",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# Who records the decision of each authority: the role, in the organisation a platform admin designated.
DECIDERS = {
    Authority.IMMIGRATION_SERVICE: (Role.AUTHORITY_LIAISON, Designation.IMMIGRATION_SERVICE),
    Authority.CMM: (Role.COORDINATOR, Designation.CMM),
}
_CASE_STATUS = {
    Outcome.IDENTIFIED: CaseStatus.IDENTIFIED,
    Outcome.NOT_IDENTIFIED: CaseStatus.NOT_IDENTIFIED,
    Outcome.WITHDRAWN: CaseStatus.POSSIBLE_VICTIM,
}


def _event(case: Case, *, by: User | None, occurred_on: datetime.date, **data) -> None:
    CaseEvent.objects.create(
        case=case, kind=EventKind.IDENTIFICATION, occurred_on=occurred_on, actor=by, data=data
    )


def _audit(presentation: Presentation, action: str, *, by: User, **detail) -> None:
    audit_record(
        actor=by,
        action=action,
        organisation=presentation.case.organisation,
        target=presentation.case,
        target_label=presentation.case.number,
        detail={"what": "identification", **detail},
    )


def _not_in_future(value, field: str, errors: dict) -> None:
    if value is not None and value > timezone.localdate():
        errors[field] = _("The date cannot be in the future.")


def deciding_organisation(authority: str) -> Organisation | None:
    """The organisation whose members record the decisions of `authority`: the one a platform admin
    designated (cmm.selectors.designated_organisation), never a guess from the kind; None if there is none."""
    _role, designation = DECIDERS[authority]
    return designated_organisation(designation)


def _route(presentation: Presentation) -> None:
    route = competent_authority(presentation.residence_status)
    presentation.authority = route.authority or ""
    presentation.authority_organisation = deciding_organisation(route.authority) if route.authority else None
    if route.authority and presentation.authority_organisation is None:
        raise ValidationError(
            {
                "residence_status": _(
                    "No organisation is designated to decide for %(authority)s: a platform admin must "
                    "designate it (manage.py designate_organisation) before the case can be presented."
                )
                % {"authority": Authority(route.authority).label}
            }
        )


def _share_with_authority(
    presentation: Presentation, *, by: User, former: Organisation | None = None
) -> None:
    """Give the deciding organisation access to the case it decides on. When the presentation was routed away
    from `former`, take back what the presentation gave it, unless it has another ground (cases.grounds)."""
    case, organisation = presentation.case, presentation.authority_organisation
    rerouted = former is not None and former.pk != presentation.authority_organisation_id
    if rerouted and former.pk != case.organisation_id:
        revoked = case_view_revoke_unless_grounded(case=case, organisation=former)
        _audit(
            presentation,
            AuditAction.PERMISSION_REVOKED if revoked else AuditAction.CHANGED,
            by=by,
            step="rerouted_from",
            organisation=former.pk,
            perms=["cases.view_case"] if revoked else [],
        )
    if organisation is not None and organisation.pk != case.organisation_id:
        grant("cases.view_case", case, organisation=organisation)
        if rerouted:
            _audit(
                presentation,
                AuditAction.PERMISSION_GRANTED,
                by=by,
                step="rerouted_to",
                organisation=organisation.pk,
                perms=["cases.view_case"],
            )


def current_decision(presentation: Presentation) -> Decision | None:
    return presentation.decisions.current().first()


# --- Presentations ------------------------------------------------------------------------------------


@transaction.atomic
def presentation_create(
    *, case: Case, by: User, presented_on: datetime.date, presented_by: str
) -> Presentation:
    """Present a case for identification. The case's residence status is copied and picks the authority."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    errors: dict = {}
    _not_in_future(presented_on, "presented_on", errors)
    waiting = Presentation.objects.filter(case=case).exclude(decisions__isnull=False)
    if waiting.exists():
        errors["presented_on"] = _("This case already has a presentation waiting for a decision.")
    if errors:
        raise ValidationError(errors)
    presentation = Presentation(
        case=case,
        presented_on=presented_on,
        presented_by=presented_by,
        residence_status=case.residence_status,
        age_at_presentation=case.age_on(presented_on),
        unaccompanied_minor=case.unaccompanied_minor,
        created_by=by,
    )
    _route(presentation)
    presentation.full_clean()
    presentation.save()
    _share_with_authority(presentation, by=by)
    _event(case, by=by, occurred_on=presented_on, step="presented", authority=presentation.authority)
    _audit(presentation, AuditAction.CREATED, by=by)
    return presentation


@transaction.atomic
def presentation_set_residence_status(
    *, presentation: Presentation, by: User, residence_status: str
) -> Presentation:
    """Correct the residence status at presentation (e.g. resolve "unknown") while nothing is decided.

    The presentation is routed again: when another organisation decides now, it is given the case, and the
    former one loses the access the presentation gave it (unless it has another ground for it)."""
    presentation = (
        Presentation.objects.select_for_update(of=("self",))
        .select_related("case", "authority_organisation")
        .get(pk=presentation.pk)
    )
    if presentation.decisions.exists():
        raise ValidationError(
            {
                "residence_status": _(
                    "A decision has been recorded: the residence status at presentation can no longer change."
                )
            }
        )
    former = presentation.authority_organisation
    presentation.residence_status = residence_status
    _route(presentation)
    presentation.full_clean()
    presentation.save()
    _audit(presentation, AuditAction.CHANGED, by=by, fields=["residence_status"])
    _share_with_authority(presentation, by=by, former=former)
    return presentation


@transaction.atomic
def presentations_follow_designations(*, by: User | None) -> int:
    """Route every presentation still waiting for a decision to the organisation now designated for its
    authority (after a platform admin moved a designation, cmm.services.organisation_designate); the former
    one loses the access the presentation gave it, as when the residence status changes. Returns how many
    moved. A decided presentation keeps the organisation that decided it."""
    moved = 0
    decided = Decision.objects.filter(presentation=OuterRef("pk"))
    for authority in DECIDERS:
        organisation = deciding_organisation(authority)
        if organisation is None:
            continue
        waiting = (
            Presentation.objects.select_for_update(of=("self",))
            .filter(~Exists(decided), authority=authority)
            .exclude(authority_organisation=organisation)
            .select_related("case", "authority_organisation")
            .order_by("pk")
        )
        for presentation in waiting:
            former = presentation.authority_organisation
            presentation.authority_organisation = organisation
            presentation.save(update_fields=["authority_organisation"])
            _audit(presentation, AuditAction.CHANGED, by=by, fields=["authority_organisation"])
            _share_with_authority(presentation, by=by, former=former)
            moved += 1
    return moved


# --- Evidence -----------------------------------------------------------------------------------------


@transaction.atomic
def police_assessment_record(
    *, presentation: Presentation, by: User, assessed_on: datetime.date, finding: str, text: str = ""
) -> PoliceAssessment:
    """Record the police's assessment that came with the presentation."""
    errors: dict = {}
    _not_in_future(assessed_on, "assessed_on", errors)
    if errors:
        raise ValidationError(errors)
    assessment = PoliceAssessment(
        presentation=presentation, assessed_on=assessed_on, finding=finding, text=text, recorded_by=by
    )
    assessment.full_clean()
    assessment.save()
    _audit(presentation, AuditAction.CHANGED, by=by, fields=["police_assessment"])
    return assessment


@transaction.atomic
def identification_form_record(
    *,
    presentation: Presentation,
    by: User,
    interviewed_on: datetime.date,
    indicators: list[str],
    interpreter_used: bool = False,
    interpreter_language: str = "",
    narrative: str = "",
) -> IdentificationForm:
    """Record the identification form of a CMM or NGO social worker (the same indicators as outreach)."""
    membership = active_membership(by)
    errors: dict = {}
    if membership is None or not (
        is_cmm(membership.organisation) or membership.organisation.kind == OrganisationKind.NGO
    ):
        raise PermissionDenied(_("The identification form is filled in by a social worker of CMM or an NGO."))
    _not_in_future(interviewed_on, "interviewed_on", errors)
    indicators = list(dict.fromkeys(indicators or []))
    if any(i not in Indicator.values for i in indicators):
        errors["indicators"] = _("Unknown indicator.")
    if interviewed_on and interviewed_on < presentation.case.opened_on - datetime.timedelta(days=365):
        errors["interviewed_on"] = _("The interview date is more than a year before the case was opened.")
    if errors:
        raise ValidationError(errors)
    form = IdentificationForm(
        presentation=presentation,
        interviewed_on=interviewed_on,
        indicators=indicators,
        interpreter_used=interpreter_used,
        interpreter_language=interpreter_language,
        narrative=narrative,
        filled_by=by,
        organisation=membership.organisation,
    )
    form.full_clean()
    form.save()
    _audit(presentation, AuditAction.CHANGED, by=by, fields=["identification_form"])
    return form


@transaction.atomic
def attachment_add(*, presentation: Presentation, by: User, uploaded_file) -> Attachment:
    """Attach a document, stored privately under a random name (the original name is kept encrypted)."""
    errors: dict = {}
    if uploaded_file.size > settings.ATTACHMENT_MAX_BYTES:
        errors["file"] = _("The file is larger than %(mb)s MB.") % {
            "mb": settings.ATTACHMENT_MAX_BYTES // 2**20
        }
    content_type = (getattr(uploaded_file, "content_type", "") or "").split(";")[0].strip().lower()
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        errors["file"] = _("Attach a PDF, an image (JPEG, PNG, HEIC), a Word document or a text file.")
    if errors:
        raise ValidationError(errors)
    attachment = Attachment(
        presentation=presentation,
        name=uploaded_file.name[:255],
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=by,
    )
    attachment.file.save("upload", uploaded_file, save=False)
    attachment.save()
    _audit(presentation, AuditAction.CREATED, by=by, fields=["attachment"])
    return attachment


def attachment_open(*, attachment: Attachment, by: User):
    """Open an attachment for download and record who read it. The caller checked access via a selector."""
    _audit(
        attachment.presentation, AuditAction.VIEWED, by=by, fields=["attachment"], attachment=attachment.pk
    )
    return attachment.file.open("rb")


@transaction.atomic
def court_verdict_record(
    *, presentation: Presentation, by: User, court: str, ruled_on: datetime.date, finding: str
) -> CourtVerdict:
    """Record a court's ruling on whether the person was trafficked; decisions must then follow it."""
    errors: dict = {}
    _not_in_future(ruled_on, "ruled_on", errors)
    if errors:
        raise ValidationError(errors)
    verdict = CourtVerdict(
        presentation=presentation, court=court, ruled_on=ruled_on, finding=finding, recorded_by=by
    )
    verdict.full_clean()
    verdict.save()
    _audit(presentation, AuditAction.CHANGED, by=by, fields=["court_verdict"])
    return verdict


# --- Decisions ----------------------------------------------------------------------------------------


def decision_refusal(*, presentation: Presentation, user: User) -> str | None:
    """Say why `user` may not record the decision on `presentation`, or None if they may."""
    if not presentation.authority:
        return competent_authority(presentation.residence_status).explanation
    role, designation = DECIDERS[presentation.authority]
    membership = active_membership(user)
    if (
        membership is None
        or membership.role != role
        or membership.organisation_id != presentation.authority_organisation_id
        or membership.organisation.designation != designation
    ):
        return _("Only %(authority)s records this decision. %(rule)s") % {
            "authority": Authority(presentation.authority).label,
            "rule": competent_authority(presentation.residence_status).explanation,
        }
    return None


@transaction.atomic
def decision_record(
    *,
    presentation: Presentation,
    by: User,
    outcome: str,
    decided_on: datetime.date,
    exploitation_types: list[str] | None = None,
    reasons: str = "",
    corrects: Decision | None = None,
) -> Decision:
    """Record the competent authority's decision, or correct the current one with a new decision.

    Only a user of the competent authority may decide; a court verdict binds the decision; the case's status
    follows the decision; an identification opens the tasks that must follow it.
    """
    presentation = Presentation.objects.select_for_update().select_related("case").get(pk=presentation.pk)
    if not presentation.authority:
        raise ValidationError(competent_authority(presentation.residence_status).explanation)
    refusal = decision_refusal(presentation=presentation, user=by)
    if refusal:
        raise PermissionDenied(refusal)
    current = current_decision(presentation)
    errors: dict = {}
    if current is not None and (corrects is None or corrects.pk != current.pk):
        errors["outcome"] = _("A decision is already recorded: record a correction of it instead.")
    if current is None and corrects is not None:
        errors["outcome"] = _("There is no decision to correct.")
    _not_in_future(decided_on, "decided_on", errors)
    if decided_on and decided_on < presentation.presented_on:
        errors["decided_on"] = _("The decision cannot be dated before the presentation.")
    exploitation_types = list(dict.fromkeys(exploitation_types or []))
    if any(t not in ExploitationType.values for t in exploitation_types):
        errors["exploitation_types"] = _("Unknown form of exploitation.")
    if outcome == Outcome.IDENTIFIED and not exploitation_types:
        errors["exploitation_types"] = _("Give the forms of exploitation established.")
    # A verdict rules on the person, not on one presentation: one recorded with an earlier presentation of
    # the case binds this decision too. The latest verdict (e.g. on appeal) is the one that counts.
    verdict = (
        CourtVerdict.objects.filter(presentation__case_id=presentation.case_id)
        .order_by("-ruled_on", "-recorded_at", "-id")
        .first()
    )
    if verdict is not None:
        if verdict.finding == Finding.TRAFFICKED and outcome == Outcome.NOT_IDENTIFIED:
            errors["outcome"] = _(
                "A court has ruled that the person was trafficked: the decision must follow the verdict."
            )
        if verdict.finding == Finding.NOT_TRAFFICKED and outcome == Outcome.IDENTIFIED:
            errors["outcome"] = _(
                "A court has ruled that the person was not trafficked: the decision must follow the verdict."
            )
    if errors:
        raise ValidationError(errors)
    decision = Decision(
        presentation=presentation,
        outcome=outcome,
        decided_on=decided_on,
        authority=presentation.authority,
        exploitation_types=exploitation_types,
        reasons=reasons,
        decided_by=by,
        organisation=active_membership(by).organisation,
        corrects=current,
    )
    decision.full_clean()
    decision.save()
    case = presentation.case
    if case.is_open:
        case.status = _CASE_STATUS[outcome]
        case._history_user = by
        case.save(update_fields=["status", "updated_at"])
    if outcome == Outcome.IDENTIFIED:
        _open_tasks(presentation, decision)
    else:
        presentation.tasks.filter(status=TaskStatus.OPEN).update(status=TaskStatus.CANCELLED)
    _event(
        case,
        by=by,
        occurred_on=decided_on,
        step="corrected" if current else "decided",
        outcome=outcome,
        authority=presentation.authority,
    )
    _audit(
        presentation,
        AuditAction.CREATED,
        by=by,
        fields=["decision"],
        outcome=outcome,
        corrects=current.pk if current else None,
    )
    return decision


def _open_tasks(presentation: Presentation, decision: Decision) -> None:
    case = presentation.case
    day = datetime.timedelta(days=1)
    wanted = []
    if decision.authority == Authority.IMMIGRATION_SERVICE:
        cmm = deciding_organisation(Authority.CMM)
        if cmm is not None:
            wanted.append(
                (
                    TaskKind.APPOINT_CONTACT_PERSON,
                    cmm,
                    decision.decided_on + settings.IDENTIFICATION_CONTACT_PERSON_DAYS * day,
                )
            )
    # A personal representative is for a child: not for someone who has turned 18 by the decision, even if
    # the case still carries the unaccompanied-minor flag from when it was opened.
    age = case.age_on(decision.decided_on)
    minor = (presentation.unaccompanied_minor or case.unaccompanied_minor) and (age is None or age < 18)
    has_professional = case.representatives.filter(ended_on__isnull=True, is_professional=True).exists()
    if minor and not has_professional:
        wanted.append(
            (
                TaskKind.PROFESSIONAL_REPRESENTATIVE,
                case.organisation,
                decision.decided_on + settings.IDENTIFICATION_REPRESENTATIVE_DAYS * day,
            )
        )
    if presentation.residence_status in MUST_LEAVE:
        wanted.append((TaskKind.START_REFLECTION, case.organisation, decision.decided_on))
    # What was done after an earlier identification of this presentation stays done: a correction that
    # identifies again does not ask for it a second time.
    done = set(presentation.tasks.filter(status=TaskStatus.DONE).values_list("kind", flat=True))
    for kind, organisation, due_on in wanted:
        if kind in done:
            continue
        IdentificationTask.objects.get_or_create(
            presentation=presentation,
            kind=kind,
            status=TaskStatus.OPEN,
            defaults={"case": case, "responsible_organisation": organisation, "due_on": due_on},
        )
        if organisation.pk != case.organisation_id:
            # The responsible organisation (CMM, for the contact person) must be able to open the case.
            grant("cases.view_case", case, organisation=organisation)


# --- Tasks --------------------------------------------------------------------------------------------


@transaction.atomic
def task_complete(*, task: IdentificationTask, by: User) -> IdentificationTask:
    """Mark a task done once what it asks for is in place."""
    task = IdentificationTask.objects.select_for_update().select_related("case").get(pk=task.pk)
    membership = active_membership(by)
    if membership is None or membership.organisation_id != task.responsible_organisation_id:
        raise PermissionDenied(_("Only the responsible organisation can complete this task."))
    if not has_role_permission(by, "identification.change_identificationtask"):
        raise PermissionDenied(_("Your role in the organisation does not let you complete tasks."))
    if task.status != TaskStatus.OPEN:
        return task
    case = task.case
    if task.kind == TaskKind.APPOINT_CONTACT_PERSON and case.contact_person_id is None:
        raise ValidationError(_("Appoint the contact person on the case first."))
    if (
        task.kind == TaskKind.PROFESSIONAL_REPRESENTATIVE
        and not case.representatives.filter(ended_on__isnull=True, is_professional=True).exists()
    ):
        raise ValidationError(_("Record a professional personal representative on the case first."))
    task.status, task.done_on, task.done_by = TaskStatus.DONE, timezone.localdate(), by
    task.save(update_fields=["status", "done_on", "done_by"])
    return task


def tasks_remind_overdue(*, today: datetime.date | None = None) -> int:
    """E-mail the responsible organisation's coordinators and caseworkers about each overdue task, once a day.

    The day is claimed with a conditional UPDATE first, so a second run the same day sends nothing.
    """
    today = today or timezone.localdate()
    reminded = 0
    # A case deleted as registered by mistake is hidden everywhere: its tasks are not reminded either; nor
    # those of a case whose personal data was erased on the person's request.
    overdue = IdentificationTask.objects.filter(
        status=TaskStatus.OPEN,
        due_on__lt=today,
        case__deleted_at__isnull=True,
        case__anonymised_at__isnull=True,
    ).filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=today))
    for task in overdue.select_related("case").iterator():
        with transaction.atomic():
            claimed = (
                IdentificationTask.objects.filter(pk=task.pk)
                .filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=today))
                .update(last_reminded_on=today)
            )
            if not claimed:
                continue
            recipients = (
                Membership.objects.active()
                .filter(
                    organisation_id=task.responsible_organisation_id,
                    role__in=[Role.COORDINATOR, Role.CASEWORKER],
                )
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
            for address in recipients:
                email_queue(
                    to=address,
                    subject=_task_overdue_subject(task.case.number),
                    body=(
                        f"En opgave efter identifikation i sag {task.case.number} er overskredet.\n"
                        f"A task after identification in case {task.case.number} is overdue.\n\n"
                        f"{settings.SITE_URL}{reverse('identification-tasks')}\n"
                    ),
                )
            reminded += 1
    return reminded


def _task_overdue_subject(number: str) -> str:
    return f"Frist overskredet i {number} / Task overdue in {number}"


# --- Leaving an organisation ----------------------------------------------------------------------------


@transaction.atomic
def contact_person_task_open(*, case: Case, by: User | None) -> IdentificationTask | None:
    """Ask a case's organisation to appoint a new contact person after the last one left it: the
    identification task "appoint a contact person" on the case's latest presentation, due in
    IDENTIFICATION_CONTACT_PERSON_DAYS, shown on the organisation's overview and reminded when overdue. An
    open task of that kind is kept as it is. A case never presented has no identification tasks: its page
    says that the contact person left (cases.selectors.case_warnings). Returns the task, or None."""
    if not case.is_open or case.deleted_at is not None or case.anonymised_at is not None:
        return None
    presentation = case.presentations.order_by("-presented_on", "-pk").first()
    if presentation is None:
        return None
    due_on = timezone.localdate() + datetime.timedelta(days=settings.IDENTIFICATION_CONTACT_PERSON_DAYS)
    task, created = IdentificationTask.objects.get_or_create(
        presentation=presentation,
        kind=TaskKind.APPOINT_CONTACT_PERSON,
        status=TaskStatus.OPEN,
        defaults={"case": case, "responsible_organisation": case.organisation, "due_on": due_on},
    )
    if created:
        audit_record(
            actor=by,
            action=AuditAction.CREATED,
            organisation=case.organisation,
            target=case,
            target_label=case.number,
            detail={"what": "appoint_contact_person_task", "reason": "contact_person_left"},
        )
    return task


@transaction.atomic
def task_reminders_end_for_leaver(*, user: User, organisation: Organisation, by: User | None) -> int:
    """Take back the overdue-task e-mails still waiting in the outbox for a user who left `organisation`,
    about the tasks it is responsible for; return how many (tasks_remind_overdue no longer picks them)."""
    if not user.email:
        return 0
    numbers = (
        IdentificationTask.objects.filter(responsible_organisation=organisation, status=TaskStatus.OPEN)
        .values_list("case__number", flat=True)
        .distinct()
    )
    subjects = [_task_overdue_subject(number) for number in numbers]
    cancelled = 0
    for start in range(0, len(subjects), 500):
        cancelled += email_cancel_pending(
            emails=OutboundEmail.objects.filter(to=user.email, subject__in=subjects[start : start + 500])
        )
    if cancelled:
        audit_record(
            actor=by,
            action=AuditAction.CHANGED,
            organisation=organisation,
            target_label=user.username,
            detail={
                "what": "task_reminder_emails",
                "emails_cancelled": cancelled,
                "reason": "left_organisation",
            },
        )
    return cancelled
