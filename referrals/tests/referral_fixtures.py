"""Fixtures of the case referral tests (imported explicitly by each test module).

The root conftest.py gives organisation A (Reden Test) with a user of each role and case A, organisation B
(Pro Vest Test) and CMM; here: a fixed today, the people who send and answer, and helpers that send
referrals through the real service.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from cmm.models import Role
from cmm.tests.factories import TEST_PASSWORD
from cmm.tests.test_api import token_client
from cmm.two_factor.testing import pass_second_factor
from referrals.choices import ConsentScope, ReferralKind, ReferralReason
from referrals.services.referrals import referral_accept, referral_send

TODAY = datetime.date(2026, 4, 1)
CONSENT_ON = datetime.date(2026, 3, 30)
MARKER = "Marker Person Alpha"  # the name open_case stores in the personal details


@pytest.fixture
def fixed_today():
    moment = datetime.datetime(2026, 4, 1, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def sender(users_a):
    """A's caseworker, who opened case A and is on its team."""
    return users_a[Role.CASEWORKER]


@pytest.fixture
def receiver(users_b):
    """B's caseworker, who answers referrals sent to B."""
    return users_b[Role.CASEWORKER]


@pytest.fixture
def a_coordinator(org_a, make_member):
    """A coordinator in organisation A: may send a referral without consent, with a reason."""
    return make_member(org_a, Role.COORDINATOR)


def send_referral(case, *, by, to, **overrides):
    """Send a referral with the person's consent (facts only; everything for a transfer) unless `overrides`
    say otherwise."""
    values = {
        "to_organisation": to,
        "kind": ReferralKind.SHARE,
        "reason": ReferralReason.HOUSING,
        "request_note": "Needs a shelter place from next week.",
        "consent_given": True,
        "consent_on": CONSENT_ON,
        "consent_scope": ConsentScope.FACTS,
    }
    if overrides.get("kind") == ReferralKind.TRANSFER:
        values["consent_scope"] = ConsentScope.FACTS_AND_DETAILS  # a transfer needs consent to it all
    values.update(overrides)
    return referral_send(case=case, by=by, **values)


@pytest.fixture
def pending(case_a, sender, org_b, receiver):
    """Case A referred by A to B, waiting for B's answer."""
    return send_referral(case_a, by=sender, to=org_b)


@pytest.fixture
def accepted(pending, receiver):
    return referral_accept(referral=pending, by=receiver)


@pytest.fixture
def page_client(db):
    """Log a user in through the real login form, each in a client of their own."""

    def do(user):
        client = Client()
        response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.content[:500]
        pass_second_factor(client, user)  # the real second step with a code of the user's authenticator
        return client

    return do


@pytest.fixture
def api_for(db):
    """A fresh API client authenticated with the user's token (one client per user)."""

    def make(user):
        return token_client(APIClient(), user)

    return make
