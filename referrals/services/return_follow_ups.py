"""Every write about the follow-ups after a prepared return's departure: recording one (what was found, on
which date), and the scan that reminds the contact person and the case team of a due one exactly once.

The follow-up rows themselves are created, and moved when the departure date is corrected, by the plan's
workflow in referrals.services.returns, whose shared private helpers (locking, audit, timeline event, date
checks) are used here too. Each service owns its transaction, writes the audit entry and the case timeline
event (choice values, dates and ids only) and never puts identifying details anywhere.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cmm.models import User
from cmm.services import email_queue
from referrals.choices import FollowUpMilestone, ReturnStatus
from referrals.models import ReturnFollowUp
from referrals.services.returns import AFTER_DEPARTURE, _audit, _check_day, _event, _label, _locked, _short

logger = logging.getLogger(__name__)

# How long before its due date a follow-up may be recorded.
FOLLOW_UP_EARLY = datetime.timedelta(days=7)
REMINDER_MILESTONE = "due"


# --- Follow-ups after departure -----------------------------------------------------------------------


@transaction.atomic
def follow_up_record(
    *, follow_up: ReturnFollowUp, by: User, done_on: datetime.date | None, note: str
) -> ReturnFollowUp:
    """Record a follow-up after the return (done on which date, what was found); no names in the note."""
    plan = _locked(follow_up.plan)
    if plan.status not in AFTER_DEPARTURE:
        raise ValidationError(
            _(
                "Follow-ups are recorded after departure, until the plan is completed; "
                'the plan is "%(status)s".'
            )
            % {"status": _label(ReturnStatus, plan.status)}
        )
    follow_up = ReturnFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    errors: dict = {}
    if done_on is None:
        errors["done_on"] = _("Give the date of the follow-up.")
    _check_day(done_on, "done_on", errors)
    if "done_on" not in errors and done_on < plan.actual_departure_on:
        errors["done_on"] = _("The follow-up cannot be before the departure (%(day)s).") % {
            "day": _short(plan.actual_departure_on)
        }
    elif "done_on" not in errors and done_on < follow_up.due_on - FOLLOW_UP_EARLY:
        # A follow-up is the person's situation one or three months after return: a week early at most.
        errors["done_on"] = _(
            "This follow-up is due on %(day)s; it can be recorded a week before at most."
        ) % {"day": _short(follow_up.due_on)}
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Write what the follow-up found.")
    if errors:
        raise ValidationError(errors)
    follow_up.done_on, follow_up.note, follow_up.recorded_by = done_on, note, by
    follow_up.full_clean(exclude=["plan"], validate_constraints=False)
    follow_up.save(update_fields=["done_on", "note", "recorded_by"])
    follow_up.plan = plan
    _event(plan, by=by, occurred_on=done_on, step="follow_up", milestone=follow_up.milestone)
    _audit(plan, by=by, step="follow_up", milestone=follow_up.milestone)
    return follow_up


# --- Reminders ----------------------------------------------------------------------------------------


def follow_up_scan(*, today: datetime.date | None = None) -> int:
    """Remind the contact person and the case team, once each, of every follow-up after a return whose due
    date has come and that is not recorded yet.

    The notification row is inserted before anything is sent, under a unique constraint, so a scan run twice
    (or two at once) sends nothing more; the e-mail leaves through the outbox in the same transaction.
    Returns the number of notifications created.
    """
    from reflection.models import Notification
    from reflection.services import reminder_recipients

    today = today or timezone.localdate()
    created = 0
    due = (
        ReturnFollowUp.objects.filter(
            done_on__isnull=True,
            due_on__lte=today,
            plan__status__in=AFTER_DEPARTURE,
            # A soft-deleted case was registered by mistake: nobody is reminded of it any more.
            plan__case__deleted_at__isnull=True,
            plan__case__anonymised_at__isnull=True,  # nor one whose personal data was erased
        )
        .select_related("plan__case__contact_person")
        .prefetch_related("plan__case__team__user")
        .order_by("due_on", "id")
    )
    for follow_up in due.iterator(chunk_size=500):
        case = follow_up.plan.case
        left = (follow_up.due_on - today).days
        for user in reminder_recipients(case):
            try:
                with transaction.atomic():
                    # The notification keeps its e-mail, so that it can be taken back while it waits in the
                    # outbox (reflection.services.reminders_end_for_leaver); a repeat rolls both back.
                    email = (
                        email_queue(to=user.email, subject=_subject(case), body=_body(follow_up))
                        if user.email
                        else None
                    )
                    Notification.objects.create(
                        recipient=user,
                        return_follow_up=follow_up,
                        case=case,
                        milestone=REMINDER_MILESTONE,
                        days_left=left,
                        outbound_email=email,
                    )
            except IntegrityError:
                continue  # already reminded (by an earlier or a concurrent scan)
            except Exception:
                # One bad row must not stop everybody else's reminders; nothing of it was kept, so the next
                # scan tries again.
                logger.exception("Reminder of return follow-up %s to user %s failed", follow_up.pk, user.pk)
                continue
            created += 1
    return created


def _subject(case: Case) -> str:
    """Write the bilingual subject of the reminder e-mail: the case number only."""
    number = case.number
    return f"Opfølgning efter hjemrejse i sag {number} / Follow-up after return in case {number}"


def _body(follow_up: ReturnFollowUp) -> str:
    """Write the bilingual reminder e-mail: case number, milestone, due date and a link, no names."""
    number = follow_up.plan.case.number
    link = f"{settings.SITE_URL}{reverse('return-plan-detail', args=[follow_up.plan_id])}"
    danish, english = _MILESTONE_WORDS[follow_up.milestone]
    return (
        f"Opfølgningen {danish} efter hjemrejsen i sag {number} skulle ske {follow_up.due_on:%d.%m.%Y}.\n"
        f"The follow-up {english} after the return in case {number} was due on "
        f"{follow_up.due_on:%Y-%m-%d}.\n\n"
        f"{link}\n"
    )


# The e-mail is bilingual whatever the recipient's language, like the reflection reminders.
_MILESTONE_WORDS = {
    FollowUpMilestone.ONE_MONTH: ("en måned", "one month"),
    FollowUpMilestone.THREE_MONTHS: ("tre måneder", "three months"),
}
