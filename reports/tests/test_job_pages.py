"""The report pages and the report jobs API: asking, following, downloading, regenerating; 404 for what is
not the caller's; field errors; query counts that do not grow with the number of jobs."""

import re

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from cmm.models import AuditAction, AuditEvent, Role
from reports.documents import RenderedReport
from reports.models import JobStatus, ReportJob, ReportKind
from reports.periods import Period
from reports.services import jobs

pytestmark = pytest.mark.django_db

FAKE_PDF = b"%PDF-1.7\n% a stand-in\n%%EOF\n"
Q2 = Period.quarter(2026, 2)
JOB_LINK = re.compile(rb'href="/reports/jobs/\d+/"')


@pytest.fixture(autouse=True)
def _own_private_storage(private_storage):
    """Each test writes its reports into a folder of its own (the root conftest's private_storage)."""


@pytest.fixture(autouse=True)
def renders(monkeypatch):
    def render(job, *, on_progress):
        on_progress(50)
        return RenderedReport(pdf=FAKE_PDF, pages=2)

    monkeypatch.setattr("reports.documents.render_report", render)


@pytest.fixture
def analyst(org_cmm, make_member):
    return make_member(org_cmm, Role.ANALYST)


def finished(user, **kw):
    """A job asked for and generated (the task runs at once in the tests once the request commits)."""
    kw.setdefault("kind", ReportKind.QUARTERLY)
    kw.setdefault("language", "en")
    if kw["kind"] != ReportKind.CASE_STATUS:
        kw.setdefault("period", Q2)
    job = jobs.report_job_request(user=user, **kw)
    jobs.report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    return job


def token_client(api_client, user):
    token, _ = Token.objects.get_or_create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


# --- Pages ------------------------------------------------------------------------------------------------


def test_asking_for_a_report_on_the_page_queues_it_and_shows_its_progress(login, analyst):
    client = login(analyst)
    page = client.get(reverse("reports-job-create"))
    assert page.status_code == 200
    assert b'name="organisation"' in page.content  # CMM's analyst chooses the scope

    response = client.post(
        reverse("reports-job-create"),
        {"kind": "quarterly", "language": "en", "period": "2026Q2", "organisation": "all"},
    )
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports-job-detail", args=[job.pk]
    )
    assert (job.period_start, job.period_end, job.organisation_id) == (Q2.start, Q2.end, None)
    detail = client.get(response["Location"])
    assert "I kø" in detail.content.decode() and 'http-equiv="refresh"' in detail.content.decode()


def test_a_bad_period_is_named_next_to_the_field_and_nothing_is_queued(login, analyst):
    client = login(analyst)
    response = client.post(
        reverse("reports-job-create"),
        {
            "kind": "quarterly",
            "language": "en",
            "period": "custom",
            "start": "2026-05-01",
            "end": "2026-04-01",
        },
    )
    assert response.status_code == 400
    assert "Den sidste dag kan ikke ligge før den første dag." in response.content.decode()
    assert not ReportJob.objects.exists()


def test_a_role_without_statistics_cannot_open_the_form(login, users_a):
    assert login(users_a[Role.OUTREACH_WORKER]).get(reverse("reports-job-create")).status_code == 403


def test_download_streams_the_pdf_uncached_and_audited(login, analyst):
    job = finished(analyst, organisation_id=None)
    response = login(analyst).get(reverse("reports-job-download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == FAKE_PDF
    assert AuditEvent.objects.filter(action=AuditAction.EXPORTED, target_id=str(job.pk)).exists()


def test_a_report_not_yet_done_cannot_be_downloaded(login, analyst, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = jobs.report_job_request(user=analyst, kind="quarterly", language="en", period=Q2)
    assert login(analyst).get(reverse("reports-job-download", args=[job.pk])).status_code == 404


def test_a_case_report_is_404_for_everyone_but_its_requester(login, api_client, case_a, users_a, users_b):
    job = finished(users_a[Role.CASEWORKER], kind=ReportKind.CASE_STATUS, case_id=case_a.pk)
    for user in (users_b[Role.CASEWORKER], users_a[Role.COORDINATOR]):
        client = login(user)
        for name in ("reports-job-detail", "reports-job-download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404
        assert client.post(reverse("reports-job-regenerate", args=[job.pk])).status_code == 404
        api = token_client(api_client, user)
        for name in ("api-report-job-detail", "api-report-job-download"):
            assert api.get(reverse(name, args=[job.pk])).status_code == 404
    assert (
        login(users_a[Role.CASEWORKER]).get(reverse("reports-job-download", args=[job.pk])).status_code == 200
    )


def test_asking_for_another_organisations_case_report_is_404(login, case_a, users_b):
    response = login(users_b[Role.CASEWORKER]).post(reverse("reports-case-report", args=[case_a.pk]))
    assert response.status_code == 404
    assert not ReportJob.objects.exists()


def test_a_case_report_is_asked_for_from_the_case(login, case_a, users_a):
    response = login(users_a[Role.CASEWORKER]).post(
        reverse("reports-case-report", args=[case_a.pk]), {"language": "da"}
    )
    job = ReportJob.objects.get()
    assert response["Location"] == reverse("reports-job-detail", args=[job.pk])
    assert (job.kind, job.case_id, job.language) == ("case_status", case_a.pk, "da")


def test_regenerate_makes_a_new_job_with_the_same_parameters(login, analyst, org_a):
    job = finished(analyst, organisation_id=org_a.pk, kind=ReportKind.ACTIVITY)
    response = login(analyst).post(reverse("reports-job-regenerate", args=[job.pk]))
    fresh = ReportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("reports-job-detail", args=[fresh.pk])
    assert (fresh.kind, fresh.period_start, fresh.organisation_id, fresh.suppressed) == (
        job.kind,
        job.period_start,
        job.organisation_id,
        job.suppressed,
    )


def test_list_filters_and_its_query_count_does_not_grow(login, analyst, org_a, django_assert_max_num_queries):
    client = login(analyst)
    finished(analyst, organisation_id=None)
    url = reverse("reports-job-list")
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    for year in range(2010, 2022):
        finished(analyst, organisation_id=org_a.pk, kind=ReportKind.ACTIVITY, period=Period.year(year))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(JOB_LINK.findall(response.content)) == 13
    filtered = client.get(url, {"kind": "quarterly"})
    assert len(JOB_LINK.findall(filtered.content)) == 1
    assert client.get(url, {"status": "nonsense"}).status_code == 400


# --- API --------------------------------------------------------------------------------------------------


def test_api_create_status_and_download(api_client, analyst, django_capture_on_commit_callbacks):
    client = token_client(api_client, analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("api-report-job-list"),
            {"kind": "quarterly", "language": "da", "period": "2026Q2"},
            format="json",
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["organisation"] is None  # the analyst's default: all organisations
    assert body["period_from"] == "2026-04-01" and body["status"] == "queued"

    status = client.get(reverse("api-report-job-detail", args=[body["id"]])).json()
    assert status["status"] == "done" and status["progress"] == 100
    download = client.get(status["download"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == FAKE_PDF


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "quarterly", "language": "da"}, "period"),
        ({"kind": "quarterly", "language": "da", "period": "2026Q5"}, "period"),
        ({"kind": "quarterly", "language": "da", "from": "2026-01-01"}, "to"),
        ({"kind": "quarterly", "language": "da", "from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"kind": "quarterly", "language": "xx", "period": "2026"}, "language"),
        ({"kind": "sales", "language": "da", "period": "2026"}, "kind"),
        ({"kind": "case_status", "language": "da"}, "case"),
        ({"kind": "case_status", "language": "da", "case": 1, "period": "2026"}, "period"),
        ({"kind": "quarterly", "language": "da", "period": "2026", "case": 1}, "case"),
        ({"kind": "activity", "language": "da", "period": "2026", "organisation": None}, "organisation"),
        ({"kind": "quarterly", "language": "da", "period": "2026\x00"}, "period"),
    ],
)
def test_api_bad_input_is_400_naming_the_field(api_client, analyst, payload, field):
    response = token_client(api_client, analyst).post(reverse("api-report-job-list"), payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not ReportJob.objects.exists()


def test_api_refuses_a_role_without_statistics_and_hides_other_organisations(api_client, users_a, org_b):
    response = token_client(api_client, users_a[Role.OUTREACH_WORKER]).post(
        reverse("api-report-job-list"),
        {"kind": "quarterly", "language": "da", "period": "2026"},
        format="json",
    )
    assert response.status_code == 403
    response = token_client(api_client, users_a[Role.CASEWORKER]).post(
        reverse("api-report-job-list"),
        {"kind": "quarterly", "language": "da", "period": "2026", "organisation": org_b.pk},
        format="json",
    )
    assert response.status_code == 404


def test_api_case_report_for_an_invisible_case_is_404(api_client, case_a, users_b):
    response = token_client(api_client, users_b[Role.CASEWORKER]).post(
        reverse("api-report-job-list"),
        {"kind": "case_status", "language": "da", "case": case_a.pk},
        format="json",
    )
    assert response.status_code == 404


def test_api_list_query_count_does_not_grow(api_client, analyst, org_a, django_assert_max_num_queries):
    client = token_client(api_client, analyst)
    finished(analyst, organisation_id=None)
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("api-report-job-list")).json()["count"] == 1
    for year in range(2010, 2020):
        finished(analyst, organisation_id=org_a.pk, kind=ReportKind.ACTIVITY, period=Period.year(year))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(reverse("api-report-job-list"), {"kind": "activity"}).json()
    assert body["count"] == 10


def test_api_regenerate(api_client, analyst):
    job = finished(analyst, organisation_id=None)
    response = token_client(api_client, analyst).post(reverse("api-report-job-regenerate", args=[job.pk]))
    assert response.status_code == 202 and response.json()["id"] != job.pk


def test_job_endpoints_are_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/reports/jobs/", "/api/reports/jobs/{id}/", "/api/reports/jobs/{id}/download/"):
        assert path in schema
