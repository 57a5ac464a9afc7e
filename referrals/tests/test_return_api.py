# ruff: noqa: F811 (the fixtures imported from return_fixtures are redefined as test arguments)
"""The return-plan API: the services' rules answered as 400 naming the field, the role as 403, and another
organisation's plans and cases as 404 — never 500."""

from decimal import Decimal

import pytest
from django.utils import translation

from cases.choices import ResidenceStatus
from cmm.models import Role
from referrals.choices import ComponentKind, FollowUpMilestone, ReturnStatus
from referrals.models import ReintegrationComponent, ReturnPlan
from referrals.services.returns import component_add, return_plan_create
from referrals.tests.return_fixtures import (  # noqa: F401 (fixtures)
    MARKER,
    PHONE,
    TODAY,
    D,
    advance,
    caseworker,
    client_for,
    fixed_today,
    minor_case,
    outsider,
    plan,
    representative,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_today")]

RETURNS = "/api/referrals/returns/"


def url(plan, suffix=""):
    return f"{RETURNS}{plan.pk}/{suffix}"


# --- Drafting ---------------------------------------------------------------------------------------------


def test_a_rejected_asylum_seekers_plan_is_routed_to_the_immigration_service_and_iom(
    open_case, caseworker, client_for
):
    case = open_case(by=caseworker, residence_status=ResidenceStatus.REJECTED_ASYLUM_SEEKER)
    response = client_for(caseworker).post(
        RETURNS, {"case": case.pk, "destination_country": "ng", "destination_city": "Lagos"}, format="json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["responsible_body"], data["channel"], data["status"]) == (
        "immigration_service",
        "iom",
        "draft",
    )
    assert data["destination_country"] == "NG"
    assert data["next_steps"] == ["sent_to_iom", "declined", "cancelled"]
    assert data["routing"]
    assert data["case"] == {"id": case.pk, "number": case.number}
    assert MARKER not in response.content.decode() and PHONE not in response.content.decode()


def test_an_eu_citizens_plan_is_routed_to_cmm(open_case, caseworker, client_for):
    case = open_case(by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN)
    response = client_for(caseworker).post(
        RETURNS, {"case": case.pk, "destination_country": "RO"}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["responsible_body"], response.json()["channel"]) == ("cmm", "cmm")


def test_an_unknown_residence_status_is_a_400_with_the_reason(open_case, caseworker, client_for):
    case = open_case(by=caseworker, residence_status=ResidenceStatus.UNKNOWN)
    response = client_for(caseworker).post(
        RETURNS, {"case": case.pk, "destination_country": "NG"}, format="json"
    )
    assert response.status_code == 400
    assert "residence_status" in response.json()
    assert not ReturnPlan.objects.exists()


def test_bad_input_is_a_400_naming_the_fields(case_a, caseworker, client_for):
    client = client_for(caseworker)
    response = client.post(
        RETURNS,
        {
            "case": case_a.pk,
            "destination_country": "XX",
            "planned_departure_on": "2026-13-01",
            "channel": "bus",
            "escort": "personal_representative",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"destination_country", "planned_departure_on", "channel"} <= set(response.json())
    refused = client.post(
        RETURNS,
        {"case": case_a.pk, "destination_country": "NG", "escort": "personal_representative"},
        format="json",
    )
    assert refused.status_code == 400
    assert "escort" in refused.json()  # only a minor has a personal representative
    assert client.post(RETURNS, {"case": "abc"}, format="json").status_code == 400
    assert not ReturnPlan.objects.exists()


def test_a_case_of_another_organisation_is_not_found(case_a, outsider, client_for):
    response = client_for(outsider).post(
        RETURNS, {"case": case_a.pk, "destination_country": "NG"}, format="json"
    )
    assert response.status_code == 404
    assert (
        client_for(outsider)
        .post(RETURNS, {"case": 999999, "destination_country": "NG"}, format="json")
        .status_code
        == 404
    )
    assert not ReturnPlan.objects.exists()


# --- Access -----------------------------------------------------------------------------------------------


def test_another_organisations_plan_is_404_on_every_endpoint(plan, outsider, client_for):
    component = component_add(plan=plan, by=plan.created_by, kind=ComponentKind.HOUSING)
    client = client_for(outsider)
    assert client.get(url(plan)).status_code == 404
    assert client.patch(url(plan), {"iom_reference": "X"}, format="json").status_code == 404
    assert (
        client.post(
            url(plan, "transition/"),
            {"to_status": "cancelled", "on": "2026-04-01", "note": "x"},
            format="json",
        ).status_code
        == 404
    )
    assert client.get(url(plan, "components/")).status_code == 404
    assert client.post(url(plan, "components/"), {"kind": "reception"}, format="json").status_code == 404
    assert (
        client.patch(
            url(plan, f"components/{component.pk}/"), {"budget_amount": "1"}, format="json"
        ).status_code
        == 404
    )
    assert client.delete(url(plan, f"components/{component.pk}/")).status_code == 404
    assert (
        client.post(
            url(plan, "representative/"), {"representative": 1, "involved_on": "2026-04-01"}, format="json"
        ).status_code
        == 404
    )
    assert client.get(RETURNS).json()["count"] == 0
    plan.refresh_from_db()
    assert (plan.status, plan.iom_reference) == (ReturnStatus.DRAFT, "")
    assert ReintegrationComponent.objects.filter(pk=component.pk).exists()


def test_a_component_of_another_plan_is_not_found_under_this_plan(plan, open_case, caseworker, client_for):
    other = return_plan_create(case=open_case(by=caseworker), by=caseworker, destination_country="GH")
    component = component_add(plan=other, by=caseworker, kind=ComponentKind.HOUSING)
    response = client_for(caseworker).patch(
        url(plan, f"components/{component.pk}/"), {"budget_amount": "1"}, format="json"
    )
    assert response.status_code == 404


def test_a_role_without_the_permission_is_refused_with_403(plan, users_a, client_for):
    outreach = client_for(users_a[Role.OUTREACH_WORKER])
    assert outreach.get(RETURNS).status_code == 403
    assert outreach.get(url(plan)).status_code == 403
    assert (
        outreach.post(RETURNS, {"case": plan.case_id, "destination_country": "NG"}, format="json").status_code
        == 403
    )


def test_the_liaison_can_move_a_plan_it_sees_but_cannot_draft_one(plan, case_a, liaison, client_for):
    from cmm.permissions import grant

    grant("cases.view_case", case_a, organisation=liaison.memberships.get().organisation)
    client = client_for(liaison)
    moved = client.post(
        url(plan, "transition/"), {"to_status": "sent_to_iom", "on": "2026-04-01"}, format="json"
    )
    assert moved.status_code == 200
    assert moved.json()["status"] == "sent_to_iom"
    assert (
        client.post(RETURNS, {"case": case_a.pk, "destination_country": "NG"}, format="json").status_code
        == 403
    )


# --- Changing and moving a plan ----------------------------------------------------------------------------


def test_the_plan_details_are_patched_and_bad_dates_refused(plan, caseworker, client_for):
    client = client_for(caseworker)
    response = client.patch(
        url(plan), {"iom_reference": "IOM-DK-7", "planned_departure_on": "2026-05-02"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["iom_reference"], response.json()["planned_departure_on"]) == (
        "IOM-DK-7",
        "2026-05-02",
    )
    refused = client.patch(url(plan), {"planned_departure_on": "2026-01-01"}, format="json")
    assert refused.status_code == 400
    assert "planned_departure_on" in refused.json()
    early = client.patch(url(plan), {"planned_departure_on": "1900-01-01"}, format="json")
    assert early.status_code == 400
    not_yet = client.patch(url(plan), {"actual_departure_on": "2026-03-20"}, format="json")
    assert not_yet.status_code == 400
    assert "actual_departure_on" in not_yet.json()


def test_a_skip_is_refused_with_the_allowed_steps(plan, caseworker, client_for):
    response = client_for(caseworker).post(
        url(plan, "transition/"), {"to_status": "departed", "on": "2026-04-01"}, format="json"
    )
    assert response.status_code == 400
    with translation.override(response["Content-Language"]):  # the message names the allowed step
        assert str(ReturnStatus.SENT_TO_IOM.label) in response.json()["to_status"][0]
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.DRAFT


def test_bad_transition_input_is_a_400(plan, caseworker, client_for):
    client = client_for(caseworker)
    assert set(client.post(url(plan, "transition/"), {"to_status": "flying"}, format="json").json()) == {
        "to_status",
        "on",
    }
    future = client.post(
        url(plan, "transition/"), {"to_status": "sent_to_iom", "on": "2026-04-02"}, format="json"
    )
    assert future.status_code == 400 and "on" in future.json()
    no_note = client.post(
        url(plan, "transition/"), {"to_status": "cancelled", "on": "2026-04-01"}, format="json"
    )
    assert no_note.status_code == 400 and "note" in no_note.json()


def test_the_workflow_through_departure_creates_the_follow_ups(plan, caseworker, client_for):
    client = client_for(caseworker)
    for step, day in [("sent_to_iom", "2026-03-10"), ("approved", "2026-03-20"), ("departed", "2026-03-31")]:
        response = client.post(url(plan, "transition/"), {"to_status": step, "on": day}, format="json")
        assert response.status_code == 200, response.json()
    data = response.json()
    assert data["actual_departure_on"] == "2026-03-31"
    assert [(f["milestone"], f["due_on"]) for f in data["follow_ups"]] == [
        ("one_month", "2026-04-30"),
        ("three_months", "2026-06-30"),
    ]
    assert [h["to_status"] for h in data["history"]] == ["draft", "sent_to_iom", "approved", "departed"]
    assert data["next_steps"] == ["follow_up"]


def test_follow_ups_are_recorded_and_corrected(plan, caseworker, client_for):
    plan = advance(plan, by=caseworker, to=ReturnStatus.DEPARTED, on=D(2026, 3, 2))
    one = plan.follow_ups.get(milestone=FollowUpMilestone.ONE_MONTH)
    client = client_for(caseworker)
    path = url(plan, f"follow-ups/{one.pk}/")
    refused = client.post(path, {"done_on": "2026-03-01", "note": ""}, format="json")
    assert refused.status_code == 400
    assert {"note"} <= set(refused.json())
    before = client.post(path, {"done_on": "2026-03-01", "note": "Too early"}, format="json")
    assert before.status_code == 400 and "done_on" in before.json()
    saved = client.post(path, {"done_on": "2026-04-01", "note": "Settled in."}, format="json")
    assert saved.status_code == 200
    assert (saved.json()["done_on"], saved.json()["note"]) == ("2026-04-01", "Settled in.")
    corrected = client.patch(path, {"note": "Settled in; works."}, format="json")
    assert corrected.status_code == 200
    assert (corrected.json()["done_on"], corrected.json()["note"]) == ("2026-04-01", "Settled in; works.")


def test_a_minors_representative_is_recorded_before_sending(
    minor_case, representative, caseworker, client_for
):
    plan = return_plan_create(case=minor_case, by=caseworker, destination_country="VN")
    client = client_for(caseworker)
    refused = client.post(
        url(plan, "transition/"), {"to_status": "sent_to_iom", "on": "2026-04-01"}, format="json"
    )
    assert refused.status_code == 400 and "to_status" in refused.json()
    wrong = client.post(
        url(plan, "representative/"), {"representative": 999999, "involved_on": "2026-04-01"}, format="json"
    )
    assert wrong.status_code == 400 and "representative" in wrong.json()
    recorded = client.post(
        url(plan, "representative/"),
        {"representative": representative.pk, "involved_on": "2026-03-30", "involvement": "Will escort."},
        format="json",
    )
    assert recorded.status_code == 200
    assert recorded.json()["representative"]["id"] == representative.pk
    sent = client.post(
        url(plan, "transition/"), {"to_status": "sent_to_iom", "on": "2026-04-01"}, format="json"
    )
    assert sent.status_code == 200


# --- Components -------------------------------------------------------------------------------------------


def test_components_are_added_changed_and_removed_with_field_errors(plan, caseworker, client_for):
    client = client_for(caseworker)
    components = url(plan, "components/")
    negative = client.post(components, {"kind": "housing", "budget_amount": "-1"}, format="json")
    assert negative.status_code == 400 and "budget_amount" in negative.json()
    schooling = client.post(components, {"kind": "schooling"}, format="json")
    assert schooling.status_code == 400 and "kind" in schooling.json()
    too_big = client.post(components, {"kind": "housing", "budget_amount": "123456789012"}, format="json")
    assert too_big.status_code == 400 and "budget_amount" in too_big.json()
    added = client.post(
        components, {"kind": "housing", "budget_amount": "6000", "currency": "EUR"}, format="json"
    )
    assert added.status_code == 201
    component_id = added.json()["id"]
    twice = client.post(components, {"kind": "housing"}, format="json")
    assert twice.status_code == 400 and "kind" in twice.json()

    changed = client.patch(f"{components}{component_id}/", {"status": "approved"}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["status"], changed.json()["budget_amount"]) == ("approved", "6000.00")
    listed = client.get(components).json()
    assert [c["kind"] for c in listed] == ["housing"]
    assert client.get(url(plan)).json()["totals"] == [{"currency": "EUR", "total": "6000.00"}]
    assert client.delete(f"{components}{component_id}/").status_code == 204
    assert not ReintegrationComponent.objects.exists()


# --- The list ---------------------------------------------------------------------------------------------


def _plans_on_new_cases(count, *, by, open_case):
    for number in range(count):
        new = return_plan_create(
            case=open_case(by=by), by=by, destination_country="NG" if number % 2 else "GH"
        )
        component_add(plan=new, by=by, kind=ComponentKind.RECEPTION, budget_amount=Decimal(50))
        if number % 3 == 1:
            advance(new, by=by, to=ReturnStatus.DEPARTED, on=D(2026, 3, 15))


def test_the_list_filters_by_status_body_country_and_case(plan, caseworker, open_case, client_for):
    _plans_on_new_cases(3, by=caseworker, open_case=open_case)
    client = client_for(caseworker)
    assert client.get(RETURNS).json()["count"] == 4
    departed = client.get(RETURNS, {"status": "departed"}).json()
    assert [p["status"] for p in departed["results"]] == ["departed"]
    assert departed["results"][0]["next_follow_up_on"] == "2026-04-15"
    assert {
        p["destination_country"] for p in client.get(RETURNS, {"destination_country": "GH"}).json()["results"]
    } == {"GH"}
    assert client.get(RETURNS, {"responsible_body": "cmm"}).json()["count"] == 0
    assert client.get(RETURNS, {"case": plan.case_id}).json()["count"] == 1
    assert client.get(RETURNS, {"status": "bogus"}).status_code == 400
    assert client.get(RETURNS, {"case": "1.5"}).status_code == 400


def test_the_list_query_count_does_not_grow(
    plan, caseworker, open_case, client_for, django_assert_max_num_queries
):
    client = client_for(caseworker)
    with django_assert_max_num_queries(20) as few:
        assert client.get(RETURNS).json()["count"] == 1
    _plans_on_new_cases(8, by=caseworker, open_case=open_case)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(RETURNS).json()["count"] == 9


def test_the_schema_lists_the_return_paths(client, users_a):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert {
        "/api/referrals/returns/",
        "/api/referrals/returns/{id}/",
        "/api/referrals/returns/{id}/transition/",
        "/api/referrals/returns/{id}/representative/",
        "/api/referrals/returns/{id}/components/",
        "/api/referrals/returns/{id}/components/{component_id}/",
        "/api/referrals/returns/{id}/follow-ups/{follow_up_id}/",
    } <= set(schema.json()["paths"])
