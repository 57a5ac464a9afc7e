"""Setting up two-factor authentication on a 360-px phone, in a real Chromium against the live server."""

import base64

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from cmm.models import Role
from cmm.tests.factories import TEST_PASSWORD
from tests.browser.test_login_mobile import MIN_TAP, assert_no_horizontal_overflow


@pytest.mark.browser
def test_caseworker_sets_up_two_factor_on_a_phone(live_server, mobile_page, screenshot, org_a, make_member):
    user = make_member(org_a, Role.CASEWORKER, first_name="Karen")
    page = mobile_page
    page.goto(f"{live_server.url}/cases/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(#id_password) button[type=submit]").click()

    # The password alone leads to the set-up, which keeps where the user was going.
    assert "/accounts/2fa/setup/?next=%2Fcases%2F" in page.url
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    qr = page.locator("#qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 120, "the QR code is too small to scan"
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 360
    assert_no_horizontal_overflow(page)
    screenshot(page, "two_factor_setup_mobile_360.png")

    # A wrong code: the error sits next to the field.
    page.locator("#id_code").fill("000000")
    with page.expect_navigation():
        page.locator("form:has(#id_code) button[type=submit]").tap()
    expect(page.locator(".field--error .field__error")).to_be_visible()

    # The key as shown (for typing into the app) gives the code, as the app would compute it.
    secret = page.locator("#secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.wait_for_timeout(1_100)  # django-otp lets the next try in after a second (doubling with each miss)
    page.locator("#id_code").fill(f"{totp(key):06d}")
    button = page.locator("form:has(#id_code) button[type=submit]")
    assert button.bounding_box()["height"] >= MIN_TAP
    with page.expect_navigation():
        button.tap()

    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    assert_no_horizontal_overflow(page)
    screenshot(page, "two_factor_recovery_codes_mobile_360.png")

    with page.expect_navigation():
        page.locator("#continue").tap()
    page.wait_for_url(f"{live_server.url}/cases/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # The menu leads to the settings, which count the recovery codes.
    page.locator("details.menu summary").tap()
    page.locator(".menu__panel a[href='/accounts/2fa/']").tap()
    page.wait_for_url(f"{live_server.url}/accounts/2fa/")
    expect(page.locator("#codes-left")).to_have_text("10")
    assert_no_horizontal_overflow(page)
