"""An analyst reads the statistics on a phone (360 px) and on a desktop, in Danish and in English."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from cmm.demo import seed_demo
from cmm.models import Organisation
from outreach.choices import CallerCategory, CallPurpose, Venue
from outreach.services import contact_log, hotline_call_save
from reports.forms import period_choices
from reports.periods import quarter_containing
from tests.browser.test_login_mobile import MOBILE_WIDTH, assert_no_horizontal_overflow, log_in

CPH = ZoneInfo("Europe/Copenhagen")


def seed_figures() -> str:
    """The demo world plus figures in the last full quarter and the one before; return that quarter's code."""
    from django.contrib.auth import get_user_model

    seed_demo()
    worker = get_user_model().objects.get(username="caseworker")
    organisation = worker.memberships.get().organisation
    quarter = quarter_containing(datetime.date.today()).previous()  # noqa: DTZ011 - the page's own default
    for shown, count in ((quarter, 12), (quarter.previous(), 7)):
        start = datetime.datetime.combine(shown.start, datetime.time(12), tzinfo=CPH)
        for day in range(count):
            moment = start + datetime.timedelta(days=day)
            hotline_call_save(
                by=worker,
                organisation=organisation,
                received_at=moment,
                caller_category=CallerCategory.POLICE,
                purpose=CallPurpose.INFORMATION,
            )
            contact_log(
                by=worker,
                organisation=organisation,
                occurred_at=moment,
                venue=Venue.STREET,
                indicators=[],
                client_code=f"BROWS-{shown.start.month:02}{day:03}",
            )
    assert Organisation.objects.exists()
    return quarter.code


def open_statistics(page, base_url, period: str):
    log_in(page, base_url, "analyst")
    page.wait_for_url(f"{base_url}/")
    page.goto(f"{base_url}/reports/statistics/")
    page.locator("#id_period").select_option(period)
    page.locator("form.stats__form button[type=submit]").click()
    page.wait_for_url(f"**/reports/statistics/?period={period}*")


@pytest.mark.browser
def test_analyst_reads_statistics_on_a_phone_then_in_english(live_server, mobile_page, screenshot):
    quarter = seed_figures()
    page = mobile_page
    open_statistics(page, live_server.url, quarter)

    expect(page.locator("html")).to_have_attribute("lang", "da")
    tables = page.locator("section.stat")
    expect(tables.first).to_be_visible()
    assert tables.count() >= 10
    calls = page.locator("#stat-hotline_calls")
    expect(calls.locator("tfoot td").last).to_have_text("12")
    # A chart per table and the trend, scaled to the phone.
    bar = calls.locator("svg[role=img]")
    expect(bar).to_be_visible()
    assert bar.bounding_box()["width"] <= MOBILE_WIDTH
    trend = page.locator("svg.chart--line")
    expect(trend).to_be_visible()
    assert trend.bounding_box()["width"] <= MOBILE_WIDTH
    # Wide tables scroll inside their card; the page itself does not.
    assert_no_horizontal_overflow(page)
    screenshot(page, "statistics_mobile_360.png")

    page.get_by_role("button", name="English").tap()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistics")
    expect(page.locator("#stat-hotline_calls tfoot th")).to_have_text("Total")
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()
    assert_no_horizontal_overflow(page)
    page.locator("#stat-hotline_calls").scroll_into_view_if_needed()
    screenshot(page, "statistics_english_mobile_360.png")


@pytest.mark.browser
def test_analyst_reads_statistics_on_a_desktop(live_server, desktop_page, screenshot):
    quarter = seed_figures()
    page = desktop_page
    open_statistics(page, live_server.url, quarter)

    expect(page.locator("section.stat").first).to_be_visible()
    expect(page.locator("#stat-persons_met svg[role=img]")).to_be_visible()
    expect(page.locator("svg.chart--line")).to_be_visible()
    # The comparison with the quarter before: 12 calls now, 7 then.
    compare = page.locator("#stat-hotline_calls .stat__table--compare tbody tr")
    expect(compare).to_have_count(3)
    expect(compare.nth(0).locator("td").last).to_have_text("12")
    expect(compare.nth(1).locator("td").last).to_have_text("7")
    labels = dict(period_choices(today=datetime.date.today()))  # noqa: DTZ011 - as the page lists them
    assert quarter in labels
    screenshot(page, "statistics_desktop.png")

    # A year has no quarterly trend but the same tables.
    page.locator("#id_period").select_option(str(int(quarter[:4])))
    page.locator("form.stats__form button[type=submit]").click()
    page.wait_for_url("**/reports/statistics/?period=*")
    expect(page.locator("section.stat").first).to_be_visible()
    expect(page.locator("svg.chart--line")).to_have_count(0)
