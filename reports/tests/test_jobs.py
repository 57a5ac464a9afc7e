"""PDF report jobs: who may ask for which report and see it, and a job that finishes exactly once whatever
happens to its worker (claims, leases, recovery, retries). The PDFs themselves are tested in
test_documents.py; here a stand-in renderer returns a tiny PDF so that the machinery is tested alone."""

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from cmm.models import AuditAction, AuditEvent, EmailStatus, OutboundEmail, Role
from reports.documents import RenderedReport
from reports.models import JobStatus, ReportJob, ReportKind
from reports.periods import Period
from reports.selectors.jobs import report_job_get_for_user, report_job_list_for_user
from reports.services import jobs

pytestmark = pytest.mark.django_db

Q2 = Period.quarter(2026, 2)
FAKE_PDF = b"%PDF-1.7\n% a stand-in\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Each test writes its reports into a folder of its own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": str(tmp_path / "private")}},
    }


@pytest.fixture
def renders(monkeypatch):
    """Replace the WeasyPrint renderer with a fast stand-in; returns the jobs it rendered."""
    rendered = []

    def render(job, *, on_progress):
        on_progress(40)
        on_progress(80)
        rendered.append(job.pk)
        return RenderedReport(pdf=FAKE_PDF, pages=3)

    monkeypatch.setattr("reports.documents.render_report", render)
    return rendered


@pytest.fixture
def analyst(org_cmm, make_member):
    return make_member(org_cmm, Role.ANALYST, email="analyst@cmm.example")


def ask(user, kind=ReportKind.QUARTERLY, **kw):
    kw.setdefault("language", "da")
    if kind != ReportKind.CASE_STATUS:
        kw.setdefault("period", Q2)
    return jobs.report_job_request(user=user, kind=kind, **kw)


def stored_files(job):
    storage = storages["private"]
    try:
        return storage.listdir(f"reports/{job.pk}")[1]
    except FileNotFoundError:
        return []


# --- Asking -----------------------------------------------------------------------------------------------


def test_a_job_is_queued_on_commit_and_generated_once(analyst, renders, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = ask(analyst, organisation_id=None)
    assert job.status == JobStatus.QUEUED and renders == []  # nothing runs before the commit
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the (eager) task runs

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.progress, job.pages, job.size, job.attempts) == (100, 3, len(FAKE_PDF), 1)
    assert job.suppressed is False  # CMM's analyst: exact counts
    assert jobs.report_job_file_open(job=job).read() == FAKE_PDF
    assert renders == [job.pk]
    # The same message delivered again does nothing.
    assert jobs.report_job_run(job_id=job.pk) is False
    assert renders == [job.pk] and len(stored_files(job)) == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATED, target_id=str(job.pk)).count() == 1


def test_a_double_click_queues_one_job(analyst, renders, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = ask(analyst, organisation_id=None)
        second = ask(analyst, organisation_id=None)
    assert first.pk == second.pk
    assert ReportJob.objects.count() == 1


def test_a_partner_gets_its_own_organisation_suppressed(users_a, org_a, renders):
    job = ask(users_a[Role.CASEWORKER], organisation_id=org_a.pk)
    assert (job.organisation_id, job.suppressed) == (org_a.pk, True)


def test_a_partner_cannot_ask_for_national_or_another_organisation(users_a, org_b, renders):
    with pytest.raises(Http404):
        ask(users_a[Role.CASEWORKER], organisation_id=None)
    with pytest.raises(Http404):
        ask(users_a[Role.CASEWORKER], organisation_id=org_b.pk)
    assert not ReportJob.objects.exists()


def test_a_role_without_statistics_cannot_ask(users_a, org_a, renders):
    with pytest.raises(PermissionDenied):
        ask(users_a[Role.OUTREACH_WORKER], organisation_id=org_a.pk)


def test_an_activity_report_is_for_one_organisation(analyst, renders, in_english):
    with pytest.raises(ValidationError) as error:
        ask(analyst, kind=ReportKind.ACTIVITY, organisation_id=None)
    assert error.value.message_dict == {"organisation": ["An activity report is for one organisation."]}


def test_bad_language_is_refused(analyst, renders):
    with pytest.raises(ValidationError) as error:
        ask(analyst, organisation_id=None, language="xx")
    assert "language" in error.value.message_dict


def test_case_report_needs_access_to_the_case(case_a, users_a, users_b, renders):
    with pytest.raises(Http404):
        ask(users_b[Role.CASEWORKER], kind=ReportKind.CASE_STATUS, case_id=case_a.pk)
    job = ask(users_a[Role.CASEWORKER], kind=ReportKind.CASE_STATUS, case_id=case_a.pk)
    assert (job.case_id, job.period_start) == (case_a.pk, None)
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED, target_id=str(case_a.pk))
    assert event.detail["report"] == "case_status"


# --- Who sees which job -----------------------------------------------------------------------------------


def test_case_report_is_its_requesters_alone(case_a, users_a, users_b, analyst, renders):
    job = ask(users_a[Role.CASEWORKER], kind=ReportKind.CASE_STATUS, case_id=case_a.pk)
    assert report_job_get_for_user(user=users_a[Role.CASEWORKER], job_id=job.pk) == job
    for other in (users_a[Role.COORDINATOR], users_b[Role.CASEWORKER], analyst):
        with pytest.raises(Http404):
            report_job_get_for_user(user=other, job_id=job.pk)


def test_statistics_jobs_are_seen_by_whoever_may_see_that_scope(
    org_a, org_cmm, users_a, users_b, analyst, renders
):
    national = ask(analyst, organisation_id=None)
    exact_a = ask(analyst, organisation_id=org_a.pk)
    partner_a = ask(users_a[Role.CASEWORKER], organisation_id=org_a.pk)

    def visible(user):
        return set(report_job_list_for_user(user=user).values_list("pk", flat=True))

    assert visible(analyst) == {national.pk, exact_a.pk, partner_a.pk}
    # A partner sees its own organisation's suppressed reports, never the exact or national ones.
    assert visible(users_a[Role.ORG_ADMIN]) == {partner_a.pk}
    assert visible(users_b[Role.CASEWORKER]) == set()
    assert visible(users_a[Role.OUTREACH_WORKER]) == set()


# --- Generating: claims, leases, crashes, retries ---------------------------------------------------------


def test_a_job_taken_by_a_live_worker_is_not_taken_twice(analyst, renders):
    job = ask(analyst, organisation_id=None)  # eager: already done
    job.refresh_from_db()
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, lease_until=timezone.now() + timedelta(minutes=5)
    )
    assert jobs.report_job_run(job_id=job.pk) is False


def test_a_job_whose_worker_died_is_recovered_and_finishes_once(
    analyst, renders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = ask(analyst, organisation_id=None)
    # As if a worker had claimed it and died before finishing.
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        attempts=1,
        file="",
        progress=40,
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.report_jobs_recover() == 1  # queued again; the eager task runs it
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == (JobStatus.DONE, 2, 100)
    assert renders == [job.pk]
    assert jobs.report_jobs_recover() == 0  # nothing left to recover


def test_a_lost_message_is_sent_again_after_the_lease(analyst, renders, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the broker never got it
        job = ask(analyst, organisation_id=None)
    assert jobs.report_jobs_recover() == 0  # still within its lease: maybe waiting in the queue
    later = timezone.now() + timedelta(seconds=jobs.settings.REPORT_JOB_LEASE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.report_jobs_recover(now=later) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 1


def test_an_attempt_overtaken_by_another_keeps_the_others_file(
    analyst, monkeypatch, django_capture_on_commit_callbacks
):
    """A slow worker whose lease ran out and whose job was taken over must not overwrite the new result."""
    job_holder = {}

    def render(job, *, on_progress):
        # While this attempt renders, another worker takes the job over.
        ReportJob.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
        job_holder["job"] = job
        return RenderedReport(pdf=FAKE_PDF, pages=1)

    monkeypatch.setattr("reports.documents.render_report", render)
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(analyst, organisation_id=None)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.file == ""  # not marked done by the overtaken attempt
    assert stored_files(job) == []  # and its file was removed


def test_a_temporary_error_puts_the_job_back_for_a_retry(
    analyst, monkeypatch, django_capture_on_commit_callbacks
):
    def render(job, *, on_progress):
        raise OSError("disk full")

    monkeypatch.setattr("reports.documents.render_report", render)
    with django_capture_on_commit_callbacks(execute=False):
        job = ask(analyst, organisation_id=None)
    with pytest.raises(OSError):
        jobs.report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)


def test_an_error_fails_the_job_without_its_content(analyst, monkeypatch, django_capture_on_commit_callbacks):
    def render(job, *, on_progress):
        raise KeyError("Ingrith Vaskebjorn")  # content must not reach the row or the log

    monkeypatch.setattr("reports.documents.render_report", render)
    with django_capture_on_commit_callbacks(execute=False):
        job = ask(analyst, organisation_id=None)
    assert jobs.report_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "KeyError")


@override_settings(REPORT_JOB_MAX_ATTEMPTS=2)
def test_a_job_that_keeps_killing_its_worker_is_given_up(
    analyst, renders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = ask(analyst, organisation_id=None)
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=2, lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert jobs.report_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and renders == []


def test_a_vanished_job_is_ignored(renders):
    assert jobs.report_job_run(job_id=10**9) is False


# --- The quarterly schedule -------------------------------------------------------------------------------


def test_the_quarterly_report_is_scheduled_once_and_the_analysts_are_told(
    analyst, org_cmm, make_member, renders, django_capture_on_commit_callbacks
):
    make_member(org_cmm, Role.COORDINATOR, email="coordinator@cmm.example")
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.report_job_schedule_quarterly(today=datetime.date(2026, 10, 1))
    assert jobs.report_job_schedule_quarterly(today=datetime.date(2026, 10, 1)) is None
    job.refresh_from_db()
    assert (job.period_start, job.period_end) == (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    assert (job.organisation_id, job.suppressed, job.requested_by_id) == (None, False, None)
    assert job.status == JobStatus.DONE

    emails = list(OutboundEmail.objects.all())
    assert [email.to for email in emails] == ["analyst@cmm.example"]  # analysts only
    assert emails[0].status in (EmailStatus.PENDING, EmailStatus.SENT)
    assert "3. kvt. 2026" in emails[0].subject  # in the report's language, Danish by default
    assert f"/reports/jobs/{job.pk}/" in emails[0].body
    assert report_job_get_for_user(user=analyst, job_id=job.pk) == job


def test_the_beat_schedule_names_the_quarterly_and_recovery_tasks(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"reports.tasks.quarterly_report_schedule_task", "reports.tasks.report_jobs_recover_task"} <= tasks
    schedule = settings.CELERY_BEAT_SCHEDULE["quarterly-report"]["schedule"]
    assert schedule.day_of_month == {1} and schedule.month_of_year == {1, 4, 7, 10}
