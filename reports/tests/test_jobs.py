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
def _own_private_storage(private_storage):
    """Each test writes its reports into a folder of its own (the root conftest's private_storage)."""


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


def test_an_error_fails_the_job_without_its_content(
    analyst, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def render(job, *, on_progress):
        raise KeyError("Ingrith Vaskebjorn")  # content must not reach the row or the log

    monkeypatch.setattr("reports.documents.render_report", render)
    with django_capture_on_commit_callbacks(execute=False):
        job = ask(analyst, organisation_id=None)
    assert jobs.report_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "KeyError")
    assert f"Report job {job.pk} failed: KeyError" in caplog.text
    assert "Vaskebjorn" not in caplog.text


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


# --- Case reports: identifying details, replacement, retention, the requester's organisation ---------------


def identifying_renderer(monkeypatch, *, identifying=True):
    def render(job, *, on_progress):
        return RenderedReport(pdf=FAKE_PDF, pages=1, identifying=identifying)

    monkeypatch.setattr("reports.documents.render_report", render)


def test_a_report_with_identifying_details_is_gone_once_the_requester_leaves_the_team(
    case_a, users_a, monkeypatch, django_capture_on_commit_callbacks
):
    from cases.services import case_team_remove

    caseworker = users_a[Role.CASEWORKER]
    identifying_renderer(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(caseworker, kind=ReportKind.CASE_STATUS, case_id=case_a.pk)
    job.refresh_from_db()
    assert (job.status, job.identifying) == (JobStatus.DONE, True)
    assert report_job_get_for_user(user=caseworker, job_id=job.pk) == job

    # Still in the organisation (so still sees the case), but no longer on its team: not the details.
    case_team_remove(case=case_a, user=caseworker, by=users_a[Role.COORDINATOR])
    fresh = type(caseworker).objects.get(pk=caseworker.pk)
    with pytest.raises(Http404):
        report_job_get_for_user(user=fresh, job_id=job.pk)


def test_a_newer_case_report_replaces_the_file_of_the_earlier_one(
    case_a, users_a, renders, django_capture_on_commit_callbacks
):
    caseworker = users_a[Role.CASEWORKER]
    with django_capture_on_commit_callbacks(execute=True):
        first = ask(caseworker, kind=ReportKind.CASE_STATUS, case_id=case_a.pk)
    with django_capture_on_commit_callbacks(execute=True):
        second = jobs.report_job_regenerate(job=ReportJob.objects.get(pk=first.pk), user=caseworker)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.file) == (JobStatus.EXPIRED, "")
    assert stored_files(first) == []
    assert second.status == JobStatus.DONE and len(stored_files(second)) == 1


def test_case_report_files_are_deleted_after_the_retention_period(
    case_a, users_a, renders, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_CASE_FILE_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(users_a[Role.CASEWORKER], kind=ReportKind.CASE_STATUS, case_id=case_a.pk)
    job.refresh_from_db()
    assert jobs.report_files_expire(now=job.finished_at + timedelta(days=29)) == 0
    assert jobs.report_files_expire(now=job.finished_at + timedelta(days=31)) == 1
    job.refresh_from_db()
    assert (job.status, job.file, stored_files(job)) == (JobStatus.EXPIRED, "", [])
    with pytest.raises(FileNotFoundError):
        jobs.report_job_file_open(job=job)


def test_a_case_report_is_audited_under_the_cases_organisation(case_a, org_a, users_a, renders):
    job = ask(users_a[Role.CASEWORKER], kind=ReportKind.CASE_STATUS, case_id=case_a.pk)
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED, target_id=str(case_a.pk))
    assert (event.organisation_id, event.detail["job"]) == (org_a.pk, job.pk)


def test_the_worker_renders_for_the_organisation_the_requester_asked_for(
    case_a, org_a, org_b, users_a, monkeypatch, django_capture_on_commit_callbacks
):
    """A caseworker of two organisations asks while acting for A: the worker acts for A too (it has no
    request to say so), rather than for no organisation at all."""
    from cmm.permissions import active_membership, set_active_membership
    from cmm.services import membership_add

    caseworker = users_a[Role.CASEWORKER]
    membership_add(user=caseworker, organisation=org_b, role=Role.CASEWORKER)
    acting = []

    def render(job, *, on_progress):
        acting.append(active_membership(job.requested_by).organisation_id)
        return RenderedReport(pdf=FAKE_PDF, pages=1)

    monkeypatch.setattr("reports.documents.render_report", render)
    set_active_membership(caseworker, caseworker.memberships.get(organisation=org_a))
    with django_capture_on_commit_callbacks(execute=False):
        job = ask(caseworker, kind=ReportKind.CASE_STATUS, case_id=case_a.pk)
    assert jobs.report_job_run(job_id=job.pk) is True
    assert acting == [org_a.pk]


def test_a_requester_who_left_the_organisation_gets_no_report(
    case_a, users_a, renders, django_capture_on_commit_callbacks
):
    caseworker = users_a[Role.CASEWORKER]
    with django_capture_on_commit_callbacks(execute=False):
        job = ask(caseworker, kind=ReportKind.CASE_STATUS, case_id=case_a.pk)
    caseworker.memberships.update(is_active=False)
    assert jobs.report_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and renders == []


def test_a_storage_error_puts_the_job_back_for_a_retry(
    analyst, renders, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = ask(analyst, organisation_id=None)

    def full(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(type(storages["private"]), "save", full)
    with pytest.raises(OSError):
        jobs.report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)


def test_a_failed_scheduled_report_does_not_block_its_quarter(
    analyst, renders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        first = jobs.report_job_schedule_quarterly(today=datetime.date(2026, 10, 1))
    ReportJob.objects.filter(pk=first.pk).update(status=JobStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=False):
        again = jobs.report_job_schedule_quarterly(today=datetime.date(2026, 10, 1))
    assert again is not None and again.pk != first.pk
