"""Redis stopped (issue 11): logging a contact, logging in and the API still work, and quickly; work that
needs a worker waits in its table (the e-mail outbox, report jobs); and once Redis is back the reminder that
fell due meanwhile is delivered exactly once.

"Down" is a Redis URL where nothing listens (connecting is refused at once, as with a stopped Redis), used
for the cache and the broker with the settings a deployment with Redis has. "Hanging" is a server that
accepts connections and never answers. "Back" is the real Redis of the run (tests/broker_faults.py).
"""

import datetime
import time
import uuid

import pytest
import redis
from django.core.cache import cache
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cmm import cache as fail_soft
from cmm.models import EmailStatus, OutboundEmail, Role
from cmm.services import email_outbox_flush, email_queue
from cmm.tests.test_api import token_client
from outreach.choices import Venue
from outreach.models import Contact
from reflection.choices import PeriodKind
from reflection.models import Notification
from reflection.services import deadline_scan, period_start
from reports.models import JobStatus, ReportKind
from reports.periods import Period
from reports.services import jobs
from tests import workers
from tests.broker_faults import DOWN_URL, broker_at, cache_at, real_redis_url, redis_broker, silent_redis

pytestmark = pytest.mark.django_db

QUICK = 2.0  # seconds: what a request may take while Redis is down


@pytest.fixture
def redis_down(settings):
    """Cache and broker both at a Redis that is down."""
    with cache_at(settings, DOWN_URL), broker_at(DOWN_URL):
        yield


@pytest.fixture
def redis_hanging(settings):
    """Cache and broker both at a Redis that accepts connections and never answers."""
    with silent_redis() as url, cache_at(settings, url), broker_at(url):
        yield url


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


# --- Requests while Redis is down ------------------------------------------------------------------------


def test_login_works_while_redis_is_down(redis_down, login, users_a, client):
    assert client.get(reverse("login")).status_code == 200  # the form, as a user opens it first
    client, seconds = timed(lambda: login(users_a[Role.OUTREACH_WORKER]))
    assert seconds < QUICK
    assert client.get(reverse("home")).status_code == 200


def test_a_contact_is_logged_quickly_while_redis_is_down(redis_down, login, users_a):
    client = login(users_a[Role.OUTREACH_WORKER])
    assert client.get(reverse("contact-create")).status_code == 200
    response, seconds = timed(lambda: client.post(reverse("contact-create"), {"venue": Venue.BAR}))
    assert response.status_code == 302
    assert seconds < QUICK
    assert Contact.objects.get().venue == Venue.BAR


def test_the_api_answers_while_redis_is_down_without_its_rate_limit(redis_down, users_a):
    client = token_client(APIClient(), users_a[Role.OUTREACH_WORKER])
    response, seconds = timed(lambda: client.get("/api/outreach/contacts/"))
    assert response.status_code == 200
    assert seconds < QUICK
    # The rate limit did ask the cache, found Redis down, and let the request through.
    assert DOWN_URL in fail_soft._down_until
    assert client.get("/api/outreach/contacts/").status_code == 200


def test_work_for_a_worker_waits_in_its_table_while_the_broker_is_down(
    redis_down, org_cmm, make_member, django_capture_on_commit_callbacks
):
    analyst = make_member(org_cmm, Role.ANALYST)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = email_queue(to="someone@example.org", subject="Subject", body="Body")
        job = jobs.report_job_request(
            user=analyst, kind=ReportKind.QUARTERLY, language="en", period=Period.quarter(2026, 2)
        )
    started = time.monotonic()
    for callback in callbacks:
        callback()  # once more, timed: each publish to the dead broker gives up at once
    assert time.monotonic() - started < QUICK
    email.refresh_from_db()
    job.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 0)
    assert job.status == JobStatus.QUEUED


def test_a_hanging_redis_costs_a_request_seconds_once_then_nothing(redis_hanging, users_a):
    client = token_client(APIClient(), users_a[Role.OUTREACH_WORKER])
    response, first = timed(lambda: client.get("/api/outreach/contacts/"))
    assert response.status_code == 200
    assert first < 3 * QUICK  # one socket timeout of the cache (1 s), not one per call
    response, second = timed(lambda: client.get("/api/outreach/contacts/"))
    assert response.status_code == 200
    assert second < 0.5  # the breaker is open: Redis is not asked again for a while


def test_a_publish_to_a_hanging_redis_gives_up_after_one_wait(
    redis_hanging, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = email_queue(to="someone@example.org", subject="Subject", body="Body")
    _none, seconds = timed(callbacks[0])
    assert 1 < seconds < 3  # one connect that succeeds and an answer that does not come within 2 s
    email.refresh_from_db()
    assert email.status == EmailStatus.PENDING


# --- The fail-soft cache itself -----------------------------------------------------------------------------


def test_the_cache_answers_not_cached_while_redis_is_down(settings):
    with cache_at(settings, DOWN_URL):
        assert cache.get("k", "default") == "default"
        assert cache.set("k", 1) is None
        assert cache.add("k", 1) is False
        assert cache.get_many(["a", "b"]) == {}
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert cache.has_key("k") is False
        with pytest.raises(ValueError):
            cache.incr("k")
        cache.delete("k")
        cache.delete_many(["a"])
        cache.clear()


def test_the_cache_stops_asking_a_dead_redis_for_a_while(settings, monkeypatch):
    with cache_at(settings, DOWN_URL):
        assert cache.get("k") is None
        monkeypatch.setattr(fail_soft, "FAIL_SOFT_SECONDS", 0.5)
        calls = []
        original = fail_soft.RedisCache.get
        monkeypatch.setattr(
            fail_soft.RedisCache, "get", lambda *a, **kw: calls.append(1) or original(*a, **kw)
        )
        assert cache.get("k") is None
        assert calls == []  # the breaker is open
        fail_soft._down_until[DOWN_URL] = time.monotonic()  # its time is up
        assert cache.get("k") is None
        assert calls == [1]  # asked again, failed again, open again
        assert cache.get("k") is None
        assert calls == [1]


def test_the_cache_is_a_cache_while_redis_is_up(settings):
    url = real_redis_url()
    key = f"reliability-test-{uuid.uuid4().hex}"
    with cache_at(settings, url):
        try:
            assert cache.get(key) is None
            cache.set(key, {"n": 1}, timeout=60)
            assert cache.get(key) == {"n": 1}
            assert cache.add(f"{key}-n", 1) is True
            assert cache.incr(f"{key}-n") == 2
            assert not fail_soft._down_until
        finally:
            cache.delete_many([key, f"{key}-n"])


def test_clearing_the_cache_leaves_the_brokers_keys_alone(settings):
    # Cache and broker share one Redis database in a deployment (REDIS_URL): FLUSHDB would drop the queues.
    url = real_redis_url()
    broker_key = f"test-queue-{uuid.uuid4().hex}"  # as kombu names a queue: no prefix of ours
    client = redis.Redis.from_url(url)
    client.lpush(broker_key, "a message")
    try:
        with cache_at(settings, url):
            cache.set("mine", 1, timeout=60)
            cache.set("other-version", 2, timeout=60, version=2)
            assert cache.clear() is True
            assert cache.get("mine") is None
            assert cache.get("other-version", version=2) is None
        assert client.lrange(broker_key, 0, -1) == [b"a message"]
    finally:
        client.delete(broker_key)


# --- A reminder falls due while Redis is down; Redis comes back --------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_reminder_due_while_redis_is_down_is_delivered_once_when_it_is_back(users_a, open_case, tmp_path):
    caseworker = users_a[Role.CASEWORKER]
    case = open_case(by=caseworker)
    today = timezone.localdate()  # the worker process has the real "today" too
    period_start(
        case=case, by=caseworker, kind=PeriodKind.ACTION_PLAN, starts_on=today - datetime.timedelta(days=23)
    )

    # Redis is down: the scan still writes the reminder and its e-mail, and does not wait for the broker.
    with broker_at(DOWN_URL):
        created, seconds = timed(deadline_scan)
    assert created == 1
    assert seconds < QUICK
    notification = Notification.objects.get()
    assert (notification.recipient, notification.milestone) == (caseworker, "d7")
    email = OutboundEmail.objects.get()
    assert (email.status, email.attempts, email.to) == (EmailStatus.PENDING, 0, caseworker.email)
    # Its message never reached a broker; the sweep leaves an e-mail alone for its first 30 seconds.
    OutboundEmail.objects.update(created_at=F("created_at") - datetime.timedelta(minutes=1))

    # Redis is back, and so is a worker: the outbox sweep (beat's email-outbox-flush) sends it.
    broker = redis_broker(real_redis_url())
    queue = f"test-{uuid.uuid4().hex[:12]}"  # this test's own queue, whatever else shares the Redis
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = workers.process_env(broker, EMAIL_URL=f"filemail:///{mail_dir}")
    worker = workers.start([*workers.WORKER_ARGS, "-Q", queue], env=env, log_path=tmp_path / "worker.log")
    try:
        with workers.sending_to(broker, task_default_queue=queue, task_routes={}):
            assert email_outbox_flush() == 1
            workers.wait_for(
                lambda: OutboundEmail.objects.filter(status=EmailStatus.SENT).exists(),
                timeout=60,
                processes=[worker],
            )
            # The sweep again, the scan again and the message delivered once more: nothing more is sent.
            assert email_outbox_flush() == 0
            assert deadline_scan() == 0
            name = "cmm.tasks.email_send_task"
            runs = workers.task_runs(worker[1], name)
            workers.celery_app.tasks[name].apply_async(kwargs={"email_id": email.pk})
            workers.wait_for(
                lambda: workers.task_runs(worker[1], name) > runs, timeout=30, processes=[worker]
            )

        files = list(mail_dir.iterdir())
        assert len(files) == 1, workers.logs(worker[1])
        assert case.number in files[0].read_text()
        email.refresh_from_db()
        assert (email.status, email.attempts) == (EmailStatus.SENT, 1)
        assert Notification.objects.count() == 1
        assert worker[0].poll() is None
    finally:
        workers.stop(*worker)
