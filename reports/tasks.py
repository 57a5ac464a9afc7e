"""Celery entry points of the reports app. Each takes ids and calls a service; a repeat is harmless."""

from celery import shared_task

from reports.services import jobs


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=5,
)
def report_job_generate_task(*, job_id: int) -> bool:
    # The job row carries its own state: a repeat, or a message for a job that is gone, does nothing.
    return jobs.report_job_run(job_id=job_id)


@shared_task(acks_late=True)
def report_jobs_recover_task() -> int:
    return jobs.report_jobs_recover()


@shared_task(acks_late=True)
def quarterly_report_schedule_task() -> int | None:
    job = jobs.report_job_schedule_quarterly()
    return job.pk if job else None


@shared_task(acks_late=True)
def report_files_expire_task() -> int:
    return jobs.report_files_expire()
