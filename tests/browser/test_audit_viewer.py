"""The audit viewer in a real Chromium: a CMM coordinator filters the log on a 360-px phone and on a desktop,
in Danish; a refused look at a case shows up in it, and the page fits the screen."""

import pytest
from playwright.sync_api import expect

from cmm.demo import seed_demo
from cmm.models import AuditAction, AuditEvent
from tests.browser.conftest import DESKTOP
from tests.browser.test_login_mobile import assert_no_horizontal_overflow, log_in


@pytest.mark.browser
def test_coordinator_filters_the_audit_log_on_a_phone(live_server, mobile_page, new_page, screenshot):
    seed_demo()
    # An outreach worker of an NGO asks for a case that is not theirs to see (here: none by that number):
    # 404, and recorded as a refused access.
    outsider = new_page(**DESKTOP)
    log_in(outsider, live_server.url, "outreach")
    outsider.goto(f"{live_server.url}/cases/987654/")
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, actor__username="outreach").exists()

    page = mobile_page
    log_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/audit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Adgangslog")
    expect(page.locator("#audit-events tbody tr").first).to_be_visible()
    assert_no_horizontal_overflow(page)

    page.locator("#id_action").select_option(AuditAction.ACCESS_REFUSED)
    page.locator("#id_actor").fill("outreach")
    with page.expect_navigation():
        page.locator("#audit-filter button[type=submit]").tap()
    rows = page.locator("#audit-events tbody tr")
    expect(rows.first).to_contain_text("outreach")
    assert "outreach" in page.url and "access_refused" in page.url  # the filters, never a person's details
    assert_no_horizontal_overflow(page)
    screenshot(page, "audit_log_filtered_mobile_360.png")

    desktop = new_page(**DESKTOP)
    log_in(desktop, live_server.url, "coordinator")
    desktop.goto(f"{live_server.url}/audit/?action=access_refused")
    expect(desktop.locator("#audit-events tbody tr").first).to_contain_text("outreach")
    assert_no_horizontal_overflow(desktop, width=1280)
    screenshot(desktop, "audit_log_desktop.png")
