"""One e-mail, end to end through a real broker and a real Celery worker process.

The broker is Redis when REDIS_URL is set (as in CI's PostgreSQL run), else the embedded filesystem broker.
The worker process uses the test database (PostgreSQL, or the SQLite test file), so it sees committed rows.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from cmm import services
from cmm.celery import app as celery_app
from cmm.models import EmailStatus, OutboundEmail

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or "postgres"
    auth = f"{user}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{user}@"
    return f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def broker(tmp_path):
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return {
            "url": redis_url,
            "env": {"REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url},
            "transport_options": {"visibility_timeout": 3600},
        }
    folder = tmp_path / "broker"
    (folder / "control").mkdir(parents=True)
    return {
        "url": "filesystem://",
        "env": {"CELERY_BROKER_URL": "filesystem://", "CELERY_BROKER_DIR": str(folder)},
        "transport_options": {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        },
    }


@pytest.fixture
def worker(broker, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(broker["env"])
    env.update(
        DJANGO_SETTINGS_MODULE="cmm.settings.base",
        DATABASE_URL=_database_url(),
        EMAIL_URL=f"filemail:///{mail_dir}",
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cmm",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    saved = {
        key: celery_app.conf[key]
        for key in ("task_always_eager", "broker_url", "broker_transport_options", "task_default_queue")
    }
    celery_app.conf.update(
        task_always_eager=False,
        broker_url=broker["url"],
        broker_transport_options=broker["transport_options"],
        task_default_queue=queue,
    )
    _reset_producers()
    try:
        yield {"mail_dir": mail_dir, "log": log, "process": process}
    finally:
        celery_app.conf.update(saved)
        _reset_producers()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _reset_producers():
    # Connections made earlier in this process carry the old broker settings: drop them.
    celery_app.close()
    celery_app.amqp._producer_pool = None


def _wait_for(predicate, *, timeout, worker):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if worker["process"].poll() is not None:
            break
        time.sleep(0.3)
    worker["log"].seek(0)
    pytest.fail(f"Gave up waiting; worker log:\n{worker['log'].read()[-4000:]}")


def test_email_queued_on_commit_is_delivered_once_by_a_real_worker(worker):
    with transaction.atomic():
        email = services.email_queue(
            to="caseworker@example.org",
            subject="A deadline in case CMM-2026-00042 is due",
            body="Open the app to see it.",
        )
        # Nothing leaves before the commit.
        assert OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.PENDING

    _wait_for(
        lambda: OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.SENT, timeout=90, worker=worker
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
