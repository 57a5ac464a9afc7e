"""The Immigration Service liaison decides from the work queue on a phone; CMM then sees its task."""

import datetime

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from cases.choices import CaseStatus, ExploitationType, ResidenceStatus
from cases.models import Case
from cmm.demo import seed_demo
from cmm.models import User
from identification.choices import Authority, Outcome, PresentedBy, TaskKind
from identification.services import presentation_create
from tests.browser.conftest import MOBILE
from tests.browser.test_login_mobile import assert_no_horizontal_overflow, log_in


def label(choice) -> str:
    with translation.override("da"):
        return str(choice.label)


@pytest.mark.browser
def test_liaison_decides_from_the_work_queue_and_the_cmm_coordinator_sees_the_contact_person_task(
    live_server, new_page, screenshot
):
    seed_demo()
    case = Case.objects.get(
        organisation__case_prefix="REDEN",
        nationality="NG",
        residence_status=ResidenceStatus.NO_LEGAL_RESIDENCE,
    )
    presentation = presentation_create(
        case=case,
        by=User.objects.get(username="caseworker"),
        presented_on=timezone.localdate() - datetime.timedelta(days=5),
        presented_by=PresentedBy.POLICE,
    )
    assert presentation.authority == Authority.IMMIGRATION_SERVICE
    detail_url = f"{live_server.url}/identification/{presentation.pk}/"

    # The liaison opens the work queue and the presentation waiting there.
    page = new_page(**MOBILE)
    log_in(page, live_server.url, "liaison")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/identification/")
    queue = page.locator("main table")
    expect(queue).to_contain_text(case.number)
    assert_no_horizontal_overflow(page)
    screenshot(page, "identification_queue_360.png")
    queue.locator(f"a[href='/identification/{presentation.pk}/']").first.tap()
    page.wait_for_url(detail_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)
    assert_no_horizontal_overflow(page)

    # The decision: identified, with the form of exploitation established.
    page.locator(f"a[href='/identification/{presentation.pk}/decision/']").tap()
    page.wait_for_url(f"{detail_url}decision/")
    page.locator("input[name=outcome][value=identified]").check()
    sexual = page.locator(f"input[name=exploitation_types][value={ExploitationType.SEXUAL.value}]")
    expect(sexual).to_be_checked()  # the case's own forms of exploitation are ticked in advance
    page.locator("textarea[name=reasons]").fill(
        "Indicators of sexual exploitation; police assessment agrees."
    )
    assert_no_horizontal_overflow(page)
    screenshot(page, "identification_decision_form_360.png")
    page.locator("main button.button--primary[type=submit]").tap()
    page.wait_for_url(detail_url)
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator(".idhistory")).to_contain_text(label(Outcome.IDENTIFIED))
    assert_no_horizontal_overflow(page)
    screenshot(page, "identification_decided_360.png")

    case.refresh_from_db()
    assert case.status == CaseStatus.IDENTIFIED

    # CMM's coordinator, in a browser of their own, sees the task on the overview and in the task list.
    page = new_page(**MOBILE)
    log_in(page, live_server.url, "coordinator")
    page.wait_for_url(f"{live_server.url}/")
    panel = page.locator(".agenda__list")  # the home page's work list (issue 18)
    expect(panel).to_contain_text(case.number)
    expect(panel).to_contain_text(label(TaskKind.APPOINT_CONTACT_PERSON))
    assert_no_horizontal_overflow(page)
    screenshot(page, "identification_coordinator_overview_360.png")

    page.goto(f"{live_server.url}/identification/tasks/")
    tasks = page.locator("main table")
    expect(tasks).to_contain_text(case.number)
    expect(tasks).to_contain_text(label(TaskKind.APPOINT_CONTACT_PERSON))
    assert_no_horizontal_overflow(page)
    screenshot(page, "identification_tasks_360.png")
