"""A caseworker extends a reflection period to 100 days on a phone and sees the new deadline on the
dashboard."""

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from cases.choices import ResidenceStatus
from cases.models import Case
from cmm.demo import seed_demo
from cmm.models import User
from identification.choices import Outcome, PresentedBy
from identification.services import decision_record, presentation_create
from referrals.choices import PREPARING_RETURN_STATUSES
from referrals.models import ReturnPlan
from referrals.services.returns import return_plan_create
from reflection.choices import ExtensionGround, PeriodKind
from reflection.services import period_start
from tests.browser.conftest import MOBILE
from tests.browser.test_login_mobile import assert_no_horizontal_overflow, log_in


@pytest.mark.browser
def test_caseworker_extends_a_period_to_100_days_and_sees_the_deadline_on_the_dashboard(
    live_server, new_page, screenshot
):
    seed_demo()
    today = timezone.localdate()
    case = Case.objects.get(
        organisation__case_prefix="REDEN",
        nationality="NG",
        residence_status=ResidenceStatus.NO_LEGAL_RESIDENCE,
    )
    caseworker = User.objects.get(username="caseworker")
    presentation = presentation_create(
        case=case, by=caseworker, presented_on=today, presented_by=PresentedBy.POLICE
    )
    decision_record(
        presentation=presentation,
        by=User.objects.get(username="liaison"),
        outcome=Outcome.IDENTIFIED,
        decided_on=today,
        exploitation_types=["sexual"],
    )
    period = period_start(case=case, by=caseworker, kind=PeriodKind.STATUTORY, starts_on=today)
    # Cooperation on a prepared return is a ground for extension while a return plan is being prepared (the
    # demo may have drafted one already).
    if not ReturnPlan.objects.filter(case=case, status__in=PREPARING_RETURN_STATUSES).exists():
        return_plan_create(case=case, by=caseworker, destination_country="NG")
    new_deadline = today + datetime.timedelta(days=100)
    with translation.override("da"):
        deadline_text = formats.date_format(new_deadline, "SHORT_DATE_FORMAT")

    page = new_page(**MOBILE)
    log_in(page, live_server.url, "caseworker")
    page.wait_for_url(f"{live_server.url}/")

    # The case's reflection page: the running 30-day period and its buttons.
    case_url = f"{live_server.url}{reverse('case-reflection', args=[case.pk])}"
    page.goto(case_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)
    expect(page.locator(f"#period-{period.pk}")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "reflection_case_360.png")

    # Extend to 100 days.
    page.locator(f"a[href='{reverse('reflection-extend', args=[period.pk])}']").tap()
    page.wait_for_url(f"{live_server.url}{reverse('reflection-extend', args=[period.pk])}")
    page.locator("input[name=new_total_days]").fill("100")
    page.locator("select[name=ground]").select_option(ExtensionGround.PREPARED_RETURN.value)
    expect(page.locator("input[name=decided_on]")).to_have_value(today.isoformat())
    assert_no_horizontal_overflow(page)
    screenshot(page, "reflection_extend_form_360.png")
    page.locator("main button.button--primary[type=submit]").tap()
    page.wait_for_url(case_url)
    expect(page.locator(".messages")).to_contain_text(deadline_text)
    expect(page.locator(f"#period-{period.pk} .rfdeadline")).to_have_text(deadline_text)
    assert_no_horizontal_overflow(page)
    screenshot(page, "reflection_extended_360.png")

    # The deadline dashboard shows the new deadline and the days left.
    page.goto(f"{live_server.url}{reverse('reflection-dashboard')}")
    row = page.locator(f"#deadlines tr[data-period='{period.pk}']")
    expect(row).to_contain_text(case.number)
    expect(row.locator(".rfdeadline")).to_have_text(deadline_text)
    expect(row).to_contain_text("100")
    assert_no_horizontal_overflow(page)
    screenshot(page, "reflection_dashboard_360.png")

    period.refresh_from_db()
    assert period.total_days == 100
    assert period.ends_on == new_deadline
