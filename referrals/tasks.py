"""Celery entry points of referrals: the reminder scans of return follow-ups and referral-group actions."""

from celery import shared_task


@shared_task(acks_late=True)
def follow_up_scan_task() -> int:
    # Exactly once per (follow-up, milestone, recipient), by a unique constraint: re-runs are harmless.
    from referrals.services.return_follow_ups import follow_up_scan

    return follow_up_scan()


@shared_task(acks_late=True)
def action_scan_task() -> int:
    # Exactly once per (action, milestone, recipient), by a unique constraint: re-runs are harmless.
    from referrals.services.group_reminders import action_scan

    return action_scan()
