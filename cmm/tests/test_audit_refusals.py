"""Refused access to a case (403/404 on a page or an endpoint that names it) is recorded once, committed
although the answer is an error, with the route's name but never the path."""

import pytest
from rest_framework.test import APIClient

from cases.models import Case
from cmm.audit.middleware import CASE_ROUTES, sought_case
from cmm.models import AuditAction, AuditEvent, Role
from cmm.tests.test_api import token_client

pytestmark = pytest.mark.django_db


def refusals(**filters):
    return AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, **filters)


@pytest.mark.parametrize(
    ("url", "path_name"),
    [
        ("/cases/{pk}/", "case-detail"),
        ("/cases/{pk}/personal/", "case-personal"),
        ("/cases/{pk}/history/", "case-history"),
        ("/identification/cases/{pk}/", "case-presentations"),
        ("/reflection/cases/{pk}/", "case-reflection"),
    ],
)
def test_other_organisations_case_page_is_404_and_recorded(url, path_name, case_a, users_b, org_b, login):
    outsider = users_b[Role.CASEWORKER]
    client = login(outsider)

    response = client.get(url.format(pk=case_a.pk), REMOTE_ADDR="10.9.8.7")

    assert response.status_code == 404
    event = refusals().get()
    assert event.actor == outsider
    assert event.organisation == org_b
    assert event.target_type.model == "case"
    assert event.target_id == str(case_a.pk)
    assert event.target_label == case_a.number
    assert event.ip_address == "10.9.8.7"
    assert event.detail == {"path_name": path_name, "method": "GET", "status": 404}


@pytest.mark.parametrize(
    "url",
    ["/api/cases/{pk}/", "/api/cases/{pk}/personal-details/", "/api/cases/{pk}/stays/"],
)
def test_other_organisations_case_endpoint_is_404_and_recorded(url, case_a, users_b):
    client = token_client(APIClient(), users_b[Role.CASEWORKER])

    assert client.get(url.format(pk=case_a.pk)).status_code == 404

    event = refusals().get()
    assert event.actor == users_b[Role.CASEWORKER]
    assert event.target_id == str(case_a.pk)
    assert event.detail["path_name"].startswith("api-case-")
    assert set(event.detail) == {"path_name", "method", "status"}  # the route's name, not the path


def test_object_under_a_case_resolves_its_case(case_a, users_a, users_b, deciders, present):
    presentation = present(case_a, by=users_a[Role.CASEWORKER])
    client = token_client(APIClient(), users_b[Role.CASEWORKER])

    assert client.get(f"/api/identification/presentations/{presentation.pk}/").status_code == 404

    event = refusals().get()
    assert event.target_id == str(case_a.pk)
    assert event.detail["via"] == f"identification.presentation:{presentation.pk}"


def test_missing_case_is_recorded_with_its_id_only(users_b, login):
    client = login(users_b[Role.CASEWORKER])

    assert client.get("/cases/987654/").status_code == 404

    event = refusals().get()
    assert (event.target_type.model, event.target_id, event.target_label) == ("case", "987654", "—")


def test_role_refusal_403_is_recorded(case_a, users_a, login):
    outreach = users_a[Role.OUTREACH_WORKER]  # sees the case, may not delete it
    client = login(outreach)

    assert client.get(f"/cases/{case_a.pk}/delete/").status_code == 403

    event = refusals().get()
    assert event.actor == outreach
    assert event.detail == {"path_name": "case-delete", "method": "GET", "status": 403}


def test_personal_details_refused_by_the_service_is_recorded_once(case_a, users_a, login):
    colleague = users_a[Role.OUTREACH_WORKER]  # the case's organisation, not its team
    client = login(colleague)

    assert client.get(f"/cases/{case_a.pk}/personal/").status_code == 403

    event = refusals().get()  # the service's own record; the middleware adds none
    assert event.detail == {"what": "personal_details"}
    assert event.ip_address == "127.0.0.1"  # the service's event gets the request's address


def test_allowed_requests_record_no_refusal(case_a, users_a, login):
    client = login(users_a[Role.CASEWORKER])

    assert client.get(f"/cases/{case_a.pk}/").status_code == 200
    assert client.get("/cases/").status_code == 200

    assert not refusals().exists()


def test_anonymous_and_unrelated_404s_are_not_recorded(client, users_a, login):
    assert client.get("/cases/1/").status_code == 302  # to the login page
    login(users_a[Role.CASEWORKER])
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/members/999999/").status_code in (403, 404)
    assert not refusals().exists()


def test_refusal_outside_a_test_transaction_is_committed(transactional_db, case_a, users_b, login):
    # No enclosing test transaction: the row must be in the database after the 404 answer.
    client = login(users_b[Role.CASEWORKER])
    assert client.get(f"/cases/{case_a.pk}/").status_code == 404
    assert refusals(target_id=str(case_a.pk)).count() == 1


def test_every_case_route_pattern_matches_a_real_url_name():
    from django.urls import get_resolver

    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    for route in CASE_ROUTES:
        assert any(route.pattern.match(name) for name in names), route.pattern.pattern


def test_sought_case_ignores_urls_without_a_case(case_a):
    assert sought_case("member-change", {"pk": 1}) is None
    assert sought_case("referral-group-detail", {"pk": 1}) is None
    assert sought_case("case-detail", {"pk": 2**70}) is None
    found = sought_case("case-detail", {"pk": case_a.pk})
    assert isinstance(found.target, Case) and found.label == case_a.number
