"""Limits that hold behind the proxy (issue 17): the token endpoint's rate limit counts the client as the
lockout does, the session id changes again after the second factor, and password-reset requests are
limited per client address and per account and cost the same for known and unknown addresses."""

import uuid
from importlib import import_module
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cmm.models import OutboundEmail, Role, UserSession
from cmm.tests.factories import TEST_PASSWORD
from cmm.throttling import TokenRateThrottle
from cmm.two_factor.testing import totp_code

pytestmark = pytest.mark.django_db

TOKEN = "/api/auth/token/"
RESET = "/accounts/password-reset/"
PROXY = "10.0.0.2"  # the reverse proxy: the connection's own address (no traffic is sent anywhere)
CLIENT = "203.0.113.7"


@pytest.fixture(autouse=True)
def _own_counters(settings):
    """Every limit here lives in the cache: each test counts in an empty cache of its own, so that tests
    running in parallel (which clear the shared Redis cache) cannot reset its counts halfway."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"trust-limits-{uuid.uuid4()}",
        }
    }


def forwarded(n: int, client: str = CLIENT) -> dict:
    """A request through one proxy from `client`, which put a different made-up address in front each time."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"198.51.100.{n % 250 + 1}, {client}"}


# --- The token endpoint ---------------------------------------------------------------------------------


@pytest.fixture
def token_limit(monkeypatch):
    """The token endpoint allows 3 requests a minute per client in these tests (API_TOKEN_RATE)."""
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    return 3


def token_attempt(api_client, **extra):
    return api_client.post(
        TOKEN, {"username": "nobody", "password": "wrong-password-1"}, format="json", **extra
    )


def test_behind_the_proxy_a_rotating_forwarded_prefix_does_not_evade_the_token_rate_limit(
    api_client, settings, token_limit
):
    settings.PROXY_COUNT = 1
    answers = [token_attempt(api_client, **forwarded(n)).status_code for n in range(token_limit + 2)]
    assert answers == [400] * token_limit + [429, 429]
    # Another client behind the same proxy is not held back by the first one's requests.
    assert token_attempt(api_client, **forwarded(99, client="203.0.113.8")).status_code == 400


def test_without_a_proxy_a_made_up_forwarded_header_does_not_evade_the_token_rate_limit(
    api_client, settings, token_limit
):
    settings.PROXY_COUNT = 0
    answers = [
        token_attempt(api_client, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}").status_code
        for n in range(token_limit + 1)
    ]
    assert answers == [400] * token_limit + [429]


def test_the_token_rate_is_configured_from_the_environment():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"] == "30/minute"
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == ["cmm.throttling.UserRateThrottle"]


# --- A new session id after the second factor -----------------------------------------------------------


def session_exists(key) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def test_the_session_id_changes_at_the_second_factor_and_the_old_one_is_dead(client, users_a, otp_device):
    user = users_a[Role.CASEWORKER]
    device = otp_device(user)
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    after_password = client.session.session_key
    assert session_exists(after_password)

    response = client.post(reverse("two-factor-verify"), {"code": totp_code(device)})
    assert response.status_code == 302

    after_code = client.session.session_key
    assert after_code != after_password
    assert not session_exists(after_password)  # deleted on the server, not only replaced in this browser
    assert client.get("/").status_code == 200
    # Whoever saw or planted the id before the second step holds nothing now.
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = after_password
    assert stale.get("/")["Location"].startswith("/accounts/login/")
    # The new id is the one recorded as the user's, so ending their sessions ends it.
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [after_code]


def test_the_session_id_changes_when_the_authenticator_is_set_up(client, users_a):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = users_a[Role.CASEWORKER]
    client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert client.get(reverse("two-factor-setup")).status_code == 200
    after_password = client.session.session_key
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    response = client.post(reverse("two-factor-setup"), {"code": totp_code(device)})
    assert response.status_code == 200  # the recovery codes, shown once

    assert client.session.session_key != after_password
    assert not session_exists(after_password)
    assert client.get("/").status_code == 200


# --- Password-reset requests ----------------------------------------------------------------------------


@pytest.fixture
def known(users_a):
    return users_a[Role.CASEWORKER]


def reset(client, email, **extra):
    return client.post(RESET, {"email": email}, **extra)


def test_password_reset_requests_from_one_client_are_limited_behind_the_proxy(client, settings, known):
    settings.PROXY_COUNT = 1
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 100
    emails = [f"someone{n}@example.org" for n in range(3)]
    answers = [reset(client, email, **forwarded(n)) for n, email in enumerate(emails)]
    assert [(a.status_code, a["Location"]) for a in answers] == [(302, reverse("password_reset_done"))] * 3

    # A fourth from the same client, whatever it puts in front of its address and whichever address it asks
    # for, known or not: 429 "try later", which tells nothing about any account.
    for n, email in enumerate([known.email, "nobody@example.org"]):
        refused = reset(client, email, **forwarded(10 + n))
        assert refused.status_code == 429
        assert refused["Retry-After"] == str(settings.PASSWORD_RESET_LIMIT_MINUTES * 60)
        assert "registration/password_reset_limited.html" in [t.name for t in refused.templates]
    assert OutboundEmail.objects.count() == 0

    # Another client behind the same proxy still gets its link.
    assert reset(client, known.email, **forwarded(20, client="203.0.113.8")).status_code == 302


def test_password_reset_requests_for_one_account_are_limited_without_telling_it_exists(
    client, settings, known, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 100
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 2

    def ask_from_many_clients(email) -> list:
        answers = []
        with django_capture_on_commit_callbacks(execute=True):
            for n, variant in enumerate([email, email.upper(), email, email]):
                answer = reset(client, variant, REMOTE_ADDR=f"192.0.2.{n + 1}")
                answers.append((answer.status_code, answer["Location"]))
        return answers

    known_answers = ask_from_many_clients(known.email)
    unknown_answers = ask_from_many_clients("nobody-here@example.org")

    # The same neutral answer every time, within the limit or past it, for an account or for no one.
    assert known_answers == unknown_answers == [(302, reverse("password_reset_done"))] * 4
    # The account's owner got two links (the letter case of the address does not make a new account).
    assert [m.to for m in mail.outbox] == [[known.email], [known.email]]


def test_a_known_and_an_unknown_address_cost_the_request_the_same(
    client, known, django_capture_on_commit_callbacks
):
    work = {}
    for label, email in (("known", known.email), ("unknown", "nobody-here@example.org")):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as queued,
            mock.patch("cmm.password_reset.cache", wraps=cache) as counters,
        ):
            response = reset(client, email, REMOTE_ADDR=f"192.0.2.{len(work) + 1}")
        work[label] = {
            "answer": (response.status_code, response["Location"], response.content),
            "queries": [q["sql"] for q in queries.captured_queries],
            "queued": len(queued),
            "cache calls": [call[0] for call in counters.method_calls],
        }
    assert work["known"] == work["unknown"]
    assert work["known"]["queries"] == []  # nobody is looked up while the requester waits
    assert work["known"]["queued"] == 1

    # The queued work sends the known address its link, and nothing to anyone for the unknown one.
    with django_capture_on_commit_callbacks(execute=True):
        reset(client, known.email, REMOTE_ADDR="192.0.2.9")
        reset(client, "nobody-here@example.org", REMOTE_ADDR="192.0.2.10")
    assert [m.to for m in mail.outbox] == [[known.email]]
    assert mail.outbox[0].body.count(f"{settings.SITE_URL}/accounts/reset/") == 1


def test_a_reset_link_points_at_the_site_not_at_the_host_header(
    client, settings, known, django_capture_on_commit_callbacks
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example"]
    settings.SITE_URL = "https://cmm.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        assert reset(client, known.email, HTTP_HOST="evil.example").status_code == 302
    body = mail.outbox[0].body
    assert "https://cmm.example.org/accounts/reset/" in body and "evil.example" not in body


def test_a_reset_asked_for_while_the_broker_is_down_waits_in_the_outbox(
    client, known, django_capture_on_commit_callbacks
):
    from cmm.tasks import password_reset_send_task

    with (
        mock.patch.object(password_reset_send_task, "apply_async", side_effect=OSError("broker down")),
        mock.patch("cmm.services._enqueue_quietly"),  # the outbox's own send is left for the sweep
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert reset(client, known.email).status_code == 302
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == [known.email]


def test_with_the_cache_down_the_reset_limits_are_lifted_not_failed(
    client, settings, known, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 1
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 1
    with (
        mock.patch.object(cache, "incr", side_effect=ValueError("Key not found (cache unavailable)")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        answers = [reset(client, known.email).status_code for _ in range(3)]
    assert answers == [302, 302, 302]
    assert len(mail.outbox) == 3
