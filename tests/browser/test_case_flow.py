"""A caseworker on a phone: open a case, add a service and a shelter stay, see both on the timeline."""

import datetime

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from cases.choices import EventKind, HousingType, ServiceType
from cases.models import Case, CaseEvent
from cmm.demo import seed_demo
from tests.browser.test_login_mobile import assert_no_horizontal_overflow, log_in


def label(choice) -> str:
    with translation.override("da"):
        return str(choice.label)


@pytest.mark.browser
def test_caseworker_adds_a_service_and_a_stay_on_a_phone_and_sees_them_on_the_timeline(
    live_server, mobile_page, screenshot
):
    seed_demo()
    case = Case.objects.get(organisation__case_prefix="REDEN", nationality="RO")  # a demo case without stays
    page = mobile_page
    log_in(page, live_server.url, "caseworker")
    page.wait_for_url(f"{live_server.url}/")

    # From the menu to the case list, then the case.
    page.locator("details.menu summary").tap()
    page.locator(".menu__panel a[href='/cases/']").tap()
    page.wait_for_url(f"{live_server.url}/cases/")
    assert_no_horizontal_overflow(page)
    page.get_by_role("link", name=case.number).tap()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)
    assert_no_horizontal_overflow(page)
    screenshot(page, "case_detail_360.png")

    # A service: a doctor's appointment the caseworker went along to.
    page.locator(f"a[href='/cases/{case.pk}/services/new/']").tap()
    page.locator("select[name=service_type]").select_option(ServiceType.HEALTH_DOCTOR.value)
    page.locator("input[name=mode][value=accompanied]").check()
    page.locator("input[name=provider]").fill("Lægehuset")
    assert_no_horizontal_overflow(page)
    screenshot(page, "case_service_form_360.png")
    page.locator("main button.button--primary[type=submit]").tap()
    page.wait_for_url(lambda url: not url.endswith("/services/new/"))
    expect(page.locator(".messages")).to_be_visible()

    # A stay in a crisis centre from two days ago, still going on.
    admitted = timezone.localdate() - datetime.timedelta(days=2)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.locator(f"a[href='/cases/{case.pk}/stays/new/']").tap()
    page.locator("select[name=housing_type]").select_option(HousingType.CRISIS_CENTRE.value)
    page.locator("input[name=admitted_on]").fill(admitted.isoformat())
    page.locator("main button.button--primary[type=submit]").tap()
    page.wait_for_url(lambda url: not url.endswith("/stays/new/"))
    expect(page.locator(".messages")).to_be_visible()

    # Both on the timeline.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.locator(f"a[href='/cases/{case.pk}/timeline/']").first.tap()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/timeline/")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text(label(ServiceType.HEALTH_DOCTOR))
    expect(timeline).to_contain_text(label(HousingType.CRISIS_CENTRE))
    assert_no_horizontal_overflow(page)
    screenshot(page, "case_timeline_360.png")

    kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {EventKind.SERVICE, EventKind.ADMISSION} <= kinds
    assert case.stays.get().admitted_on == admitted
    assert case.services.get().provider == "Lægehuset"
