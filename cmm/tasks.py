"""Celery entry points of the platform. Each takes ids and calls a service; running one twice is harmless."""

from celery import shared_task

from cmm import password_reset, services


@shared_task(
    acks_late=True,
    autoretry_for=(OSError, ConnectionError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=None,
)
def email_send_task(*, email_id: int) -> None:
    # max_retries=None: the service marks the row failed after EMAIL_MAX_ATTEMPTS and stops claiming it.
    services.email_send(email_id=email_id)


@shared_task(acks_late=True)
def email_send_many_task(*, email_ids: list[int]) -> None:
    # Run twice (a redelivery), it sends nothing twice: email_send claims each row before sending.
    services.email_send_many(email_ids=email_ids)


@shared_task(acks_late=True)
def email_outbox_flush_task() -> int:
    return services.email_outbox_flush()


@shared_task(acks_late=True)
def password_reset_send_task(*, email: str) -> None:
    # An address, not an id: the request that queues it must not look the account up (cmm.password_reset).
    # Run twice (a redelivery), it sends a second link, which is harmless: each link works once.
    password_reset.password_reset_send(email=email)


@shared_task(acks_late=True)
def kept_submissions_purge_task() -> int:
    # Forms kept after a session ended, past KEPT_FORM_MINUTES (cmm.kept_forms).
    from cmm.kept_forms import kept_submissions_purge

    return kept_submissions_purge()
