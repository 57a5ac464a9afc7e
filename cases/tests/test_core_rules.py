import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from cases.models import Case, PersonalDetails
from cases.selectors import case_get_for_user, case_list_for_user
from cases.services import personal_details_view
from cmm.models import AuditAction, AuditEvent, Role

pytestmark = pytest.mark.django_db


def test_case_numbers_follow_the_prefix_year_sequence(users_a, open_case, org_a):
    first = open_case(by=users_a[Role.CASEWORKER])
    second = open_case(by=users_a[Role.CASEWORKER])
    assert first.number == "RTA-2026-00001"
    assert second.number == "RTA-2026-00002"


def test_personal_details_are_not_stored_in_plain_text(case_a):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT full_name, phone_numbers FROM cases_personaldetails WHERE case_id = %s", [case_a.pk]
        )
        raw = cursor.fetchone()
    assert "Marker" not in raw[0] and "11 22" not in raw[1]
    assert PersonalDetails.objects.get(case=case_a).full_name == "Marker Person Alpha"


def test_other_organisation_cannot_see_the_case(case_a, users_b, users_a):
    assert not case_list_for_user(user=users_b[Role.CASEWORKER]).filter(pk=case_a.pk).exists()
    assert case_get_for_user(user=users_a[Role.OUTREACH_WORKER], case_id=case_a.pk) == case_a


def test_details_only_for_the_team_and_every_read_is_audited(case_a, users_a):
    details = personal_details_view(case=case_a, by=users_a[Role.CASEWORKER])
    assert details.full_name == "Marker Person Alpha"
    assert AuditEvent.objects.filter(action=AuditAction.VIEWED, target_id=str(case_a.pk)).count() == 1
    with pytest.raises(PermissionDenied):
        personal_details_view(case=case_a, by=users_a[Role.OUTREACH_WORKER])
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, target_id=str(case_a.pk)).count() == 1


def test_future_date_of_birth_is_refused(users_a, open_case):
    with pytest.raises(ValidationError) as error:
        open_case(by=users_a[Role.CASEWORKER], estimated_age=None, date_of_birth=datetime.date(2099, 1, 1))
    assert "date_of_birth" in error.value.message_dict
    assert Case.objects.count() == 0
