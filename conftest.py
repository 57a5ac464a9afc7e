"""Shared fixtures: two organisations with a user of every role each, and a few helpers."""

import datetime
import os

import pytest
from django.utils import translation

from cases.tests.factories import case_open_for_test
from cmm.models import Designation, OrganisationKind, Role
from cmm.services import membership_add, organisation_create
from cmm.tests.factories import TEST_PASSWORD, UserFactory
from identification.choices import PresentedBy
from identification.services import presentation_create


@pytest.fixture
def org_a(db):
    return organisation_create(
        name="Reden Test", kind=OrganisationKind.NGO, case_prefix="RTA", region="hovedstaden"
    )


@pytest.fixture
def org_b(db):
    return organisation_create(
        name="Pro Vest Test", kind=OrganisationKind.NGO, case_prefix="PVB", region="syddanmark"
    )


@pytest.fixture
def org_cmm(db):
    """CMM, designated as such (as a platform admin does)."""
    return organisation_create(
        name="CMM Test",
        kind=OrganisationKind.CMM,
        case_prefix="CMT",
        region="national",
        designation=Designation.CMM,
    )


@pytest.fixture
def make_member(db):
    """Create a user holding `role` in `organisation` (and nowhere else)."""

    def make(organisation, role=Role.CASEWORKER, **user_fields):
        user = UserFactory(**user_fields)
        membership_add(user=user, organisation=organisation, role=role)
        return user

    return make


@pytest.fixture
def users_a(org_a, make_member):
    """One user per role in organisation A, keyed by role value."""
    return {role: make_member(org_a, role) for role in Role.values}


@pytest.fixture
def users_b(org_b, make_member):
    return {role: make_member(org_b, role) for role in Role.values}


@pytest.fixture
def open_case():
    """Open a case through the real service; keyword arguments override the defaults."""

    def make(*, by, organisation=None, **overrides):
        if organisation is None:
            organisation = by.memberships.get().organisation
        return case_open_for_test(by=by, organisation=organisation, **overrides)

    return make


@pytest.fixture
def case_a(users_a, open_case):
    """A case of organisation A, opened by A's caseworker (who is therefore on its team)."""
    return open_case(by=users_a[Role.CASEWORKER])


@pytest.fixture
def org_us(db):
    """The Immigration Service, designated as such (as a platform admin does)."""
    return organisation_create(
        name="Udlændingestyrelsen Test",
        kind=OrganisationKind.AUTHORITY,
        case_prefix="UST",
        region="national",
        designation=Designation.IMMIGRATION_SERVICE,
    )


@pytest.fixture
def liaison(org_us, make_member):
    """An Immigration Service liaison: decides on asylum seekers and people without legal residence."""
    return make_member(org_us, Role.AUTHORITY_LIAISON)


@pytest.fixture
def cmm_coordinator(org_cmm, make_member):
    """A CMM coordinator: records the decisions on people with legal residence."""
    return make_member(org_cmm, Role.COORDINATOR)


@pytest.fixture
def present():
    """Present a case through the real service (by its opener unless `by` is given)."""

    def make(case, *, by, presented_on=datetime.date(2026, 3, 10), presented_by=PresentedBy.POLICE):
        return presentation_create(case=case, by=by, presented_on=presented_on, presented_by=presented_by)

    return make


@pytest.fixture
def deciders(org_us, org_cmm, liaison, cmm_coordinator):
    """Both deciding organisations exist, each with its decider."""
    return {"us": liaison, "cmm": cmm_coordinator}


@pytest.fixture
def identified_case(case_a, users_a, deciders, present):
    """Case A, presented and identified by the Immigration Service on 2026-03-20 (no legal residence)."""
    from identification.choices import Outcome
    from identification.services import decision_record

    presentation = present(case_a, by=users_a[Role.CASEWORKER])
    decision_record(
        presentation=presentation,
        by=deciders["us"],
        outcome=Outcome.IDENTIFIED,
        decided_on=datetime.date(2026, 3, 20),
        exploitation_types=["forced_labour"],
    )
    case_a.refresh_from_db()
    return case_a


@pytest.fixture
def login(client):
    """Log a user in through the real login form and, for everyone who must use two-factor authentication,
    through the real second step with a code of their authenticator (made if missing); return the client."""
    from cmm.two_factor.selectors import two_factor_required
    from cmm.two_factor.testing import pass_second_factor

    def do(user, password=TEST_PASSWORD):
        client.logout()  # a logged-in client would be redirected away from the login page, as the old user
        response = client.post("/accounts/login/", {"username": user.username, "password": password})
        assert response.status_code == 302, response.content[:500]
        assert response.wsgi_request.user == user
        if two_factor_required(user):
            pass_second_factor(client, user)
        return client

    return do


@pytest.fixture
def otp_device():
    """Give a user a confirmed authenticator (TOTP device); returns it. `totp_code(device)` makes a code."""
    from cmm.two_factor.testing import totp_device_ensure

    return totp_device_ensure


@pytest.fixture
def private_storage(settings, tmp_path):
    """Let this test write private files (reports, attachments) into a folder of its own; returns it."""
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": str(location)}},
    }
    return location


@pytest.fixture
def in_english():
    """Read messages in English (the app's default language is Danish)."""
    with translation.override("en"):
        yield


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # Tests that start a worker process or a browser run in one xdist group each, so that they do not
    # compete for the two cores (or a Redis queue) with each other. tryfirst: xdist's own hook reads the
    # group markers to name the groups, so they must be there before it runs. (pytest 9 ignores the group
    # names xdist 3.8 gives, hence pytest < 9 in pyproject.toml.)
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        for marker in ("browser", "worker"):
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.xdist_group(marker))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI nothing may be skipped: a skip there is a failure, with the skip's reason as the message."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"Skipped in CI, where every test must run: {reason}"
