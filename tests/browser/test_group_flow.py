"""On a phone, CMM's coordinator writes the minutes of a referral-group meeting: a case number typed into them
is warned about while typing and refused on saving, with nothing typed lost; the member organisation's
caseworker then reads the group page. Debian's Chromium through Playwright (see tests/browser/conftest.py)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cmm.demo import seed_demo
from cmm.models import Organisation, User
from referrals.choices import MemberSector
from referrals.models import GroupMeeting, ReferralGroup
from referrals.services.groups import action_add, meeting_create, member_add
from tests.browser.conftest import DESKTOP, MOBILE
from tests.browser.test_login_mobile import assert_no_horizontal_overflow, log_in

CASE_NUMBER = "CMM-2026-00042"


@pytest.mark.browser
def test_the_coordinator_is_warned_of_a_case_number_in_the_minutes_and_the_member_reads_the_group(
    live_server, new_page, screenshot
):
    seed_demo()
    coordinator = User.objects.get(username="coordinator")
    group = ReferralGroup.objects.get(region="nordjylland")
    member = member_add(
        group=group,
        by=coordinator,
        organisation=Organisation.objects.get(case_prefix="REDEN"),
        user=User.objects.get(username="caseworker"),
        sector=MemberSector.NGO,
    )
    police = member_add(
        group=group,
        by=coordinator,
        organisation_name="Nordjyllands Politi, Afdelingen for Menneskehandel og Grænseoverskridende "
        "Kriminalitet",
        name="Vicepolitiinspektør",
        sector=MemberSector.POLICE,
    )
    starts_at = timezone.now() + datetime.timedelta(days=3)
    meeting = meeting_create(
        group=group,
        by=coordinator,
        starts_at=starts_at,
        place="Aalborg",
        agenda="1. Velkomst",
        attendees=[member],
    )
    action_add(
        meeting=meeting,
        by=coordinator,
        description="Send den nye visitationsprocedure til alle medlemmer",
        due_on=timezone.localdate() + datetime.timedelta(days=10),
        owner=member,
    )

    page = new_page(**MOBILE)
    log_in(page, live_server.url, "coordinator")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}{reverse('referral-group-meeting-edit', args=[meeting.pk])}")
    expect(page.get_by_label(police.name, exact=False)).to_be_visible()

    minutes = page.locator("#id_minutes")
    minutes.fill(f"Vi drøftede {CASE_NUMBER.lower()} og nye rutiner.")
    warning = page.locator("#id_minutes_casewarning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(CASE_NUMBER.lower())
    assert_no_horizontal_overflow(page)
    screenshot(page, "group_minutes_warning_360.png")

    # The server is the rule: saving anyway is refused next to the field, and the text stays.
    page.locator("form.grmeetingform button[type=submit]").click()
    expect(page.locator(".field--error .field__error")).to_contain_text(CASE_NUMBER.lower())
    expect(minutes).to_have_value(f"Vi drøftede {CASE_NUMBER.lower()} og nye rutiner.")
    assert GroupMeeting.objects.get(pk=meeting.pk).minutes == ""

    minutes.fill("Vi drøftede nye rutiner for visitation.")
    expect(warning).to_be_hidden()
    page.locator("form.grmeetingform button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{reverse('referral-group-meeting-detail', args=[meeting.pk])}")
    expect(page.locator("#minutes")).to_contain_text("nye rutiner for visitation")
    assert_no_horizontal_overflow(page)
    screenshot(page, "group_meeting_360.png")

    # The member organisation's caseworker sees the group, its meeting and the open action.
    member_page = new_page(**MOBILE)
    log_in(member_page, live_server.url, "caseworker")
    member_page.wait_for_url(f"{live_server.url}/")
    member_page.goto(f"{live_server.url}{reverse('referral-group-list')}")
    member_page.get_by_role("link", name=group.name).click()
    expect(member_page.get_by_role("heading", level=1)).to_have_text(group.name)
    expect(member_page.locator(f"#upcoming [data-meeting='{meeting.pk}']")).to_be_visible()
    expect(member_page.locator("#actions .graction")).to_have_count(1)
    assert_no_horizontal_overflow(member_page)
    screenshot(member_page, "group_detail_member_360.png")

    desktop = new_page(**DESKTOP)
    log_in(desktop, live_server.url, "coordinator")
    desktop.wait_for_url(f"{live_server.url}/")
    desktop.goto(f"{live_server.url}{reverse('referral-group-detail', args=[group.pk])}")
    expect(desktop.locator("#members [data-member]")).to_have_count(2)
    screenshot(desktop, "group_detail_desktop.png")
