"""Login lockout per username and per client address (django-axes behind cmm.views.client_ip), and login
answers that never tell whether a username exists (issue 11). The basic lockout and its cool-off for one
username are in test_auth.py; the address logic of client_ip is in test_client_ip.py."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from cmm.models import Role
from cmm.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
WRONG = "wrong-password-123"


def attempt(client, username, password=WRONG, *, ip="192.0.2.10", forwarded=None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def without_tokens(response, *typed) -> str:
    """The page with its CSRF tokens and what the visitor typed taken out."""
    page = response.content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', page)
    for text in typed:
        page = page.replace(text, "TYPED")
    return page


def test_failures_for_one_username_from_many_addresses_lock_that_username(client, users_a, users_b):
    user = users_a[Role.CASEWORKER]
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, user.username, ip=f"198.51.100.{n + 1}")

    # The right password from a fresh address is refused too ...
    assert attempt(client, user.username, TEST_PASSWORD, ip="203.0.113.77").status_code == 429
    # ... while another user logs in from one of the addresses used.
    other = users_b[Role.CASEWORKER]
    assert attempt(client, other.username, TEST_PASSWORD, ip="198.51.100.1").status_code == 302


def test_failures_from_one_address_across_usernames_lock_that_address(client, users_a, users_b):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"guess-{n}", ip="192.0.2.66")

    victim = users_a[Role.CASEWORKER]
    assert attempt(client, victim.username, TEST_PASSWORD, ip="192.0.2.66").status_code == 429
    assert attempt(client, victim.username, TEST_PASSWORD, ip="192.0.2.67").status_code == 302


def test_behind_the_proxy_the_lockout_counts_the_forwarded_client_not_the_proxy(client, settings, users_a):
    settings.PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for n in range(settings.AXES_FAILURE_LIMIT):
        # A forged entry in front of the one the proxy appended changes nothing.
        attempt(client, f"guess-{n}", ip=proxy, forwarded=f"6.6.6.{n}, 203.0.113.5")

    user = users_a[Role.CASEWORKER]
    assert attempt(client, user.username, TEST_PASSWORD, ip=proxy, forwarded="203.0.113.5").status_code == 429
    # Everyone else behind the same proxy still logs in.
    assert (
        attempt(client, user.username, TEST_PASSWORD, ip=proxy, forwarded="198.51.100.9").status_code == 302
    )


def test_without_a_proxy_a_forged_forwarded_header_does_not_dodge_the_address_lockout(
    client, settings, users_a
):
    settings.PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"guess-{n}", ip="192.0.2.99", forwarded=f"203.0.113.{n}")

    user = users_a[Role.CASEWORKER]
    assert (
        attempt(client, user.username, TEST_PASSWORD, ip="192.0.2.99", forwarded="203.0.113.200").status_code
        == 429
    )


def test_an_address_lockout_lifts_after_the_cool_off_time(client, users_a):
    user = users_a[Role.CASEWORKER]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for n in range(settings.AXES_FAILURE_LIMIT):
            attempt(client, f"guess-{n}", ip="192.0.2.50")
        traveller.shift(settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
        assert attempt(client, user.username, TEST_PASSWORD, ip="192.0.2.50").status_code == 429

        traveller.shift(timedelta(seconds=2))
        assert attempt(client, user.username, TEST_PASSWORD, ip="192.0.2.50").status_code == 302


def test_a_wrong_password_and_an_unknown_username_get_the_same_page(client, users_a):
    user = users_a[Role.CASEWORKER]
    unknown = "nobody-at-all"

    wrong = attempt(client, user.username, ip="192.0.2.1")
    missing = attempt(client, unknown, ip="192.0.2.2")

    assert wrong.status_code == missing.status_code == 200
    assert without_tokens(wrong, user.username) == without_tokens(missing, unknown)


def test_an_inactive_account_gets_the_same_page_as_a_wrong_password(client, users_a):
    inactive, active = users_a[Role.CASEWORKER], users_a[Role.ANALYST]
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    right_password_inactive = attempt(client, inactive.username, TEST_PASSWORD, ip="192.0.2.1")
    wrong_password_active = attempt(client, active.username, ip="192.0.2.2")

    assert right_password_inactive.status_code == 200
    assert without_tokens(right_password_inactive, inactive.username) == without_tokens(
        wrong_password_active, active.username
    )


def test_the_lockout_page_is_the_same_for_existing_and_unknown_usernames(client, users_a):
    user = users_a[Role.CASEWORKER]
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, user.username, ip=f"198.51.100.{n + 1}")
        attempt(client, "no-such-user", ip=f"203.0.113.{n + 1}")

    existing = attempt(client, user.username, TEST_PASSWORD, ip="192.0.2.200")
    unknown = attempt(client, "no-such-user", ip="192.0.2.201")

    assert existing.status_code == unknown.status_code == 429
    assert without_tokens(existing) == without_tokens(unknown)
    assert user.username not in existing.content.decode()
