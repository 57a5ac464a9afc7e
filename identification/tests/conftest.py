"""Identification fixtures: the Immigration Service and CMM as deciding organisations, with their deciders."""

import datetime

import pytest

from cmm.models import OrganisationKind, Role
from cmm.services import organisation_create
from identification.choices import PresentedBy
from identification.services import presentation_create


@pytest.fixture
def org_us(db):
    return organisation_create(
        name="Udlændingestyrelsen Test", kind=OrganisationKind.AUTHORITY, case_prefix="UST", region="national"
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
