"""The reminder scan of the referral groups' follow-up actions: which milestone an open action has reached
(action_due_milestone), who is reminded of it (action_recipient), and the scan that records each reminder
exactly once and queues its e-mail (action_scan), which names the group, never a case.

Run on the beat schedule by referrals.tasks.action_scan_task; the actions themselves are written by
referrals.services.groups.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cmm.models import Membership, User
from cmm.services import email_queue
from referrals.models import MeetingAction
from reflection.models import Notification

logger = logging.getLogger(__name__)


def action_due_milestone(action: MeetingAction, today: datetime.date) -> tuple[str, int] | None:
    """The milestone an open action has reached today, if any: the nearest of GROUP_ACTION_MILESTONES days
    before its due date (a missed one is caught up, not repeated), and once a day "overdue:<date>" after it.
    """
    if action.done_on is not None:
        return None
    left = (action.due_on - today).days
    if left < 0:
        return f"overdue:{today.isoformat()}", left
    reached = [m for m in settings.GROUP_ACTION_MILESTONES if left <= m]
    if reached:
        return f"d{min(reached)}", left
    return None


def action_recipient(
    action: MeetingAction, *, memberships: set[tuple[int, int]], active_users: set[int]
) -> User | None:
    """Who is reminded of an action: the owner member's representative if that member is still active and
    the representative an active user who is an active member of the organisation the member stands for
    (someone who left it no longer speaks for it; for a member known only by name, of any organisation);
    otherwise whoever created the meeting (the CMM coordinator running the group), if an active user with an
    active membership; else nobody.

    `memberships` holds the (organisation id, user id) of every active membership, `active_users` the ids of
    the users who hold one.
    """
    owner = action.owner
    if owner is not None and owner.is_active and owner.user is not None and owner.user.is_active:
        if owner.organisation_id is not None:
            speaks_for_it = (owner.organisation_id, owner.user_id) in memberships
        else:
            speaks_for_it = owner.user_id in active_users
        if speaks_for_it:
            return owner.user
    creator = action.meeting.created_by
    if creator is not None and creator.is_active and creator.pk in active_users:
        return creator
    return None


def action_scan(*, today: datetime.date | None = None) -> int:
    """Remind the owner of each open follow-up action of an active group at each milestone, exactly once.

    The notification row is inserted with its outbox e-mail in a savepoint, under the unique constraint
    (action, milestone, recipient), so a scan run twice (or two at once) sends nothing more: a repeat rolls
    both back. The e-mail names the group, never a case. Returns the number of reminders created.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(settings.GROUP_ACTION_MILESTONES, default=0))
    actions = (
        MeetingAction.objects.filter(
            done_on__isnull=True, due_on__lte=horizon, meeting__group__is_active=True
        )
        .select_related("meeting__group", "meeting__created_by", "owner__user")
        .order_by("due_on", "id")
    )
    memberships = set(Membership.objects.active().values_list("organisation_id", "user_id"))
    active_users = {user_id for _organisation, user_id in memberships}
    created = 0
    for action in actions.iterator(chunk_size=500):
        reached = action_due_milestone(action, today)
        if reached is None:
            continue
        milestone, left = reached
        user = action_recipient(action, memberships=memberships, active_users=active_users)
        if user is None:
            continue
        try:
            with transaction.atomic():
                # The notification keeps its e-mail, so that it can be taken back while it waits in the outbox
                # (reflection.services.reminders_end_for_leaver); a repeat rolls both back.
                email = (
                    email_queue(to=user.email, subject=_subject(action, left), body=_body(action))
                    if user.email
                    else None
                )
                Notification.objects.create(
                    recipient=user,
                    group_action=action,
                    case=None,
                    milestone=milestone,
                    days_left=left,
                    outbound_email=email,
                )
        except IntegrityError:
            continue  # this person was already reminded of this milestone (by this or another scan)
        except Exception:
            # One bad row must not stop everybody else's reminders; nothing of it was kept, so the next scan
            # tries again.
            logger.exception(
                "Reminder %s of group action %s to user %s failed", milestone, action.pk, user.pk
            )
            continue
        created += 1
    return created


def _subject(action: MeetingAction, left: int) -> str:
    group = action.meeting.group.name
    if left < 0:
        return f"Frist for opfølgningsopgave overskredet i {group} / Follow-up action overdue in {group}"
    return f"En opfølgningsopgave i {group} har snart frist / A follow-up action of {group} is due"


def _body(action: MeetingAction) -> str:
    group = action.meeting.group
    link = f"{settings.SITE_URL}{reverse('referral-group-detail', args=[group.pk])}"
    return (
        f"Du har en opfølgningsopgave fra {group.name} med frist {action.due_on:%d.%m.%Y}.\n"
        f"You have a follow-up action from {group.name} due on {action.due_on:%Y-%m-%d}.\n\n"
        f"{link}\n"
    )
