"""Each role's home page lists today's work (issue 18), on a 360 px phone and a 1366 px desktop, in Danish and
in English; the case page shows its alert strip above the tabs; the case table fits a 1366 px screen and stays
cards on a phone. Every view is saved as a screenshot (test-output/screenshots/home_*.png)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import ActionPlanReview, Case
from cases.tests.factories import case_open_for_test
from cmm.demo import seed_demo
from cmm.models import Membership, Organisation, Role, User
from cmm.permissions import set_active_membership
from cmm.services import membership_add, user_create_member
from cmm.tests.factories import UserFactory
from identification.choices import PresentedBy, TaskKind
from identification.models import IdentificationTask
from identification.services import presentation_create
from outreach.models import Contact, MeetingPlaceSession
from referrals.choices import ReferralReason, ReturnBody, ReturnChannel, ReturnStatus
from referrals.models import ReturnFollowUp, ReturnPlan
from referrals.services.referrals import referral_send
from reflection.choices import PeriodKind
from reflection.models import ReflectionPeriod
from tests.browser.conftest import MOBILE
from tests.browser.test_login_mobile import assert_no_horizontal_overflow, log_in

DESKTOP_1366 = {"viewport": {"width": 1366, "height": 900}, "device_scale_factor": 1, "locale": "da-DK"}
VIEWS = [("360", MOBILE, 360), ("1366", DESKTOP_1366, 1366)]
LANGUAGES = ("da", "en")


def seed_work() -> dict:
    """The demo, plus work of every kind for each demo role (the demo already has a referral waiting for CMM,
    a group action due in 5 days, a draft return plan and an unaccompanied minor without a representative)."""
    seed_demo()
    today = timezone.localdate()
    by_prefix = {o.case_prefix: o for o in Organisation.objects.all()}
    caseworker = User.objects.get(username="caseworker")
    reden_cases = list(Case.objects.filter(organisation=by_prefix["REDEN"]).order_by("opened_on", "pk"))
    first, romanian, minor = reden_cases[0], reden_cases[1], reden_cases[2]
    # A deadline tomorrow (consider an extension), a review overdue, a follow-up in 6 days, a task in 2 days.
    ReflectionPeriod.objects.create(
        case=first,
        kind=PeriodKind.ACTION_PLAN,
        starts_on=today - datetime.timedelta(days=29),
        total_days=30,
        ends_on=today + datetime.timedelta(days=1),
    )
    ActionPlanReview.objects.create(case=romanian, review_on=today - datetime.timedelta(days=2))
    plan = ReturnPlan.objects.create(
        case=romanian,
        responsible_body=ReturnBody.CMM,
        channel=ReturnChannel.CMM,
        status=ReturnStatus.DEPARTED,
        destination_country="RO",
        actual_departure_on=today - datetime.timedelta(days=24),
    )
    ReturnFollowUp.objects.create(plan=plan, milestone="one_month", due_on=today + datetime.timedelta(days=6))
    # Presented: the minor (asylum seeker) to the Immigration Service 6 days ago, the Romanian to CMM.
    waiting_us = presentation_create(
        case=minor,
        by=caseworker,
        presented_on=today - datetime.timedelta(days=6),
        presented_by=PresentedBy.POLICE,
    )
    presentation_create(case=romanian, by=caseworker, presented_on=today, presented_by=PresentedBy.NGO)
    IdentificationTask.objects.create(
        case=minor,
        presentation=waiting_us,
        kind=TaskKind.START_REFLECTION,
        responsible_organisation=by_prefix["REDEN"],
        due_on=today + datetime.timedelta(days=2),
    )
    # A shelter asks Reden to take over the contact: a referral waiting for Reden's answer.
    shelter = User.objects.get(username="shelter")
    set_active_membership(shelter, Membership.objects.get(user=shelter, organisation=by_prefix["KCO"]))
    shelter_case = case_open_for_test(by=shelter, organisation=by_prefix["KCO"])
    referral_send(
        case=shelter_case,
        by=shelter,
        to_organisation=by_prefix["REDEN"],
        kind="share",
        reason=ReferralReason.HOUSING,
        consent_given=True,
        consent_on=today,
        consent_scope="facts",
    )
    # Data problems for the analyst: a period past its deadline, a case without nationality.
    ReflectionPeriod.objects.create(
        case=shelter_case,
        kind=PeriodKind.ACTION_PLAN,
        starts_on=today - datetime.timedelta(days=40),
        total_days=30,
        ends_on=today - datetime.timedelta(days=10),
    )
    case_open_for_test(by=caseworker, organisation=by_prefix["REDEN"], nationality="")
    # The admin: an invitation not accepted, a member without an authenticator.
    admin = User.objects.get(username="orgadmin")
    user_create_member(
        organisation=by_prefix["REDEN"],
        username="newcomer",
        first_name="Nina",
        last_name="Ny",
        email="nina@example.org",
        role=Role.CASEWORKER,
        by=admin,
    )
    membership_add(
        user=UserFactory(first_name="Bo", last_name="Uden"),
        organisation=by_prefix["REDEN"],
        role=Role.CASEWORKER,
    )
    # The outreach worker: two contacts this morning, the meeting place opened a week ago today.
    outreach = User.objects.get(username="outreach")
    now = timezone.now()
    for minutes in (90, 30):
        Contact.objects.create(
            organisation=by_prefix["REDEN"],
            worker=outreach,
            occurred_at=max(
                now - datetime.timedelta(minutes=minutes),
                timezone.make_aware(datetime.datetime.combine(today, datetime.time(0, 5))),
            ),
            venue="street",
            city="København",
        )
    MeetingPlaceSession.objects.create(
        organisation=by_prefix["REDEN"],
        place="Reden Café",
        date=today - datetime.timedelta(days=7),
        visitors=12,
        returning_visitors=8,
    )
    return {"first": first, "romanian": romanian, "minor": minor}


# What each role's home page must show (the kinds of work of its agenda, by data-kind).
EXPECTED = {
    "caseworker": [
        "reflection_deadline",
        "plan_review",
        "return_follow_up",
        "identification_task",
        "referral_waiting",
        "minor_without_representative",
        "group_action",
    ],
    "coordinator": ["referral_waiting", "presentation_waiting", "group_action"],
    "liaison": ["presentation_waiting"],
    "analyst": ["quarterly_report", "data_expired_periods", "data_no_nationality"],
    "orgadmin": ["invitation_pending", "two_factor_missing"],
    "outreach": ["meeting_place_day"],
}


def set_language(username: str, language: str) -> None:
    User.objects.filter(username=username).update(language=language)


@pytest.mark.browser
@pytest.mark.parametrize("username", list(EXPECTED))
def test_each_roles_home_page_lists_its_work(live_server, new_page, screenshot, username):
    seed_work()
    for language in LANGUAGES:
        set_language(username, language)
        for label, options, width in VIEWS:
            page = new_page(**options)
            log_in(page, live_server.url, username)
            page.goto(f"{live_server.url}/")
            expect(page.locator("html")).to_have_attribute("lang", language)
            agenda = page.locator("#agenda")
            expect(agenda).to_be_visible()
            for kind in EXPECTED[username]:
                expect(agenda.locator(f".agenda-item[data-kind='{kind}']").first).to_be_visible()
            # Most urgent first: the urgency of the items never goes back up the list.
            ranks = {"overdue": 0, "3": 1, "attention": 2, "7": 3, "14": 4, "later": 5}
            urgencies = [
                cls.split("agenda-item--")[1].split()[0]
                for cls in agenda.locator(".agenda-item").evaluate_all("els => els.map(e => e.className)")
            ]
            assert [ranks[u] for u in urgencies] == sorted(ranks[u] for u in urgencies)
            # Every item says its urgency in words, not only in colour.
            assert (
                agenda.locator(".agenda-item .agenda-badge").count() == agenda.locator(".agenda-item").count()
            )
            if username == "outreach":
                quick = page.locator(".agenda-quick__log")
                expect(quick).to_be_visible()
                assert quick.bounding_box()["y"] < agenda.bounding_box()["y"]
                expect(page.locator(".agenda-quick__contacts li")).to_have_count(2)
            assert_no_horizontal_overflow(page, width)
            screenshot(page, f"home_{username}_{label}_{language}.png")


@pytest.mark.browser
def test_an_empty_day_says_nothing_is_due(live_server, new_page, screenshot):
    seed_demo()
    membership = Membership.objects.get(user__username="liaison")
    assert membership.role == Role.AUTHORITY_LIAISON
    page = new_page(**MOBILE)
    log_in(page, live_server.url, "liaison")
    page.goto(f"{live_server.url}/")
    expect(page.locator("#agenda .agenda__empty")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "home_liaison_empty_360_da.png")


@pytest.mark.browser
def test_the_case_page_shows_its_state_above_the_tabs(live_server, new_page, screenshot):
    cases = seed_work()
    for language in LANGUAGES:
        set_language("caseworker", language)
        for label, options, width in VIEWS:
            page = new_page(**options)
            log_in(page, live_server.url, "caseworker")
            page.goto(f"{live_server.url}{reverse('case-detail', args=[cases['first'].pk])}")
            strip = page.locator("#case-alerts")
            expect(strip.locator(".agenda-item[data-kind='reflection_deadline']")).to_be_visible()
            expect(strip.locator(".agenda-item[data-kind='return_next_step']")).to_be_visible()
            assert strip.bounding_box()["y"] < page.locator(".casenav").bounding_box()["y"]
            assert_no_horizontal_overflow(page, width)
            screenshot(page, f"case_alerts_{label}_{language}.png")
            # One tap to where the deadline is handled.
            strip.locator(".agenda-item[data-kind='reflection_deadline'] a").click()
            page.wait_for_url(f"{live_server.url}{reverse('case-reflection', args=[cases['first'].pk])}")


@pytest.mark.browser
def test_the_case_table_fits_1366_px_and_is_cards_on_a_phone(live_server, new_page, screenshot):
    seed_work()
    for language in LANGUAGES:
        set_language("caseworker", language)
        for label, options, width in VIEWS:
            page = new_page(**options)
            log_in(page, live_server.url, "caseworker")
            page.goto(f"{live_server.url}{reverse('case-list')}?ordering=next_deadline")
            table = page.locator("table.caselist")
            expect(table).to_be_visible()
            sizes = page.evaluate(
                "() => { const t = document.querySelector('table.caselist');"
                " const box = t.parentElement, style = getComputedStyle(box);"
                " const pad = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);"
                " const inner = box.clientWidth - pad;"
                " return {table: Math.ceil(t.getBoundingClientRect().width), scroll: t.scrollWidth,"
                " box: Math.floor(inner), doc: document.documentElement.scrollWidth}; }"
            )
            # The table fits its column (no sideways scrolling, nothing cut off) and the page fits the screen.
            assert sizes["table"] <= sizes["box"], sizes
            assert sizes["scroll"] <= sizes["table"], sizes
            assert sizes["doc"] <= width, sizes
            # On a phone each row is a card (its cells stacked, each labelled); on a desktop a table row.
            display = table.locator("tbody tr").first.evaluate("row => getComputedStyle(row).display")
            assert display == ("block" if width == 360 else "table-row"), display
            first_deadline = table.locator("tbody tr").first.locator("td.nextdue time")
            expect(first_deadline).to_be_visible()
            screenshot(page, f"case_list_{label}_{language}.png")
