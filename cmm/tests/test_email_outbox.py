from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from cmm import services
from cmm.models import EmailStatus, OutboundEmail

pytestmark = pytest.mark.django_db


def test_queued_mail_is_sent_only_after_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = services.email_queue(to="a@example.org", subject="A deadline is due", body="See the app.")
    assert mail.outbox == []
    assert email.status == EmailStatus.PENDING

    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert email.sent_at is not None


def test_sending_twice_delivers_once():
    email = OutboundEmail.objects.create(to="a@example.org", subject="s", body="b")

    assert services.email_send(email_id=email.pk) is True
    assert services.email_send(email_id=email.pk) is False
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_leaves_the_mail_pending_then_failed_after_the_last_attempt():
    email = OutboundEmail.objects.create(to="a@example.org", subject="s", body="b")
    with (
        override_settings(EMAIL_MAX_ATTEMPTS=2),
        mock.patch("cmm.services.send_mail", side_effect=ConnectionRefusedError("smtp down")),
    ):
        with pytest.raises(ConnectionRefusedError):
            services.email_send(email_id=email.pk)
        email.refresh_from_db()
        assert (email.status, email.attempts) == (EmailStatus.PENDING, 1)
        assert "smtp down" in email.last_error

        with pytest.raises(ConnectionRefusedError):
            services.email_send(email_id=email.pk)
        email.refresh_from_db()
        assert (email.status, email.attempts) == (EmailStatus.FAILED, 2)

    assert services.email_send(email_id=email.pk) is False  # a failed mail is not retried by itself
    assert mail.outbox == []


def test_the_task_retries_with_backoff_on_a_connection_error():
    from cmm.tasks import email_send_task

    assert ConnectionError in email_send_task.autoretry_for
    assert email_send_task.retry_backoff
    email = OutboundEmail.objects.create(to="a@example.org", subject="s", body="b")
    with mock.patch("cmm.services.send_mail", side_effect=[ConnectionRefusedError("down"), 1]):
        email_send_task.apply(kwargs={"email_id": email.pk}, throw=False)
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert email.attempts == 2


def test_task_for_a_missing_row_does_nothing():
    from cmm.tasks import email_send_task

    email_send_task.apply(kwargs={"email_id": 999_999}).get()
    assert mail.outbox == []


def test_mail_queued_while_the_broker_is_down_is_kept_and_sent_by_the_sweep(
    django_capture_on_commit_callbacks,
):
    with (
        mock.patch("cmm.tasks.email_send_task.apply_async", side_effect=OSError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        email = services.email_queue(to="a@example.org", subject="s", body="b")
    email.refresh_from_db()
    assert email.status == EmailStatus.PENDING
    assert mail.outbox == []

    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert services.email_outbox_flush() == 1
    assert len(mail.outbox) == 1


def test_sweep_releases_mail_claimed_by_a_worker_that_died():
    email = OutboundEmail.objects.create(
        to="a@example.org",
        subject="s",
        body="b",
        status=EmailStatus.SENDING,
        attempts=1,
        claimed_at=timezone.now(),
    )
    assert services.email_outbox_flush() == 0  # still fresh: the worker may be sending right now

    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert services.email_outbox_flush() == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert len(mail.outbox) == 1


@override_settings(EMAIL_MAX_ATTEMPTS=3)
def test_sweep_fails_mail_whose_worker_died_on_every_attempt(caplog):
    claimed = timezone.now()
    email = OutboundEmail.objects.create(
        to="a@example.org", subject="s", body="b", status=EmailStatus.SENDING, attempts=2, claimed_at=claimed
    )
    with time_machine.travel(claimed + timedelta(minutes=20)):
        assert services.email_outbox_flush() == 1  # two attempts of three: released and sent again
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 3)

    OutboundEmail.objects.filter(pk=email.pk).update(status=EmailStatus.SENDING, claimed_at=claimed)
    with time_machine.travel(claimed + timedelta(minutes=20)):
        assert services.email_outbox_flush() == 0  # the third worker died too: failed, not queued again
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
    assert "worker" in email.last_error
    assert "1 outbox e-mail(s) failed" in caplog.text
    assert "a@example.org" not in caplog.text
    assert len(mail.outbox) == 1


def test_beat_schedule_runs_the_sweep():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["email-outbox-flush"]["task"] == "cmm.tasks.email_outbox_flush_task"


def test_many_mails_are_one_insert_and_one_broker_message_after_the_commit(
    django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    messages = [{"to": f"p{i}@example.org", "subject": "A deadline is due", "body": "b"} for i in range(20)]
    with (
        mock.patch("cmm.tasks.email_send_many_task.apply_async") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
        django_assert_max_num_queries(1),
    ):
        ids = services.email_queue_many(messages)
    emails = OutboundEmail.objects.order_by("pk")
    assert [email.pk for email in emails] == ids
    assert [(e.to, e.status, e.attempts, e.last_error) for e in emails] == [
        (f"p{i}@example.org", EmailStatus.PENDING, 0, "") for i in range(20)
    ]
    assert all(abs(e.created_at - timezone.now()) < timedelta(minutes=1) for e in emails)
    enqueue.assert_called_once()
    assert enqueue.call_args.kwargs["kwargs"] == {"email_ids": ids}


def test_an_invalid_address_among_many_writes_none_of_them():
    messages = [
        {"to": "a@example.org", "subject": "s", "body": "b"},
        {"to": "not an address", "subject": "s", "body": "b"},
    ]
    with pytest.raises(ValidationError):
        services.email_queue_many(messages)
    assert not OutboundEmail.objects.exists()


def test_a_batch_sends_each_mail_once_and_hands_a_failing_one_to_the_retrying_task():
    emails = [OutboundEmail.objects.create(to=f"p{i}@example.org", subject="s", body="b") for i in range(3)]
    refuse_second = [1, ConnectionRefusedError("smtp refused"), 1]
    with (
        mock.patch("cmm.services.send_mail", side_effect=refuse_second),
        mock.patch("cmm.tasks.email_send_task.apply_async") as retry,
    ):
        assert services.email_send_many(email_ids=[email.pk for email in emails]) == 2
    retry.assert_called_once_with(kwargs={"email_id": emails[1].pk}, countdown=30, retry=False)
    statuses = dict(OutboundEmail.objects.values_list("pk", "status"))
    assert statuses == {
        emails[0].pk: EmailStatus.SENT,
        emails[1].pk: EmailStatus.PENDING,
        emails[2].pk: EmailStatus.SENT,
    }

    # The same batch delivered again (a worker died before acknowledging it) sends nothing twice.
    assert services.email_send_many(email_ids=[emails[0].pk, emails[2].pk]) == 0
