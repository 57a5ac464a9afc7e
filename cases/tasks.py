"""Celery entry points of the case file. Each is thin and calls a service; running one twice is harmless."""

from celery import shared_task

from cases import lifecycle


@shared_task(acks_late=True)
def retention_run_task() -> int:
    """Anonymise the closed cases past RETENTION_YEARS (beat, daily). Takes no objects: it finds them."""
    return len(lifecycle.retention_run())
