"""An analyst asks for the quarterly statistics PDF on a phone, follows its progress and downloads it; a
caseworker asks for a case's status report from the case page. In Debian's Chromium against the live server
(the report task runs in the server as soon as the request commits, as the tests run Celery eagerly)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.models import Case
from cmm.demo import seed_demo
from reports.models import JobStatus, ReportJob
from tests.browser.conftest import MOBILE
from tests.browser.test_login_mobile import assert_no_horizontal_overflow, log_in

JOB_PAGE = re.compile(r".*/reports/jobs/\d+/$")


@pytest.fixture(autouse=True)
def _own_private_storage(private_storage):
    """Each test writes its reports into a folder of its own (the root conftest's private_storage)."""


@pytest.mark.browser
def test_analyst_generates_and_downloads_the_quarterly_report_on_a_phone(live_server, new_page, screenshot):
    seed_demo()
    page = new_page(**MOBILE, accept_downloads=True)
    page.set_default_timeout(60_000)  # WeasyPrint renders the report inside the request's commit
    log_in(page, live_server.url, "analyst")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}{reverse('reports-job-create')}")
    assert_no_horizontal_overflow(page)
    screenshot(page, "report_form_360.png")
    page.locator("select[name=kind]").select_option("quarterly")
    page.locator("select[name=organisation]").select_option("all")
    page.locator("main button.button--primary[type=submit]").tap()
    page.wait_for_url(JOB_PAGE)

    job = ReportJob.objects.get()
    assert job.status == JobStatus.DONE and job.pages > 3
    expect(page.locator("main")).to_contain_text("Klar")
    assert_no_horizontal_overflow(page)
    screenshot(page, "report_ready_360.png")
    with page.expect_download() as download:
        page.locator(f"a[href='{reverse('reports-job-download', args=[job.pk])}']").first.tap()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

    page.goto(f"{live_server.url}{reverse('reports-job-list')}")
    expect(page.locator("tbody tr")).to_have_count(1)
    assert_no_horizontal_overflow(page)
    screenshot(page, "report_list_360.png")


@pytest.mark.browser
def test_caseworker_asks_for_a_case_status_report_from_the_case(live_server, new_page, screenshot):
    seed_demo()
    case = Case.objects.filter(organisation__case_prefix="REDEN").order_by("pk").first()
    page = new_page(**MOBILE, accept_downloads=True)
    page.set_default_timeout(60_000)
    log_in(page, live_server.url, "caseworker")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}{reverse('case-detail', args=[case.pk])}")
    page.locator(f"form[action='{reverse('reports-case-report', args=[case.pk])}'] button").tap()
    page.wait_for_url(JOB_PAGE)
    job = ReportJob.objects.get()
    assert (job.case_id, job.status) == (case.pk, JobStatus.DONE)
    expect(page.locator("main")).to_contain_text(case.number)
    assert_no_horizontal_overflow(page)
    screenshot(page, "case_report_ready_360.png")
