"""Logging in on a phone (360 px) and on a desktop, in a real Chromium against the live server."""

import re

import pytest
from playwright.sync_api import expect

from cmm.demo import DEMO_PASSWORD, seed_demo

MOBILE_WIDTH = 360
MIN_TAP = 44


def log_in(page, base_url, username, password=DEMO_PASSWORD):
    """Log in with the password and, when asked, the code of the user's authenticator (given one if missing:
    the demo users have the demo key)."""
    from cmm.models import User
    from cmm.two_factor.testing import totp_code, totp_device_ensure

    user = User.objects.filter(username=username).first()
    device = totp_device_ensure(user) if user is not None else None
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("form:has(#id_password) button[type=submit]").click()
    if device is not None and "/accounts/2fa/verify/" in page.url:
        page.locator("#id_code").fill(totp_code(device))
        with page.expect_navigation():
            page.locator("form:has(#id_code) button[type=submit]").click()


def assert_no_horizontal_overflow(page, width=MOBILE_WIDTH):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page is {scroll_width} px wide on a {width} px screen"


@pytest.mark.browser
def test_caseworker_logs_in_on_a_phone_in_danish(live_server, mobile_page, screenshot):
    seed_demo()
    page = mobile_page
    page.goto(f"{live_server.url}/accounts/login/")

    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    expect(page.get_by_role("button", name="Log ind")).to_be_visible()
    assert_no_horizontal_overflow(page)

    log_in(page, live_server.url, "caseworker")
    page.wait_for_url(f"{live_server.url}/")

    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page).to_have_title(re.compile(r"^Overblik"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Velkommen, Karen")
    expect(page.get_by_role("heading", name="Reden International")).to_be_visible()
    assert_no_horizontal_overflow(page)

    menu = page.locator("details.menu")
    expect(menu).not_to_have_attribute("open", "")
    menu.locator("summary").tap()
    expect(menu).to_have_attribute("open", "")
    panel = menu.locator(".menu__panel")
    expect(panel).to_be_visible()
    expect(panel.locator(".menu__who")).to_contain_text("Reden International")

    links = panel.locator(".menu__list a")
    expect(links.first).to_be_visible()
    labels = links.all_inner_texts()
    assert "Overblik" in labels
    assert "Skift adgangskode" in labels
    assert "Medlemmer" not in labels  # a caseworker does not manage members
    for link in links.all():
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None
        assert box["height"] >= MIN_TAP, f"{link.inner_text()!r} is {box['height']} px high"
        # Its middle, where a thumb lands, is on the screen.
        assert 0 <= box["x"] + box["width"] / 2 <= MOBILE_WIDTH, f"{link.inner_text()!r} is off screen"
    logout = panel.get_by_role("button", name=re.compile(r"^Log ud"))
    expect(logout).to_be_visible()
    assert logout.bounding_box()["height"] >= MIN_TAP
    assert_no_horizontal_overflow(page)

    screenshot(page, "login_mobile_360.png")

    # The entries are really tappable: the current page's entry leads back to the overview.
    links.filter(has_text="Overblik").tap()
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.browser
def test_wrong_password_on_a_phone_shows_the_danish_error(live_server, mobile_page, screenshot):
    seed_demo()
    page = mobile_page

    log_in(page, live_server.url, "caseworker", password="not-the-password")

    error = page.locator("form .form-errors[role=alert]")
    expect(error).to_contain_text("Brugernavn eller adgangskode er forkert")
    expect(error).to_be_visible()
    assert page.url.rstrip("/").endswith("/accounts/login")
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    expect(page.locator("#id_username")).to_have_value("caseworker")
    # The error sits in the form, right above the fields.
    error_box = error.bounding_box()
    username_box = page.locator("#id_username").bounding_box()
    assert error_box["y"] + error_box["height"] <= username_box["y"]
    assert_no_horizontal_overflow(page)

    screenshot(page, "login_error_mobile_360.png")


@pytest.mark.browser
def test_language_switch_on_the_login_page_shows_english(live_server, mobile_page, screenshot):
    page = mobile_page
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()

    switch = page.get_by_role("button", name="English")
    assert switch.bounding_box()["height"] >= MIN_TAP
    switch.tap()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Dansk")).to_be_visible()
    assert page.url.rstrip("/").endswith("/accounts/login")
    assert_no_horizontal_overflow(page)

    screenshot(page, "login_english_360.png")


@pytest.mark.browser
def test_orgadmin_opens_the_members_list_on_a_desktop(live_server, desktop_page, screenshot):
    seed_demo()
    page = desktop_page

    log_in(page, live_server.url, "orgadmin")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Velkommen, Ole")

    # On a desktop the sections are in the top bar, without opening a menu.
    page.locator("nav.sections").get_by_role("link", name="Medlemmer").click()
    page.wait_for_url(f"{live_server.url}/members/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Medlemmer")
    table = page.locator("table.table")
    expect(table).to_be_visible()
    expect(table.locator("thead th").first).to_have_text("Navn")
    # Reden International's demo members: the caseworker, the outreach worker and the admin.
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    for username in ("caseworker", "outreach", "orgadmin"):
        expect(rows.filter(has_text=username)).to_have_count(1)
    expect(rows.filter(has_text="coordinator")).to_have_count(0)  # another organisation's member
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    screenshot(page, "members_desktop.png")


@pytest.mark.browser
def test_open_menu_fits_a_360_px_screen(live_server, mobile_page):
    seed_demo()
    page = mobile_page
    log_in(page, live_server.url, "caseworker")
    page.wait_for_url(f"{live_server.url}/")

    page.locator("details.menu summary").tap()
    panel = page.locator("details.menu .menu__panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box["x"] >= 0, f"the menu starts {-box['x']} px left of the screen"
    assert box["x"] + box["width"] <= MOBILE_WIDTH


@pytest.mark.browser
def test_orgadmin_overview_fits_a_360_px_screen(live_server, mobile_page):
    seed_demo()
    page = mobile_page
    log_in(page, live_server.url, "orgadmin")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".agenda-org")).to_contain_text("Organisationsadministrator")

    assert_no_horizontal_overflow(page)
