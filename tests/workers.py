"""Real Celery processes for the end-to-end tests: the broker, the environment, starting and stopping.

The broker is Redis when REDIS_URL is set (as in CI's PostgreSQL run), else the embedded filesystem broker.
The processes use the test database (PostgreSQL, or the SQLite test file), so they see committed rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from cmm.celery import app as celery_app


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or "postgres"
    auth = f"{user}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{user}@"
    return f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def broker_config(tmp_path: Path) -> dict:
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return {
            "url": redis_url,
            "env": {"REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url},
            "transport_options": {"visibility_timeout": 3600},
        }
    folder = tmp_path / "broker"
    (folder / "control").mkdir(parents=True, exist_ok=True)
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


def process_env(broker: dict, **extra: str) -> dict:
    """The environment of a worker or beat process: this test's database and broker, real tasks."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(broker["env"])
    env.update(
        DJANGO_SETTINGS_MODULE="cmm.settings.base",
        DATABASE_URL=database_url(),
        CELERY_TASK_ALWAYS_EAGER="false",
        **extra,
    )
    return env


WORKER_ARGS = ["worker", "--pool=solo", "--without-mingle", "--without-gossip", "--without-heartbeat"]


def start(args: list[str], *, env: dict, log_path: Path, app: str = "cmm"):
    """Start `celery -A app <args>`; returns the process and its open log file."""
    log = open(log_path, "w+")  # noqa: SIM115 - closed by stop()
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", app, *args, "--loglevel=INFO"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log


def stop(process, log) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    log.close()


def logs(*files) -> str:
    text = []
    for log in files:
        log.flush()
        log.seek(0)
        text.append(log.read()[-3000:])
    return "\n---\n".join(text)


def reset_producers() -> None:
    # Connections made earlier in this process carry the old broker settings: drop them. (Not app.close():
    # that also forgets the app, and a task module imported later would then never be registered with it.)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def sending_to(broker: dict, **conf):
    """Let this (test) process send real task messages to `broker` instead of running them eagerly."""
    saved = {
        key: celery_app.conf[key]
        for key in ("task_always_eager", "broker_url", "broker_transport_options", *conf)
    }
    celery_app.conf.update(
        task_always_eager=False,
        broker_url=broker["url"],
        broker_transport_options=broker["transport_options"],
        **conf,
    )
    reset_producers()
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        reset_producers()


def wait_for(predicate, *, timeout: float, processes) -> None:
    """Wait until `predicate()` holds; fail with the processes' logs when it does not in time or when one
    of the (process, log) pairs has died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if any(process.poll() is not None for process, _log in processes):
            break
        time.sleep(0.2)
    pytest.fail("Gave up waiting; logs:\n" + logs(*(log for _process, log in processes)))


def task_runs(log, task_name: str) -> int:
    """How many runs of `task_name` a worker's log shows as finished."""
    log.flush()
    log.seek(0)
    return sum(f"{task_name}[" in line and "succeeded" in line for line in log.read().splitlines())
