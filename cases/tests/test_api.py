"""The case API: the same access rules and service rules as the pages, answered as 400/403/404, never 500."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from cases.choices import CaseStatus, HousingType, ServiceMode, ServiceType
from cases.client_codes import client_code_make
from cases.models import Case, CaseEvent, PersonalDetails
from cases.services import (
    activity_save,
    case_close,
    service_record,
    stay_save,
)
from cmm.models import AuditAction, AuditEvent, Role
from cmm.tests.test_api import token_client

pytestmark = pytest.mark.django_db

MARKER = "Marker Person Alpha"  # the name the open_case fixture stores in the personal details


@pytest.fixture
def client_for():
    """A fresh API client authenticated with the user's token (one client per user)."""

    def make(user):
        return token_client(APIClient(), user)

    return make


@pytest.fixture
def caseworker(users_a, client_for):
    """A's caseworker, who opened case_a and is therefore on its team."""
    return client_for(users_a[Role.CASEWORKER])


def url(case, suffix=""):
    return f"/api/cases/{case.pk}/{suffix}"


def open_body(**overrides):
    body = {
        "opened_on": "2026-03-02",
        "gender": "female",
        "residence_status": "no_legal_residence",
        "nationality": "ro",
        "languages": ["ro", "en"],
        "unaccompanied_minor": False,
        "exploitations": [{"type": "forced_labour", "sector": "construction"}, {"type": "sexual"}],
        "estimated_age": 30,
        "personal": {"full_name": "Marker Person Beta", "phone_numbers": "+45 99 88 77 66"},
    }
    return {**body, **overrides}


# --- Opening and listing --------------------------------------------------------------------------------


def test_caseworker_opens_a_case_and_the_answer_holds_no_identifying_values(caseworker, users_a):
    coordinator = users_a[Role.COORDINATOR]
    response = caseworker.post("/api/cases/", open_body(contact_person=coordinator.pk), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("RTA-2026-")
    assert body["nationality"] == "RO"
    assert body["age_band"] == "30-38"
    assert body["exploitations"] == [
        {"type": "forced_labour", "sector": "construction"},
        {"type": "sexual", "sector": ""},
    ]
    assert body["contact_person"]["id"] == coordinator.pk
    assert "Marker" not in response.content.decode() and "99 88" not in response.content.decode()
    case = Case.objects.get(pk=body["id"])
    assert PersonalDetails.objects.get(case=case).full_name == "Marker Person Beta"
    assert set(case.team.values_list("user", flat=True)) == {users_a[Role.CASEWORKER].pk, coordinator.pk}


def test_opening_with_a_date_of_birth_keeps_only_the_age_on_the_case(caseworker):
    body = open_body(estimated_age=None, date_of_birth="2000-05-01")
    response = caseworker.post("/api/cases/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["age_at_opening"] == 25
    assert response.json()["age_is_estimate"] is False
    assert "2000-05-01" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.OUTREACH_WORKER, Role.ANALYST, Role.AUTHORITY_LIAISON])
def test_roles_without_add_case_cannot_open_cases(users_a, client_for, role):
    response = client_for(users_a[role]).post("/api/cases/", open_body(), format="json")
    assert response.status_code == 403
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"estimated_age": None, "date_of_birth": "2099-01-01"}, "date_of_birth"),
        ({"estimated_age": None, "date_of_birth": "1800-01-01"}, "date_of_birth"),
        ({"nationality": "XX"}, "nationality"),
        ({"nationality": "Romania"}, "nationality"),
        ({"opened_on": "2026-13-45"}, "opened_on"),
        ({"opened_on": "2099-01-01"}, "opened_on"),
        ({"gender": "robot"}, "gender"),
        ({"estimated_age": 500}, "estimated_age"),
        ({"estimated_age": 30, "date_of_birth": "2000-01-01"}, "estimated_age"),
        ({"languages": "en"}, "languages"),
        ({"languages": ["English!"]}, "languages"),
        ({"exploitations": [{"type": "sexual"}, {"type": "sexual"}]}, "exploitations"),
        ({"exploitations": [{"type": "slavery"}]}, "exploitations"),
        ({"personal": {"full_name": "x" * 10_000}}, "personal"),
        ({"personal": "Marker"}, "personal"),
        ({"contact_person": 2**40}, "contact_person"),
        ({"contact_person": "someone"}, "contact_person"),
    ],
)
def test_bad_input_when_opening_is_400_naming_the_field(caseworker, overrides, field):
    response = caseworker.post("/api/cases/", open_body(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Case.objects.count() == 0


def test_forced_labour_needs_its_sector(caseworker):
    body = open_body(exploitations=[{"type": "sexual"}, {"type": "forced_labour"}])
    response = caseworker.post("/api/cases/", body, format="json")
    assert response.status_code == 400
    assert "sector" in response.json()["exploitations"]["1"]  # errors by position in the list

    body = open_body(exploitations=[{"type": "begging", "sector": "cleaning"}])
    response = caseworker.post("/api/cases/", body, format="json")
    assert response.status_code == 400
    assert "sector" in response.json()["exploitations"]["0"]


def test_contact_person_must_be_a_member_of_the_organisation(caseworker, users_b):
    body = open_body(contact_person=users_b[Role.CASEWORKER].pk)
    response = caseworker.post("/api/cases/", body, format="json")
    assert response.status_code == 400
    assert "contact_person" in response.json()


def test_a_body_that_is_not_an_object_is_400(caseworker):
    assert caseworker.post("/api/cases/", [1, 2], format="json").status_code == 400
    response = caseworker.post("/api/cases/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_list_shows_open_cases_and_filters(caseworker, users_a, open_case):
    by = users_a[Role.CASEWORKER]
    first = open_case(by=by)
    second = open_case(by=by, exploitations=[("sexual", "")], nationality="RO")
    closed = open_case(by=by)
    case_close(case=closed, by=by, closed_on=datetime.date(2026, 4, 1), reason="returned")

    def numbers(**params):
        response = caseworker.get("/api/cases/", params)
        assert response.status_code == 200, response.json()
        return [c["number"] for c in response.json()["results"]]

    assert sorted(numbers()) == sorted([first.number, second.number])
    assert len(numbers(status="all")) == 3
    assert numbers(status="closed") == [closed.number]
    assert numbers(q=second.number) == [second.number]
    assert numbers(exploitation="sexual") == [second.number]
    assert numbers(nationality="RO") == [second.number]
    assert numbers(ordering="number") == [first.number, second.number]
    assert numbers(ordering="-number") == [second.number, first.number]
    assert numbers(contact_person=by.pk) == []
    assert numbers(mine="true") == [second.number, first.number]
    item = caseworker.get("/api/cases/").json()["results"][0]
    assert set(item) >= {"id", "number", "status", "age_band", "exploitations", "contact_person"}


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("status", "bogus"),
        ("exploitation", "slavery"),
        ("nationality", "XX"),
        ("ordering", "full_name"),
        ("contact_person", "999999"),
    ],
)
def test_unknown_filter_value_is_400_naming_the_filter(caseworker, case_a, param, value):
    response = caseworker.get("/api/cases/", {param: value})
    assert response.status_code == 400
    assert param in response.json()


def test_other_organisation_does_not_see_the_case_in_list_or_search(case_a, users_b, client_for):
    client = client_for(users_b[Role.CASEWORKER])
    assert client.get("/api/cases/").json()["count"] == 0
    assert client.get("/api/cases/", {"q": case_a.number}).json()["count"] == 0
    assert client.get("/api/cases/", {"q": case_a.number, "status": "all"}).json()["count"] == 0


# --- The case file --------------------------------------------------------------------------------------


def test_detail_shows_facts_warnings_and_counts(caseworker, users_a, open_case):
    case = open_case(by=users_a[Role.CASEWORKER], unaccompanied_minor=True, estimated_age=15)
    body = caseworker.get(url(case)).json()

    assert body["number"] == case.number
    assert body["status"] == CaseStatus.POSSIBLE_VICTIM
    assert body["age_band"] == "9-17"
    assert body["is_minor"] is True
    assert body["exploitations"] == [{"type": "forced_labour", "sector": "cleaning"}]
    assert body["contact_person"] is None
    assert [w["code"] for w in body["warnings"]] == ["minor_without_representative"]
    assert body["counts"]["team"] == 1
    assert body["counts"]["events"] == 1
    assert MARKER not in caseworker.get(url(case)).content.decode()


def test_patch_changes_the_facts(caseworker, case_a, users_a):
    coordinator = users_a[Role.COORDINATOR]
    changes = {
        "gender": "male",
        "nationality": "ro",
        "exploitations": [{"type": "begging"}],
        "contact_person": coordinator.pk,
        "estimated_age": 40,
    }
    response = caseworker.patch(url(case_a), changes, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["gender"], body["nationality"], body["age_at_opening"]) == ("male", "RO", 40)
    assert body["exploitations"] == [{"type": "begging", "sector": ""}]
    assert body["contact_person"] == {"id": coordinator.pk, "name": coordinator.get_full_name()}
    assert case_a.team.filter(user=coordinator).exists()
    history = caseworker.get(url(case_a, "history/")).json()["changes"]
    changed = [(c["field"], c["old"], c["new"]) for c in history if c["what"] == "case"]
    assert ("contact_person", None, coordinator.pk) in changed
    assert ("gender", "female", "male") in changed


def test_patch_with_wrong_types_is_400_naming_each_field(caseworker, case_a):
    response = caseworker.patch(
        url(case_a),
        {"unaccompanied_minor": "maybe", "opened_on": 12, "languages": "en", "gender": 5},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"unaccompanied_minor", "opened_on", "languages", "gender"}
    assert caseworker.patch(url(case_a), {"opened_on": "2099-01-01"}, format="json").status_code == 400


def test_close_and_reopen(caseworker, case_a):
    closed = caseworker.post(url(case_a, "close/"), {"closed_on": "2026-04-01", "reason": "returned"})
    assert closed.status_code == 200, closed.json()
    assert (closed.json()["status"], closed.json()["close_reason"]) == ("closed", "returned")

    again = caseworker.post(url(case_a, "close/"), {"closed_on": "2026-04-02", "reason": "returned"})
    assert again.status_code == 400
    assert "non_field_errors" in again.json()

    reopened = caseworker.post(url(case_a, "reopen/"))
    assert reopened.status_code == 200
    assert reopened.json()["status"] == CaseStatus.POSSIBLE_VICTIM


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"closed_on": "2026-02-01", "reason": "returned"}, "closed_on"),
        ({"closed_on": "2099-02-01", "reason": "returned"}, "closed_on"),
        ({"closed_on": "2026-04-01", "reason": "bored"}, "reason"),
        ({"reason": "returned"}, "closed_on"),
    ],
)
def test_bad_closing_is_400(caseworker, case_a, body, field):
    response = caseworker.post(url(case_a, "close/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    case_a.refresh_from_db()
    assert case_a.is_open


def test_soft_deleted_case_is_gone_from_the_api(caseworker, case_a):
    assert caseworker.post(url(case_a, "delete/"), {"reason": " "}).status_code == 400
    assert caseworker.post(url(case_a, "delete/"), {"reason": "Registered twice"}).status_code == 204

    assert caseworker.get(url(case_a)).status_code == 404
    assert caseworker.get("/api/cases/", {"status": "all"}).json()["count"] == 0
    assert AuditEvent.objects.filter(action=AuditAction.DELETED, target_id=str(case_a.pk)).exists()


def test_huge_and_unknown_ids_are_404(caseworker, case_a):
    assert caseworker.get("/api/cases/99999999999999999999/").status_code == 404
    assert caseworker.get("/api/cases/999999/").status_code == 404
    assert caseworker.patch(url(case_a, "stays/99999999999999999999/"), {}).status_code == 404


# --- Personal details -----------------------------------------------------------------------------------


def test_team_member_reads_personal_details_and_the_read_is_audited(caseworker, case_a, users_a):
    response = caseworker.get(url(case_a, "personal-details/"))

    assert response.status_code == 200
    assert response.json()["full_name"] == MARKER
    assert response.json()["date_of_birth"] is None
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action=AuditAction.VIEWED, target_id=str(case_a.pk))
    assert event.actor == users_a[Role.CASEWORKER]
    assert event.detail["purpose"] == "api"
    assert MARKER not in str(event.detail)


def test_team_member_changes_personal_details(caseworker, case_a):
    response = caseworker.patch(
        url(case_a, "personal-details/"), {"aliases": "Bee", "date_of_birth": "2000-05-01"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["aliases"], response.json()["full_name"]) == ("Bee", MARKER)
    case_a.refresh_from_db()
    assert (case_a.age_at_opening, case_a.age_is_estimate) == (25, False)
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGED, target_id=str(case_a.pk), detail__what="personal_details"
    ).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date_of_birth": "2099-01-01"}, "date_of_birth"),
        ({"date_of_birth": "2026-03-02"}, "date_of_birth"),
        ({"date_of_birth": "01/02/2000"}, "date_of_birth"),
        ({"full_name": ["a", "b"]}, "full_name"),
        ({"phone_numbers": "9" * 100_000}, "phone_numbers"),
    ],
)
def test_bad_personal_details_are_400(caseworker, case_a, body, field):
    response = caseworker.patch(url(case_a, "personal-details/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_outreach_worker_off_the_team_cannot_see_personal_details(case_a, users_a, client_for):
    client = client_for(users_a[Role.OUTREACH_WORKER])

    response = client.get(url(case_a, "personal-details/"))
    assert response.status_code == 403
    assert MARKER not in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, target_id=str(case_a.pk)).exists()
    assert client.patch(url(case_a, "personal-details/"), {"full_name": "X"}).status_code == 404


def test_coordinator_off_the_team_is_refused_details_with_403(case_a, users_a, client_for):
    client = client_for(users_a[Role.COORDINATOR])
    assert client.get(url(case_a, "personal-details/")).status_code == 403
    assert client.patch(url(case_a, "personal-details/"), {"full_name": "X"}).status_code == 403
    assert PersonalDetails.objects.get(case=case_a).full_name == MARKER


# --- Team, timeline, history ----------------------------------------------------------------------------


def test_team_add_list_and_remove(caseworker, case_a, users_a, users_b):
    coordinator = users_a[Role.COORDINATOR]
    added = caseworker.post(url(case_a, "team/"), {"user": coordinator.pk})
    assert added.status_code == 201, added.json()
    assert added.json()["user_id"] == coordinator.pk

    listed = caseworker.get(url(case_a, "team/")).json()
    assert {m["user_id"] for m in listed["results"]} == {users_a[Role.CASEWORKER].pk, coordinator.pk}

    assert caseworker.post(url(case_a, "team/"), {"user": users_b[Role.CASEWORKER].pk}).status_code == 400
    assert caseworker.post(url(case_a, "team/"), {"user": 999999}).json().keys() == {"user"}

    assert caseworker.delete(url(case_a, f"team/{coordinator.pk}/")).status_code == 204
    assert not case_a.team.filter(user=coordinator).exists()
    assert caseworker.delete(url(case_a, f"team/{coordinator.pk}/")).status_code == 404


def test_contact_person_cannot_leave_the_team(caseworker, users_a, open_case):
    coordinator = users_a[Role.COORDINATOR]
    case = open_case(by=users_a[Role.CASEWORKER], contact_person=coordinator)
    response = caseworker.delete(url(case, f"team/{coordinator.pk}/"))
    assert response.status_code == 400
    assert "user" in response.json()


def test_timeline_lists_events_newest_first(caseworker, case_a, users_a):
    service_record(
        case=case_a,
        by=users_a[Role.CASEWORKER],
        service_type=ServiceType.HEALTH_DOCTOR,
        mode=ServiceMode.RECEIVED,
        provided_on=datetime.date(2026, 3, 5),
    )
    body = caseworker.get(url(case_a, "timeline/")).json()
    assert body["count"] == 2
    first = body["results"][0]
    assert (first["kind"], first["occurred_on"]) == ("service", "2026-03-05")
    assert first["kind_label"]
    assert first["actor"] == users_a[Role.CASEWORKER].username
    assert first["data"] == {"service_type": "health_doctor", "mode": "received"}


def test_history_shows_identifying_values_to_the_team_and_audits_it(caseworker, case_a):
    body = caseworker.get(url(case_a, "history/")).json()

    assert body["identifying_shown"] is True
    names = [c for c in body["changes"] if c["what"] == "personal_details" and c["field"] == "full_name"]
    assert names[0]["new"] == MARKER
    assert any(
        c["what"] == "case" and c["field"] == "nationality" and c["new"] == "NG" for c in body["changes"]
    )
    event = AuditEvent.objects.get(action=AuditAction.VIEWED, target_id=str(case_a.pk))
    assert event.detail["purpose"] == "api-history"


def test_history_masks_identifying_values_off_the_team(case_a, users_a, client_for):
    response = client_for(users_a[Role.OUTREACH_WORKER]).get(url(case_a, "history/"))

    assert response.status_code == 200
    assert response.json()["identifying_shown"] is False
    assert MARKER not in response.content.decode()
    names = [c for c in response.json()["changes"] if c["field"] == "full_name"]
    assert names[0]["new"] == "•••"
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED).exists()


# --- Support during the stay ----------------------------------------------------------------------------


def test_services_record_and_list(caseworker, case_a):
    body = {"service_type": "health_doctor", "mode": "received", "provided_on": "2026-03-05"}
    created = caseworker.post(url(case_a, "services/"), body)
    assert created.status_code == 201, created.json()
    assert caseworker.get(url(case_a, "services/")).json()["results"][0]["id"] == created.json()["id"]

    future = caseworker.post(url(case_a, "services/"), {**body, "provided_on": "2099-01-01"})
    assert future.status_code == 400
    assert "provided_on" in future.json()
    assert "service_type" in caseworker.post(url(case_a, "services/"), {**body, "service_type": "x"}).json()


@time_machine.travel(datetime.datetime(2026, 3, 20, 12, tzinfo=ZoneInfo("Europe/Copenhagen")), tick=False)
def test_stays_admit_discharge_and_count_nights(caseworker, case_a):
    created = caseworker.post(
        url(case_a, "stays/"), {"housing_type": "crisis_centre", "admitted_on": "2026-03-10"}
    )
    assert created.status_code == 201, created.json()
    assert created.json()["nights_so_far"] == 11  # the evenings of 10 to 20 March
    stay_url = url(case_a, f"stays/{created.json()['id']}/")

    discharged = caseworker.patch(
        stay_url, {"discharged_on": "2026-03-15", "discharge_reason": "moved_on"}, format="json"
    )
    assert discharged.status_code == 200, discharged.json()
    assert discharged.json()["nights_so_far"] == 5
    listed = caseworker.get(url(case_a, "stays/")).json()["results"]
    assert [s["discharged_on"] for s in listed] == ["2026-03-15"]


def test_bad_stays_are_400_naming_the_field(caseworker, case_a, users_a, org_a):
    stay_save(
        case=case_a,
        by=users_a[Role.CASEWORKER],
        housing_type=HousingType.CRISIS_CENTRE,
        admitted_on=datetime.date(2026, 3, 10),
    )
    stays = url(case_a, "stays/")
    base = {"housing_type": "lokk_shelter", "admitted_on": "2026-03-01"}

    def error_fields(body):
        response = caseworker.post(stays, {**base, **body}, format="json")
        assert response.status_code == 400
        return set(response.json())

    assert "discharged_on" in error_fields({"discharged_on": "2026-02-20", "discharge_reason": "left"})
    assert "admitted_on" in error_fields({"admitted_on": "2026-03-12"})  # overlaps the open stay
    assert "discharge_reason" in error_fields({"discharged_on": "2026-03-05"})
    assert "shelter" in error_fields({"discharged_on": "2026-03-05", "shelter": org_a.pk})  # not a shelter
    assert "shelter" in error_fields({"shelter": 999999})
    assert "housing_type" in error_fields({"housing_type": "palace"})
    assert "admitted_on" in error_fields({"admitted_on": None})


def test_sub_objects_of_another_case_are_404(caseworker, case_a, users_a, open_case):
    other = open_case(by=users_a[Role.CASEWORKER])
    by = users_a[Role.CASEWORKER]
    stay = stay_save(case=other, by=by, housing_type=HousingType.OTHER, admitted_on=datetime.date(2026, 3, 2))
    activity = activity_save(case=other, by=by, kind="course", title="Danish")

    assert caseworker.patch(url(case_a, f"stays/{stay.pk}/"), {"housing_name": "X"}).status_code == 404
    assert caseworker.patch(url(case_a, f"activities/{activity.pk}/"), {"title": "X"}).status_code == 404


def test_representatives_appoint_and_list(caseworker, case_a):
    body = {
        "name": "Social Worker",
        "organisation_name": "Kommune",
        "is_professional": True,
        "appointed_on": "2026-03-03",
    }
    created = caseworker.post(url(case_a, "representatives/"), body, format="json")
    assert created.status_code == 201, created.json()
    assert caseworker.get(url(case_a, "representatives/")).json()["results"][0]["is_professional"] is True
    assert "appointed_on" in caseworker.post(url(case_a, "representatives/"), {"name": "X"}).json()


def test_parent_tracings_need_a_reason_when_not_in_the_childs_interest(caseworker, case_a):
    refused = caseworker.post(url(case_a, "parent-tracings/"), {"status": "not_in_interest"})
    assert refused.status_code == 400
    assert "reason" in refused.json()

    body = {"status": "not_in_interest", "reason": "The parents took part."}
    assert caseworker.post(url(case_a, "parent-tracings/"), body).status_code == 201
    assert caseworker.get(url(case_a, "parent-tracings/")).json()["count"] == 1


def test_action_plan_activities_and_reviews(caseworker, case_a):
    assert caseworker.get(url(case_a, "action-plan/")).json()["goals"] == ""
    plan = {"goals": "Learn Danish", "wishes_after_stay": "Work as a cook"}
    assert caseworker.put(url(case_a, "action-plan/"), plan).status_code == 200
    assert caseworker.put(url(case_a, "action-plan/"), {"goals": "x"}).status_code == 400

    review = caseworker.post(url(case_a, "plan-reviews/"), {"review_on": "2026-04-01"})
    assert review.status_code == 201, review.json()
    assert "review_on" in caseworker.post(url(case_a, "plan-reviews/"), {"review_on": "soon"}).json()

    body = caseworker.get(url(case_a, "action-plan/")).json()
    assert body["goals"] == "Learn Danish"
    assert [r["review_on"] for r in body["reviews"]] == ["2026-04-01"]

    activity = {"kind": "course", "title": "Danish", "starts_on": "2026-03-10", "ends_on": "2026-03-01"}
    backwards = caseworker.post(url(case_a, "activities/"), activity)
    assert backwards.status_code == 400
    assert "ends_on" in backwards.json()

    created = caseworker.post(url(case_a, "activities/"), {**activity, "ends_on": "2026-06-01"})
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "planned"
    activity_url = url(case_a, f"activities/{created.json()['id']}/")
    assert caseworker.patch(activity_url, {"status": "done"}).json()["status"] == "done"
    assert caseworker.patch(activity_url, {"ends_on": "2026-03-01"}).status_code == 400
    assert caseworker.patch(activity_url, {"status": "abandoned"}).status_code == 400
    assert caseworker.get(url(case_a, "activities/")).json()["results"][0]["title"] == "Danish"


# --- Anonymous client codes -----------------------------------------------------------------------------


def test_client_code_from_the_four_facts_is_linked_and_the_facts_are_not_kept(caseworker, case_a):
    facts = {"mother_initial": "Q", "own_initial": "Z", "birth_year": 1987, "birth_country": "NG"}
    response = caseworker.post(url(case_a, "client-codes/"), facts, format="json")

    assert response.status_code == 201, response.json()
    expected = client_code_make(**facts)
    assert response.json() == {"code": expected}
    assert case_a.client_codes.get().code == expected
    listed = caseworker.get(url(case_a, "client-codes/")).json()["results"]
    assert [c["code"] for c in listed] == [expected]
    recorded = [str(e.detail) for e in AuditEvent.objects.all()] + [
        str(e.data) for e in CaseEvent.objects.all()
    ]
    assert not any("1987" in text for text in recorded)


def test_client_code_typed_in_is_normalised(caseworker, case_a):
    code = client_code_make(mother_initial="A", own_initial="B", birth_year=1990, birth_country="RO")
    response = caseworker.post(url(case_a, "client-codes/"), {"code": code.replace("-", "").lower()})
    assert response.status_code == 201
    assert response.json() == {"code": code}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "NOT-A-CODE"}, "code"),
        ({"code": "x" * 500}, "code"),
        ({}, "non_field_errors"),
        ({"code": "4K7QX-M2PA9", "own_initial": "B"}, "non_field_errors"),
        ({"mother_initial": "A", "own_initial": "B", "birth_year": 1990}, "birth_country"),
        (
            {"mother_initial": "A", "own_initial": "B", "birth_year": 1800, "birth_country": "RO"},
            "birth_year",
        ),
        (
            {"mother_initial": "A", "own_initial": "B", "birth_year": 1990, "birth_country": "XX"},
            "birth_country",
        ),
        (
            {"mother_initial": "1", "own_initial": "B", "birth_year": 1990, "birth_country": "RO"},
            "mother_initial",
        ),
        (
            {"mother_initial": "A", "own_initial": "B", "birth_year": "old", "birth_country": "RO"},
            "birth_year",
        ),
    ],
)
def test_bad_client_code_input_is_400_without_echoing_the_facts(caseworker, case_a, body, field):
    response = caseworker.post(url(case_a, "client-codes/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert "1990" not in response.content.decode() and "1800" not in response.content.decode()
    assert not case_a.client_codes.exists()


def test_a_code_linked_to_another_case_is_refused(caseworker, case_a, users_a, open_case):
    other = open_case(by=users_a[Role.CASEWORKER])
    code = caseworker.post(url(other, "client-codes/"), {"code": "4K7QX-M2PA9"}).json()["code"]
    response = caseworker.post(url(case_a, "client-codes/"), {"code": code})
    assert response.status_code == 400
    assert "code" in response.json()


# --- Who may do what ------------------------------------------------------------------------------------


@pytest.fixture
def filled_case(case_a, users_a):
    """case_a with a stay and an activity, so that every sub-object URL has a real id."""
    by = users_a[Role.CASEWORKER]
    stay = stay_save(
        case=case_a, by=by, housing_type=HousingType.OTHER, admitted_on=datetime.date(2026, 3, 2)
    )
    activity = activity_save(case=case_a, by=by, kind="course", title="Danish")
    return case_a, stay, activity


def every_endpoint(case, stay, activity, team_user):
    """(method, url, valid body) for every endpoint under one case, reads first."""
    reads = [
        ("get", url(case), None),
        ("get", url(case, "personal-details/"), None),
        ("get", url(case, "team/"), None),
        ("get", url(case, "timeline/"), None),
        ("get", url(case, "history/"), None),
        ("get", url(case, "services/"), None),
        ("get", url(case, "stays/"), None),
        ("get", url(case, "representatives/"), None),
        ("get", url(case, "parent-tracings/"), None),
        ("get", url(case, "action-plan/"), None),
        ("get", url(case, "activities/"), None),
        ("get", url(case, "client-codes/"), None),
    ]
    writes = [
        ("patch", url(case), {"gender": "male"}),
        ("patch", url(case, "personal-details/"), {"full_name": "Changed"}),
        ("post", url(case, "team/"), {"user": team_user.pk}),
        ("delete", url(case, f"team/{team_user.pk}/"), None),
        (
            "post",
            url(case, "services/"),
            {"service_type": "health_doctor", "mode": "offered", "provided_on": "2026-03-05"},
        ),
        (
            "post",
            url(case, "stays/"),
            {
                "housing_type": "other",
                "admitted_on": "2026-02-01",
                "discharged_on": "2026-02-02",
                "discharge_reason": "left",
            },
        ),
        ("patch", url(case, f"stays/{stay.pk}/"), {"housing_name": "Changed"}),
        ("post", url(case, "representatives/"), {"name": "R", "appointed_on": "2026-03-03"}),
        ("post", url(case, "parent-tracings/"), {"status": "requested", "requested_on": "2026-03-03"}),
        ("put", url(case, "action-plan/"), {"goals": "G", "wishes_after_stay": "W"}),
        ("post", url(case, "activities/"), {"kind": "course", "title": "T"}),
        ("patch", url(case, f"activities/{activity.pk}/"), {"title": "Changed"}),
        ("post", url(case, "plan-reviews/"), {"review_on": "2026-04-01"}),
        ("post", url(case, "client-codes/"), {"code": "4K7QX-M2PA9"}),
        ("post", url(case, "close/"), {"closed_on": "2026-04-01", "reason": "returned"}),
        ("post", url(case, "reopen/"), {}),
        ("post", url(case, "delete/"), {"reason": "Mistake"}),
    ]
    return reads, writes


def call(client, method, path, body):
    return (
        getattr(client, method)(path, body, format="json")
        if body is not None
        else getattr(client, method)(path)
    )


def test_every_endpoint_is_404_for_another_organisation(filled_case, users_a, users_b, client_for):
    case, stay, activity = filled_case
    reads, writes = every_endpoint(case, stay, activity, users_a[Role.CASEWORKER])
    for role in (Role.CASEWORKER, Role.COORDINATOR):
        client = client_for(users_b[role])
        for method, path, body in reads + writes:
            response = call(client, method, path, body)
            assert response.status_code == 404, (role, method, path, response.status_code)
            assert MARKER not in response.content.decode()

    case.refresh_from_db()
    assert (case.gender, case.is_open, case.deleted_at) == ("female", True, None)
    assert PersonalDetails.objects.get(case=case).full_name == MARKER
    assert not case.services.exists() and not case.client_codes.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED).exists()


def test_outreach_worker_reads_the_case_but_not_details_and_cannot_write(filled_case, users_a, client_for):
    case, stay, activity = filled_case
    reads, writes = every_endpoint(case, stay, activity, users_a[Role.CASEWORKER])
    client = client_for(users_a[Role.OUTREACH_WORKER])
    for method, path, body in reads:
        expected = 403 if "personal-details" in path else 200
        assert call(client, method, path, body).status_code == expected, path
    for method, path, body in writes:
        assert call(client, method, path, body).status_code in (403, 404), (method, path)
    case.refresh_from_db()
    assert (case.gender, case.is_open, case.deleted_at) == ("female", True, None)
    assert case.team.count() == 1


def test_every_write_works_for_the_team_caseworker(filled_case, users_a, caseworker):
    case, stay, activity = filled_case
    coordinator = users_a[Role.COORDINATOR]
    reads, writes = every_endpoint(case, stay, activity, coordinator)
    for method, path, body in reads + writes:
        response = call(caseworker, method, path, body)
        assert response.status_code in (200, 201, 204), (method, path, response.content[:300])
    assert Case.objects.filter(pk=case.pk, deleted_at__isnull=False).exists()


# --- Schema and query counts ----------------------------------------------------------------------------


def test_schema_lists_the_case_paths(client, users_a, login):
    login(users_a[Role.CASEWORKER])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = set(schema.json()["paths"])
    assert {
        "/api/cases/",
        "/api/cases/{id}/",
        "/api/cases/{id}/close/",
        "/api/cases/{id}/reopen/",
        "/api/cases/{id}/delete/",
        "/api/cases/{id}/personal-details/",
        "/api/cases/{id}/team/",
        "/api/cases/{id}/team/{user_id}/",
        "/api/cases/{id}/timeline/",
        "/api/cases/{id}/history/",
        "/api/cases/{id}/services/",
        "/api/cases/{id}/stays/",
        "/api/cases/{id}/stays/{stay_id}/",
        "/api/cases/{id}/representatives/",
        "/api/cases/{id}/parent-tracings/",
        "/api/cases/{id}/action-plan/",
        "/api/cases/{id}/activities/",
        "/api/cases/{id}/activities/{activity_id}/",
        "/api/cases/{id}/plan-reviews/",
        "/api/cases/{id}/client-codes/",
    } <= paths
    assert not any("name" in p or "number" in p for p in paths if p.startswith("/api/cases/"))


def test_case_list_query_count_does_not_grow(caseworker, users_a, open_case, django_assert_max_num_queries):
    by = users_a[Role.CASEWORKER]
    open_case(by=by, contact_person=users_a[Role.COORDINATOR])
    with django_assert_max_num_queries(20) as few:
        assert caseworker.get("/api/cases/").status_code == 200
    for number in range(20):
        open_case(by=by, contact_person=users_a[Role.COORDINATOR] if number % 2 else None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert caseworker.get("/api/cases/").json()["count"] == 21


def test_timeline_query_count_does_not_grow(caseworker, case_a, users_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(20) as few:
        assert caseworker.get(url(case_a, "timeline/")).status_code == 200
    for day in range(1, 21):
        service_record(
            case=case_a,
            by=users_a[Role.COORDINATOR if day % 2 else Role.CASEWORKER],
            service_type=ServiceType.HEALTH_DOCTOR,
            mode=ServiceMode.OFFERED,
            provided_on=datetime.date(2026, 3, day),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert caseworker.get(url(case_a, "timeline/")).json()["count"] == 21


GARBAGE = [None, [], {"a": 1}, 10**30, -1, "x" * 50_000, "\x00", "2026-02-30"]


def test_garbage_input_is_never_a_server_error(filled_case, users_a, caseworker):
    case, stay, activity = filled_case
    _reads, writes = every_endpoint(case, stay, activity, users_a[Role.COORDINATOR])
    for method, path, body in writes:
        for whole in ([1, 2], "text", 5):
            response = call(caseworker, method, path, whole)
            assert response.status_code < 500, (method, path, whole)
        for field in body or {}:
            for value in GARBAGE:
                response = call(caseworker, method, path, {**body, field: value})
                assert response.status_code < 500, (method, path, field, value)
    for value in GARBAGE:
        response = caseworker.post("/api/cases/", open_body(personal={"full_name": value}), format="json")
        assert response.status_code < 500, value
        for field in open_body():
            response = caseworker.post("/api/cases/", open_body(**{field: value}), format="json")
            assert response.status_code < 500, (field, value)
