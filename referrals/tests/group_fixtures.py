"""Fixtures of the referral-group tests (imported explicitly by the test_group_* modules).

The seven groups come from the data migration; members, meetings, actions and topics are made through the
services, so the rules hold for the test data too. "Reden Test" (org A) is a member of the Nordjylland group
and nothing else; org B is a member of no group; CMM's coordinator runs them all.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from cmm.models import Role
from cmm.tests.factories import TEST_PASSWORD, OrganisationFactory
from cmm.two_factor.testing import pass_second_factor
from referrals.choices import GroupKind, MemberSector
from referrals.models import ReferralGroup
from referrals.services.groups import (
    action_add,
    action_complete,
    meeting_create,
    member_add,
    topic_add,
    topic_escalate,
)

CPH = ZoneInfo("Europe/Copenhagen")
D = datetime.date
CASE_NUMBER = "CMM-2026-00042"


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """A Copenhagen wall-clock time on `day`."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=CPH)


def populate(group, coordinator, make_member, count):
    """Add `count` member organisations with a user each, and per member a past and an upcoming meeting
    (seen from 2026-04-10), an open and a done action at each, a topic at each and one escalated topic."""
    for n in range(count):
        organisation = OrganisationFactory()
        user = make_member(organisation, Role.CASEWORKER)
        member = member_add(group=group, by=coordinator, organisation=organisation, user=user, sector="ngo")
        for day in (D(2026, 3, 1 + n), D(2026, 4, 20 + n)):
            meeting = meeting_create(group=group, by=coordinator, starts_at=at(day), attendees=[member])
            action_add(meeting=meeting, by=coordinator, description="Do it", due_on=day, owner=member)
            done = action_add(meeting=meeting, by=coordinator, description="Done", due_on=day, owner=member)
            action_complete(action=done, by=coordinator, done_on=D(2026, 4, 1))
            topic = topic_add(group=group, by=coordinator, title=f"Topic {n}", meeting=meeting)
        topic_escalate(topic=topic, by=coordinator)


@pytest.fixture
def national(db) -> ReferralGroup:
    return ReferralGroup.objects.get(kind=GroupKind.NATIONAL)


@pytest.fixture
def nordjylland(db) -> ReferralGroup:
    return ReferralGroup.objects.get(region="nordjylland")


@pytest.fixture
def syddanmark(db) -> ReferralGroup:
    return ReferralGroup.objects.get(region="syddanmark")


@pytest.fixture
def coordinator(cmm_coordinator):
    """CMM's coordinator acting for CMM: runs every referral group."""
    return cmm_coordinator


@pytest.fixture
def caseworker_a(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def member_a(nordjylland, org_a, coordinator):
    """Organisation A is a member of the Nordjylland group (no representative user named)."""
    return member_add(group=nordjylland, by=coordinator, organisation=org_a, sector=MemberSector.NGO)


@pytest.fixture
def meeting(nordjylland, member_a, coordinator):
    """A Nordjylland meeting on 2026-04-15 10:00 Copenhagen time, attended by organisation A."""
    return meeting_create(
        group=nordjylland,
        by=coordinator,
        starts_at=at(datetime.date(2026, 4, 15)),
        place="Aalborg",
        agenda="1. Welcome\n2. New routines",
        minutes="",
        attendees=[member_a],
    )


@pytest.fixture
def web(db):
    """Log a user in through the real login form, each in a client of their own."""

    def do(user):
        client = Client()
        response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.content[:500]
        pass_second_factor(client, user)  # the real second step with a code of the user's authenticator
        return client

    return do


@pytest.fixture
def api(db):
    """An API client authenticated with the user's token, one per user."""
    from rest_framework.test import APIClient

    from cmm.tests.test_api import token_client

    def make(user):
        return token_client(APIClient(), user)

    return make
