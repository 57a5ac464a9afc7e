"""Every write of reflection periods, and the deadline scan that reminds exactly once."""

from __future__ import annotations

import datetime
import logging
import secrets
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cases.choices import EventKind
from cases.models import Case, CaseEvent
from cmm.bulk import insert_rows
from cmm.models import AuditAction, EmailStatus, Membership, OutboundEmail, User
from cmm.services import audit_record, email_cancel_pending, email_queue, email_queue_many
from identification.choices import Authority, Outcome, TaskKind, TaskStatus
from identification.models import Decision, IdentificationTask
from reflection.choices import ExtensionGround, PeriodKind
from reflection.dates import STANDARD_DAYS, period_deadline, refuse_beyond_limit, total_days_for_deadline
from reflection.models import CalendarToken, Extension, Notification, Postponement, ReflectionPeriod
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


def _iso(day: datetime.date | None) -> str | None:
    """A deadline as the timeline keeps it (ISO date; None while postponed): a date of the case, not of the
    person."""
    return day.isoformat() if day else None


def _audit(period: ReflectionPeriod, *, by: User, **detail) -> None:
    audit_record(
        actor=by,
        action=AuditAction.CHANGED,
        organisation=period.case.organisation,
        target=period.case,
        target_label=period.case.number,
        detail={"what": "reflection_period", **detail},
    )


def _within_limit(
    period: ReflectionPeriod,
    *,
    field: str,
    starts_on: datetime.date | None = None,
    total_days: int | None = None,
    postponements: list | None = None,
) -> None:
    """Ask the 100-day rule (reflection.dates.refuse_beyond_limit) about the period as it would be after a
    change: its start, length or postponements replaced by the given ones. Raises the rule's ValidationError
    on `field`."""
    refuse_beyond_limit(
        starts_on=starts_on or period.starts_on,
        total_days=total_days if total_days is not None else period.total_days,
        postponements=postponements if postponements is not None else list(period.postponements.all()),
        field=field,
    )


def _refresh_deadline(period: ReflectionPeriod) -> None:
    """Work the deadline out again after a change (reflection.dates); if it moved, drop what was still
    waiting to be mailed about the old one."""
    was = period.ends_on
    period.ends_on = period_deadline(
        starts_on=period.starts_on,
        total_days=period.total_days,
        postponements=list(period.postponements.all()),
    )
    period.save(update_fields=["ends_on"])
    if period.ends_on != was:
        _drop_stale_reminders(period)


def _drop_stale_reminders(period: ReflectionPeriod) -> int:
    """Drop the reminder e-mails about another deadline than the period's current one that are still waiting
    in the outbox (the in-app reminders stay, as the history of what was said); return how many. The
    milestones of the new deadline are reminded by the next scan: the deadline is part of a reminder's key.

    The e-mails are locked before they are deleted, so a worker claiming one at the same moment either sends
    it first (too late to stop) or finds it gone; the period is locked by the caller, so no scan adds a
    reminder about the old deadline afterwards (deadline_scan checks the deadline under the same lock)."""
    stale = Notification.objects.filter(period_id=period.pk, outbound_email__status=EmailStatus.PENDING)
    if period.ends_on is not None:
        stale = stale.exclude(deadline=period.ends_on)
    waiting = list(
        OutboundEmail.objects.select_for_update()
        .filter(pk__in=stale.values("outbound_email_id"), status=EmailStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if waiting:
        OutboundEmail.objects.filter(pk__in=waiting).delete()
    return len(waiting)


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
    _event(
        period,
        by=by,
        occurred_on=starts_on,
        step="started",
        days=initial_days,
        kind=kind,
        ends_on=_iso(period.ends_on),
    )
    _audit(period, by=by, step="started")
    return period


def _return_in_preparation(case: Case) -> bool:
    """Whether the case has a return plan before departure (referrals builds on reflection: imported here)."""
    from referrals.choices import PREPARING_RETURN_STATUSES
    from referrals.models import ReturnPlan

    return ReturnPlan.objects.filter(case=case, status__in=PREPARING_RETURN_STATUSES).exists()


def _extension_total(
    period: ReflectionPeriod, *, new_total_days: int | None, new_ends_on: datetime.date | None, errors: dict
) -> int | None:
    """The new total length asked for, given either as days or as the new deadline (converted by
    reflection.dates.total_days_for_deadline), checked against the days granted and the 100-day rule; the
    refusals go into `errors` on the field that was given."""
    postponements = list(period.postponements.all())
    field = "new_total_days"
    if new_ends_on is not None and new_total_days is not None:
        errors["new_ends_on"] = _("Give either the new deadline or the new total length, not both.")
        return None
    if new_ends_on is not None:
        field = "new_ends_on"
        new_total_days = total_days_for_deadline(
            starts_on=period.starts_on,
            total_days=period.total_days,
            postponements=postponements,
            new_deadline=new_ends_on,
        )
        if new_total_days is None:
            errors[field] = _(
                "No deadline runs while the period is postponed: give the new total length in days."
            )
            return None
        if new_total_days <= period.total_days:
            errors[field] = _("The new deadline must be after the current deadline.")
            return None
    elif new_total_days is None:
        errors[field] = _("Give the new deadline or the new total length.")
        return None
    elif new_total_days <= period.total_days:
        errors[field] = _("The new length must be longer than the %(days)s days granted so far.") % {
            "days": period.total_days
        }
        return None
    try:
        refuse_beyond_limit(
            starts_on=period.starts_on, total_days=new_total_days, postponements=postponements, field=field
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None
    return new_total_days


class ExtensionPreview(NamedTuple):
    total_days: int
    deadline: datetime.date | None


def period_extension_preview(
    *, period: ReflectionPeriod, new_total_days: int | None = None, new_ends_on: datetime.date | None = None
) -> ExtensionPreview:
    """Work out what an extension would give (total length and new deadline) without saving anything, by the
    same checks period_extend makes of the length; ValidationError on the field given if refused."""
    errors: dict = {}
    total = _extension_total(period, new_total_days=new_total_days, new_ends_on=new_ends_on, errors=errors)
    if errors:
        raise ValidationError(errors)
    deadline = period_deadline(
        starts_on=period.starts_on, total_days=total, postponements=list(period.postponements.all())
    )
    return ExtensionPreview(total, deadline)


@transaction.atomic
def period_extend(
    *,
    period: ReflectionPeriod,
    by: User,
    ground: str,
    decided_on: datetime.date,
    new_total_days: int | None = None,
    new_ends_on: datetime.date | None = None,
    ground_text: str = "",
) -> Extension:
    """Extend a running period to a new total length, or to a new deadline (turned into the total length that
    gives it): at most 100 days run from its start to the new deadline, postponed days not counted
    (reflection.dates.refuse_beyond_limit). After a lift with a decided deadline the extra days are added to
    that deadline, and count."""
    period = _locked(period)
    _require_running(period)
    errors: dict = {}
    _not_in_future(decided_on, "decided_on", errors)
    new_total_days = _extension_total(
        period, new_total_days=new_total_days, new_ends_on=new_ends_on, errors=errors
    )
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
    _event(
        period,
        by=by,
        occurred_on=decided_on,
        step="extended",
        days=new_total_days,
        ground=ground,
        ends_on=_iso(period.ends_on),
    )
    _audit(period, by=by, step="extended")
    return extension


@transaction.atomic
def period_correct(*, period: ReflectionPeriod, by: User, starts_on: datetime.date) -> ReflectionPeriod:
    """Correct the start date of a running period that was recorded wrongly: the deadline moves with it. The
    100-day rule holds for the corrected period too (a deadline decided at a lift stays on its date, so an
    earlier start makes more days run), and the start stays before what was recorded on the period."""
    period = _locked(period)
    _require_running(period)
    if starts_on == period.starts_on:
        return period
    errors: dict = {}
    _not_in_future(starts_on, "starts_on", errors)
    if starts_on and period.decision is not None and starts_on < period.decision.decided_on:
        errors["starts_on"] = _("The period cannot start before the identification decision.")
    recorded = [e.decided_on for e in period.extensions.all()]
    recorded += [p.from_date for p in period.postponements.all()]
    if starts_on and recorded and starts_on > min(recorded):
        errors["starts_on"] = _(
            "An extension or a postponement of the period is dated %(day)s: the period cannot start after it."
        ) % {"day": formats.date_format(min(recorded), "SHORT_DATE_FORMAT")}
    if starts_on and not errors:
        try:
            _within_limit(period, field="starts_on", starts_on=starts_on)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    was = period.starts_on
    period.starts_on = starts_on
    period.full_clean()
    period.save(update_fields=["starts_on"])
    _refresh_deadline(period)
    _event(
        period,
        by=by,
        occurred_on=timezone.localdate(),
        step="corrected",
        starts_on=starts_on.isoformat(),
        was=was.isoformat(),
        ends_on=_iso(period.ends_on),
    )
    _audit(period, by=by, step="corrected")
    return period


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
    """Lift the open postponement: the remaining days continue, unless a new deadline was decided, which
    makes at most 100 days from the start, postponed days not counted (reflection.dates.refuse_beyond_limit).
    """
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
    if new_ends_on and lifted_on and not errors:
        # Without a decided deadline the remaining days continue: the count does not change.
        lifted = Postponement(
            from_date=postponement.from_date,
            lifted_on=lifted_on,
            new_ends_on=new_ends_on,
            total_days_at_lift=period.total_days,
        )
        others = [p for p in period.postponements.all() if p.pk != postponement.pk]
        try:
            _within_limit(period, field="new_ends_on", postponements=[*others, lifted])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    postponement.lifted_on, postponement.new_ends_on = lifted_on, new_ends_on
    postponement.total_days_at_lift = period.total_days
    postponement.save(update_fields=["lifted_on", "new_ends_on", "total_days_at_lift"])
    _refresh_deadline(period)
    _event(
        period,
        by=by,
        occurred_on=lifted_on,
        step="lifted",
        decided=new_ends_on is not None,
        ends_on=_iso(period.ends_on),
    )
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
    """Remind the contact person and the case team of each milestone reached, exactly once each per deadline.

    reflection.selectors.reminders_due finds the reminders due today that were not sent yet: the milestone
    rule, the recipients and "already sent" (for this deadline: one that moved is reminded again) are
    answered by the database, so an hourly re-run with nothing new costs two queries. The new ones are
    written in chunks, one transaction each: the chunk's periods are locked and a reminder whose deadline
    moved since it was read is left out (the service that moved it dropped what was waiting about the old
    one), then the e-mails go into the outbox and the notification rows, pointing to them, are written under
    a unique constraint, so a scan run twice or two at once sends nothing more. If a chunk fails - a
    concurrent scan got there first, or one row is bad (say an unusable e-mail address) - its reminders are
    written one at a time, so that one bad row never stops everybody else's; what failed was not kept, and
    the next scan tries again. Returns the number of notifications created.
    """
    today = today or timezone.localdate()
    due = reminders_due(today=today)
    link = _dashboard_link()
    created = 0
    for start in range(0, len(due), SCAN_CHUNK):
        chunk = due[start : start + SCAN_CHUNK]
        try:
            with transaction.atomic():
                current = _still_due(chunk)
                # Plain multi-row INSERTs (cmm.bulk): model instances would cost more than the writes.
                email_ids = iter(email_queue_many([_email(r, link) for r in current if r.email]))
                insert_rows(
                    Notification,
                    NOTIFICATION_FIELDS,
                    [_notification_row(r, next(email_ids) if r.email else None) for r in current],
                )
        except Exception:  # retried row by row below, where each failure is logged
            created += sum(_remind(reminder, link) for reminder in chunk)
        else:
            created += len(current)
    return created


def _still_due(reminders: list[DueReminder]) -> list[DueReminder]:
    """Lock the periods of `reminders` (in id order, as every scan does) and keep the reminders whose period
    still runs with the deadline they were read with. A service moving a deadline holds the same lock while
    it drops the e-mails waiting about the old one, so no reminder of the old deadline is written after."""
    current = dict(
        ReflectionPeriod.objects.select_for_update()
        .filter(pk__in={r.period_id for r in reminders}, outcome="")
        .order_by("pk")
        .values_list("pk", "ends_on")
    )
    return [r for r in reminders if current.get(r.period_id) == r.ends_on]


NOTIFICATION_FIELDS = [
    "recipient_id",
    "period_id",
    "case_id",
    "milestone",
    "days_left",
    "deadline",
    "outbound_email_id",
]


def _notification_row(reminder: DueReminder, email_id: int | None) -> tuple:
    return (
        reminder.recipient_id,
        reminder.period_id,
        reminder.case_id,
        reminder.milestone,
        reminder.days_left,
        reminder.ends_on,
        email_id,
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
            if not _still_due([reminder]):
                return 0  # the deadline moved (or the period ended) since the scan read it
            email = email_queue(**_email(reminder, link)) if reminder.email else None
            row = _notification_row(reminder, email.pk if email is not None else None)
            Notification(**dict(zip(NOTIFICATION_FIELDS, row, strict=True))).save(force_insert=True)
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


# --- Leaving an organisation ----------------------------------------------------------------------------


@transaction.atomic
def reminders_end_for_leaver(*, user: User, organisation, by: User | None) -> int:
    """Take back the reminder e-mails about `organisation`'s work still waiting in the outbox for a user who
    left it (deadlines and return follow-ups of its cases, actions its member owns in a referral group);
    return how many. The scans no longer pick the user for that work (they remind active members of the
    case's organisation only), and the in-app reminders are no longer listed to them
    (reflection.selectors.notification_list_for_user). Audited with the count, no personal values."""
    of_organisation = Q(case__organisation=organisation) | Q(
        case__isnull=True, group_action__owner__organisation=organisation
    )
    about = Notification.objects.filter(of_organisation, recipient=user, outbound_email__isnull=False)
    cancelled = email_cancel_pending(
        emails=OutboundEmail.objects.filter(pk__in=about.values("outbound_email_id"))
    )
    if cancelled:
        audit_record(
            actor=by,
            action=AuditAction.CHANGED,
            organisation=organisation,
            target_label=user.username,
            detail={"what": "reminder_emails", "emails_cancelled": cancelled, "reason": "left_organisation"},
        )
    return cancelled
