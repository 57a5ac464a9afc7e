"""One e-mail, end to end through a real broker and a real Celery worker process.

The broker is Redis when REDIS_URL is set (as in CI's PostgreSQL run), else the embedded filesystem broker.
The worker process uses the test database (PostgreSQL, or the SQLite test file), so it sees committed rows.
"""

import time
import uuid
from pathlib import Path

import pytest
from django.db import transaction

from cmm import services
from cmm.models import EmailStatus, OutboundEmail
from tests import workers

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    broker = workers.broker_config(tmp_path)
    queue = f"test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = workers.process_env(broker, EMAIL_URL=f"filemail:///{mail_dir}")
    process, log = workers.start(
        [*workers.WORKER_ARGS, "-Q", queue], env=env, log_path=tmp_path / "worker.log"
    )
    try:
        with workers.sending_to(broker, task_default_queue=queue):
            yield {"mail_dir": mail_dir, "log": log, "process": process}
    finally:
        workers.stop(process, log)


def test_email_queued_on_commit_is_delivered_once_by_a_real_worker(worker):
    with transaction.atomic():
        email = services.email_queue(
            to="caseworker@example.org",
            subject="A deadline in case CMM-2026-00042 is due",
            body="Open the app to see it.",
        )
        # Nothing leaves before the commit.
        assert OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.PENDING

    workers.wait_for(
        lambda: OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.SENT,
        timeout=90,
        processes=[(worker["process"], worker["log"])],
    )

    files = list(Path(worker["mail_dir"]).iterdir())
    assert len(files) == 1
    assert "A deadline in case CMM-2026-00042 is due" in files[0].read_text()

    # The same task delivered again (a redelivery after a crash) sends nothing more.
    from cmm.tasks import email_send_task

    email_send_task.apply_async(kwargs={"email_id": email.pk})
    email_send_task.apply_async(kwargs={"email_id": 10**9})  # a row that is gone: returns quietly
    time.sleep(3)
    assert len(list(Path(worker["mail_dir"]).iterdir())) == 1
    assert OutboundEmail.objects.get(pk=email.pk).attempts == 1
    assert worker["process"].poll() is None
