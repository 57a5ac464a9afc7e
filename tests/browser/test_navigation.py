"""The sections on a desktop (a sticky top bar, no menu button) and on a phone (the menu button), with the
current section marked, in Danish and English."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.models import Case
from cmm.demo import seed_demo
from tests.browser.test_login_mobile import assert_no_horizontal_overflow, log_in

# Where else to copy the screenshots (for looking at them), besides test-output/screenshots/.
SHOTS = os.environ.get("CMM_SHOTS_DIR", "")
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "device_scale_factor": 1, "locale": "da-DK"}
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "da-DK",
}


def shot(page, screenshot, name):
    path = screenshot(page, name)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        (Path(SHOTS) / name).write_bytes(Path(path).read_bytes())


def to_english(page):
    page.locator(".langswitch__button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.browser
def test_desktop_shows_the_sections_in_a_sticky_bar_and_marks_the_case_section(
    live_server, new_page, screenshot
):
    seed_demo()
    page = new_page(**DESKTOP)
    log_in(page, live_server.url, "coordinator")
    page.wait_for_url(f"{live_server.url}/")

    bar = page.locator("nav.sections")
    expect(bar).to_be_visible()
    expect(bar.get_by_role("link", name="Sager")).to_be_visible()
    expect(page.locator(".menu__label")).to_be_hidden()  # no menu button on a desktop
    expect(page.locator(".menu__account")).to_be_visible()
    expect(bar.locator("a[aria-current=page]")).to_have_text("Overblik")
    for link in bar.locator("a").all():
        assert link.bounding_box()["height"] >= 44
    shot(page, screenshot, "nav_home_desktop_da.png")

    # A caseworker (the coordinator's CMM has no demo cases) goes from the bar to a case.
    page = new_page(**DESKTOP)
    log_in(page, live_server.url, "caseworker")
    page.wait_for_url(f"{live_server.url}/")
    bar = page.locator("nav.sections")
    bar.get_by_role("link", name="Sager").click()
    page.wait_for_url(f"{live_server.url}/cases/")
    page.locator("table a[href^='/cases/']").first.click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    current = bar.locator("a[aria-current=page]")
    expect(current).to_have_text("Sager")
    # The mark is visible, not only for screen readers: the current link looks different from the others.
    other = bar.get_by_role("link", name="Overblik")
    assert current.evaluate("e => getComputedStyle(e).backgroundColor") != other.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert_no_horizontal_overflow(page, width=1366)

    # The bar stays at the top of a scrolled page.
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(200)
    assert page.evaluate("window.scrollY") > 0
    assert bar.bounding_box()["y"] <= 80
    expect(bar).to_be_in_viewport()
    shot(page, screenshot, "nav_case_desktop_scrolled_da.png")

    page.evaluate("window.scrollTo(0, 0)")
    to_english(page)
    expect(bar.locator("a[aria-current=page]")).to_have_text("Cases")
    shot(page, screenshot, "nav_case_desktop_en.png")


@pytest.mark.browser
def test_phone_shows_the_menu_button_and_marks_the_case_section(live_server, new_page, screenshot):
    seed_demo()
    case = Case.objects.filter(organisation__case_prefix="REDEN").first()
    page = new_page(**PHONE)
    log_in(page, live_server.url, "caseworker")
    page.wait_for_url(f"{live_server.url}/")

    expect(page.locator("nav.sections")).to_be_hidden()
    toggle = page.locator("details.menu summary")
    expect(toggle.locator(".menu__label")).to_have_text("Menu")
    expect(toggle.locator(".menu__account")).to_be_hidden()
    assert toggle.bounding_box()["height"] >= 44
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    toggle.tap()
    panel = page.locator(".menu__panel")
    expect(panel.locator("a[aria-current=page]")).to_have_text("Sager")
    assert_no_horizontal_overflow(page)
    shot(page, screenshot, "nav_case_phone_menu_da.png")

    toggle.tap()
    to_english(page)
    page.locator("details.menu summary").tap()
    expect(page.locator(".menu__panel a[aria-current=page]")).to_have_text("Cases")
    shot(page, screenshot, "nav_case_phone_menu_en.png")


@pytest.mark.browser
def test_statistics_table_of_contents_leads_to_each_heading_below_the_sticky_bar(
    live_server, new_page, screenshot
):
    from tests.browser.test_statistics_page import open_statistics, seed_figures

    period = seed_figures()
    page = new_page(**DESKTOP)
    open_statistics(page, live_server.url, period)
    toc = page.locator("nav.toc")
    expect(toc).to_be_visible()  # open without a tap
    links = toc.locator("a")
    assert links.count() == page.locator("section.stat h2").count() > 3
    shot(page, screenshot, "statistics_toc_desktop_da.png")

    last = links.last
    target = last.get_attribute("href")
    last.click()
    page.wait_for_timeout(300)
    heading = page.locator(target)
    expect(heading).to_be_in_viewport()
    bar_bottom = page.locator("header.topbar").bounding_box()
    bar_bottom = bar_bottom["y"] + bar_bottom["height"]
    heading_box = heading.bounding_box()
    assert heading_box["y"] >= bar_bottom, "the sticky bar covers the heading the contents led to"

    page2 = new_page(**PHONE)
    open_statistics(page2, live_server.url, period)
    expect(page2.locator("nav.toc")).to_be_visible()
    assert_no_horizontal_overflow(page2)


@pytest.mark.browser
@pytest.mark.parametrize(("options", "size"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_error_pages_in_the_layout_in_both_languages(live_server, new_page, screenshot, options, size):
    seed_demo()
    page = new_page(**options)
    log_in(page, live_server.url, "caseworker")
    page.wait_for_url(f"{live_server.url}/")
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Ikke fundet")
    expect(page.locator("header.topbar")).to_be_visible()
    assert_no_horizontal_overflow(page, width=options["viewport"]["width"])
    shot(page, screenshot, f"error_404_{size}_da.png")
    to_english(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    shot(page, screenshot, f"error_404_{size}_en.png")

    from django.test import RequestFactory
    from django.views.defaults import server_error

    html = server_error(RequestFactory().get("/")).content.decode()
    page.set_content(html.replace('href="/static/', f'href="{live_server.url}/static/'))
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text("Der skete en fejl")
    assert (
        page.locator("header.topbar").evaluate("e => getComputedStyle(e).backgroundColor")
        != "rgba(0, 0, 0, 0)"
    )
    assert_no_horizontal_overflow(page, width=options["viewport"]["width"])
    shot(page, screenshot, f"error_500_{size}.png")
