import pytest

from cmm.models import Role
from outreach.selectors import contact_list_for_user, police_raid_list_for_user

pytestmark = pytest.mark.django_db


def test_contacts_are_visible_to_the_recording_organisation_only(users_a, users_b, log_contact):
    contact = log_contact(by=users_a[Role.OUTREACH_WORKER])
    assert list(contact_list_for_user(user=users_a[Role.CASEWORKER])) == [contact]
    assert list(contact_list_for_user(user=users_b[Role.OUTREACH_WORKER])) == []
    assert list(contact_list_for_user(user=users_a[Role.ANALYST])) == []


def test_a_raid_is_visible_to_the_organisations_present(users_a, users_b, org_b, record_raid):
    raid = record_raid(by=users_a[Role.COORDINATOR], organisations_present=[org_b])
    assert list(police_raid_list_for_user(user=users_b[Role.OUTREACH_WORKER])) == [raid]
