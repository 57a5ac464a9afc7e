"""Never lose typed work (issue 18), in a real Chromium against the live server: a contact typed on a phone
whose session ends (deleted on the server) before *Gem* is saved after logging in again with the second
factor, exactly once; a long form that fails moves the focus to its error summary, whose links lead to the
fields; the idle-timeout warning offers to stay logged in."""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from cmm.demo import DEMO_PASSWORD, seed_demo
from cmm.models import KeptSubmission, User
from cmm.two_factor.testing import totp_code, totp_device_ensure
from outreach.choices import Venue
from outreach.models import Contact
from tests.browser.conftest import DESKTOP, MOBILE
from tests.browser.test_login_mobile import assert_no_horizontal_overflow, log_in

NOTE = "Mødt ved Istedgade, vil gerne tale igen på fredag"
WIDE = {**DESKTOP, "viewport": {"width": 1366, "height": 900}}


def _end_session_on_server(page):
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    deleted, _rows = Session.objects.filter(session_key=key).delete()
    assert deleted == 1


@pytest.mark.browser
@pytest.mark.parametrize("language", ["da", "en"])
def test_a_contact_typed_when_the_session_ended_is_saved_once_after_logging_in_again(
    live_server, new_page, screenshot, language
):
    seed_demo()
    User.objects.filter(username="outreach").update(language=language)  # the login sets the language
    page = new_page(**{**MOBILE, "locale": "da-DK" if language == "da" else "en-GB"})
    log_in(page, live_server.url, "outreach")
    page.goto(f"{live_server.url}/outreach/contacts/new/")
    page.locator(f"input[name=venue][value={Venue.STREET}]").check()
    page.locator("input[name=gender][value=female]").check()
    page.locator("input[name=age_band][value='21-23']").check()
    page.locator("#id_note").fill(NOTE)

    # The phone was in the pocket too long: the session is gone on the server. Gem.
    _end_session_on_server(page)
    with page.expect_navigation():
        page.locator("main button.qf__save").tap()
    assert "/accounts/login/" in page.url
    assert NOTE not in page.url and "Istedgade" not in page.url
    explanation = page.locator(".messages")
    # (Danish once the lead has merged the translations of /tmp/po/B.txt.)
    expect(explanation).to_contain_text(re.compile("your form will be filled in|formularen udfyldt"))
    assert not Contact.objects.exists()
    assert KeptSubmission.objects.count() == 1
    assert_no_horizontal_overflow(page)
    screenshot(page, f"kept_login_{language}_360.png")

    # Password, then the second factor, on the pages the app shows.
    page.locator("#id_username").fill("outreach")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(#id_password) button[type=submit]").tap()
    assert "/accounts/2fa/verify/" in page.url
    device = totp_device_ensure(User.objects.get(username="outreach"))
    page.locator("#id_code").fill(totp_code(device))
    with page.expect_navigation():
        page.locator("form:has(#id_code) button[type=submit]").tap()

    # Back on the form, filled in as typed, nothing saved yet.
    page.wait_for_url(f"{live_server.url}/outreach/contacts/new/")
    expect(page.locator("#id_note")).to_have_value(NOTE)
    expect(page.locator(f"input[name=venue][value={Venue.STREET}]")).to_be_checked()
    expect(page.locator("input[name=age_band][value='21-23']")).to_be_checked()
    expect(page.locator(".messages")).to_contain_text(re.compile("tap Save|tryk på Gem"))
    assert not Contact.objects.exists()
    assert not KeptSubmission.objects.exists()
    assert_no_horizontal_overflow(page)
    screenshot(page, f"kept_refilled_{language}_360.png")

    # One tap on Gem (a second one is ignored by the page, and would be refused by the database).
    with page.expect_navigation():
        page.evaluate(
            "() => { const save = document.querySelector('main button.qf__save');"
            " save.click(); save.click(); }"
        )
    expect(page.locator(".messages .message--success")).to_be_visible()
    contact = Contact.objects.get()
    assert contact.note == NOTE and contact.worker.username == "outreach"
    assert (contact.venue, contact.gender, contact.age_band) == (Venue.STREET, "female", "21-23")
    # The ready form for the next contact has no draft of the saved one.
    page.goto(f"{live_server.url}/outreach/contacts/new/")
    expect(page.locator("#id_note")).to_have_value("")
    expect(page.locator(".draft-notice")).to_have_count(0)
    assert Contact.objects.count() == 1


@pytest.mark.browser
@pytest.mark.parametrize(
    ("options", "suffix", "language"),
    [(MOBILE, "360", "da"), (WIDE, "1366", "da"), (MOBILE, "360", "en"), (WIDE, "1366", "en")],
)
def test_a_failed_long_form_moves_the_focus_to_its_error_summary(
    live_server, new_page, screenshot, options, suffix, language
):
    seed_demo()
    User.objects.filter(username="caseworker").update(language=language)
    page = new_page(**options)
    log_in(page, live_server.url, "caseworker")
    page.goto(f"{live_server.url}/cases/new/")
    page.locator("#id_opened_on").fill("")  # required
    page.locator("#id_estimated_age").fill("500")  # at most 120
    page.locator("input[name=gender]").first.check()
    page.locator("form.caseform button[type=submit]").first.click()
    page.wait_for_load_state()

    summary = page.locator("form.caseform [data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    links = summary.locator("a[href^='#id_']")
    expect(links).to_have_count(2)
    expect(summary).to_contain_text("Ikke gemt endnu" if language == "da" else "Not saved yet")
    box = summary.bounding_box()
    assert 0 <= box["y"] < options["viewport"]["height"], "the summary is on the screen"
    assert_no_horizontal_overflow(page, width=options["viewport"]["width"])
    screenshot(page, f"error_summary_{language}_{suffix}.png")

    # A link of the summary takes the focus into its field.
    summary.locator("a[href='#id_estimated_age']").click()
    expect(page.locator("#id_estimated_age")).to_be_focused()


@pytest.mark.browser
def test_a_long_form_keeps_a_draft_while_typing_and_forgets_it_when_saved(live_server, desktop_page):
    seed_demo()
    page = desktop_page
    log_in(page, live_server.url, "outreach")
    page.goto(f"{live_server.url}/outreach/contacts/new/")
    page.locator("#id_note").fill(NOTE)
    page.locator("input[name=gender][value=female]").check()
    page.wait_for_timeout(600)  # the draft is written a moment after typing stops

    page.reload()
    expect(page.locator("#id_note")).to_have_value(NOTE)
    expect(page.locator("input[name=gender][value=female]")).to_be_checked()
    expect(page.locator(".draft-notice")).to_be_visible()
    stored = page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('cmm-draft:'))")
    # Keyed by a hash of the user and the page's path: no name, nothing typed.
    assert len(stored) == 1 and re.fullmatch(r"cmm-draft:[0-9a-f]{16}:/outreach/contacts/new/#0", stored[0])
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('cmm-draft:')).length") == 0

    # Discarding it gives the form as the server sent it.
    page.locator(".draft-notice button").click()
    expect(page.locator("#id_note")).to_have_value("")
    page.locator("#id_note").fill(NOTE)
    page.locator(f"input[name=venue][value={Venue.STREET}]").check()
    page.locator("input[name=age_band][value='21-23']").check()
    page.wait_for_timeout(600)
    with page.expect_navigation():
        page.locator("main button.qf__save").click()
    expect(page.locator(".messages .message--success")).to_be_visible()
    expect(page.locator("#id_note")).to_have_value("")
    assert page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('cmm-draft:')).length") == 0
    assert Contact.objects.get().note == NOTE


@pytest.mark.browser
@pytest.mark.parametrize("language", ["da", "en"])
def test_the_idle_warning_offers_to_stay_logged_in(live_server, new_page, screenshot, settings, language):
    seed_demo()
    settings.SESSION_COOKIE_AGE = 600
    settings.SESSION_WARN_SECONDS = 120
    User.objects.filter(username="outreach").update(language=language)  # the login sets the language
    page = new_page(**{**MOBILE, "locale": "da-DK" if language == "da" else "en-GB"})
    log_in(page, live_server.url, "outreach")
    page.clock.install()
    page.goto(f"{live_server.url}/outreach/contacts/new/")
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_hidden()
    # Nothing happens for eight and a half minutes: the warning comes two minutes before the end.
    page.clock.fast_forward(510_000)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(re.compile("logged out at|logget ud kl."))
    stay = dialog.get_by_role("button", name=re.compile("Stay logged in|Bliv logget ind"))
    expect(stay).to_be_focused()
    assert_no_horizontal_overflow(page)
    screenshot(page, f"idle_warning_{language}_360.png")
    with page.expect_response("**/api/me/session/") as answer:
        stay.click()
    assert answer.value.status == 200
    expect(dialog).to_be_hidden()
