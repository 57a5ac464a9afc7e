"""Issue 18, "fewer taps": the live preview of a reflection-period extension on a 360-px phone (the new
deadline as the caseworker types the days or picks the date, the 100-day limit when passed), and a case
opened from an outreach contact landing on the case's timeline. Screenshots in Danish and English, on a phone
and a desktop."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.choices import ResidenceStatus
from cases.models import Case
from cmm.demo import seed_demo
from cmm.models import User
from identification.choices import Outcome, PresentedBy
from identification.services import decision_record, presentation_create
from outreach.services import contact_log
from reflection.choices import PeriodKind
from reflection.services import period_start
from tests.browser.conftest import MOBILE
from tests.browser.test_login_mobile import assert_no_horizontal_overflow, log_in

DESKTOP = {"viewport": {"width": 1366, "height": 900}, "device_scale_factor": 1, "locale": "da-DK"}


def _period():
    seed_demo()
    today = timezone.localdate()
    case = Case.objects.filter(
        organisation__case_prefix="REDEN", residence_status=ResidenceStatus.NO_LEGAL_RESIDENCE
    ).first()
    caseworker = User.objects.get(username="caseworker")
    case.reflection_periods.filter(outcome="").delete()
    presentation = presentation_create(
        case=case, by=caseworker, presented_on=today, presented_by=PresentedBy.POLICE
    )
    decision_record(
        presentation=presentation,
        by=User.objects.get(username="liaison"),
        outcome=Outcome.IDENTIFIED,
        decided_on=today,
        exploitation_types=["sexual"],
    )
    return period_start(case=case, by=caseworker, kind=PeriodKind.STATUTORY, starts_on=today)


def _language(page, base_url, lang):
    page.context.add_cookies([{"name": "cmm_language", "value": lang, "url": base_url}])


@pytest.mark.browser
def test_the_extension_preview_follows_the_typing_on_a_phone(live_server, new_page, screenshot):
    period = _period()
    today = timezone.localdate()
    url = f"{live_server.url}{reverse('reflection-extend', args=[period.pk])}"
    for lang in ("da", "en"):
        for name, options in (("360", MOBILE), ("1366", DESKTOP)):
            page = new_page(**options)
            log_in(page, live_server.url, "caseworker")
            _language(page, live_server.url, lang)
            page.goto(url)
            preview = page.locator("#extension-preview")
            limit = page.locator("#extension-limit")
            expect(limit).to_contain_text("70")
            expect(preview).to_be_hidden()
            # Days: the deadline moves with each day typed.
            page.locator("input[name=new_total_days]").fill("60")
            expect(preview).to_be_visible()
            expect(preview).to_contain_text("60")
            expect(preview).to_contain_text(str((today + datetime.timedelta(days=60)).year))
            expect(page.locator("input[name=new_ends_on]")).to_be_hidden()
            assert_no_horizontal_overflow(page, width=options["viewport"]["width"])
            screenshot(page, f"C_extension_days_{lang}_{name}.png")
            # The date instead: past the 100-day limit the preview says so.
            page.locator("input[name=extend_by][value=date]").check()
            expect(page.locator("input[name=new_total_days]")).to_be_hidden()
            page.locator("input[name=new_ends_on]").fill((today + datetime.timedelta(days=120)).isoformat())
            expect(preview).to_contain_text("100")
            page.locator("input[name=new_ends_on]").fill((today + datetime.timedelta(days=45)).isoformat())
            expect(preview).to_contain_text("45")
            assert_no_horizontal_overflow(page, width=options["viewport"]["width"])
            screenshot(page, f"C_extension_date_{lang}_{name}.png")
    # The server is the authority: saving by the date extends the period to 45 days.
    page.locator("select[name=ground]").select_option("medical")
    page.locator("main button.button--primary[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{reverse('case-reflection', args=[period.case_id])}")
    period.refresh_from_db()
    assert period.total_days == 45


@pytest.mark.browser
def test_a_case_opened_from_a_contact_shows_the_contact_on_its_timeline(live_server, new_page, screenshot):
    seed_demo()
    caseworker = User.objects.get(username="caseworker")
    organisation = caseworker.memberships.get().organisation
    contact = contact_log(
        by=caseworker,
        organisation=organisation,
        occurred_at=timezone.now() - datetime.timedelta(hours=2),
        venue="street",
        city="Aarhus",
        gender="female",
        nationality="RO",
        age_band="21-23",
        indicators=["debt_bondage", "threats"],
    )
    for lang in ("da", "en"):
        page = new_page(**MOBILE)
        log_in(page, live_server.url, "caseworker")
        _language(page, live_server.url, lang)
        page.goto(f"{live_server.url}{reverse('contact-list')}")
        assert_no_horizontal_overflow(page)
        screenshot(page, f"C_contact_list_{lang}_360.png")
        page.goto(f"{live_server.url}{reverse('contact-open-case', args=[contact.pk])}")
        expect(page.locator("input[name=gender][value=female]")).to_be_checked()
        expect(page.locator("input[name=control_means][value=debt_bondage]")).to_be_checked()
        assert_no_horizontal_overflow(page)
        screenshot(page, f"C_open_case_{lang}_360.png")
    page.locator("select[name=residence_status]").select_option("no_legal_residence")
    page.locator("main button.button--primary[type=submit]").click()
    contact.refresh_from_db()
    assert contact.case_id is not None
    page.wait_for_url(f"{live_server.url}{reverse('case-timeline', args=[contact.case_id])}")
    expect(page.locator("main")).to_contain_text("Case opened from an outreach contact")
    assert_no_horizontal_overflow(page)
    screenshot(page, "C_timeline_en_360.png")


@pytest.mark.browser
def test_the_identification_form_comes_prefilled_and_marked(live_server, new_page, screenshot):
    seed_demo()
    caseworker = User.objects.get(username="caseworker")
    case = Case.objects.filter(organisation__case_prefix="REDEN").first()
    case.control_means.all().delete()
    case.control_means.create(type="threats")
    presentation = presentation_create(
        case=case, by=caseworker, presented_on=timezone.localdate(), presented_by=PresentedBy.POLICE
    )
    for lang in ("da", "en"):
        page = new_page(**MOBILE)
        log_in(page, live_server.url, "caseworker")
        _language(page, live_server.url, lang)
        page.goto(f"{live_server.url}{reverse('identification-form-create', args=[presentation.pk])}")
        expect(page.locator(".prefilled")).to_be_visible()
        expect(page.locator("input[name=indicators][value=threats]")).to_be_checked()
        assert_no_horizontal_overflow(page)
        screenshot(page, f"C_identification_prefill_{lang}_360.png")
