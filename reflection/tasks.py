"""Celery entry points of reflection periods."""

from celery import shared_task

from reflection import services


@shared_task(acks_late=True)
def deadline_scan_task() -> int:
    # Exactly once per (period, milestone, recipient), by a unique constraint: re-runs are harmless.
    return services.deadline_scan()
