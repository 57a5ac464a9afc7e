"""Factories for case tests. Rules are tested through services; these build plain rows."""

import datetime

import factory

from cases.choices import (
    ExploitationType,
    ForcedLabourSector,
    Gender,
    HousingType,
    ResidenceStatus,
    ServiceMode,
    ServiceType,
)
from cases.models import Case, CaseService, ShelterStay
from cases.services import case_open
from cmm.tests.factories import OrganisationFactory


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"TST-2026-{n + 1:05d}")
    organisation = factory.SubFactory(OrganisationFactory)
    opened_on = datetime.date(2026, 3, 1)
    gender = Gender.FEMALE
    age_at_opening = 24
    nationality = "NG"
    residence_status = ResidenceStatus.NO_LEGAL_RESIDENCE


class CaseServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseService

    case = factory.SubFactory(CaseFactory)
    service_type = ServiceType.HEALTH_DOCTOR
    mode = ServiceMode.RECEIVED
    provided_on = datetime.date(2026, 3, 5)


class ShelterStayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShelterStay

    case = factory.SubFactory(CaseFactory)
    housing_type = HousingType.CRISIS_CENTRE
    admitted_on = datetime.date(2026, 3, 2)


def case_open_for_test(*, by, organisation, **overrides) -> Case:
    """Open a case through the real service with the usual test facts (and identifying details that tests
    look for); keyword arguments override them."""
    values = {
        "organisation": organisation,
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
