"""An NGO caseworker refers a case to CMM with the person's consent on a phone; the CMM coordinator accepts
on the incoming-referrals page and sees the case; the NGO revokes and the coordinator loses access."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from cases.choices import ResidenceStatus
from cases.models import Case
from cmm.demo import seed_demo
from cmm.models import Organisation
from referrals.choices import ReferralReason, ReferralStatus
from referrals.models import Referral
from tests.browser.conftest import DESKTOP, MOBILE
from tests.browser.test_login_mobile import assert_no_horizontal_overflow, log_in


def label(choice) -> str:
    with translation.override("da"):
        return str(choice.label)


@pytest.mark.browser
def test_an_ngo_refers_a_case_to_cmm_which_accepts_and_then_loses_access_on_revoke(
    live_server, new_page, screenshot
):
    seed_demo()
    cmm = Organisation.objects.get(case_prefix="CMM")
    case = Case.objects.get(organisation__case_prefix="REDEN", residence_status=ResidenceStatus.EU_CITIZEN)
    base = live_server.url
    case_url = f"{base}/cases/{case.pk}/"

    # Reden's caseworker refers the case to CMM from the case's referral tab.
    ngo = new_page(**MOBILE)
    log_in(ngo, base, "caseworker")
    ngo.wait_for_url(f"{base}/")
    ngo.goto(f"{base}/referrals/cases/{case.pk}/referrals/")
    assert_no_horizontal_overflow(ngo)
    ngo.locator(f"a[href='/referrals/cases/{case.pk}/referrals/new/']").tap()
    ngo.wait_for_url(f"{base}/referrals/cases/{case.pk}/referrals/new/")
    ngo.locator("select[name=to_organisation]").select_option(str(cmm.pk))
    expect(ngo.locator("input[name=kind][value=share]")).to_be_checked()
    ngo.locator("select[name=reason]").select_option(ReferralReason.IDENTIFICATION.value)
    ngo.locator("textarea[name=request_note]").fill("Assessment of indicators; the person speaks Romanian.")
    ngo.locator("input[name=consent_given][value=yes]").check()
    ngo.locator("input[name=consent_scope][value=facts]").check()
    expect(ngo.locator("textarea[name=override_reason]")).to_have_count(0)  # caseworkers cannot override
    assert_no_horizontal_overflow(ngo)
    screenshot(ngo, "referral_form_360.png")
    ngo.locator("main button.button--primary[type=submit]").tap()
    ngo.wait_for_url(f"{base}/referrals/cases/{case.pk}/referrals/")
    expect(ngo.locator(".messages")).to_contain_text(cmm.name)
    expect(ngo.locator("main table")).to_contain_text(cmm.name)
    assert_no_horizontal_overflow(ngo)
    referral = Referral.objects.get(case=case, to_organisation=cmm)
    assert referral.status == ReferralStatus.PENDING

    # CMM's coordinator cannot open the case yet, and accepts on the incoming page.
    coordinator = new_page(**MOBILE)
    log_in(coordinator, base, "coordinator")
    coordinator.wait_for_url(f"{base}/")
    assert coordinator.goto(case_url).status == 404
    coordinator.goto(f"{base}/referrals/incoming/")
    expect(coordinator.locator("h1 .refcount")).to_be_visible()
    row = coordinator.locator("main table tr", has_text=case.number)
    expect(row).to_contain_text(label(ReferralReason.IDENTIFICATION))
    assert_no_horizontal_overflow(coordinator)
    screenshot(coordinator, "referral_incoming_360.png")
    row.locator(f"form[action='/referrals/{referral.pk}/accept/'] button").tap()
    coordinator.wait_for_url(case_url)
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text(case.number)
    expect(coordinator.locator(".messages")).to_contain_text(case.number)
    assert_no_horizontal_overflow(coordinator)
    screenshot(coordinator, "referral_accepted_case_360.png")

    # The caseworker revokes the referral from its page, with the reason.
    ngo.goto(f"{base}/referrals/{referral.pk}/")
    ngo.locator("textarea[name=revoke-reason]").fill("The person withdrew their consent.")
    assert_no_horizontal_overflow(ngo)
    screenshot(ngo, "referral_detail_revoke_360.png")
    ngo.locator(f"form[action='/referrals/{referral.pk}/revoke/'] button[type=submit]").tap()
    ngo.wait_for_url(f"{base}/referrals/{referral.pk}/")
    expect(ngo.locator(".messages")).to_contain_text(cmm.name)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REVOKED

    # The coordinator's next request for the case is refused.
    assert coordinator.goto(case_url).status == 404

    # On a desktop, the sent tab shows the revoked referral.
    desktop = new_page(**DESKTOP)
    log_in(desktop, base, "caseworker")
    desktop.wait_for_url(f"{base}/")
    desktop.goto(f"{base}/referrals/incoming/?view=sent")
    sent_row = desktop.locator("main table tr", has_text=case.number)
    expect(sent_row).to_contain_text(label(ReferralStatus.REVOKED))
    assert_no_horizontal_overflow(desktop, width=1280)
    screenshot(desktop, "referral_sent_desktop.png")
