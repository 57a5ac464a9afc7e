"""Redis in trouble, for the reliability tests: the settings a deployment with Redis gets, a Redis that is
down (nothing listens), one that hangs (accepts connections, never answers), and the real one.

Whatever this run's own settings are (SQLite and the filesystem broker, or PostgreSQL and Redis), the tests
judge the settings of the Redis branch of cmm/settings/base.py, read by running that module again.
"""

from __future__ import annotations

import os
import runpy
import socket
import warnings
from contextlib import contextmanager
from unittest import mock

import pytest
import redis

from cmm import cache as fail_soft
from cmm.celery import app as celery_app
from tests import workers

# Port 1 (tcpmux) is privileged and unused: connecting is refused at once, as with a stopped Redis.
DOWN_URL = "redis://127.0.0.1:1/0"
# The Redis of the machine and of CI; each helper of this project has a database of its own.
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/10"


def settings_with_redis(url: str) -> dict:
    """The settings module as a deployment with REDIS_URL=url gets it (a fresh run of the module)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS", "CELERY"))}
    with mock.patch.dict(os.environ, {**clean, "REDIS_URL": url}, clear=True), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # runpy: "found in sys.modules", as intended
        return runpy.run_module("cmm.settings.base", run_name="cmm_settings_redis")


@contextmanager
def silent_redis():
    """A server that accepts connections (the kernel does, from the backlog) and never answers: a Redis
    that hangs, or one behind a dropped network path. Yields its URL."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        server.close()


def real_redis_url() -> str:
    """This run's Redis (REDIS_URL) or the machine's; fail, not skip, when it does not answer."""
    url = os.environ.get("REDIS_URL") or LOCAL_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"The reliability tests need a Redis at {url}: {exc}")
    return url


def redis_broker(url: str) -> dict:
    """A tests.workers broker description for Redis at `url`, with the transport options of settings."""
    options = settings_with_redis(url)["CELERY_BROKER_TRANSPORT_OPTIONS"]
    return {
        "url": url,
        "env": {"REDIS_URL": url, "CELERY_BROKER_URL": url},
        "transport_options": options,
    }


@contextmanager
def broker_at(url: str):
    """Let this process publish real messages (not eager ones) to the Redis at `url`, with the publish
    settings a deployment has; then put everything back."""
    conf = settings_with_redis(url)
    saved = {
        key: celery_app.conf[key]
        for key in (
            "task_always_eager",
            "broker_url",
            "broker_transport_options",
            "task_publish_retry_policy",
        )
    }
    celery_app.conf.update(
        task_always_eager=False,
        broker_url=url,
        broker_transport_options=conf["CELERY_BROKER_TRANSPORT_OPTIONS"],
        task_publish_retry_policy=conf["CELERY_TASK_PUBLISH_RETRY_POLICY"],
    )
    workers.reset_producers()
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        workers.reset_producers()


@contextmanager
def cache_at(settings, url: str):
    """Point Django's cache at the Redis at `url`, as a deployment configures it, breaker closed."""
    saved = settings.CACHES
    settings.CACHES = settings_with_redis(url)["CACHES"]
    fail_soft._down_until.clear()
    try:
        yield
    finally:
        settings.CACHES = saved
        fail_soft._down_until.clear()
