"""A caseworker drafts a return plan on a phone, adds a reintegration component, sends the plan to IOM and
opens the printable summary; every page fits a 360 px screen. In Debian's Chromium against the live server."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.choices import ResidenceStatus
from cases.models import Case
from cmm.demo import seed_demo
from cmm.models import User
from referrals.choices import ComponentKind, ReturnBody, ReturnStatus
from referrals.models import ReturnPlan
from referrals.services.returns import component_add, return_plan_create
from tests.browser.conftest import DESKTOP, MOBILE
from tests.browser.test_login_mobile import assert_no_horizontal_overflow, log_in


@pytest.mark.browser
def test_caseworker_drafts_a_plan_on_a_phone_and_prints_the_summary(live_server, new_page, screenshot):
    seed_demo()
    case = Case.objects.get(organisation__case_prefix="REDEN", residence_status=ResidenceStatus.EU_CITIZEN)
    page = new_page(**MOBILE)
    log_in(page, live_server.url, "caseworker")
    page.wait_for_url(f"{live_server.url}/")

    # The case's return page: the rule in plain words and the form for a new plan.
    page.goto(f"{live_server.url}{reverse('case-returns', args=[case.pk])}")
    expect(page.locator(".rtrule")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "return_case_360.png")
    page.locator("select[name=destination_country]").select_option("RO")
    page.locator("input[name=destination_city]").fill("Constanța")
    page.locator("main button.button--primary[type=submit]").tap()
    page.wait_for_url(f"{live_server.url}/referrals/returns/*/")
    plan = ReturnPlan.objects.get(case=case)
    assert plan.responsible_body == ReturnBody.CMM
    assert_no_horizontal_overflow(page)
    screenshot(page, "return_plan_360.png")

    # A reintegration component with its budget.
    page.locator(f"a[href='{reverse('return-component-add', args=[plan.pk])}']").tap()
    page.locator("select[name=kind]").select_option("housing")
    page.locator("input[name=budget_amount]").fill("6000")
    assert_no_horizontal_overflow(page)
    page.locator("main button.button--primary[type=submit]").tap()
    page.wait_for_url(f"{live_server.url}{reverse('return-plan-detail', args=[plan.pk])}")
    expect(page.locator("#components")).to_contain_text("6000")

    # A skip is not even offered; the next step is.
    expect(page.locator("button[value=departed]")).to_have_count(0)
    page.locator("button[value=sent_to_iom]").tap()
    page.wait_for_url(f"{live_server.url}{reverse('return-plan-detail', args=[plan.pk])}")
    expect(page.locator(".messages")).to_be_visible()
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.SENT_TO_IOM
    assert_no_horizontal_overflow(page)
    screenshot(page, "return_plan_sent_360.png")

    # The summary for the meeting with IOM, marked confidential, on the phone and on paper.
    page.goto(f"{live_server.url}{reverse('return-plan-summary', args=[plan.pk])}")
    expect(page.locator(".rtconfidential")).to_have_text("FORTROLIGT / CONFIDENTIAL")
    assert_no_horizontal_overflow(page)
    screenshot(page, "return_summary_360.png")
    page.emulate_media(media="print")
    expect(page.locator(".rtconfidential")).to_be_visible()
    expect(page.locator(".topbar")).to_be_hidden()


@pytest.mark.browser
def test_the_plan_list_fits_a_desktop_and_a_phone(live_server, new_page, screenshot):
    seed_demo()
    caseworker = User.objects.get(username="caseworker")
    for case in Case.objects.filter(organisation__case_prefix="REDEN"):
        plan = ReturnPlan.objects.filter(case=case).first() or return_plan_create(
            case=case, by=caseworker, destination_country=case.nationality.code or "NG"
        )
        component_add(plan=plan, by=caseworker, kind=ComponentKind.VOCATIONAL, budget_amount=Decimal(900))
    for options, name, width in ((MOBILE, "360", 360), (DESKTOP, "desktop", 1280)):
        page = new_page(**options)
        log_in(page, live_server.url, "caseworker")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}{reverse('return-plan-list')}")
        expect(page.locator("#plans tbody tr[data-plan]")).to_have_count(3)
        assert_no_horizontal_overflow(page, width=width)
        screenshot(page, f"return_list_{name}.png")
