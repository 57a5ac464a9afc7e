"""The referral pages: sending with consent (or a coordinator's override), the receiver's answer on the
incoming page, and access to the case appearing and disappearing with the next request. Pages answer in
Danish by default, so the tests look at status codes, context, form errors and values."""

# The fixtures come from referral_fixtures by an explicit import, which ruff reads as unused and redefined.
# ruff: noqa: F401, F811

import pytest
from django.urls import reverse

from cmm.models import Role
from cmm.services import organisation_create
from referrals.choices import ConsentScope, ReferralKind, ReferralReason, ReferralStatus
from referrals.models import Referral
from referrals.services.referrals import referral_accept, referral_decline
from referrals.tests.referral_fixtures import (
    CONSENT_ON,
    MARKER,
    a_coordinator,
    accepted,
    api_for,
    fixed_today,
    page_client,
    pending,
    receiver,
    send_referral,
    sender,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_today")]


def form_data(organisation, **overrides):
    data = {
        "to_organisation": organisation.pk,
        "kind": ReferralKind.SHARE,
        "reason": ReferralReason.HEALTH,
        "request_note": "Needs a doctor who speaks English.",
        "consent_given": "yes",
        "consent_on": CONSENT_ON.isoformat(),
        "consent_scope": ConsentScope.FACTS,
    }
    data.update(overrides)
    return data


def case_page(client, case):
    return client.get(reverse("case-detail", args=[case.pk])).status_code


def case_api(client, case):
    return client.get(f"/api/cases/{case.pk}/").status_code


# --- Sending ------------------------------------------------------------------------------------------


def test_a_caseworker_refers_a_case_with_consent(case_a, sender, org_b, page_client):
    client = page_client(sender)
    page = client.get(reverse("referral-create", args=[case_a.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    assert "override_reason" not in form.fields  # only coordinators may override
    assert org_b in form.fields["to_organisation"].queryset
    assert case_a.organisation not in form.fields["to_organisation"].queryset

    response = client.post(reverse("referral-create", args=[case_a.pk]), form_data(org_b), follow=True)

    assert response.redirect_chain[-1][0] == reverse("case-referrals", args=[case_a.pk])
    referral = Referral.objects.get()
    assert (referral.to_organisation, referral.reason, referral.status) == (
        org_b,
        ReferralReason.HEALTH,
        ReferralStatus.PENDING,
    )
    assert referral.consent_recorded_by == sender
    assert org_b.name in " ".join(str(m) for m in response.context["messages"])
    assert [r.pk for r in response.context["referrals"]] == [referral.pk]


def test_without_consent_a_caseworker_gets_the_error_next_to_the_consent_field(
    case_a, sender, org_b, page_client
):
    client = page_client(sender)
    response = client.post(
        reverse("referral-create", args=[case_a.pk]), form_data(org_b, consent_given="no", consent_on="")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "consent_given" in form.errors
    assert form["request_note"].value() == "Needs a doctor who speaks English."  # nothing typed is lost
    assert not Referral.objects.exists()


def test_a_coordinator_must_write_the_reason_to_send_without_consent(
    case_a, a_coordinator, org_b, page_client
):
    client = page_client(a_coordinator)
    page = client.get(reverse("referral-create", args=[case_a.pk]))
    assert "override_reason" in page.context["form"].fields

    refused = client.post(reverse("referral-create", args=[case_a.pk]), form_data(org_b, consent_given="no"))
    assert refused.status_code == 400
    assert "override_reason" in refused.context["form"].errors

    sent = client.post(
        reverse("referral-create", args=[case_a.pk]),
        form_data(org_b, consent_given="no", override_reason="Acute danger, the person cannot be reached"),
    )
    assert sent.status_code == 302
    referral = Referral.objects.get()
    assert referral.overridden_by == a_coordinator
    assert referral.consent_scope == ConsentScope.FACTS


def test_missing_consent_date_and_a_bad_receiver_are_shown_next_to_the_fields(
    case_a, sender, org_b, page_client
):
    client = page_client(sender)
    response = client.post(
        reverse("referral-create", args=[case_a.pk]),
        form_data(org_b, consent_on="", consent_scope="", to_organisation="999999"),
    )
    assert response.status_code == 400
    assert "to_organisation" in response.context["form"].errors

    response = client.post(
        reverse("referral-create", args=[case_a.pk]), form_data(org_b, consent_on="", consent_scope="")
    )
    assert response.status_code == 400
    assert {"consent_on", "consent_scope"} <= set(response.context["form"].errors)


def test_a_second_open_referral_to_the_same_receiver_is_refused_on_the_page(
    pending, case_a, sender, org_b, page_client
):
    response = page_client(sender).post(reverse("referral-create", args=[case_a.pk]), form_data(org_b))
    assert response.status_code == 400
    assert "to_organisation" in response.context["form"].errors
    assert Referral.objects.count() == 1


def test_only_the_owner_may_open_the_referral_form(accepted, case_a, receiver, users_a, page_client):
    # The receiver sees and may change the shared case, but it is not theirs to refer on.
    assert page_client(receiver).get(reverse("referral-create", args=[case_a.pk])).status_code == 403
    outreach = page_client(users_a[Role.OUTREACH_WORKER])
    assert outreach.get(reverse("referral-create", args=[case_a.pk])).status_code == 404  # cannot change


# --- Access appears and disappears with the next request ----------------------------------------------


def test_accepting_opens_the_case_and_revoking_closes_it_at_once(
    pending, case_a, sender, receiver, page_client, api_for
):
    browser, api = page_client(receiver), api_for(receiver)
    assert case_page(browser, case_a) == 404
    assert case_api(api, case_a) == 404

    response = browser.post(reverse("referral-accept", args=[pending.pk]))
    assert response.status_code == 302
    assert response.url == reverse("case-detail", args=[case_a.pk])
    assert case_page(browser, case_a) == 200
    assert case_api(api, case_a) == 200

    revoked = page_client(sender).post(
        reverse("referral-revoke", args=[pending.pk]), {"revoke-reason": "The person withdrew consent"}
    )
    assert revoked.status_code == 302
    assert case_page(browser, case_a) == 404
    assert case_api(api, case_a) == 404
    assert browser.get(reverse("referral-detail", args=[pending.pk])).status_code == 200  # the referral stays


def test_closing_ends_the_access_too(accepted, case_a, receiver, page_client, api_for):
    browser, api = page_client(receiver), api_for(receiver)
    assert case_page(browser, case_a) == 200
    response = browser.post(reverse("referral-close", args=[accepted.pk]), {"close-reason": "Stay ended"})
    assert response.status_code == 302
    assert case_page(browser, case_a) == 404
    assert case_api(api, case_a) == 404


def test_a_declined_referral_leaves_no_access(pending, case_a, receiver, page_client):
    browser = page_client(receiver)
    refused = browser.post(reverse("referral-decline", args=[pending.pk]), {"response_note": ""})
    assert refused.status_code == 400
    assert "response_note" in refused.context["decline_form"].errors

    declined = browser.post(reverse("referral-decline", args=[pending.pk]), {"response_note": "No capacity"})
    assert declined.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.DECLINED
    assert case_page(browser, case_a) == 404


def test_personal_details_open_to_the_receiver_only_with_that_consent(
    case_a, sender, org_b, receiver, page_client
):
    facts = send_referral(case_a, by=sender, to=org_b)
    referral_accept(referral=facts, by=receiver)
    browser = page_client(receiver)
    assert browser.get(reverse("case-personal", args=[case_a.pk])).status_code == 403

    page_client(sender).post(reverse("referral-close", args=[facts.pk]), {"close-reason": "Wrong scope"})
    details = send_referral(case_a, by=sender, to=org_b, consent_scope=ConsentScope.FACTS_AND_DETAILS)
    referral_accept(referral=details, by=receiver)
    page = browser.get(reverse("case-personal", args=[case_a.pk]))
    assert page.status_code == 200
    assert MARKER in page.content.decode()


def test_the_receiver_of_a_pending_referral_reads_it_but_not_the_case(pending, case_a, receiver, page_client):
    browser = page_client(receiver)
    page = browser.get(reverse("referral-detail", args=[pending.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert case_a.number in content
    assert "Needs a shelter place from next week." in content
    assert MARKER not in content
    assert not page.context["case_visible"]
    assert page.context["can"]["accept"] and page.context["can"]["decline"]
    assert not page.context["can"]["withdraw"]
    assert reverse("case-detail", args=[case_a.pk]) not in content


# --- Other organisations and wrong states -------------------------------------------------------------


def test_another_organisation_gets_404_for_the_referral_and_the_case(
    pending, case_a, cmm_coordinator, page_client
):
    outsider = page_client(cmm_coordinator)
    assert outsider.get(reverse("referral-detail", args=[pending.pk])).status_code == 404
    assert outsider.post(reverse("referral-accept", args=[pending.pk])).status_code == 404
    assert outsider.get(reverse("case-referrals", args=[case_a.pk])).status_code == 404
    assert outsider.get(reverse("referral-create", args=[case_a.pk])).status_code == 404
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.PENDING


def test_accepting_twice_shows_a_clear_error(accepted, receiver, page_client):
    response = page_client(receiver).post(reverse("referral-accept", args=[accepted.pk]))
    assert response.status_code == 400
    assert response.context["action_errors"]


def test_revoking_a_pending_referral_is_refused_with_a_message(pending, sender, page_client):
    response = page_client(sender).post(reverse("referral-revoke", args=[pending.pk]), {"revoke-reason": "x"})
    assert response.status_code == 400
    assert response.context["revoke_form"].non_field_errors()
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.PENDING


def test_the_receiver_cannot_withdraw_and_the_sender_cannot_accept(pending, sender, receiver, page_client):
    assert page_client(receiver).post(reverse("referral-withdraw", args=[pending.pk])).status_code == 403
    assert page_client(sender).post(reverse("referral-accept", args=[pending.pk])).status_code == 403


def test_the_sender_withdraws_a_pending_referral(pending, sender, page_client):
    client = page_client(sender)
    assert client.get(reverse("referral-detail", args=[pending.pk])).context["can"]["withdraw"]
    response = client.post(reverse("referral-withdraw", args=[pending.pk]))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.WITHDRAWN


def test_a_transfer_moves_the_case_and_cannot_be_revoked(case_a, sender, org_a, org_b, receiver, page_client):
    transfer = send_referral(case_a, by=sender, to=org_b, kind=ReferralKind.TRANSFER)
    browser = page_client(receiver)
    assert browser.post(reverse("referral-accept", args=[transfer.pk])).status_code == 302
    case_a.refresh_from_db()
    assert case_a.organisation == org_b

    owner = page_client(sender)
    assert case_page(owner, case_a) == 404
    detail = owner.get(reverse("referral-detail", args=[transfer.pk]))
    assert detail.status_code == 200
    assert not detail.context["can"]["revoke"] and not detail.context["can"]["close"]
    refused = owner.post(reverse("referral-revoke", args=[transfer.pk]), {"revoke-reason": "Undo"})
    assert refused.status_code == 400
    case_a.refresh_from_db()
    assert case_a.organisation == org_b


# --- The incoming referrals page ----------------------------------------------------------------------


def test_the_incoming_page_lists_pending_referrals_first_with_their_count(
    case_a, sender, org_b, receiver, open_case, page_client
):
    answered = send_referral(case_a, by=sender, to=org_b)
    referral_decline(referral=answered, by=receiver, response_note="Full")
    waiting = send_referral(open_case(by=sender), by=sender, to=org_b, reason=ReferralReason.LEGAL)

    page = page_client(receiver).get(reverse("referral-incoming"))

    assert page.status_code == 200
    assert page.context["pending_count"] == 1
    assert [r.pk for r in page.context["page"]] == [waiting.pk, answered.pk]
    assert reverse("referral-accept", args=[waiting.pk]) in page.content.decode()
    assert reverse("referral-accept", args=[answered.pk]) not in page.content.decode()


def test_the_incoming_page_filters_by_status_and_reason(
    case_a, sender, org_b, receiver, open_case, page_client
):
    housing = send_referral(case_a, by=sender, to=org_b)
    legal = send_referral(open_case(by=sender), by=sender, to=org_b, reason=ReferralReason.LEGAL)
    referral_accept(referral=legal, by=receiver)
    client = page_client(receiver)

    by_status = client.get(reverse("referral-incoming"), {"status": "accepted"})
    assert [r.pk for r in by_status.context["page"]] == [legal.pk]
    by_reason = client.get(reverse("referral-incoming"), {"reason": ReferralReason.HOUSING})
    assert [r.pk for r in by_reason.context["page"]] == [housing.pk]
    unknown = client.get(reverse("referral-incoming"), {"status": "nonsense", "page": "x"})
    assert unknown.status_code == 200
    assert {r.pk for r in unknown.context["page"]} == {housing.pk, legal.pk}


def test_the_sent_tab_shows_the_organisations_outgoing_referrals(pending, sender, receiver, page_client):
    sent = page_client(sender).get(reverse("referral-incoming"), {"view": "sent"})
    assert sent.context["sent"]
    assert [r.pk for r in sent.context["page"]] == [pending.pk]
    assert page_client(sender).get(reverse("referral-incoming")).context["page"].paginator.count == 0
    assert (
        page_client(receiver)
        .get(reverse("referral-incoming"), {"view": "sent"})
        .context["page"]
        .paginator.count
        == 0
    )


def test_a_role_without_referrals_gets_403(users_a, page_client):
    response = page_client(users_a[Role.ANALYST]).get(reverse("referral-incoming"))
    assert response.status_code == 403


def test_the_case_referrals_page_offers_refer_to_the_owner_only(
    accepted, case_a, sender, receiver, page_client
):
    owner = page_client(sender).get(reverse("case-referrals", args=[case_a.pk]))
    assert owner.status_code == 200
    assert owner.context["can_refer"]
    assert [r.pk for r in owner.context["referrals"]] == [accepted.pk]
    shared = page_client(receiver).get(reverse("case-referrals", args=[case_a.pk]))
    assert shared.status_code == 200
    assert not shared.context["can_refer"]


# --- Query counts -------------------------------------------------------------------------------------


def _refer_cases(count, *, by, to, open_case):
    for _number in range(count):
        send_referral(open_case(by=by), by=by, to=to)


def test_incoming_page_query_count_does_not_grow(
    sender, org_b, receiver, open_case, page_client, django_assert_max_num_queries
):
    client = page_client(receiver)
    _refer_cases(1, by=sender, to=org_b, open_case=open_case)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("referral-incoming")).context["page"].paginator.count == 1
    most = len(few.captured_queries)  # read now: each request clears the connection's query log
    _refer_cases(12, by=sender, to=org_b, open_case=open_case)
    with django_assert_max_num_queries(most):
        assert client.get(reverse("referral-incoming")).context["page"].paginator.count == 13

    outgoing = page_client(sender)
    with django_assert_max_num_queries(most):
        assert (
            outgoing.get(reverse("referral-incoming"), {"view": "sent"}).context["page"].paginator.count == 13
        )


def test_case_referrals_page_query_count_does_not_grow(
    case_a, sender, page_client, django_assert_max_num_queries
):
    def more(count, start):
        for number in range(start, start + count):
            organisation = organisation_create(
                name=f"Partner {number}", kind="ngo", case_prefix=f"P{chr(65 + number)}Q", region="national"
            )
            send_referral(case_a, by=sender, to=organisation)

    client = page_client(sender)
    more(1, 0)
    with django_assert_max_num_queries(20) as few:
        assert len(client.get(reverse("case-referrals", args=[case_a.pk])).context["referrals"]) == 1
    most = len(few.captured_queries)
    more(8, 1)
    with django_assert_max_num_queries(most):
        assert len(client.get(reverse("case-referrals", args=[case_a.pk])).context["referrals"]) == 9
