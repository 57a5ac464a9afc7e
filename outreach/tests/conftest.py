"""Outreach fixtures: records logged through the real services."""

import datetime

import pytest
from django.utils import timezone

from outreach.choices import CallerCategory, CallPurpose, Indicator, PoliceDistrict, Venue
from outreach.services import contact_log, hotline_call_save, meeting_session_save, police_raid_save


@pytest.fixture
def log_contact():
    """Log a contact for the worker's (only) organisation; keyword arguments override the defaults."""

    def make(*, by, **overrides):
        values = {
            "occurred_at": timezone.now() - datetime.timedelta(hours=1),
            "venue": Venue.STREET,
            "city": "København",
            "region": "hovedstaden",
            "gender": "female",
            "nationality": "NG",
            "age_band": "21-23",
            "first_time_met": True,
            "indicators": [Indicator.WITHHOLDS_DOCUMENTS],
        }
        values.update(overrides)
        return contact_log(by=by, organisation=by.memberships.get().organisation, **values)

    return make


@pytest.fixture
def log_call():
    def make(*, by, **overrides):
        values = {
            "received_at": timezone.now() - datetime.timedelta(minutes=30),
            "caller_category": CallerCategory.POLICE,
            "purpose": CallPurpose.INFORMATION,
        }
        values.update(overrides)
        return hotline_call_save(by=by, organisation=by.memberships.get().organisation, **values)

    return make


@pytest.fixture
def record_session():
    def make(*, by, **overrides):
        values = {
            "place": "Mødestedet",
            "date": timezone.localdate() - datetime.timedelta(days=1),
            "visitors": 20,
            "returning_visitors": 12,
            "health_clinic_open": True,
        }
        values.update(overrides)
        return meeting_session_save(by=by, organisation=by.memberships.get().organisation, **values)

    return make


@pytest.fixture
def record_raid():
    def make(*, by, organisations_present=None, **overrides):
        values = {
            "date": timezone.localdate() - datetime.timedelta(days=2),
            "police_district": PoliceDistrict.KOEBENHAVN,
            "location_type": Venue.MASSAGE_CLINIC,
            "persons_met": 6,
            "persons_with_indicators": 2,
            "contacts_made": 4,
        }
        values.update(overrides)
        return police_raid_save(
            by=by,
            organisation=by.memberships.get().organisation,
            organisations_present=organisations_present,
            **values,
        )

    return make
