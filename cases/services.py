"""Every write to a case. Each function owns its transaction, checks the rules, writes the timeline
event and the audit entry, and keeps identifying values out of both."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import (
    CaseStatus,
    ControlMeans,
    EventKind,
    ExploitationType,
    ForcedLabourSector,
    TracingStatus,
)
from cases.client_codes import client_code_normalise
from cases.models import (
    ActionPlan,
    ActionPlanReview,
    Case,
    CaseControlMeans,
    CaseEvent,
    CaseExploitation,
    CaseNumberSequence,
    CaseService,
    CaseTeamMember,
    ClientCode,
    ParentTracing,
    PersonalDetails,
    PersonalRepresentative,
    PlannedActivity,
    ShelterStay,
)
from cases.signals import contact_person_left
from cmm.models import AuditAction, Membership, Organisation, User
from cmm.permissions import grant, revoke, user_can
from cmm.services import audit_record

CASE_FIELDS = [
    "opened_on",
    "gender",
    "age_at_opening",
    "age_is_estimate",
    "nationality",
    "languages",
    "residence_status",
    "unaccompanied_minor",
    "contact_person",
]
STAY_FIELDS = ["shelter", "housing_type", "housing_name", "admitted_on", "discharged_on", "discharge_reason"]
MAX_AGE = 120  # as Case.age_at_opening's validator
DETAILS_PERMS = ("cases.view_personal_details", "cases.change_personal_details")


# --- Helpers ------------------------------------------------------------------------------------------


def _event(
    case: Case, kind: str, *, by: User | None, occurred_on: datetime.date | None = None, **data
) -> None:
    CaseEvent.objects.create(
        case=case, kind=kind, occurred_on=occurred_on or timezone.localdate(), actor=by, data=data
    )


def _audit(case: Case, action: str, *, by: User, **detail) -> None:
    audit_record(
        actor=by,
        action=action,
        organisation=case.organisation,
        target=case,
        target_label=case.number,
        detail=detail,
    )


def _not_in_future(value: datetime.date | None, field: str, errors: dict) -> None:
    if value is not None and value > timezone.localdate():
        errors[field] = _("The date cannot be in the future.")


def age_from_birth_date(born: datetime.date, on: datetime.date) -> int:
    """Whole years between `born` and `on`."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _check_birth_date(born: datetime.date | None, opened_on: datetime.date | None, errors: dict) -> None:
    _not_in_future(born, "date_of_birth", errors)
    if born and opened_on and born > opened_on:
        errors["date_of_birth"] = _("The date of birth cannot be after the case was opened.")
    elif born and opened_on and age_from_birth_date(born, opened_on) > MAX_AGE:
        errors["date_of_birth"] = _("The date of birth gives an age over %(max)s years.") % {"max": MAX_AGE}


def _check_contact_person(case_organisation: Organisation, contact_person: User | None, errors: dict) -> None:
    if contact_person is None:
        return
    if not Membership.objects.active().filter(user=contact_person, organisation=case_organisation).exists():
        errors["contact_person"] = _(
            "The contact person must be an active member of the case's organisation."
        )


def _set_exploitations(case: Case, exploitations: list[tuple[str, str]]) -> None:
    seen = {}
    for kind, sector in exploitations:
        if kind not in ExploitationType.values:
            raise ValidationError({"exploitation_types": _("Unknown form of exploitation.")})
        # A sector belongs to forced labour only; for the other types it is dropped, not stored.
        sector = (sector or "") if kind == ExploitationType.FORCED_LABOUR else ""
        if sector and sector not in ForcedLabourSector.values:
            raise ValidationError({"exploitation_types": _("Unknown forced-labour sector.")})
        seen[kind] = sector
    case.exploitations.exclude(type__in=seen).delete()
    for kind, sector in seen.items():
        CaseExploitation.objects.update_or_create(case=case, type=kind, defaults={"sector": sector})


def _set_control_means(case: Case, control_means: list[str]) -> None:
    wanted = list(dict.fromkeys(control_means))
    if any(kind not in ControlMeans.values for kind in wanted):
        raise ValidationError({"control_means": _("Unknown means of control.")})
    case.control_means.exclude(type__in=wanted).delete()
    have = set(case.control_means.values_list("type", flat=True))
    CaseControlMeans.objects.bulk_create(
        [CaseControlMeans(case=case, type=kind) for kind in wanted if kind not in have]
    )


def case_number_allocate(*, organisation: Organisation, year: int) -> str:
    """Hand out the next case number of the organisation for the year, e.g. CMM-2026-00042.

    The counter row is locked (SELECT ... FOR UPDATE) so that concurrent openings never share a number, and
    numbers are never reused: a deleted case keeps its number.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.get_or_create(organisation=organisation, year=year)
        except IntegrityError:
            pass  # another transaction created the row first
        sequence = CaseNumberSequence.objects.select_for_update().get(organisation=organisation, year=year)
        sequence.last_value = F("last_value") + 1
        sequence.save(update_fields=["last_value"])
        sequence.refresh_from_db(fields=["last_value"])
        return f"{organisation.case_prefix}-{year}-{sequence.last_value:05d}"


# --- Opening, changing, closing -----------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    by: User,
    organisation: Organisation,
    opened_on: datetime.date,
    gender: str,
    residence_status: str,
    nationality: str = "",
    languages: list[str] | None = None,
    unaccompanied_minor: bool = False,
    exploitations: list[tuple[str, str]] | None = None,
    control_means: list[str] | None = None,
    contact_person: User | None = None,
    date_of_birth: datetime.date | None = None,
    estimated_age: int | None = None,
    personal: dict | None = None,
    opened_from: dict | None = None,
) -> Case:
    """Open a case with a new case number. The exact date of birth goes to the encrypted personal details;
    the case keeps only the age when opened. The opener and the contact person form the case team.
    `opened_from` says, in choice values only, where the case came from (outreach: {"contact_venue": ...});
    the timeline's "case opened" row tells it."""
    errors: dict = {}
    _not_in_future(opened_on, "opened_on", errors)
    _check_birth_date(date_of_birth, opened_on, errors)
    if date_of_birth and estimated_age is not None:
        errors["estimated_age"] = _("Give either the date of birth or an estimated age, not both.")
    _check_contact_person(organisation, contact_person, errors)
    if errors:
        raise ValidationError(errors)

    case = Case(
        organisation=organisation,
        opened_on=opened_on,
        gender=gender,
        residence_status=residence_status,
        nationality=nationality or "",
        languages=languages or [],
        unaccompanied_minor=unaccompanied_minor,
        contact_person=contact_person,
        created_by=by,
        age_at_opening=age_from_birth_date(date_of_birth, opened_on) if date_of_birth else estimated_age,
        age_is_estimate=date_of_birth is None,
    )
    case.number = "pending"  # validated below with the real number
    case.full_clean(exclude=["number"])
    case.number = case_number_allocate(organisation=organisation, year=opened_on.year)
    case._history_user = by
    case.save()
    _set_exploitations(case, exploitations or [])
    _set_control_means(case, control_means or [])
    for member in {by, contact_person} - {None}:
        _team_add(case, member, by=by)
    details = personal or {}
    if date_of_birth:
        details = {**details, "date_of_birth": date_of_birth}
    if details:
        _details_save(case, by=by, values=details)
    _event(case, EventKind.OPENED, by=by, occurred_on=opened_on, **(opened_from or {}))
    _audit(case, AuditAction.CREATED, by=by)
    return case


@transaction.atomic
def case_update(
    *,
    case: Case,
    by: User,
    exploitations: list[tuple[str, str]] | None = None,
    control_means: list[str] | None = None,
    **changes,
) -> Case:
    """Change the non-identifying facts of a case (also a closed one, to correct it); the history keeps what
    was there before."""
    unknown = set(changes) - set(CASE_FIELDS)
    if unknown:
        raise ValueError(f"Not case facts: {sorted(unknown)}")
    case = Case.objects.select_for_update().get(pk=case.pk)
    errors: dict = {}
    _not_in_future(changes.get("opened_on"), "opened_on", errors)
    if "contact_person" in changes:
        _check_contact_person(case.organisation, changes["contact_person"], errors)
    if errors:
        raise ValidationError(errors)
    changed = [field for field, value in changes.items() if getattr(case, field) != value]
    for field in changed:
        setattr(case, field, changes[field])
    if "opened_on" in changed and case.closed_on and case.opened_on > case.closed_on:
        raise ValidationError({"opened_on": _("The case cannot be opened after it was closed.")})
    if "opened_on" in changed and not case.age_is_estimate and "age_at_opening" not in changed:
        # An exact age is the age on the opening day: a corrected opening date recounts it.
        born = PersonalDetails.objects.filter(case=case).values_list("date_of_birth", flat=True).first()
        if born is not None:
            if born > case.opened_on:
                raise ValidationError(
                    {"opened_on": _("The case cannot be opened before the person's date of birth.")}
                )
            case.age_at_opening = age_from_birth_date(born, case.opened_on)
    if exploitations is not None:
        before = sorted(case.exploitations.values_list("type", "sector"))
        _set_exploitations(case, exploitations)
        if sorted(case.exploitations.values_list("type", "sector")) != before:
            changed.append("exploitations")
    if control_means is not None:
        before = set(case.control_means.values_list("type", flat=True))
        _set_control_means(case, control_means)
        if set(control_means) != before:
            changed.append("control_means")
    if not changed:
        return case
    case.full_clean()
    case._history_user = by
    case.save()
    new_contact = case.contact_person if "contact_person" in changed else None
    if new_contact is not None and _team_add(case, new_contact, by=by):
        _team_added(case, new_contact, by=by)
    _event(case, EventKind.CHANGED, by=by, fields=changed)
    _audit(case, AuditAction.CHANGED, by=by, fields=changed)
    return case


@transaction.atomic
def case_close(*, case: Case, by: User, closed_on: datetime.date, reason: str) -> Case:
    """Close an open case with a reason."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    errors: dict = {}
    if not case.is_open:
        raise ValidationError(_("The case is already closed."))
    if not closed_on:
        errors["closed_on"] = _("Give the date the case was closed.")
    _not_in_future(closed_on, "closed_on", errors)
    if closed_on and closed_on < case.opened_on:
        errors["closed_on"] = _("A case cannot be closed before it was opened.")
    if not reason:
        errors["reason"] = _("Give the reason for closing.")
    if errors:
        raise ValidationError(errors)
    case.status, case.closed_on, case.close_reason = CaseStatus.CLOSED, closed_on, reason
    case.full_clean()
    case._history_user = by
    case.save()
    _event(case, EventKind.CLOSED, by=by, occurred_on=closed_on, reason=reason)
    _audit(case, AuditAction.CHANGED, by=by, fields=["status", "closed_on", "close_reason"])
    return case


@transaction.atomic
def case_reopen(*, case: Case, by: User) -> Case:
    """Reopen a closed case as a possible victim (identification decisions may change the status later)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.is_open:
        return case
    case.status, case.closed_on, case.close_reason = CaseStatus.POSSIBLE_VICTIM, None, ""
    case._history_user = by
    case.save()
    _event(case, EventKind.REOPENED, by=by)
    _audit(case, AuditAction.CHANGED, by=by, fields=["status"])
    return case


@transaction.atomic
def case_soft_delete(*, case: Case, by: User, reason: str) -> None:
    """Hide a case registered by mistake. It keeps its number (never reused) and stays in the audit log."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for deleting the case.")})
    updated = Case.objects.filter(pk=case.pk, deleted_at__isnull=True).update(
        deleted_at=timezone.now(), deleted_by=by, deletion_reason=reason.strip()
    )
    if updated:
        _audit(case, AuditAction.DELETED, by=by)


# --- The case team and access to personal details -----------------------------------------------------


def _team_add(case: Case, user: User, *, by: User) -> bool:
    _member, created = CaseTeamMember.objects.get_or_create(case=case, user=user, defaults={"added_by": by})
    for perm in DETAILS_PERMS:
        grant(perm, case, user=user)
    return created


@transaction.atomic
def case_team_add(*, case: Case, user: User, by: User) -> None:
    """Put a user on the case team: they get the reminders and, if their role allows, the personal details.

    Only a user who can see the case through their organisation can join its team.
    """
    if not Membership.objects.active().filter(user=user, organisation=case.organisation).exists():
        raise ValidationError(
            {"user": _("Only active members of the case's organisation can join the team.")}
        )
    if _team_add(case, user, by=by):
        _team_added(case, user, by=by)


def _team_added(case: Case, user: User, *, by: User) -> None:
    _event(case, EventKind.TEAM, by=by, added=user.username)
    _audit(case, AuditAction.PERMISSION_GRANTED, by=by, user=user.username, perms=list(DETAILS_PERMS))


@transaction.atomic
def case_team_remove(*, case: Case, user: User, by: User) -> None:
    """Take a user off the team; their access to the personal details ends with the next request."""
    if case.contact_person_id == user.pk:
        raise ValidationError(
            {"user": _("The contact person stays on the team; choose another contact first.")}
        )
    deleted, _rows = CaseTeamMember.objects.filter(case=case, user=user).delete()
    for perm in DETAILS_PERMS:
        revoke(perm, case, user=user)
    if deleted:
        _event(case, EventKind.TEAM, by=by, removed=user.username)
        _audit(case, AuditAction.PERMISSION_REVOKED, by=by, user=user.username, perms=list(DETAILS_PERMS))


@transaction.atomic
def team_member_leave_organisation(*, user: User, organisation: Organisation, by: User | None) -> int:
    """Take a user who left `organisation` (membership ended, or the user deactivated) off the teams of the
    organisation's cases and out of the contact-person role there, with their personal grants on those
    cases; return on how many cases. Only members of a case's organisation may be on its team, so nothing of
    it is left to them. A case that loses its contact person says so on its page and timeline, and the apps
    that build on cases are told (cases.signals.contact_person_left: identification opens a task to appoint a
    new one). Timeline and audit name the user's username and the fields, never the person's details."""
    on_team = CaseTeamMember.objects.filter(user=user, case__organisation=organisation).values("case_id")
    cases = (
        Case.objects.select_for_update()
        .filter(organisation=organisation)
        .filter(Q(pk__in=on_team) | Q(contact_person=user))
        .order_by("pk")
    )
    left = 0
    for case in cases:
        was_contact = case.contact_person_id == user.pk
        if was_contact:
            case.contact_person = None
            case._history_user = by
            case.save(update_fields=["contact_person", "updated_at"])
        CaseTeamMember.objects.filter(case=case, user=user).delete()
        for perm in DETAILS_PERMS:
            revoke(perm, case, user=user)
        _event(
            case,
            EventKind.TEAM,
            by=by,
            removed=user.username,
            left_organisation=True,
            contact_person=was_contact,
        )
        _audit(
            case,
            AuditAction.PERMISSION_REVOKED,
            by=by,
            user=user.username,
            perms=list(DETAILS_PERMS),
            reason="left_organisation",
            fields=["team", "contact_person"] if was_contact else ["team"],
        )
        if was_contact:
            contact_person_left.send(sender=Case, case=case, by=by)
        left += 1
    return left


def can_view_personal_details(*, user: User, case: Case) -> bool:
    """The case team and users given the permission on this very case, if their role carries it."""
    return user_can(user, "cases.view_personal_details", case)


def personal_details_view(*, case: Case, by: User, purpose: str = "page") -> PersonalDetails | None:
    """Return the case's personal details for `by` and write the audit entry of the read.

    Raises PermissionDenied for anyone outside the team without an explicit permission on the case.
    """
    # Not one atomic block: the refusal must be recorded even though the caller gets an exception.
    if not can_view_personal_details(user=by, case=case):
        _audit(case, AuditAction.ACCESS_REFUSED, by=by, what="personal_details")
        raise PermissionDenied(_("Only the case team can see the personal details."))
    with transaction.atomic():
        return _details_read(case, by=by, purpose=purpose)


def _details_read(case: Case, *, by: User, purpose: str) -> PersonalDetails | None:
    details = PersonalDetails.objects.filter(case=case).first()
    shown = [
        f for f in PersonalDetails.FIELDS if details is not None and getattr(details, f) not in ("", None)
    ]
    _audit(case, AuditAction.VIEWED, by=by, what="personal_details", fields=shown, purpose=purpose)
    return details


def _details_save(case: Case, *, by: User, values: dict) -> list[str]:
    unknown = set(values) - set(PersonalDetails.FIELDS)
    if unknown:
        raise ValueError(f"Not personal details: {sorted(unknown)}")
    details, _created = PersonalDetails.objects.get_or_create(case=case)
    changed = [field for field, value in values.items() if getattr(details, field) != value]
    for field in changed:
        setattr(details, field, values[field])
    if changed:
        details.updated_by = by
        details.full_clean()
        details._history_user = by
        details.save()
    return changed


def personal_details_update(*, case: Case, by: User, **values) -> list[str]:
    """Change the personal details (team only). A new exact date of birth also corrects the age at opening."""
    if not user_can(by, "cases.change_personal_details", case):
        _audit(case, AuditAction.ACCESS_REFUSED, by=by, what="personal_details")
        raise PermissionDenied(_("Only the case team can change the personal details."))
    errors: dict = {}
    born = values.get("date_of_birth")
    _check_birth_date(born, case.opened_on, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return _details_update(case, by=by, values=values, born=born)


def _details_update(case: Case, *, by: User, values: dict, born) -> list[str]:
    changed = _details_save(case, by=by, values=values)
    if "date_of_birth" in changed and born:
        case.age_at_opening, case.age_is_estimate = age_from_birth_date(born, case.opened_on), False
        case._history_user = by
        case.save(update_fields=["age_at_opening", "age_is_estimate", "updated_at"])
    if changed:
        _event(case, EventKind.DETAILS_CHANGED, by=by, fields=changed)
        _audit(case, AuditAction.CHANGED, by=by, what="personal_details", fields=changed)
    return changed


# --- Minors -------------------------------------------------------------------------------------------


@transaction.atomic
def representative_appoint(
    *,
    case: Case,
    by: User,
    name: str,
    organisation_name: str,
    is_professional: bool,
    appointed_on: datetime.date,
) -> PersonalRepresentative:
    """Record the personal representative of a minor; a previous one still active ends that day.

    A new representative cannot be dated before the current one, or two would be active at once.
    """
    errors: dict = {}
    _not_in_future(appointed_on, "appointed_on", errors)
    Case.objects.select_for_update().filter(pk=case.pk).first()  # one writer of a case's representatives
    current = list(case.representatives.filter(ended_on__isnull=True))
    if appointed_on and any(r.appointed_on > appointed_on for r in current):
        errors["appointed_on"] = _("The current representative was appointed after this date.")
    if errors:
        raise ValidationError(errors)
    for previous in current:
        # Saved one by one (not a bulk update) so that the end is in the representative's history.
        previous.ended_on = appointed_on
        previous._history_user = by
        previous.save(update_fields=["ended_on"])
    representative = PersonalRepresentative(
        case=case,
        name=name,
        organisation_name=organisation_name,
        is_professional=is_professional,
        appointed_on=appointed_on,
        created_by=by,
    )
    representative.full_clean()
    representative._history_user = by
    representative.save()
    _event(case, EventKind.REPRESENTATIVE, by=by, occurred_on=appointed_on, professional=is_professional)
    _audit(case, AuditAction.CHANGED, by=by, what="representative")
    return representative


@transaction.atomic
def parent_tracing_record(
    *, case: Case, by: User, status: str, requested_on: datetime.date | None, with_whom: str, reason: str
) -> ParentTracing:
    """Record a step of tracing the parents; "not in the child's interest" needs a reason."""
    errors: dict = {}
    _not_in_future(requested_on, "requested_on", errors)
    if status == TracingStatus.NOT_IN_INTEREST and not reason.strip():
        errors["reason"] = _("Say why tracing the parents is not in the child's interest.")
    if status != TracingStatus.NOT_IN_INTEREST and not requested_on:
        errors["requested_on"] = _("Give the date tracing was requested.")
    if errors:
        raise ValidationError(errors)
    tracing = ParentTracing(
        case=case, status=status, requested_on=requested_on, with_whom=with_whom, reason=reason, created_by=by
    )
    tracing.full_clean()
    tracing._history_user = by
    tracing.save()
    _event(case, EventKind.TRACING, by=by, occurred_on=requested_on, status=status)
    return tracing


# --- Action plan --------------------------------------------------------------------------------------


@transaction.atomic
def action_plan_update(*, case: Case, by: User, goals: str, wishes_after_stay: str) -> ActionPlan:
    """Write the individual action plan's goals and the person's wishes for life after the stay."""
    plan, _created = ActionPlan.objects.get_or_create(case=case)
    if (plan.goals, plan.wishes_after_stay) != (goals, wishes_after_stay):
        plan.goals, plan.wishes_after_stay, plan.updated_by = goals, wishes_after_stay, by
        plan.full_clean()
        plan._history_user = by
        plan.save()
        _event(case, EventKind.ACTION_PLAN, by=by)
    return plan


@transaction.atomic
def activity_save(
    *, case: Case, by: User, activity: PlannedActivity | None = None, **values
) -> PlannedActivity:
    """Add a planned activity (course, internship...) or change one of this case's."""
    if activity is not None and activity.case_id != case.pk:
        raise PermissionDenied
    activity = activity or PlannedActivity(case=case)
    errors: dict = {}
    if values.get("starts_on") and values.get("ends_on") and values["ends_on"] < values["starts_on"]:
        errors["ends_on"] = _("The end cannot be before the start.")
    if errors:
        raise ValidationError(errors)
    creating = activity.pk is None
    for field, value in values.items():
        setattr(activity, field, value)
    activity.full_clean()
    activity._history_user = by
    activity.save()
    _event(
        case,
        EventKind.ACTIVITY,
        by=by,
        occurred_on=activity.starts_on if creating else None,
        activity_kind=activity.kind,
        status=activity.status,
    )
    return activity


@transaction.atomic
def plan_review_add(*, case: Case, by: User, review_on: datetime.date, notes: str = "") -> ActionPlanReview:
    """Add a review date to the action plan."""
    review = ActionPlanReview(case=case, review_on=review_on, notes=notes)
    review.full_clean()
    review.save()
    _event(case, EventKind.ACTION_PLAN, by=by, review_on=review_on.isoformat())
    return review


# --- Services and housing -----------------------------------------------------------------------------


@transaction.atomic
def service_record(
    *,
    case: Case,
    by: User,
    service_type: str,
    mode: str,
    provided_on: datetime.date,
    provider: str = "",
    notes: str = "",
) -> CaseService:
    """Record a service offered, referred, accompanied or received. Only an offer may lie in the future."""
    errors: dict = {}
    if mode != "offered":
        _not_in_future(provided_on, "provided_on", errors)
    if errors:
        raise ValidationError(errors)
    service = CaseService(
        case=case,
        service_type=service_type,
        mode=mode,
        provided_on=provided_on,
        provider=provider,
        notes=notes,
        created_by=by,
    )
    service.full_clean()
    service._history_user = by
    service.save()
    _event(case, EventKind.SERVICE, by=by, occurred_on=provided_on, service_type=service_type, mode=mode)
    return service


def _check_stay(case: Case, *, admitted_on, discharged_on, discharge_reason, exclude_pk=None) -> None:
    errors: dict = {}
    if not admitted_on:
        errors["admitted_on"] = _("Give the admission date.")
    _not_in_future(admitted_on, "admitted_on", errors)
    _not_in_future(discharged_on, "discharged_on", errors)
    if discharged_on and admitted_on and discharged_on < admitted_on:
        errors["discharged_on"] = _("The discharge cannot be before the admission.")
    if discharge_reason and not discharged_on:
        errors["discharge_reason"] = _("Give the discharge date too.")
    if discharged_on and not discharge_reason:
        errors["discharge_reason"] = _("Give the reason for the discharge.")
    if not errors:
        # Two stays overlap when each starts before the other ends (a discharge day can be the next
        # admission day: the night belongs to the new place).
        far_future = datetime.date.max
        overlapping = case.stays.exclude(pk=exclude_pk).filter(
            Q(discharged_on__isnull=True) | Q(discharged_on__gt=admitted_on),
            admitted_on__lt=discharged_on or far_future,
        )
        if overlapping.exists():
            errors["admitted_on"] = _("This stay overlaps another stay of the same person.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def stay_save(*, case: Case, by: User, stay: ShelterStay | None = None, **values) -> ShelterStay:
    """Record an admission to protected housing (and its discharge, if known), or correct a stay."""
    unknown = set(values) - set(STAY_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of a stay: {sorted(unknown)}")
    if stay is not None and stay.case_id != case.pk:
        raise PermissionDenied
    Case.objects.select_for_update().filter(pk=case.pk).first()  # one writer of a case's stays at a time
    stay = stay or ShelterStay(case=case, created_by=by)
    creating = stay.pk is None
    was_discharged = stay.discharged_on
    for field, value in values.items():
        setattr(stay, field, value)
    if stay.shelter and stay.shelter.kind != "shelter":
        raise ValidationError({"shelter": _("Choose an organisation that is a shelter.")})
    _check_stay(
        case,
        admitted_on=stay.admitted_on,
        discharged_on=stay.discharged_on,
        discharge_reason=stay.discharge_reason,
        exclude_pk=stay.pk,
    )
    stay.full_clean()
    stay._history_user = by
    stay.save()
    if creating:
        _event(case, EventKind.ADMISSION, by=by, occurred_on=stay.admitted_on, housing_type=stay.housing_type)
    if stay.discharged_on and stay.discharged_on != was_discharged:
        _event(case, EventKind.DISCHARGE, by=by, occurred_on=stay.discharged_on, reason=stay.discharge_reason)
    return stay


# --- Anonymous client codes ---------------------------------------------------------------------------


@transaction.atomic
def client_code_link(*, case: Case, code: str, by: User) -> ClientCode:
    """Link an anonymous client code to the case, so earlier anonymous contacts count as this person."""
    code = client_code_normalise(code)
    client_code, _created = ClientCode.objects.select_for_update().get_or_create(code=code)
    if client_code.case_id and client_code.case_id != case.pk:
        raise ValidationError({"code": _("This client code is already linked to another case.")})
    if client_code.case_id != case.pk:
        client_code.case, client_code.linked_at, client_code.linked_by = case, timezone.now(), by
        client_code.save()
        _event(case, EventKind.CLIENT_CODE, by=by)
        # Earlier anonymous contacts with this code now belong to the case (and show on its timeline).
        from outreach.services import contacts_link_by_client_code

        contacts_link_by_client_code(case=case, by=by)
        _audit(case, AuditAction.CHANGED, by=by, what="client_code")
    return client_code
