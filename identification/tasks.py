"""Celery entry points of identification; thin, and harmless when run twice."""

from celery import shared_task

from identification import services


@shared_task(acks_late=True)
def tasks_remind_overdue_task() -> int:
    # The service claims each task's day before e-mailing, so a second run the same day sends nothing.
    return services.tasks_remind_overdue()
