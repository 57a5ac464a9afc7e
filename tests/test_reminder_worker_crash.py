"""A reminder survives its worker being killed (kill -9) in the middle of sending the e-mail: after a new
worker starts, the outbox sweep hands the e-mail on again and it is delivered exactly once; the reminder
(the notification) exists once; the message delivered again, the scan and the sweep run again send nothing.

The first worker runs tests/hanging_reminder_worker.py, whose e-mail backend hangs. The broker is Redis when
REDIS_URL is set, else the embedded filesystem broker (tests/workers.py); each worker consumes this test's
own queue. With Redis the killed worker's message stays unacknowledged until the visibility timeout (hours):
the e-mail does not wait for it, because the sweep releases an e-mail claimed longer ago than
EMAIL_OUTBOX_STALE_AFTER (shortened here) - the redelivery, when it comes, finds the e-mail sent.
"""

import datetime
import uuid

import pytest
from django.db.models import F
from django.utils import timezone

from cmm.models import EmailStatus, OutboundEmail, Role
from cmm.services import email_outbox_flush
from cmm.tasks import email_send_many_task
from reflection.choices import PeriodKind
from reflection.models import Notification
from reflection.services import deadline_scan, period_start
from tests import workers

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

STALE_SECONDS = 1


def test_a_reminder_killed_mid_send_is_delivered_once_by_another_worker(
    users_a, open_case, tmp_path, settings
):
    settings.EMAIL_OUTBOX_STALE_AFTER = datetime.timedelta(seconds=STALE_SECONDS)
    caseworker = users_a[Role.CASEWORKER]
    case = open_case(by=caseworker)
    today = timezone.localdate()  # the workers have the real "today" too
    period_start(
        case=case, by=caseworker, kind=PeriodKind.ACTION_PLAN, starts_on=today - datetime.timedelta(days=23)
    )

    broker = workers.broker_config(tmp_path)
    marker = tmp_path / "sending"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = workers.process_env(broker, EMAIL_URL=f"filemail:///{mail_dir}", HANGING_MAIL_MARKER=str(marker))
    queue = f"test-{uuid.uuid4().hex[:12]}"  # this test's own queue, whatever else shares the broker
    worker_args = [*workers.WORKER_ARGS, "-Q", queue]
    first = workers.start(
        worker_args, env=env, log_path=tmp_path / "first.log", app="tests.hanging_reminder_worker"
    )
    second = None
    try:
        with workers.sending_to(broker, task_default_queue=queue, task_routes={}):
            assert deadline_scan() == 1  # the reminder and its e-mail, handed to the first worker
            email = OutboundEmail.objects.get()
            workers.wait_for(
                lambda: (
                    marker.exists()
                    and OutboundEmail.objects.filter(pk=email.pk, status=EmailStatus.SENDING).exists()
                ),
                timeout=60,
                processes=[first],
            )
            first[0].kill()  # kill -9 in the middle of sending
            first[0].wait(timeout=10)
            assert not any(mail_dir.iterdir())

            second = workers.start(worker_args, env=env, log_path=tmp_path / "second.log")
            # The sweep (beat's email-outbox-flush): the claim of the dead worker is stale, the e-mail
            # older than the sweep's 30 seconds of grace.
            OutboundEmail.objects.update(created_at=F("created_at") - datetime.timedelta(minutes=1))
            workers.wait_for(
                lambda: email_outbox_flush() == 1, timeout=STALE_SECONDS + 10, processes=[second]
            )
            workers.wait_for(
                lambda: OutboundEmail.objects.filter(pk=email.pk, status=EmailStatus.SENT).exists(),
                timeout=60,
                processes=[second],
            )

            # The killed worker's message delivered once more (as Redis does after the visibility timeout),
            # the scan and the sweep again: nothing more is sent.
            name = email_send_many_task.name
            runs = workers.task_runs(second[1], name)
            email_send_many_task.apply_async(kwargs={"email_ids": [email.pk]})
            workers.wait_for(
                lambda: workers.task_runs(second[1], name) > runs, timeout=30, processes=[second]
            )
            assert deadline_scan() == 0
            assert email_outbox_flush() == 0

        files = list(mail_dir.iterdir())
        assert len(files) == 1, workers.logs(first[1], second[1])
        assert case.number in files[0].read_text()
        email.refresh_from_db()
        assert (email.status, email.attempts) == (EmailStatus.SENT, 2)  # the killed claim, then the send
        assert Notification.objects.filter(recipient=caseworker, period__case=case).count() == 1
        assert Notification.objects.count() == 1
        assert second[0].poll() is None
    finally:
        workers.stop(*first)
        if second is not None:
            workers.stop(*second)
