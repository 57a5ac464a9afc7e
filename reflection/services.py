"""Every write of reflection periods, and the deadline scan that reminds exactly once."""

from __future__ import annotations

import datetime
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import EventKind
from cases.models import Case, CaseEvent
from cmm.bulk import insert_rows
from cmm.models import AuditAction, Membership, User
from cmm.services import audit_record, email_queue, email_queue_many
from identification.choices import Authority, Outcome, TaskKind, TaskStatus
from identification.models import Decision, IdentificationTask
from reflection.choices import ExtensionGround, PeriodKind
from reflection.dates import STANDARD_DAYS, period_deadline
from reflection.models import MAX_DAYS, CalendarToken, Extension, Notification, Postponement, ReflectionPeriod
from reflection.selectors import DueReminder, reminders_due

logger = logging.getLogger(__name__)


# Dates before this are typing errors; far-past deadlines would also overflow the reminders' day counts.
EARLIEST = datetime.date(1990, 1, 1)


def _not_in_future(value, field: str, errors: dict) -> None:
    if value is None:
        return
    if value > timezone.localdate():
        errors[field] = _("The date cannot be in the future.")
    elif value < EARLIEST:
        errors[field] = _("Give a date in 1990 or later.")


def _event(period: ReflectionPeriod, *, by: User | None, occurred_on: datetime.date, **data) -> None:
    CaseEvent.objects.create(
        case=period.case, kind=EventKind.REFLECTION, occurred_on=occurred_on, actor=by, data=data
    )


def _audit(period: ReflectionPeriod, *, by: User, **detail) -> None:
    audit_record(
        actor=by,
        action=AuditAction.CHANGED,
        organisation=period.case.organisation,
        target=period.case,
        target_label=period.case.number,
        detail={"what": "reflection_period", **detail},
    )


def _refresh_deadline(period: ReflectionPeriod) -> None:
    period.ends_on = period_deadline(
        starts_on=period.starts_on,
        total_days=period.total_days,
        postponements=list(period.postponements.all()),
    )
    period.save(update_fields=["ends_on"])


def _locked(period: ReflectionPeriod) -> ReflectionPeriod:
    return ReflectionPeriod.objects.select_for_update().select_related("case").get(pk=period.pk)


def _require_running(period: ReflectionPeriod) -> None:
    if not period.is_running:
        raise ValidationError(_("The period has ended: it cannot change any more."))


def statutory_decision(case: Case) -> Decision | None:
    """The Immigration Service's current decision identifying the person, which a statutory period needs."""
    return (
        Decision.objects.current()
        .filter(presentation__case=case, outcome=Outcome.IDENTIFIED, authority=Authority.IMMIGRATION_SERVICE)
        .order_by("-decided_on", "-id")
        .first()
    )


@transaction.atomic
def period_start(
    *,
    case: Case,
    by: User,
    kind: str,
    starts_on: datetime.date,
    initial_days: int = STANDARD_DAYS,
    short_reason: str = "",
) -> ReflectionPeriod:
    """Start a reflection period: 30 days unless a special reason is recorded. A statutory period needs the
    Immigration Service's decision identifying the person; a case has one running period at a time."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    errors: dict = {}
    _not_in_future(starts_on, "starts_on", errors)
    decision = None
    if kind == PeriodKind.STATUTORY:
        decision = statutory_decision(case)
        if decision is None:
            errors["kind"] = _(
                "A statutory period starts only after the Immigration Service has identified the "
                "person as trafficked."
            )
        elif starts_on and starts_on < decision.decided_on:
            errors["starts_on"] = _("The period cannot start before the identification decision.")
    if initial_days is None or not 1 <= initial_days <= STANDARD_DAYS:
        errors["initial_days"] = _("The initial length is at most 30 days; it can be extended later.")
    elif initial_days < STANDARD_DAYS and not short_reason.strip():
        errors["short_reason"] = _("A period shorter than 30 days needs the special reason recorded.")
    if ReflectionPeriod.objects.filter(case=case, outcome="").exists():
        errors["kind"] = _("This case already has a running reflection period.")
    if errors:
        raise ValidationError(errors)
    period = ReflectionPeriod(
        case=case,
        kind=kind,
        starts_on=starts_on,
        initial_days=initial_days,
        short_reason=short_reason.strip(),
        total_days=initial_days,
        decision=decision,
        created_by=by,
    )
    period.ends_on = period_deadline(starts_on=starts_on, total_days=initial_days, postponements=[])
    period.full_clean()
    period.save()
    # The identification task "start the reflection period" is done now.
    IdentificationTask.objects.filter(
        case=case, kind=TaskKind.START_REFLECTION, status=TaskStatus.OPEN
    ).update(status=TaskStatus.DONE, done_on=timezone.localdate(), done_by=by)
    _event(period, by=by, occurred_on=starts_on, step="started", days=initial_days)
    _audit(period, by=by, step="started")
    return period


def _return_in_preparation(case: Case) -> bool:
    """Whether the case has a return plan before departure (referrals builds on reflection: imported here)."""
    from referrals.choices import PREPARING_RETURN_STATUSES
    from referrals.models import ReturnPlan

    return ReturnPlan.objects.filter(case=case, status__in=PREPARING_RETURN_STATUSES).exists()


@transaction.atomic
def period_extend(
    *,
    period: ReflectionPeriod,
    by: User,
    new_total_days: int,
    ground: str,
    decided_on: datetime.date,
    ground_text: str = "",
) -> Extension:
    """Extend a running period to a new total length of at most 100 days from its start."""
    period = _locked(period)
    _require_running(period)
    errors: dict = {}
    _not_in_future(decided_on, "decided_on", errors)
    if new_total_days is None or new_total_days > MAX_DAYS:
        errors["new_total_days"] = _("A reflection period can last at most 100 days in total.")
    elif new_total_days <= period.total_days:
        errors["new_total_days"] = _(
            "The new length must be longer than the %(days)s days granted so far."
        ) % {"days": period.total_days}
    if ground == ExtensionGround.OTHER and not ground_text.strip():
        errors["ground_text"] = _("Explain the special reason.")
    if ground == ExtensionGround.PREPARED_RETURN and not _return_in_preparation(period.case):
        errors["ground"] = _(
            "Record the return plan first: cooperation on a prepared return is a ground for extension only "
            "while the case has a return plan being prepared (draft, sent to IOM or approved)."
        )
    if decided_on and decided_on < period.starts_on:
        errors["decided_on"] = _("The extension cannot be decided before the period started.")
    if decided_on and period.ends_on and decided_on > period.ends_on:
        errors["decided_on"] = _("The period had already ended on that date: it can no longer be extended.")
    if errors:
        raise ValidationError(errors)
    extension = Extension(
        period=period,
        new_total_days=new_total_days,
        ground=ground,
        ground_text=ground_text.strip(),
        decided_on=decided_on,
        recorded_by=by,
    )
    extension.full_clean()
    extension.save()
    period.total_days = new_total_days
    period.save(update_fields=["total_days"])
    _refresh_deadline(period)
    _event(period, by=by, occurred_on=decided_on, step="extended", days=new_total_days, ground=ground)
    _audit(period, by=by, step="extended")
    return extension


@transaction.atomic
def period_postpone(
    *, period: ReflectionPeriod, by: User, from_date: datetime.date, reason: str
) -> Postponement:
    """Postpone the deadline while the authorities examine conditions in the home country."""
    period = _locked(period)
    _require_running(period)
    errors: dict = {}
    _not_in_future(from_date, "from_date", errors)
    if from_date and from_date < period.starts_on:
        errors["from_date"] = _("The postponement cannot start before the period.")
    if period.postponements.filter(lifted_on__isnull=True).exists():
        errors["from_date"] = _("The period is already postponed.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for the postponement.")
    if errors:
        raise ValidationError(errors)
    postponement = Postponement(period=period, from_date=from_date, reason=reason.strip(), recorded_by=by)
    postponement.full_clean()
    postponement.save()
    _refresh_deadline(period)
    _event(period, by=by, occurred_on=from_date, step="postponed")
    _audit(period, by=by, step="postponed")
    return postponement


@transaction.atomic
def period_lift_postponement(
    *, period: ReflectionPeriod, by: User, lifted_on: datetime.date, new_ends_on: datetime.date | None = None
) -> Postponement:
    """Lift the open postponement: the remaining days continue, unless a new deadline was decided."""
    period = _locked(period)
    _require_running(period)
    postponement = period.postponements.filter(lifted_on__isnull=True).first()
    errors: dict = {}
    if postponement is None:
        raise ValidationError(_("The period is not postponed."))
    _not_in_future(lifted_on, "lifted_on", errors)
    if lifted_on and lifted_on < postponement.from_date:
        errors["lifted_on"] = _("The postponement cannot be lifted before it started.")
    if new_ends_on and lifted_on and new_ends_on < lifted_on:
        errors["new_ends_on"] = _("The new deadline cannot be before the lift.")
    if (
        new_ends_on
        and (new_ends_on - period.starts_on).days - (lifted_on - postponement.from_date).days > MAX_DAYS
    ):
        errors["new_ends_on"] = _("A reflection period can last at most 100 days in total.")
    if errors:
        raise ValidationError(errors)
    postponement.lifted_on, postponement.new_ends_on = lifted_on, new_ends_on
    postponement.total_days_at_lift = period.total_days
    postponement.save(update_fields=["lifted_on", "new_ends_on", "total_days_at_lift"])
    _refresh_deadline(period)
    _event(period, by=by, occurred_on=lifted_on, step="lifted")
    _audit(period, by=by, step="lifted")
    return postponement


@transaction.atomic
def period_end(
    *, period: ReflectionPeriod, by: User, outcome: str, outcome_on: datetime.date
) -> ReflectionPeriod:
    """Record how the period ended (prepared return, left, disappeared, ...)."""
    period = _locked(period)
    _require_running(period)
    errors: dict = {}
    _not_in_future(outcome_on, "outcome_on", errors)
    if outcome_on and outcome_on < period.starts_on:
        errors["outcome_on"] = _("The outcome cannot be dated before the period started.")
    if not outcome:
        errors["outcome"] = _("Choose how the period ended.")
    if errors:
        raise ValidationError(errors)
    period.outcome, period.outcome_on = outcome, outcome_on
    period.full_clean()
    period.save(update_fields=["outcome", "outcome_on"])
    _event(period, by=by, occurred_on=outcome_on, step="ended", outcome=outcome)
    _audit(period, by=by, step="ended")
    return period


@transaction.atomic
def period_outcome_redate(
    *, period: ReflectionPeriod, by: User, outcome_on: datetime.date
) -> ReflectionPeriod:
    """Correct the date of an ended period's outcome (e.g. the corrected departure of a prepared return)."""
    period = _locked(period)
    if period.is_running:
        raise ValidationError(_("The period is still running: record its outcome first."))
    if period.outcome_on == outcome_on:
        return period
    errors: dict = {}
    _not_in_future(outcome_on, "outcome_on", errors)
    if outcome_on and outcome_on < period.starts_on:
        errors["outcome_on"] = _("The outcome cannot be dated before the period started.")
    if errors:
        raise ValidationError(errors)
    period.outcome_on = outcome_on
    period.full_clean()
    period.save(update_fields=["outcome_on"])
    _event(period, by=by, occurred_on=outcome_on, step="ended", outcome=period.outcome)
    _audit(period, by=by, step="outcome_redated")
    return period


# --- Reminders ----------------------------------------------------------------------------------------


def reminder_recipients(case: Case) -> list[User]:
    """The contact person and the case team who are still active members of the case's organisation
    (someone who has left it is not told about the case any more). Expects `case.team__user` prefetched;
    referrals.services.return_follow_ups uses it for the return follow-ups. (The deadline scan asks the same
    question of all running periods at once in SQL: reflection.selectors.reminders_due.)"""
    users = {m.user for m in case.team.all() if m.user.is_active}
    if case.contact_person is not None and case.contact_person.is_active:
        users.add(case.contact_person)
    active_members = set(
        Membership.objects.active()
        .filter(organisation_id=case.organisation_id, user_id__in={u.pk for u in users})
        .values_list("user_id", flat=True)
    )
    return sorted((u for u in users if u.pk in active_members), key=lambda u: u.pk)


SCAN_CHUNK = 500


def deadline_scan(*, today: datetime.date | None = None) -> int:
    """Remind the contact person and the case team of each milestone reached, exactly once each.

    reflection.selectors.reminders_due finds the reminders due today that were not sent yet: the milestone
    rule, the recipients and "already sent" are answered by the database, so an hourly re-run with nothing
    new costs two queries. The new ones are written in chunks, one transaction each: the
    notification rows (under a unique constraint, so a scan run twice or two at once sends nothing more)
    and their e-mails in the outbox. If a chunk fails - a concurrent scan got there first, or one row is bad
    (say an unusable e-mail address) - its reminders are written one at a time, so that one bad row never
    stops everybody else's; what failed was not kept, and the next scan tries again.
    Returns the number of notifications created.
    """
    today = today or timezone.localdate()
    due = reminders_due(today=today)
    link = _dashboard_link()
    created = 0
    for start in range(0, len(due), SCAN_CHUNK):
        chunk = due[start : start + SCAN_CHUNK]
        try:
            with transaction.atomic():
                # Plain multi-row INSERTs (cmm.bulk): model instances would cost more than the writes.
                insert_rows(Notification, NOTIFICATION_FIELDS, [_notification_row(r) for r in chunk])
                email_queue_many([_email(reminder, link) for reminder in chunk if reminder.email])
        except Exception:  # retried row by row below, where each failure is logged
            created += sum(_remind(reminder, link) for reminder in chunk)
        else:
            created += len(chunk)
    return created


NOTIFICATION_FIELDS = ["recipient_id", "period_id", "case_id", "milestone", "days_left"]


def _notification_row(reminder: DueReminder) -> tuple:
    return (
        reminder.recipient_id,
        reminder.period_id,
        reminder.case_id,
        reminder.milestone,
        reminder.days_left,
    )


def _email(reminder: DueReminder, link: str) -> dict:
    return {
        "to": reminder.email,
        "subject": _subject(reminder.case_number, reminder.days_left),
        "body": _body(reminder.case_number, reminder.ends_on, link),
    }


def _remind(reminder: DueReminder, link: str) -> int:
    try:
        with transaction.atomic():
            Notification(**dict(zip(NOTIFICATION_FIELDS, _notification_row(reminder), strict=True))).save(
                force_insert=True
            )
            if reminder.email:
                email_queue(**_email(reminder, link))
    except IntegrityError:
        return 0  # someone else (another scan) already reminded this person of this milestone
    except Exception:
        # One bad row (say an unusable e-mail address) must not stop everybody else's reminders; nothing
        # of it was kept, so the next scan tries again.
        logger.exception(
            "Reminder %s of period %s to user %s failed",
            reminder.milestone,
            reminder.period_id,
            reminder.recipient_id,
        )
        return 0
    return 1


def _subject(number: str, left: int) -> str:
    if left < 0:
        return f"Frist overskredet i sag {number} / Deadline passed in case {number}"
    return f"En frist i sag {number} nærmer sig / A deadline in case {number} is due"


def _dashboard_link() -> str:
    return f"{settings.SITE_URL}{reverse('reflection-dashboard')}"


def _body(number: str, ends_on: datetime.date, link: str) -> str:
    return (
        f"Refleksionsperioden i sag {number} har en frist {ends_on:%d.%m.%Y}.\n"
        f"The reflection period in case {number} has a deadline on {ends_on:%Y-%m-%d}.\n\n"
        f"{link}\n"
    )


@transaction.atomic
def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's notifications (all unread, or those ids) as read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def calendar_token_renew(*, user: User) -> CalendarToken:
    """Give the user a new secret calendar address; the old one stops working at once."""
    token = secrets.token_urlsafe(32)
    calendar, _created = CalendarToken.objects.update_or_create(user=user, defaults={"token": token})
    audit_record(actor=user, action=AuditAction.CHANGED, target=calendar, target_label="calendar feed")
    return calendar


@transaction.atomic
def calendar_token_revoke(*, user: User) -> None:
    CalendarToken.objects.filter(user=user).delete()
