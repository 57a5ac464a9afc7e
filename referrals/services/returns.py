"""Every write of prepared-return plans: the plan, its workflow, reintegration components, the personal
representative's involvement and the audit of the printable summary. Departure creates the follow-ups here;
recording them and the scan that reminds of them live in referrals.services.return_follow_ups.

The responsible body is derived in referrals.routing; the workflow is the one table WORKFLOW below. Each
service owns its transaction, checks the rules, writes the audit entry and the case timeline event (choice
values, dates and ids only) and never puts identifying details anywhere. The private helpers below are
shared with return_follow_ups.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cases.choices import EventKind
from cases.models import Case, CaseEvent, PersonalRepresentative
from cmm.models import AuditAction, User
from cmm.services import audit_record
from referrals.choices import (
    ACTIVE_RETURN_STATUSES,
    MINOR_ONLY_COMPONENTS,
    ComponentKind,
    ComponentStatus,
    Currency,
    EscortKind,
    FollowUpMilestone,
    ReturnChannel,
    ReturnStatus,
    TravelDocumentStatus,
)
from referrals.models import ReintegrationComponent, ReturnFollowUp, ReturnPlan, ReturnStatusChange
from referrals.routing import DEFAULT_CHANNEL, allowed_channels, return_responsible_body

# The workflow: from each status, the steps allowed next. Anything else (a skip) is refused.
WORKFLOW: dict[str, list[str]] = {
    ReturnStatus.DRAFT: [ReturnStatus.SENT_TO_IOM, ReturnStatus.DECLINED, ReturnStatus.CANCELLED],
    ReturnStatus.SENT_TO_IOM: [ReturnStatus.APPROVED, ReturnStatus.DECLINED, ReturnStatus.CANCELLED],
    ReturnStatus.APPROVED: [ReturnStatus.DEPARTED, ReturnStatus.DECLINED, ReturnStatus.CANCELLED],
    ReturnStatus.DEPARTED: [ReturnStatus.FOLLOW_UP],
    ReturnStatus.FOLLOW_UP: [ReturnStatus.COMPLETED],
    ReturnStatus.COMPLETED: [],
    ReturnStatus.DECLINED: [],
    ReturnStatus.CANCELLED: [],
}
# Ending a plan without a return needs the reason written down.
NOTE_REQUIRED = [ReturnStatus.DECLINED, ReturnStatus.CANCELLED]
AFTER_DEPARTURE = [ReturnStatus.DEPARTED, ReturnStatus.FOLLOW_UP]
# The follow-ups after departure, in calendar months.
FOLLOW_UP_MONTHS = {FollowUpMilestone.ONE_MONTH: 1, FollowUpMilestone.THREE_MONTHS: 3}
PLAN_FIELDS = [
    "channel",
    "iom_reference",
    "destination_country",
    "destination_city",
    "planned_departure_on",
    "actual_departure_on",
    "travel_documents",
    "escort",
    "escort_name",
    "receiving_organisation",
]
COMPONENT_FIELDS = ["kind", "budget_amount", "currency", "status", "notes"]
# Dates before this are typing errors.
EARLIEST = datetime.date(1990, 1, 1)


# --- Rules in one place -------------------------------------------------------------------------------


def next_statuses(status: str) -> list[str]:
    """The statuses a plan in `status` may move to next."""
    return list(WORKFLOW.get(status, []))


def is_minor(case: Case) -> bool:
    """A minor's plan is made with the personal representative (by age, or flagged unaccompanied minor)."""
    return case.is_minor or case.unaccompanied_minor


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_due(departed_on: datetime.date, milestone: str) -> datetime.date:
    return add_months(departed_on, FOLLOW_UP_MONTHS[milestone])


def _label(choices, value) -> str:
    return str(choices(value).label)


def _short(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _refused_move(current: str, target: str) -> str:
    allowed = next_statuses(current)
    if not allowed:
        return _('The plan is "%(current)s": its status cannot change any more.') % {
            "current": _label(ReturnStatus, current)
        }
    return _('A plan that is "%(current)s" cannot move to "%(target)s". Allowed next: %(allowed)s.') % {
        "current": _label(ReturnStatus, current),
        "target": _label(ReturnStatus, target) if target in ReturnStatus.values else target,
        "allowed": ", ".join(f'"{_label(ReturnStatus, s)}"' for s in allowed),
    }


# --- Helpers ------------------------------------------------------------------------------------------


def _event(plan: ReturnPlan, *, by: User | None, occurred_on: datetime.date, **data) -> None:
    CaseEvent.objects.create(
        case=plan.case,
        kind=EventKind.RETURN,
        occurred_on=occurred_on,
        actor=by,
        data={"plan": plan.pk, **data},
    )


def _audit(plan: ReturnPlan, *, by: User, action: str = AuditAction.CHANGED, **detail) -> None:
    audit_record(
        actor=by,
        action=action,
        organisation=plan.case.organisation,
        target=plan,
        target_label=plan.case.number,
        detail={"what": "return_plan", **detail},
    )


def _check_day(value: datetime.date | None, field: str, errors: dict, *, past_only: bool = True) -> None:
    if value is None:
        return
    if value < EARLIEST:
        errors[field] = _("Give a date in 1990 or later.")
    elif past_only and value > timezone.localdate():
        errors[field] = _("The date cannot be in the future.")


def _not_before_opening(case: Case, value: datetime.date | None, field: str, errors: dict) -> None:
    if value is not None and field not in errors and value < case.opened_on:
        errors[field] = _("The date cannot be before the case was opened (%(day)s).") % {
            "day": _short(case.opened_on)
        }


def _locked(plan: ReturnPlan) -> ReturnPlan:
    return ReturnPlan.objects.select_for_update().select_related("case", "case__organisation").get(pk=plan.pk)


def _require_open(plan: ReturnPlan) -> None:
    if not plan.is_active:
        raise ValidationError(
            _('The plan is "%(status)s": it cannot change any more.')
            % {"status": _label(ReturnStatus, plan.status)}
        )


def _check_plan(plan: ReturnPlan, errors: dict) -> None:
    """The rules on a plan's own fields (shared by create and update)."""
    case = plan.case
    if not plan.destination_country:
        errors["destination_country"] = _("Choose the destination country.")
    if plan.channel not in allowed_channels(plan.responsible_body):
        errors["channel"] = _("A plan of %(body)s goes through %(allowed)s.") % {
            "body": plan.get_responsible_body_display(),
            "allowed": ", ".join(_label(ReturnChannel, c) for c in allowed_channels(plan.responsible_body)),
        }
    _check_day(plan.planned_departure_on, "planned_departure_on", errors, past_only=False)
    _not_before_opening(case, plan.planned_departure_on, "planned_departure_on", errors)
    _check_day(plan.actual_departure_on, "actual_departure_on", errors)
    _not_before_opening(case, plan.actual_departure_on, "actual_departure_on", errors)
    if plan.escort == EscortKind.PERSONAL_REPRESENTATIVE and not is_minor(case):
        errors["escort"] = _("Only a minor has a personal representative who can escort the return.")
    elif plan.escort == EscortKind.NONE and plan.escort_name.strip():
        errors["escort"] = _("Choose who escorts the return, or leave the escort's name empty.")


def _save_plan(plan: ReturnPlan, **kwargs) -> None:
    """Save under the rule of one plan in progress per case (a race ends as a clear refusal)."""
    plan.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            plan.save(**kwargs)
    except IntegrityError as exc:
        raise ValidationError(_("This case already has a return plan in progress.")) from exc


# --- The plan -----------------------------------------------------------------------------------------


@transaction.atomic
def return_plan_create(
    *,
    case: Case,
    by: User,
    destination_country: str,
    destination_city: str = "",
    channel: str = "",
    iom_reference: str = "",
    planned_departure_on: datetime.date | None = None,
    travel_documents: str = TravelDocumentStatus.TO_OBTAIN,
    escort: str = EscortKind.NONE,
    escort_name: str = "",
    receiving_organisation: str = "",
) -> ReturnPlan:
    """Draft a return plan. The responsible body and default channel follow from the case's residence status
    (referrals.routing); an unknown status is refused, and a case has one plan in progress at a time."""
    case = Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)
    route = return_responsible_body(case.residence_status)
    if route.body is None:
        raise ValidationError({"residence_status": route.explanation})
    if not case.is_open:
        raise ValidationError(_("The case is closed: reopen it before planning a return."))
    if ReturnPlan.objects.filter(case=case, status__in=ACTIVE_RETURN_STATUSES).exists():
        raise ValidationError(_("This case already has a return plan in progress."))
    plan = ReturnPlan(
        case=case,
        responsible_body=route.body,
        channel=channel or DEFAULT_CHANNEL[route.body],
        status=ReturnStatus.DRAFT,
        iom_reference=iom_reference.strip(),
        destination_country=destination_country or "",
        destination_city=destination_city.strip(),
        planned_departure_on=planned_departure_on,
        travel_documents=travel_documents,
        escort=escort,
        escort_name=escort_name.strip(),
        receiving_organisation=receiving_organisation.strip(),
        created_by=by,
    )
    errors: dict = {}
    _check_plan(plan, errors)
    if errors:
        raise ValidationError(errors)
    _save_plan(plan)
    today = timezone.localdate()
    ReturnStatusChange.objects.create(
        plan=plan, from_status="", to_status=plan.status, changed_on=today, changed_by=by
    )
    _event(
        plan,
        by=by,
        occurred_on=today,
        step="created",
        body=plan.responsible_body,
        channel=plan.channel,
        country=str(plan.destination_country),
    )
    _audit(plan, by=by, action=AuditAction.CREATED, step="created")
    return plan


@transaction.atomic
def return_plan_update(*, plan: ReturnPlan, by: User, **changes) -> ReturnPlan:
    """Change the plan's details while it is in progress. The actual departure date is set by the step
    "departed" and can only be corrected after it; a correction moves the open follow-ups with it."""
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"return_plan_update() got unexpected fields {sorted(unknown)}")
    plan = _locked(plan)
    _require_open(plan)
    for name in ("iom_reference", "destination_city", "escort_name", "receiving_organisation"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    if changes.get("destination_country") is None and "destination_country" in changes:
        changes["destination_country"] = ""
    changed = [name for name, value in changes.items() if getattr(plan, name) != value]
    if not changed:
        return plan
    errors: dict = {}
    if "actual_departure_on" in changed:
        if plan.status not in AFTER_DEPARTURE:
            errors["actual_departure_on"] = _(
                'The actual departure is recorded with the step "Departed", and can be corrected after it.'
            )
        elif changes["actual_departure_on"] is None:
            errors["actual_departure_on"] = _("A plan after departure needs the date of departure.")
        else:
            before = (
                plan.status_changes.exclude(from_status="")
                .exclude(to_status__in=AFTER_DEPARTURE)
                .order_by("recorded_at", "id")
                .last()
            )
            if before is not None and changes["actual_departure_on"] < before.changed_on:
                errors["actual_departure_on"] = _(
                    "The date cannot be before the plan's previous step (%(day)s)."
                ) % {"day": _short(before.changed_on)}
    departed_before = plan.actual_departure_on
    for name in changed:
        setattr(plan, name, changes[name])
    _check_plan(plan, errors)
    if errors:
        raise ValidationError(errors)
    _save_plan(plan)
    if "actual_departure_on" in changed:
        # The dated history and the open follow-ups follow the corrected date.
        plan.status_changes.filter(to_status=ReturnStatus.DEPARTED).update(
            changed_on=plan.actual_departure_on
        )
        for follow_up in plan.follow_ups.filter(done_on__isnull=True):
            follow_up.due_on = follow_up_due(plan.actual_departure_on, follow_up.milestone)
            follow_up.save(update_fields=["due_on"])
        _redate_reflection_outcome(plan, by=by, was=departed_before)
    _event(plan, by=by, occurred_on=timezone.localdate(), step="changed", fields=sorted(changed))
    _audit(plan, by=by, step="changed", fields=sorted(changed))
    return plan


@transaction.atomic
def return_plan_record_representative(
    *,
    plan: ReturnPlan,
    by: User,
    representative: PersonalRepresentative | None,
    involved_on: datetime.date | None,
    involvement: str = "",
) -> ReturnPlan:
    """Record that the minor's personal representative took part in the plan, and when: a minor's plan
    cannot be sent to IOM before this is recorded."""
    plan = _locked(plan)
    _require_open(plan)
    errors: dict = {}
    if representative is None or representative.case_id != plan.case_id:
        errors["representative"] = _("Choose one of the case's personal representatives.")
    if involved_on is None:
        errors["involved_on"] = _("Give the date the representative took part.")
    _check_day(involved_on, "involved_on", errors)
    if "representative" not in errors and "involved_on" not in errors:
        if involved_on < representative.appointed_on:
            errors["involved_on"] = _("The representative was appointed on %(day)s, after this date.") % {
                "day": _short(representative.appointed_on)
            }
        elif representative.ended_on is not None and involved_on > representative.ended_on:
            errors["involved_on"] = _(
                "The representative's appointment ended on %(day)s, before this date."
            ) % {"day": _short(representative.ended_on)}
    if errors:
        raise ValidationError(errors)
    plan.representative = representative
    plan.representative_involved_on = involved_on
    plan.representative_involvement = involvement.strip()
    plan.full_clean(validate_constraints=False)
    plan.save(
        update_fields=[
            "representative",
            "representative_involved_on",
            "representative_involvement",
            "updated_at",
        ]
    )
    _event(
        plan,
        by=by,
        occurred_on=involved_on,
        step="representative",
        professional=representative.is_professional,
    )
    _audit(plan, by=by, step="representative")
    return plan


@transaction.atomic
def return_plan_transition(
    *, plan: ReturnPlan, to_status: str, by: User, on: datetime.date | None, note: str = ""
) -> ReturnPlan:
    """Move the plan one step along WORKFLOW on the date `on`. A minor's plan is sent only after the
    representative's involvement is recorded; "departed" records the actual departure, creates the follow-ups
    at one and three months and ends the running reflection period with the outcome prepared return;
    "completed" needs the three-month follow-up done; declining or cancelling needs a note."""
    plan = _locked(plan)
    case = plan.case
    if to_status not in next_statuses(plan.status):
        raise ValidationError({"to_status": _refused_move(plan.status, to_status)})
    errors: dict = {}
    if on is None:
        errors["on"] = _("Give the date of this step.")
    _check_day(on, "on", errors)
    _not_before_opening(case, on, "on", errors)
    previous = plan.status_changes.exclude(from_status="").order_by("changed_on", "recorded_at", "id").last()
    if "on" not in errors and previous is not None and on < previous.changed_on:
        errors["on"] = _("The date cannot be before the plan's previous step (%(day)s).") % {
            "day": _short(previous.changed_on)
        }
    note = (note or "").strip()
    if to_status in NOTE_REQUIRED and not note:
        if to_status == ReturnStatus.DECLINED:
            errors["note"] = _(
                "Write why the person declined the return. The police then handle the departure."
            )
        else:
            errors["note"] = _("Write why the plan is cancelled.")
    representative_missing = plan.representative_id is None or plan.representative_involved_on is None
    if to_status == ReturnStatus.SENT_TO_IOM and is_minor(case) and representative_missing:
        errors["to_status"] = _(
            "This is a minor's plan: record the personal representative's involvement before sending it."
        )
    elif (
        to_status == ReturnStatus.SENT_TO_IOM
        and is_minor(case)
        and plan.representative.ended_on is not None
        and plan.representative.ended_on < on
    ):
        errors["to_status"] = _(
            "The personal representative recorded on the plan is no longer appointed: record the involvement "
            "of the current representative before sending the plan."
        )
    if to_status == ReturnStatus.COMPLETED:
        done = set(plan.follow_ups.filter(done_on__isnull=False).values_list("milestone", flat=True))
        if FollowUpMilestone.ONE_MONTH not in done:
            errors["to_status"] = _("Record the one-month follow-up before completing the plan.")
        elif FollowUpMilestone.THREE_MONTHS not in done:
            errors["to_status"] = _("Record the three-month follow-up before completing the plan.")
    if errors:
        raise ValidationError(errors)

    from_status = plan.status
    plan.status = to_status
    fields = ["status", "updated_at"]
    if to_status == ReturnStatus.DEPARTED:
        plan.actual_departure_on = on
        fields.append("actual_departure_on")
    plan.full_clean(validate_constraints=False)
    plan.save(update_fields=fields)
    ReturnStatusChange.objects.create(
        plan=plan, from_status=from_status, to_status=to_status, changed_on=on, note=note, changed_by=by
    )
    if to_status == ReturnStatus.DEPARTED:
        _after_departure(plan, by=by, on=on)
    _event(plan, by=by, occurred_on=on, step="status", status=to_status, previous=from_status)
    _audit(plan, by=by, step="status", status=to_status, previous=from_status)
    return plan


def _after_departure(plan: ReturnPlan, *, by: User, on: datetime.date) -> None:
    from reflection.choices import PeriodOutcome  # reflection's rules end the period
    from reflection.models import ReflectionPeriod
    from reflection.services import period_end

    for milestone in FOLLOW_UP_MONTHS:
        ReturnFollowUp.objects.update_or_create(
            plan=plan, milestone=milestone, defaults={"due_on": follow_up_due(on, milestone)}
        )
    running = ReflectionPeriod.objects.filter(case=plan.case, outcome="").first()
    if running is None:
        return
    try:
        period_end(period=running, by=by, outcome=PeriodOutcome.PREPARED_RETURN, outcome_on=on)
    except ValidationError as exc:
        # The departure date is the period's outcome date: a refusal of it concerns the field "on".
        raise ValidationError(
            {
                "on": [
                    _("The running reflection period cannot end on this date: %(reason)s")
                    % {"reason": " ".join(exc.messages)}
                ]
            }
        ) from exc


def _redate_reflection_outcome(plan: ReturnPlan, *, by: User, was: datetime.date | None) -> None:
    """The reflection period that ended with this departure ends on the corrected date too."""
    from reflection.choices import PeriodOutcome
    from reflection.models import ReflectionPeriod
    from reflection.services import period_outcome_redate

    ended = ReflectionPeriod.objects.filter(
        case=plan.case, outcome=PeriodOutcome.PREPARED_RETURN, outcome_on=was
    ).first()
    if ended is None:
        return
    try:
        period_outcome_redate(period=ended, by=by, outcome_on=plan.actual_departure_on)
    except ValidationError as exc:
        raise ValidationError(
            {
                "actual_departure_on": [
                    _("The reflection period cannot end on this date: %(reason)s")
                    % {"reason": " ".join(exc.messages)}
                ]
            }
        ) from exc


def return_plan_summary_viewed(*, plan: ReturnPlan, by: User, medium: str = "html") -> None:
    """Record that the printable summary for the meeting with IOM was shown: it leaves the system on paper."""
    audit_record(
        actor=by,
        action=AuditAction.EXPORTED,
        organisation=plan.case.organisation,
        target=plan,
        target_label=plan.case.number,
        detail={"what": "return_plan_summary", "medium": medium},
    )


# --- Reintegration components -------------------------------------------------------------------------


def _check_component(plan: ReturnPlan, component: ReintegrationComponent, errors: dict) -> None:
    if component.kind in MINOR_ONLY_COMPONENTS and not is_minor(plan.case):
        errors["kind"] = _("%(kind)s is only for a minor's plan.") % {
            "kind": _label(ComponentKind, component.kind)
        }
    elif (
        component.kind in ComponentKind.values
        and ReintegrationComponent.objects.filter(plan=plan, kind=component.kind)
        .exclude(pk=component.pk)
        .exists()
    ):
        errors["kind"] = _("The plan already has this component: change the one it has.")
    if component.budget_amount is None:
        errors["budget_amount"] = _("Give the budget (0 if none).")
    elif component.budget_amount < 0:
        errors["budget_amount"] = _("The budget cannot be negative.")


def _save_component(component: ReintegrationComponent) -> None:
    try:
        component.full_clean(exclude=["plan"], validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    try:
        with transaction.atomic():
            component.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"kind": _("The plan already has this component: change the one it has.")}
        ) from exc


@transaction.atomic
def component_add(
    *,
    plan: ReturnPlan,
    by: User,
    kind: str,
    budget_amount: Decimal = Decimal(0),
    currency: str = Currency.DKK,
    status: str = ComponentStatus.PLANNED,
    notes: str = "",
) -> ReintegrationComponent:
    """Add one reintegration component (one of each kind) with its budget; schooling only for a minor."""
    plan = _locked(plan)
    _require_open(plan)
    component = ReintegrationComponent(
        plan=plan,
        kind=kind,
        budget_amount=budget_amount,
        currency=currency,
        status=status,
        notes=notes.strip(),
    )
    errors: dict = {}
    _check_component(plan, component, errors)
    if errors:
        raise ValidationError(errors)
    _save_component(component)
    _event(plan, by=by, occurred_on=timezone.localdate(), step="component", change="added", component=kind)
    _audit(plan, by=by, step="component_added", component=kind)
    return component


@transaction.atomic
def component_update(*, component: ReintegrationComponent, by: User, **changes) -> ReintegrationComponent:
    """Change a component's kind, budget, currency, status or notes while the plan is in progress."""
    unknown = set(changes) - set(COMPONENT_FIELDS)
    if unknown:
        raise TypeError(f"component_update() got unexpected fields {sorted(unknown)}")
    plan = _locked(component.plan)
    _require_open(plan)
    component = ReintegrationComponent.objects.select_for_update().get(pk=component.pk)
    if "notes" in changes:
        changes["notes"] = (changes["notes"] or "").strip()
    changed = sorted(name for name, value in changes.items() if getattr(component, name) != value)
    if not changed:
        return component
    for name in changed:
        setattr(component, name, changes[name])
    component.plan = plan
    errors: dict = {}
    _check_component(plan, component, errors)
    if errors:
        raise ValidationError(errors)
    _save_component(component)
    _event(
        plan,
        by=by,
        occurred_on=timezone.localdate(),
        step="component",
        change="changed",
        component=component.kind,
    )
    _audit(plan, by=by, step="component_changed", component=component.kind, fields=changed)
    return component


@transaction.atomic
def component_remove(*, component: ReintegrationComponent, by: User) -> None:
    """Remove a component from a plan in progress."""
    plan = _locked(component.plan)
    _require_open(plan)
    kind = component.kind
    deleted, _rows = ReintegrationComponent.objects.filter(pk=component.pk).delete()
    if not deleted:
        return  # removed already: nothing more to do
    _event(plan, by=by, occurred_on=timezone.localdate(), step="component", change="removed", component=kind)
    _audit(plan, by=by, step="component_removed", component=kind)
