# ruff: noqa: F811 (the fixtures imported from return_fixtures are redefined as test arguments)
"""The return-plan pages: drafting a plan on the case, the plan with its workflow buttons, components,
follow-ups and the representative, the list, and the printable summary. Pages answer in Danish by default, so
the tests look at status codes, context, form errors and values rather than English text."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from cases.choices import ResidenceStatus
from cmm.models import AuditAction, AuditEvent, Role
from referrals.choices import (
    ComponentKind,
    ComponentStatus,
    FollowUpMilestone,
    ReturnBody,
    ReturnChannel,
    ReturnStatus,
)
from referrals.models import ReintegrationComponent, ReturnPlan
from referrals.services.returns import component_add, return_plan_create, return_plan_record_representative
from referrals.tests.return_fixtures import (  # noqa: F401 (fixtures)
    MARKER,
    PHONE,
    TODAY,
    D,
    advance,
    caseworker,
    fixed_today,
    login,
    minor_case,
    outsider,
    plan,
    representative,
)
from reflection.choices import PeriodKind
from reflection.services import period_start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_today")]


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _plan_form(**overrides) -> dict:
    return {
        "destination_country": "NG",
        "destination_city": "Lagos",
        "channel": ReturnChannel.IOM,
        "travel_documents": "to_obtain",
        "escort": "none",
        **overrides,
    }


# --- The case's return page -----------------------------------------------------------------------------


def test_a_caseworker_drafts_a_plan_routed_to_the_immigration_service(case_a, caseworker, login):
    client = login(caseworker)
    page = client.get(reverse("case-returns", args=[case_a.pk]))
    assert page.status_code == 200
    assert page.context["route"].body == ReturnBody.IMMIGRATION_SERVICE
    assert escape(page.context["route"].explanation) in page.content.decode()
    assert page.context["form"] is not None

    response = client.post(reverse("case-returns", args=[case_a.pk]), _plan_form(), follow=True)

    plan = ReturnPlan.objects.get(case=case_a)
    assert response.redirect_chain[-1][0] == reverse("return-plan-detail", args=[plan.pk])
    assert (plan.responsible_body, plan.channel, plan.destination_city) == (
        ReturnBody.IMMIGRATION_SERVICE,
        ReturnChannel.IOM,
        "Lagos",
    )
    again = client.get(reverse("case-returns", args=[case_a.pk]))
    assert again.context["in_progress"] == plan
    assert again.context["form"] is None  # one plan in progress at a time


def test_an_eu_citizens_plan_is_offered_the_cmm_channel(open_case, caseworker, login):
    case = open_case(by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN)
    page = login(caseworker).get(reverse("case-returns", args=[case.pk]))
    assert page.context["route"].body == ReturnBody.CMM
    assert [value for value, _label in page.context["form"].fields["channel"].choices] == [
        ReturnChannel.CMM,
        ReturnChannel.NGO,
        ReturnChannel.EMBASSY,
    ]


def test_an_unknown_residence_status_shows_why_and_refuses_a_plan(open_case, caseworker, login):
    case = open_case(by=caseworker, residence_status=ResidenceStatus.UNKNOWN)
    client = login(caseworker)
    page = client.get(reverse("case-returns", args=[case.pk]))
    assert page.context["form"] is None
    assert page.context["route"].body is None
    assert escape(page.context["route"].explanation) in page.content.decode()
    response = client.post(reverse("case-returns", args=[case.pk]), _plan_form())
    assert response.status_code == 400
    assert not ReturnPlan.objects.exists()


def test_a_plan_without_a_destination_is_refused_next_to_the_field(case_a, caseworker, login):
    response = login(caseworker).post(
        reverse("case-returns", args=[case_a.pk]),
        _plan_form(destination_country="", destination_city="Abuja"),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "destination_country" in form.errors
    assert form["destination_city"].value() == "Abuja"  # what was typed is kept
    assert not ReturnPlan.objects.exists()


def test_a_second_plan_posted_anyway_is_refused_with_the_reason(plan, case_a, caseworker, login):
    response = login(caseworker).post(reverse("case-returns", args=[case_a.pk]), _plan_form())
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert ReturnPlan.objects.filter(case=case_a).count() == 1


def test_the_reflection_page_links_to_the_plan_and_the_plan_page_to_the_period(
    identified_case, caseworker, login
):
    period = period_start(
        case=identified_case, by=caseworker, kind=PeriodKind.STATUTORY, starts_on=D(2026, 3, 21)
    )
    plan = return_plan_create(case=identified_case, by=caseworker, destination_country="NG")
    client = login(caseworker)
    reflection = client.get(reverse("case-reflection", args=[identified_case.pk]))
    assert reverse("return-plan-detail", args=[plan.pk]) in reflection.content.decode()
    detail = client.get(reverse("return-plan-detail", args=[plan.pk]))
    assert detail.context["period"] == period
    assert reverse("reflection-extend", args=[period.pk]) in detail.content.decode()


# --- One plan -------------------------------------------------------------------------------------------


def test_the_plan_page_shows_only_the_allowed_next_steps(plan, caseworker, login):
    page = login(caseworker).get(reverse("return-plan-detail", args=[plan.pk]))
    assert page.status_code == 200
    assert [value for value, _label in page.context["next_steps"]] == [
        ReturnStatus.SENT_TO_IOM,
        ReturnStatus.DECLINED,
        ReturnStatus.CANCELLED,
    ]
    html = page.content.decode()
    assert f'value="{ReturnStatus.SENT_TO_IOM}"' in html
    assert f'value="{ReturnStatus.DEPARTED}"' not in html
    assert MARKER not in html and PHONE not in html


def test_a_skip_posted_to_the_page_is_refused_with_a_clear_message(plan, caseworker, login):
    response = login(caseworker).post(
        reverse("return-plan-transition", args=[plan.pk]),
        {"to_status": ReturnStatus.DEPARTED, "on": TODAY.isoformat(), "note": ""},
    )
    assert response.status_code == 400
    errors = response.context["transition_form"].errors["to_status"]
    assert errors and str(ReturnStatus.SENT_TO_IOM.label) in errors[0]
    assert escape(errors[0]) in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.DRAFT


def test_a_step_moves_the_plan_and_declining_needs_a_note(plan, caseworker, login):
    client = login(caseworker)
    url = reverse("return-plan-transition", args=[plan.pk])
    response = client.post(url, {"to_status": ReturnStatus.SENT_TO_IOM, "on": TODAY.isoformat()})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.SENT_TO_IOM

    refused = client.post(url, {"to_status": ReturnStatus.DECLINED, "on": TODAY.isoformat(), "note": ""})
    assert refused.status_code == 400
    assert "note" in refused.context["transition_form"].errors
    bad_date = client.post(url, {"to_status": ReturnStatus.APPROVED, "on": "2026-02-30"})
    assert bad_date.status_code == 400
    assert "on" in bad_date.context["transition_form"].errors
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.SENT_TO_IOM


def test_a_minors_plan_asks_for_the_representative_and_records_it(
    minor_case, representative, caseworker, login
):
    plan = return_plan_create(case=minor_case, by=caseworker, destination_country="VN")
    client = login(caseworker)
    page = client.get(reverse("return-plan-detail", args=[plan.pk]))
    assert page.context["is_minor"]
    refused = client.post(
        reverse("return-plan-transition", args=[plan.pk]),
        {"to_status": ReturnStatus.SENT_TO_IOM, "on": TODAY.isoformat()},
    )
    assert refused.status_code == 400
    assert "to_status" in refused.context["transition_form"].errors

    form_page = client.get(reverse("return-plan-representative", args=[plan.pk]))
    assert list(form_page.context["form"].fields["representative"].queryset) == [representative]
    saved = client.post(
        reverse("return-plan-representative", args=[plan.pk]),
        {"representative": representative.pk, "involved_on": "2026-03-31", "involvement": "Planned it."},
    )
    assert saved.status_code == 302
    plan.refresh_from_db()
    assert (plan.representative, plan.representative_involved_on) == (representative, D(2026, 3, 31))


def test_the_plan_details_can_be_changed_and_bad_dates_are_refused(plan, caseworker, login):
    client = login(caseworker)
    url = reverse("return-plan-update", args=[plan.pk])
    page = client.get(url)
    assert page.context["form"]["destination_city"].value() == "Benin City"
    assert "actual_departure_on" not in page.context["form"].fields  # only after departure
    refused = client.post(url, _plan_form(planned_departure_on="2026-02-01"))
    assert refused.status_code == 400
    assert "planned_departure_on" in refused.context["form"].errors
    saved = client.post(url, _plan_form(planned_departure_on="2026-05-01", iom_reference="IOM-DK-1"))
    assert saved.status_code == 302
    plan.refresh_from_db()
    assert (plan.planned_departure_on, plan.iom_reference) == (D(2026, 5, 1), "IOM-DK-1")


def test_components_are_added_changed_and_removed_with_errors_next_to_the_field(plan, caseworker, login):
    client = login(caseworker)
    add = reverse("return-component-add", args=[plan.pk])
    negative = client.post(
        add, {"kind": ComponentKind.HOUSING, "budget_amount": "-5", "currency": "DKK", "status": "planned"}
    )
    assert negative.status_code == 400
    assert "budget_amount" in negative.context["form"].errors
    schooling = client.post(
        add, {"kind": ComponentKind.SCHOOLING, "budget_amount": "5", "currency": "DKK", "status": "planned"}
    )
    assert schooling.status_code == 400
    assert "kind" in schooling.context["form"].errors
    added = client.post(
        add, {"kind": ComponentKind.HOUSING, "budget_amount": "6000", "currency": "DKK", "status": "planned"}
    )
    assert added.status_code == 302
    component = ReintegrationComponent.objects.get(plan=plan)

    changed = client.post(
        reverse("return-component-update", args=[plan.pk, component.pk]),
        {"kind": ComponentKind.HOUSING, "budget_amount": "6500", "currency": "DKK", "status": "approved"},
    )
    assert changed.status_code == 302
    component.refresh_from_db()
    assert (component.budget_amount, component.status) == (Decimal(6500), ComponentStatus.APPROVED)

    remove = reverse("return-component-remove", args=[plan.pk, component.pk])
    assert client.get(remove).status_code == 200
    assert client.post(remove).status_code == 302
    assert not ReintegrationComponent.objects.exists()


def test_the_plan_page_totals_the_budget_per_currency(plan, caseworker, login):
    component_add(plan=plan, by=caseworker, kind=ComponentKind.HOUSING, budget_amount=Decimal(6000))
    component_add(plan=plan, by=caseworker, kind=ComponentKind.RECEPTION, budget_amount=Decimal(2000))
    component_add(
        plan=plan, by=caseworker, kind=ComponentKind.MEDICAL, budget_amount=Decimal(300), currency="EUR"
    )
    component_add(
        plan=plan, by=caseworker, kind=ComponentKind.BUSINESS, budget_amount=Decimal(999), status="cancelled"
    )
    page = login(caseworker).get(reverse("return-plan-detail", args=[plan.pk]))
    assert {t["currency"]: t["total"] for t in page.context["totals"]} == {
        "DKK": Decimal(8000),
        "EUR": Decimal(300),
    }


def test_a_follow_up_is_recorded_after_departure(plan, caseworker, login):
    plan = advance(plan, by=caseworker, to=ReturnStatus.DEPARTED, on=D(2026, 3, 2))
    one = plan.follow_ups.get(milestone=FollowUpMilestone.ONE_MONTH)
    client = login(caseworker)
    url = reverse("return-follow-up-record", args=[plan.pk, one.pk])
    page = client.get(url)
    assert page.status_code == 200
    refused = client.post(url, {"done_on": TODAY.isoformat(), "note": ""})
    assert refused.status_code == 400
    assert "note" in refused.context["form"].errors
    saved = client.post(url, {"done_on": TODAY.isoformat(), "note": "Reception went well."})
    assert saved.status_code == 302
    one.refresh_from_db()
    assert (one.done_on, one.note) == (TODAY, "Reception went well.")


# --- Access ---------------------------------------------------------------------------------------------


def test_another_organisation_gets_404_for_the_case_and_the_plan(plan, case_a, outsider, login):
    client = login(outsider)
    component = component_add(plan=plan, by=plan.created_by, kind=ComponentKind.HOUSING)
    urls = [
        reverse("case-returns", args=[case_a.pk]),
        reverse("return-plan-detail", args=[plan.pk]),
        reverse("return-plan-update", args=[plan.pk]),
        reverse("return-plan-summary", args=[plan.pk]),
        reverse("return-plan-representative", args=[plan.pk]),
        reverse("return-component-add", args=[plan.pk]),
        reverse("return-component-update", args=[plan.pk, component.pk]),
        reverse("return-component-remove", args=[plan.pk, component.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    refused = client.post(
        reverse("return-plan-transition", args=[plan.pk]),
        {"to_status": "cancelled", "on": "2026-04-01", "note": "x"},
    )
    assert refused.status_code == 404
    assert client.post(reverse("return-component-remove", args=[plan.pk, component.pk])).status_code == 404
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.DRAFT
    assert ReintegrationComponent.objects.filter(pk=component.pk).exists()
    assert not client.get(reverse("return-plan-list")).context["page"].object_list


def test_a_role_without_return_plans_is_refused(plan, users_a, login):
    client = login(users_a[Role.OUTREACH_WORKER])
    assert client.get(reverse("return-plan-detail", args=[plan.pk])).status_code == 403
    assert client.get(reverse("return-plan-list")).status_code == 403
    assert client.get(reverse("case-returns", args=[plan.case_id])).status_code == 403


def test_the_immigration_service_liaison_changes_but_does_not_draft_plans(plan, liaison, login, case_a):
    from cmm.permissions import grant

    grant("cases.view_case", case_a, organisation=liaison.memberships.get().organisation)
    client = login(liaison)
    assert client.get(reverse("return-plan-detail", args=[plan.pk])).status_code == 200
    response = client.post(
        reverse("return-plan-transition", args=[plan.pk]), {"to_status": "sent_to_iom", "on": "2026-04-01"}
    )
    assert response.status_code == 302
    assert client.post(reverse("case-returns", args=[case_a.pk]), _plan_form()).status_code == 403


# --- The list -------------------------------------------------------------------------------------------


def _plans_on_new_cases(count, *, by, open_case):
    for number in range(count):
        plan = return_plan_create(
            case=open_case(by=by), by=by, destination_country="NG" if number % 2 else "GH"
        )
        component_add(plan=plan, by=by, kind=ComponentKind.HOUSING, budget_amount=Decimal(100))
        if number % 3 == 1:
            advance(plan, by=by, to=ReturnStatus.DEPARTED, on=D(2026, 3, 15))


def test_the_list_filters_by_status_body_and_country(plan, caseworker, open_case, login):
    _plans_on_new_cases(3, by=caseworker, open_case=open_case)
    client = login(caseworker)
    everything = client.get(reverse("return-plan-list"))
    assert everything.context["page"].paginator.count == 4
    departed = client.get(reverse("return-plan-list"), {"status": ReturnStatus.DEPARTED})
    assert [p.status for p in departed.context["page"]] == [ReturnStatus.DEPARTED]
    assert departed.context["page"][0].next_follow_up_on == D(2026, 4, 15)
    ghana = client.get(reverse("return-plan-list"), {"country": "GH"})
    assert {p.destination_country.code for p in ghana.context["page"]} == {"GH"}
    cmm = client.get(reverse("return-plan-list"), {"body": ReturnBody.CMM})
    assert cmm.context["page"].paginator.count == 0
    nonsense = client.get(reverse("return-plan-list"), {"status": "bogus"})
    assert nonsense.status_code == 200
    assert nonsense.context["page"].paginator.count == 4  # an unknown filter value is ignored
    assert MARKER not in everything.content.decode()


def test_the_list_query_count_does_not_grow_with_the_plans(plan, caseworker, open_case, login):
    client = login(caseworker)
    url = reverse("return-plan-list")
    client.get(url)  # warm the session and the caches
    before = _count_queries(client, url)
    _plans_on_new_cases(6, by=caseworker, open_case=open_case)
    after = _count_queries(client, url)
    assert len(client.get(url).context["page"]) == 7
    assert after == before


def test_the_case_page_query_count_does_not_grow_with_the_plans(plan, case_a, caseworker, login):
    from referrals.services.returns import return_plan_transition

    client = login(caseworker)
    url = reverse("case-returns", args=[case_a.pk])
    client.get(url)
    before = _count_queries(client, url)
    for _ in range(3):
        current = ReturnPlan.objects.get(case=case_a, status=ReturnStatus.DRAFT)
        return_plan_transition(
            plan=current, to_status=ReturnStatus.CANCELLED, by=caseworker, on=TODAY, note="x"
        )
        new = return_plan_create(case=case_a, by=caseworker, destination_country="GH")
        component_add(plan=new, by=caseworker, kind=ComponentKind.HOUSING)
    assert _count_queries(client, url) == before


# --- The printable summary ------------------------------------------------------------------------------


def test_the_summary_is_marked_confidential_holds_no_identifying_details_and_is_audited(
    minor_case, representative, caseworker, login
):
    plan = return_plan_create(
        case=minor_case,
        by=caseworker,
        destination_country="VN",
        iom_reference="IOM-VN-42",
        escort="iom",
        escort_name="IOM staff",
    )
    return_plan_record_representative(
        plan=plan, by=caseworker, representative=representative, involved_on=TODAY
    )
    component_add(plan=plan, by=caseworker, kind=ComponentKind.SCHOOLING, budget_amount=Decimal("1200.50"))
    component_add(plan=plan, by=caseworker, kind=ComponentKind.HOUSING, budget_amount=Decimal(800))
    component_add(
        plan=plan, by=caseworker, kind=ComponentKind.MEDICAL, budget_amount=Decimal(50), currency="EUR"
    )
    client = login(caseworker)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("return-plan-summary", args=[plan.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "FORTROLIGT / CONFIDENTIAL" in html
    assert minor_case.number in html
    assert "IOM-VN-42" in html
    assert representative.name in html
    print(html[html.index("rtsummary__table") :][:3000])
    assert "2000,50 DKK" in html or "2000.50 DKK" in html
    assert MARKER not in html
    assert PHONE not in html
    assert not any("personaldetails" in q["sql"].lower() for q in queries.captured_queries)
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    audit = AuditEvent.objects.get(action=AuditAction.EXPORTED, target_id=str(plan.pk))
    assert (audit.actor, audit.target_label, audit.detail["what"]) == (
        caseworker,
        minor_case.number,
        "return_plan_summary",
    )


def test_the_pages_render_in_english_too(plan, caseworker, login):
    client = login(caseworker)
    client.cookies["cmm_language"] = "en"
    page = client.get(reverse("return-plan-detail", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    summary = client.get(reverse("return-plan-summary", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Reintegration for the first three months" in summary.content.decode()


def test_the_case_timeline_tells_the_plans_steps_in_words(plan, caseworker, login):
    advance(plan, by=caseworker, to=ReturnStatus.SENT_TO_IOM)
    client = login(caseworker)
    client.cookies["cmm_language"] = "en"
    page = client.get(reverse("case-timeline", args=[plan.case_id]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "Return plan created (Immigration Service with IOM, to Nigeria)" in html
    assert "Return plan: Sent to IOM" in html
