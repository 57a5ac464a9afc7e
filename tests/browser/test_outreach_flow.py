"""On a 360 px phone: an anonymous street contact with indicators in at most six interactions, then a
hotline call."""

import pytest
from playwright.sync_api import expect

from cmm.demo import seed_demo
from outreach.choices import CallerCategory, CallPurpose, Indicator, Venue
from outreach.models import Contact, HotlineCall
from tests.browser.test_login_mobile import assert_no_horizontal_overflow, log_in

MAX_INTERACTIONS = 6


@pytest.mark.browser
def test_outreach_worker_logs_a_street_contact_in_six_taps_then_a_hotline_call(
    live_server, mobile_page, screenshot
):
    seed_demo()
    page = mobile_page
    log_in(page, live_server.url, "outreach")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/outreach/contacts/new/")
    assert_no_horizontal_overflow(page)
    screenshot(page, "contact_form_360.png")

    # Every tap or tick the worker makes after the form opens is one interaction.
    interactions = [
        lambda: page.locator(f"input[name=venue][value={Venue.STREET}]").check(),
        lambda: page.locator("input[name=gender][value=female]").check(),
        lambda: page.locator("input[name=age_band][value='21-23']").check(),
        lambda: page.locator(f"input[name=indicators][value={Indicator.WITHHOLDS_DOCUMENTS}]").check(),
        lambda: page.locator(f"input[name=indicators][value={Indicator.DEBT_BONDAGE}]").check(),
        lambda: page.locator("main button.qf__save").tap(),
    ]
    assert len(interactions) <= MAX_INTERACTIONS
    for interact in interactions:
        interact()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_be_visible()

    contact = Contact.objects.get()
    assert (contact.venue, contact.gender, contact.age_band) == (Venue.STREET, "female", "21-23")
    assert set(contact.indicators) == {Indicator.WITHHOLDS_DOCUMENTS, Indicator.DEBT_BONDAGE}
    assert contact.has_indicators
    assert contact.worker.username == "outreach"
    assert contact.organisation.case_prefix == "REDEN"
    assert contact.case is None and contact.client_code == ""
    # Ready for the next one, with the venue remembered.
    expect(page.locator(f"input[name=venue][value={Venue.STREET}]")).to_be_checked()
    screenshot(page, "contact_saved_360.png")

    # Then the phone rings.
    page.goto(f"{live_server.url}/outreach/hotline/new/")
    assert_no_horizontal_overflow(page)
    page.locator(f"input[name=caller_category][value={CallerCategory.POSSIBLE_VICTIM}]").check()
    page.locator(f"input[name=purpose][value={CallPurpose.VICTIM_NEEDS_ASSISTANCE}]").check()
    screenshot(page, "hotline_form_360.png")
    page.locator("main button.button--primary[type=submit]").last.tap()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_be_visible()

    call = HotlineCall.objects.get()
    assert (call.caller_category, call.purpose, call.wrong_number) == (
        CallerCategory.POSSIBLE_VICTIM,
        CallPurpose.VICTIM_NEEDS_ASSISTANCE,
        False,
    )
    assert call.recorded_by.username == "outreach"
