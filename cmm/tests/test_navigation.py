"""The main menu marks the section a page belongs to, and English dates are written day first."""

import datetime
import re

import pytest
from django.urls import reverse

from cmm.models import Role
from cmm.navigation import nav_menu

pytestmark = pytest.mark.django_db


def _current(html: str) -> set[str]:
    """The addresses the page's menus (the phone menu and the desktop bar) mark as the current section."""
    menus = re.findall(r'<nav class="(?:menu__panel|sections)".*?</nav>', html, flags=re.S)
    assert len(menus) == 2
    return {url for menu in menus for url in re.findall(r'<a href="([^"]+)" aria-current="page">', menu)}


def test_the_overview_marks_only_the_overview(login, users_a):
    client = login(users_a[Role.CASEWORKER])
    html = client.get("/").content.decode()
    assert _current(html) == {"/"}


def test_a_case_page_marks_cases(login, users_a, case_a):
    client = login(users_a[Role.CASEWORKER])
    html = client.get(reverse("case-detail", args=[case_a.pk])).content.decode()
    assert _current(html) == {"/cases/"}
    # Both the phone menu and the desktop bar carry the mark.
    assert html.count('href="/cases/" aria-current="page"') == 2


@pytest.mark.parametrize("url_name", ["case-reflection", "case-referrals", "case-presentations"])
def test_a_case_tab_served_by_another_app_marks_cases(login, users_a, case_a, url_name):
    client = login(users_a[Role.CASEWORKER])
    response = client.get(reverse(url_name, kwargs={"case_id": case_a.pk}))
    assert response.status_code == 200
    assert _current(response.content.decode()) == {"/cases/"}


def test_a_section_page_with_its_own_entry_marks_it(login, users_a):
    client = login(users_a[Role.CASEWORKER])
    html = client.get(reverse("contact-create")).content.decode()
    # "Log a contact" (/outreach/contacts/new/), not "Contacts" (/outreach/contacts/) or "Activity".
    assert _current(html) == {"/outreach/contacts/new/"}


def test_a_sub_page_named_by_an_entry_marks_it(users_a):
    membership = users_a[Role.CASEWORKER].memberships.get()
    menu = nav_menu(membership=membership, path="/referrals/7/", url_name="referral-detail", kwargs={"pk": 7})
    assert [entry["url"] for entry in menu if entry["current"]] == ["/referrals/incoming/"]
    menu = nav_menu(membership=membership, path="/outreach/clinics/3/", url_name="clinic-update", kwargs={})
    assert [entry["url"] for entry in menu if entry["current"]] == ["/outreach/"]


def test_a_page_outside_every_section_marks_none(users_a):
    membership = users_a[Role.CASEWORKER].memberships.get()
    menu = nav_menu(membership=membership, path="/accounts/password/", url_name="password_change")
    assert not any(entry["current"] for entry in menu)


def test_english_dates_are_day_first(login, users_a, open_case):
    caseworker = users_a[Role.CASEWORKER]
    case = open_case(by=caseworker, opened_on=datetime.date(2026, 2, 5))
    client = login(caseworker)
    client.cookies["cmm_language"] = "en"
    html = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert '<html lang="en">' in html
    assert "5 Feb 2026" in html
    for us_order in ("02/05/2026", "Feb. 5, 2026", "February 5, 2026", "2/5/2026"):
        assert us_order not in html


def test_danish_dates_stay_danish(login, users_a, open_case):
    caseworker = users_a[Role.CASEWORKER]
    case = open_case(by=caseworker, opened_on=datetime.date(2026, 2, 5))
    html = login(caseworker).get(reverse("case-detail", args=[case.pk])).content.decode()
    assert '<html lang="da">' in html
    assert "05.02.2026" in html
