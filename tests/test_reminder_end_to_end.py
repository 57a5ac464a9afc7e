"""A due reminder, end to end: a real `celery beat` schedules the deadline scan, a real worker runs it and
sends the e-mail through the outbox to the file e-mail backend — exactly once.

The broker is Redis when REDIS_URL is set (as in CI's PostgreSQL run), else the embedded filesystem broker,
built exactly as tests/test_celery_worker.py builds it. Both processes use the test database and the real
"today" (time-machine does not cross processes), so the period is made to end 7 days from today. Beat runs
the scan every minute here (REFLECTION_SCAN_MINUTES=1, checked every second with --max-interval 1).
"""

import datetime
import time

import pytest
from django.utils import timezone

from cmm.celery import app as celery_app
from cmm.models import EmailStatus, OutboundEmail, Role
from reflection.choices import PeriodKind
from reflection.models import Notification
from reflection.services import period_start
from reflection.tasks import deadline_scan_task
from tests import workers

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MARKER = "Ingrith Vaskebjorn"  # the person's name, which must not reach the e-mail


@pytest.fixture
def reminder_case(users_a, open_case):
    """A case of organisation A whose only team member is its opener, the caseworker."""
    return open_case(by=users_a[Role.CASEWORKER], personal={"full_name": MARKER})


def test_beat_and_a_worker_deliver_the_7_day_reminder_once(reminder_case, users_a, tmp_path):
    worker_user = users_a[Role.CASEWORKER]
    today = timezone.localdate()
    period = period_start(
        case=reminder_case,
        by=worker_user,
        kind=PeriodKind.ACTION_PLAN,
        starts_on=today - datetime.timedelta(days=23),
    )
    assert period.ends_on == today + datetime.timedelta(days=7)

    broker = workers.broker_config(tmp_path)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = workers.process_env(broker, EMAIL_URL=f"filemail:///{mail_dir}", REFLECTION_SCAN_MINUTES="1")
    worker, worker_log = workers.start(
        [
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        env=env,
        log_path=tmp_path / "worker.log",
    )
    beat, beat_log = workers.start(
        [
            "beat",
            "-S",
            "celery.beat:PersistentScheduler",
            "--schedule",
            str(tmp_path / "beat-schedule"),
            "--max-interval",
            "1",
        ],
        env=env,
        log_path=tmp_path / "beat.log",
    )
    saved = {
        key: celery_app.conf[key] for key in ("task_always_eager", "broker_url", "broker_transport_options")
    }
    try:

        def delivered() -> bool:
            return any(mail_dir.iterdir()) and OutboundEmail.objects.filter(status=EmailStatus.SENT).exists()

        deadline = time.monotonic() + 100
        while not delivered():
            if time.monotonic() > deadline or worker.poll() is not None or beat.poll() is not None:
                pytest.fail(f"No reminder delivered; logs:\n{workers.logs(beat_log, worker_log)}")
            time.sleep(0.5)

        # A scan sent again (a second beat, a redelivery) sends nothing more.
        celery_app.conf.update(
            task_always_eager=False,
            broker_url=broker["url"],
            broker_transport_options=broker["transport_options"],
        )
        workers.reset_producers()
        deadline_scan_task.apply_async()
        time.sleep(5)
        beat_log.flush()
        beat_log.seek(0)
        assert "Sending due task reflection-deadline-scan" in beat_log.read()
        worker_log.flush()
        worker_log.seek(0)
        scans = [line for line in worker_log.read().splitlines() if "deadline_scan_task[" in line]
        assert sum("succeeded" in line for line in scans) >= 2, workers.logs(worker_log)

        files = list(mail_dir.iterdir())
        assert len(files) == 1, workers.logs(worker_log)
        text = files[0].read_text()
        assert reminder_case.number in text
        assert MARKER not in text
        assert worker_user.email in text
        notification = Notification.objects.get()
        assert (
            notification.recipient,
            notification.period,
            notification.milestone,
            notification.days_left,
        ) == (
            worker_user,
            period,
            "d7",
            7,
        )
        email = OutboundEmail.objects.get()
        assert (email.status, email.attempts, email.to) == (EmailStatus.SENT, 1, worker_user.email)
        assert worker.poll() is None and beat.poll() is None
    finally:
        celery_app.conf.update(saved)
        workers.reset_producers()
        workers.stop(beat, beat_log)
        workers.stop(worker, worker_log)
