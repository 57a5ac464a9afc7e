"""The referral API: the services' rules answered as 400/403/404, never 500, and the receiver's access to the
case appearing and disappearing on the case API with the next request."""

# The fixtures come from referral_fixtures by an explicit import, which ruff reads as unused and redefined.
# ruff: noqa: F401, F811

import pytest

from cmm.models import AuditEvent, Role
from referrals.choices import ConsentScope, ReferralKind, ReferralStatus
from referrals.models import Referral
from referrals.services.referrals import referral_accept
from referrals.tests.referral_fixtures import (
    MARKER,
    a_coordinator,
    accepted,
    api_for,
    fixed_today,
    pending,
    receiver,
    send_referral,
    sender,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_today")]

REFERRALS = "/api/referrals/referrals/"


def url(referral, action=""):
    return f"{REFERRALS}{referral.pk}/{action}"


def body(case, organisation, /, **overrides):
    return {
        "case": case.pk,
        "to_organisation": organisation.pk,
        "kind": "share",
        "reason": "health",
        "request_note": "Needs a doctor.",
        "consent_given": True,
        "consent_on": "2026-03-30",
        "consent_scope": "facts",
        **overrides,
    }


# --- Sending ------------------------------------------------------------------------------------------


def test_a_caseworker_sends_a_referral_with_consent(case_a, sender, org_b, api_for):
    response = api_for(sender).post(REFERRALS, body(case_a, org_b), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["case"] == {"id": case_a.pk, "number": case_a.number}
    assert data["to_organisation"] == {"id": org_b.pk, "name": org_b.name}
    assert data["status"] == "pending"
    assert data["direction"] == "outgoing"
    assert data["consent_recorded_by"]["id"] == sender.pk
    assert Referral.objects.get().pk == data["id"]


def test_without_consent_a_caseworker_gets_400_on_consent_given(case_a, sender, org_b, api_for):
    response = api_for(sender).post(
        REFERRALS, body(case_a, org_b, consent_given=False, consent_on=None), format="json"
    )
    assert response.status_code == 400
    assert "consent_given" in response.json()
    assert not Referral.objects.exists()


def test_a_coordinator_overrides_consent_only_with_a_reason(case_a, a_coordinator, org_b, api_for):
    client = api_for(a_coordinator)
    refused = client.post(REFERRALS, body(case_a, org_b, consent_given=False), format="json")
    assert refused.status_code == 400
    assert "override_reason" in refused.json()

    sent = client.post(
        REFERRALS, body(case_a, org_b, consent_given=False, override_reason="Acute danger"), format="json"
    )
    assert sent.status_code == 201
    assert sent.json()["overridden_by"]["id"] == a_coordinator.pk
    assert sent.json()["consent_scope"] == ConsentScope.FACTS
    assert AuditEvent.objects.filter(detail__consent="override", detail__referral=sent.json()["id"]).exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"reason": "nonsense"}, "reason"),
        ({"kind": "gift"}, "kind"),
        ({"consent_on": "2026-13-01"}, "consent_on"),
        ({"consent_on": "2026-04-02"}, "consent_on"),
        ({"consent_scope": ""}, "consent_scope"),
        ({"to_organisation": 999999}, "to_organisation"),
        ({"to_organisation": "x"}, "to_organisation"),
        ({"case": "abc"}, "case"),
        ({"consent_given": "maybe"}, "consent_given"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(case_a, sender, org_b, api_for, overrides, field):
    response = api_for(sender).post(REFERRALS, body(case_a, org_b, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Referral.objects.exists()


def test_referring_to_the_own_organisation_is_a_400(case_a, sender, org_a, api_for):
    response = api_for(sender).post(REFERRALS, body(case_a, org_a), format="json")
    assert response.status_code == 400
    assert "to_organisation" in response.json()


def test_a_case_the_caller_cannot_see_is_a_404(case_a, receiver, org_cmm, api_for):
    response = api_for(receiver).post(REFERRALS, body(case_a, org_cmm), format="json")
    assert response.status_code == 404


def test_a_role_that_may_not_refer_gets_403(case_a, users_a, org_b, api_for):
    response = api_for(users_a[Role.ANALYST]).post(REFERRALS, body(case_a, org_b), format="json")
    assert response.status_code == 403
    assert api_for(users_a[Role.ANALYST]).get(REFERRALS).status_code == 403


def test_the_receiver_of_a_shared_case_cannot_refer_it_on(accepted, case_a, receiver, org_cmm, api_for):
    response = api_for(receiver).post(REFERRALS, body(case_a, org_cmm), format="json")
    assert response.status_code == 403


# --- Answers and access -------------------------------------------------------------------------------


def test_access_appears_on_accept_and_disappears_on_revoke(pending, case_a, sender, receiver, api_for):
    api = api_for(receiver)
    case_url = f"/api/cases/{case_a.pk}/"
    assert api.get(case_url).status_code == 404
    assert api.get(url(pending)).json()["direction"] == "incoming"

    accepted = api.post(url(pending, "accept/"))
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert api.get(case_url).status_code == 200
    assert api.get(f"{case_url}personal-details/").status_code == 403  # facts only

    revoked = api_for(sender).post(url(pending, "revoke/"), {"reason": "Consent withdrawn"}, format="json")
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["end_reason"] == "Consent withdrawn"
    assert api.get(case_url).status_code == 404


def test_personal_details_on_the_api_only_with_that_consent(case_a, sender, org_b, receiver, api_for):
    referral = send_referral(case_a, by=sender, to=org_b, consent_scope=ConsentScope.FACTS_AND_DETAILS)
    api = api_for(receiver)
    assert api.post(url(referral, "accept/")).status_code == 200
    details = api.get(f"/api/cases/{case_a.pk}/personal-details/")
    assert details.status_code == 200
    assert MARKER in str(details.json())

    assert api.post(url(referral, "close/"), {"reason": "Done"}, format="json").status_code == 200
    assert api.get(f"/api/cases/{case_a.pk}/personal-details/").status_code == 404


def test_decline_needs_a_reason_and_leaves_no_access(pending, case_a, receiver, api_for):
    api = api_for(receiver)
    refused = api.post(url(pending, "decline/"), {"reason": ""}, format="json")
    assert refused.status_code == 400
    assert "reason" in refused.json()
    declined = api.post(url(pending, "decline/"), {"reason": "No capacity"}, format="json")
    assert declined.status_code == 200
    assert declined.json()["response_note"] == "No capacity"
    assert api.get(f"/api/cases/{case_a.pk}/").status_code == 404


def test_wrong_state_actions_are_400_with_a_message(pending, sender, receiver, api_for):
    assert api_for(sender).post(url(pending, "revoke/"), {"reason": "x"}, format="json").status_code == 400
    assert api_for(receiver).post(url(pending, "close/"), {"reason": "x"}, format="json").status_code == 400
    assert api_for(receiver).post(url(pending, "accept/")).status_code == 200
    twice = api_for(receiver).post(url(pending, "accept/"))
    assert twice.status_code == 400
    assert twice.json()["non_field_errors"]
    assert api_for(receiver).post(url(pending, "decline/"), {"reason": "x"}, format="json").status_code == 400
    assert api_for(sender).post(url(pending, "withdraw/")).status_code == 400


def test_wrong_side_actions_are_403(pending, sender, receiver, api_for):
    assert api_for(sender).post(url(pending, "accept/")).status_code == 403
    assert api_for(receiver).post(url(pending, "withdraw/")).status_code == 403
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.PENDING


def test_a_transfer_moves_the_case_and_cannot_be_revoked(case_a, sender, org_b, receiver, api_for):
    refused = api_for(sender).post(REFERRALS, body(case_a, org_b, kind="transfer"), format="json")
    assert refused.status_code == 400 and "consent_scope" in refused.json()  # facts only: not enough
    created = api_for(sender).post(
        REFERRALS, body(case_a, org_b, kind="transfer", consent_scope="facts_and_details"), format="json"
    )
    assert created.status_code == 201
    referral_id = created.json()["id"]
    assert api_for(receiver).post(f"{REFERRALS}{referral_id}/accept/").status_code == 200
    case_a.refresh_from_db()
    assert case_a.organisation == org_b
    refused = api_for(sender).post(f"{REFERRALS}{referral_id}/revoke/", {"reason": "Undo"}, format="json")
    assert refused.status_code == 400
    assert api_for(sender).get(f"/api/cases/{case_a.pk}/").status_code == 404


# --- Visibility ---------------------------------------------------------------------------------------


def test_another_organisation_gets_404(pending, cmm_coordinator, api_for):
    outsider = api_for(cmm_coordinator)
    assert outsider.get(url(pending)).status_code == 404
    assert outsider.post(url(pending, "accept/")).status_code == 404
    assert outsider.post(url(pending, "close/"), {"reason": "x"}, format="json").status_code == 404
    assert outsider.get(REFERRALS).json()["count"] == 0


def test_the_list_filters_by_direction_status_and_case(
    pending, case_a, sender, org_b, org_cmm, receiver, cmm_coordinator, open_case, api_for
):
    other = send_referral(open_case(by=sender), by=sender, to=org_cmm)
    referral_accept(referral=other, by=cmm_coordinator)
    client = api_for(sender)

    assert {row["id"] for row in client.get(REFERRALS).json()["results"]} == {pending.pk, other.pk}
    assert client.get(REFERRALS, {"direction": "incoming"}).json()["count"] == 0
    assert client.get(REFERRALS, {"direction": "outgoing"}).json()["count"] == 2
    assert [r["id"] for r in client.get(REFERRALS, {"status": "accepted"}).json()["results"]] == [other.pk]
    assert [r["id"] for r in client.get(REFERRALS, {"case": case_a.pk}).json()["results"]] == [pending.pk]
    assert client.get(REFERRALS, {"direction": "sideways"}).status_code == 400
    assert client.get(REFERRALS, {"case": "1.5"}).status_code == 400
    incoming = api_for(receiver).get(REFERRALS, {"direction": "incoming"}).json()
    assert [r["id"] for r in incoming["results"]] == [pending.pk]


def test_schema_lists_the_referral_paths(sender, api_for):
    schema = api_for(sender).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert {
        "/api/referrals/referrals/",
        "/api/referrals/referrals/{id}/",
        "/api/referrals/referrals/{id}/accept/",
        "/api/referrals/referrals/{id}/decline/",
        "/api/referrals/referrals/{id}/withdraw/",
        "/api/referrals/referrals/{id}/revoke/",
        "/api/referrals/referrals/{id}/close/",
    } <= set(schema.json()["paths"])


def test_list_query_count_does_not_grow(
    sender, org_b, receiver, open_case, api_for, django_assert_max_num_queries
):
    client = api_for(receiver)
    send_referral(open_case(by=sender), by=sender, to=org_b)
    with django_assert_max_num_queries(15) as few:
        assert client.get(REFERRALS).json()["count"] == 1
    most = len(few.captured_queries)  # read now: each request clears the connection's query log
    for _number in range(12):
        referral = send_referral(open_case(by=sender), by=sender, to=org_b, kind=ReferralKind.SHARE)
        referral_accept(referral=referral, by=receiver)
    with django_assert_max_num_queries(most):
        assert client.get(REFERRALS).json()["count"] == 13
