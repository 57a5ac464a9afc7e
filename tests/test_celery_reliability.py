"""The Celery and Redis settings keep their promises (issue 11): a task is acknowledged only when it is done
and comes back if its worker dies, no message is handed out twice because it waited longer than Redis'
visibility timeout, and a web request that publishes while Redis is down gives up within seconds."""

import importlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from cmm.celery import app as celery_app
from tests.broker_faults import settings_with_redis

OUR_APPS = ("cmm", "cases", "outreach", "identification", "reflection", "referrals", "reports")
KOMBU_BRPOP_TIMEOUT = 1  # kombu's redis transport: a worker's BRPOP returns within this many seconds


@pytest.fixture(scope="module")
def redis_conf():
    return settings_with_redis("redis://redis.example:6379/0")


@pytest.fixture(scope="module")
def our_tasks():
    for name in OUR_APPS:
        try:
            importlib.import_module(f"{name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{name}.tasks":
                raise
    tasks = {name: task for name, task in celery_app.tasks.items() if name.startswith(OUR_APPS)}
    assert len(tasks) >= 10  # every tasks module above was found
    return tasks


def countdowns_in_code() -> list[int]:
    """Every countdown=<number> in our apps; any other countdown= must only pass one on."""
    found = []
    for app_name in OUR_APPS:
        for path in Path(settings.BASE_DIR, app_name).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for value in re.findall(r"\bcountdown=([\w.]+)", path.read_text()):
                if value.isdigit():
                    found.append(int(value))
                else:
                    assert value in {"countdown", "None"}, f"{path}: countdown={value} is not checked here"
    return found


def test_every_task_is_acknowledged_late_and_requeued_when_its_worker_dies(our_tasks):
    for name, task in our_tasks.items():
        assert task.acks_late is True, name
        assert task.reject_on_worker_lost is True, name
        assert task.ignore_result is True, name
    assert settings.CELERY_RESULT_BACKEND is None
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


def test_redis_visibility_timeout_exceeds_every_delay_a_message_can_wait(redis_conf, our_tasks):
    visibility = redis_conf["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"]
    delays = {"REPORT_JOB_LEASE_SECONDS": redis_conf["REPORT_JOB_LEASE_SECONDS"]}
    delays["EMAIL_OUTBOX_STALE_AFTER"] = redis_conf["EMAIL_OUTBOX_STALE_AFTER"].total_seconds()
    for name, task in our_tasks.items():
        # A retry waits default_retry_delay, or with backoff at most retry_backoff_max (Celery's default 600).
        delays[f"{name} retry"] = task.default_retry_delay
        if getattr(task, "retry_backoff", False):
            delays[f"{name} backoff"] = getattr(task, "retry_backoff_max", 600)
    countdowns = countdowns_in_code()
    assert 30 in countdowns  # the e-mail retry of email_send_many: the scan does find them
    delays["countdown"] = max(countdowns)
    for what, seconds in delays.items():
        assert visibility > seconds, what
    # And with room to spare: an ETA an hour off must not be handed to a second worker either.
    assert visibility >= 2 * max(delays.values())


def test_a_publish_to_a_dead_redis_gives_up_within_seconds(redis_conf):
    options = redis_conf["CELERY_BROKER_TRANSPORT_OPTIONS"]
    attempts = options["max_retries"] + 1
    per_attempt = max(options["socket_connect_timeout"], options["socket_timeout"])
    assert attempts * per_attempt <= 3
    # A worker's BRPOP must answer before the socket timeout, or idle workers would reconnect all the time.
    assert options["socket_timeout"] > KOMBU_BRPOP_TIMEOUT
    policy = redis_conf["CELERY_TASK_PUBLISH_RETRY_POLICY"]
    assert policy["max_retries"] <= 1 and policy["interval_max"] <= 1
    assert redis_conf["CELERY_BROKER_CONNECTION_TIMEOUT"] <= 3
    # Workers and beat wait for the broker as long as it takes (their own loop, not the request's budget).
    assert redis_conf["CELERY_BROKER_CONNECTION_MAX_RETRIES"] is None
    assert redis_conf["CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP"] is True


def test_the_cache_fails_soft_and_quickly(redis_conf):
    cache = redis_conf["CACHES"]["default"]
    assert cache["BACKEND"] == "cmm.cache.FailSoftRedisCache"
    assert cache["OPTIONS"]["socket_connect_timeout"] <= 1 and cache["OPTIONS"]["socket_timeout"] <= 1
    # Nothing that must survive lives in the cache.
    assert redis_conf.get("SESSION_ENGINE", "django.contrib.sessions.backends.db").endswith(".db")


def test_the_sweeps_that_recover_lost_messages_are_scheduled(redis_conf):
    scheduled = {entry["task"]: entry["schedule"] for entry in redis_conf["CELERY_BEAT_SCHEDULE"].values()}
    assert scheduled["cmm.tasks.email_outbox_flush_task"] <= timedelta(minutes=15)
    assert scheduled["reports.tasks.report_jobs_recover_task"] <= timedelta(minutes=15)


def test_an_email_is_released_only_after_a_slow_send_would_have_timed_out(redis_conf):
    # A worker still talking to a slow mail server must not see its e-mail handed to another worker.
    assert redis_conf["EMAIL_OUTBOX_STALE_AFTER"] > timedelta(seconds=3 * redis_conf["EMAIL_TIMEOUT"])
