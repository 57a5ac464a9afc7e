"""Fixtures and helpers of the return-plan tests (imported explicitly by the test_return_* modules).

Every test runs on a fixed day (TODAY, 2026-04-01 in Copenhagen); the root conftest's open_case opens cases on
2026-03-01 with the name MARKER and a phone number in the personal details, which must never show up here.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from cases.choices import ResidenceStatus
from cases.services import representative_appoint
from cmm.models import Role
from cmm.tests.factories import TEST_PASSWORD
from cmm.tests.test_api import token_client
from cmm.two_factor.testing import pass_second_factor
from referrals.choices import ReturnStatus
from referrals.services.returns import return_plan_create, return_plan_transition

D = datetime.date
TODAY = D(2026, 4, 1)
NOW = datetime.datetime(2026, 4, 1, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
MARKER = "Marker Person Alpha"  # open_case's full_name
PHONE = "+45 11 22 33 44"  # open_case's phone number


def at(day: datetime.date, hour: int = 12):
    """Travel to noon (Copenhagen) of `day`, the clock standing still."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo("Europe/Copenhagen")), tick=False
    )


@pytest.fixture
def fixed_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def caseworker(users_a):
    """A's caseworker, who opens the cases and is therefore on their team."""
    return users_a[Role.CASEWORKER]


@pytest.fixture
def outsider(users_b):
    """A caseworker of organisation B, who cannot see A's cases."""
    return users_b[Role.CASEWORKER]


@pytest.fixture
def plan(case_a, caseworker, fixed_today):
    """A draft plan of case A (no legal residence: the Immigration Service with IOM), to Nigeria."""
    return return_plan_create(
        case=case_a, by=caseworker, destination_country="NG", destination_city="Benin City"
    )


@pytest.fixture
def minor_case(open_case, caseworker):
    """An unaccompanied 15-year-old without legal residence, opened on 2026-03-01."""
    return open_case(by=caseworker, estimated_age=15, unaccompanied_minor=True)


@pytest.fixture
def representative(minor_case, caseworker, fixed_today):
    return representative_appoint(
        case=minor_case,
        by=caseworker,
        name="Social Worker Sørensen",
        organisation_name="Kommune",
        is_professional=True,
        appointed_on=D(2026, 3, 5),
    )


@pytest.fixture
def legal_resident_case(open_case, caseworker):
    return open_case(by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN, nationality="RO")


def advance(plan, *, by, to: str, on: datetime.date = TODAY, note: str = ""):
    """Move `plan` through the workflow up to `to` (each step on `on`), through the real service."""
    path = [ReturnStatus.SENT_TO_IOM, ReturnStatus.APPROVED, ReturnStatus.DEPARTED]
    for step in path[: path.index(to) + 1]:
        plan = return_plan_transition(plan=plan, to_status=step, by=by, on=on, note=note)
    return plan


@pytest.fixture
def login(db):
    """Log a user in through the real login form, each in a client of their own."""

    def do(user):
        client = Client()
        response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.content[:500]
        pass_second_factor(client, user)  # the real second step with a code of the user's authenticator
        return client

    return do


@pytest.fixture
def client_for():
    """A fresh API client authenticated with the user's token (one client per user)."""

    def make(user):
        return token_client(APIClient(), user)

    return make
