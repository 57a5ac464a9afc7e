"""Case fixtures: a case of organisation A opened through the service by A's caseworker."""

import datetime

import pytest

from cases.choices import ExploitationType, ForcedLabourSector, Gender, ResidenceStatus
from cases.services import case_open
from cmm.models import Role


@pytest.fixture
def open_case():
    """Open a case through the real service; keyword arguments override the defaults."""

    def make(*, by, organisation=None, **overrides):
        membership = by.memberships.get() if organisation is None else None
        values = {
            "organisation": organisation or membership.organisation,
            "opened_on": datetime.date(2026, 3, 1),
            "gender": Gender.FEMALE,
            "residence_status": ResidenceStatus.NO_LEGAL_RESIDENCE,
            "nationality": "NG",
            "languages": ["en"],
            "exploitations": [(ExploitationType.FORCED_LABOUR, ForcedLabourSector.CLEANING)],
            "estimated_age": 24,
            "personal": {"full_name": "Marker Person Alpha", "phone_numbers": "+45 11 22 33 44"},
        }
        values.update(overrides)
        return case_open(by=by, **values)

    return make


@pytest.fixture
def case_a(users_a, open_case):
    """A case of organisation A, opened by A's caseworker (who is therefore on its team)."""
    return open_case(by=users_a[Role.CASEWORKER])
