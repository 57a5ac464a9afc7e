"""A PDF report job survives its worker being killed (kill -9) halfway: the recovery scan queues it again,
a new worker generates it, and it finishes exactly once (one file, one "done")."""

import datetime
import time
import uuid

import pytest
from django.core.files.storage import storages

from cmm.models import Role
from outreach.choices import Venue
from outreach.services import contact_log
from reports.models import JobStatus, ReportJob, ReportKind
from reports.periods import Period
from reports.services import jobs
from reports.tasks import report_job_generate_task
from tests import workers

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 3


def test_a_report_job_killed_halfway_is_finished_once_by_another_worker(
    tmp_path, org_a, org_cmm, users_a, make_member, private_storage
):
    private = private_storage  # this test's own folder, shared with the workers
    analyst = make_member(org_cmm, Role.ANALYST)
    for day, venue in enumerate((Venue.STREET, Venue.STREET, Venue.MASSAGE_CLINIC), start=1):
        contact_log(
            by=users_a[Role.OUTREACH_WORKER],
            organisation=org_a,
            occurred_at=datetime.datetime(2026, 5, day, 12, tzinfo=datetime.UTC),
            venue=venue,
            indicators=[],
        )
    broker = workers.broker_config(tmp_path)
    env = workers.process_env(
        broker,
        REPORT_JOB_LEASE_SECONDS=str(LEASE_SECONDS),
        PRIVATE_STORAGE_ROOT=str(private),
    )
    queue = f"test-{uuid.uuid4().hex[:12]}"  # this test's own queue, whatever else shares the broker
    worker_args = [*workers.WORKER_ARGS, "-Q", queue]
    first = workers.start(
        worker_args, env=env, log_path=tmp_path / "first.log", app="tests.hanging_report_worker"
    )
    second = None
    try:
        with workers.sending_to(broker, task_default_queue=queue, task_routes={}):
            job = jobs.report_job_request(
                user=analyst, kind=ReportKind.QUARTERLY, language="en", period=Period.quarter(2026, 2)
            )
            workers.wait_for(
                lambda: ReportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, progress=10).exists(),
                timeout=90,
                processes=[first],
            )
            first[0].kill()  # kill -9 in the middle of the job
            first[0].wait(timeout=10)

            second = workers.start(worker_args, env=env, log_path=tmp_path / "second.log")
            time.sleep(LEASE_SECONDS + 1)  # the dead worker's lease runs out
            assert jobs.report_jobs_recover() == 1
            workers.wait_for(
                lambda: ReportJob.objects.filter(pk=job.pk, status=JobStatus.DONE).exists(),
                timeout=120,
                processes=[second],
            )

            # The message delivered once more (as a broker would after the crash) changes nothing.
            name = report_job_generate_task.name
            runs = workers.task_runs(second[1], name)
            report_job_generate_task.apply_async(kwargs={"job_id": job.pk})
            workers.wait_for(
                lambda: workers.task_runs(second[1], name) > runs, timeout=60, processes=[second]
            )

        job.refresh_from_db()
        assert (job.status, job.attempts, job.progress) == (JobStatus.DONE, 2, 100)
        storage = storages["private"]
        assert storage.listdir(f"reports/{job.pk}")[1] == [job.file.rsplit("/", 1)[1]]
        with storage.open(job.file, "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
        assert second[0].poll() is None
    finally:
        workers.stop(*first)
        if second is not None:
            workers.stop(*second)
