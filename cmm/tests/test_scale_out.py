"""Scale-out on the existing engines (issue 10): several web and worker replicas share everything through
PostgreSQL, Redis and one volume; statistics and statistics PDFs read from a replica through cmm.routers;
PDF work has a Celery queue of its own.

The replica is, in tests, Django's test mirror of "default" (cmm/settings/test.py): a second, read-only
connection to the same test database. A mirror connection sees only committed rows, as a real replica
does, so the tests that use it are transactional and declare both databases; reading through it is
switched on per test (`replica`).
"""

import datetime
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.files.storage import storages
from django.db import DatabaseError, connections, router
from django.test.utils import CaptureQueriesContext

from cmm.celery import app as celery_app
from cmm.models import AuditEvent, EmailStatus, Organisation, OutboundEmail, Role
from cmm.routers import REPORTS_DB_ALIAS, reading_reports
from cmm.services import email_queue
from outreach.choices import Venue
from outreach.models import Contact
from outreach.services import contact_log
from reports.models import JobStatus, ReportJob, ReportKind
from reports.periods import Period, Scope
from reports.services import jobs
from reports.services.case_export import case_export
from reports.services.statistics import statistics_compute

BASE_DIR = Path(django_settings.BASE_DIR)
Q2 = Period.quarter(2026, 2)
REPLICA = pytest.mark.django_db(transaction=True, databases=["default", REPORTS_DB_ALIAS])
REPORT_TASK = "reports.tasks.report_job_generate_task"
CONTACT_TABLE = Contact._meta.db_table


# --- The router --------------------------------------------------------------------------------------------


@pytest.fixture
def replica(settings):
    """Read through the reports alias inside `reading_reports()`, as with REPORTS_DATABASE_URL set."""
    settings.REPORTS_READ_REPLICA = True


def test_reads_go_to_the_replica_only_inside_the_block(replica):
    assert router.db_for_read(Organisation) == "default"
    with reading_reports():
        assert router.db_for_read(Organisation) == REPORTS_DB_ALIAS
        with reading_reports():  # nested blocks
            assert router.db_for_read(Contact) == REPORTS_DB_ALIAS
        assert router.db_for_read(Contact) == REPORTS_DB_ALIAS
    assert router.db_for_read(Contact) == "default"


def test_writes_and_migrations_always_go_to_the_primary(replica):
    replica_row = Organisation(name="read from the replica")
    replica_row._state.db = REPORTS_DB_ALIAS
    with reading_reports():
        assert router.db_for_write(Organisation) == "default"
        assert router.db_for_write(Organisation, instance=replica_row) == "default"
    # Outside the block even an object read from the replica reads its relations from the primary.
    assert router.db_for_read(Organisation, instance=replica_row) == "default"
    assert router.allow_migrate("default", "outreach")
    assert not router.allow_migrate(REPORTS_DB_ALIAS, "outreach")
    assert router.allow_relation(replica_row, Organisation(name="from the primary"))


def test_without_a_replica_or_switched_off_everything_reads_from_the_primary(settings):
    settings.REPORTS_READ_REPLICA = False
    with reading_reports():
        assert router.db_for_read(Contact) == "default"
    settings.REPORTS_READ_REPLICA = True
    with pytest.warns(UserWarning, match="DATABASES"):  # Django warns about overriding DATABASES at all
        settings.DATABASES = {"default": settings.DATABASES["default"]}  # no REPORTS_DATABASE_URL
    with reading_reports():
        assert router.db_for_read(Contact) == "default"


def test_the_block_is_per_thread_not_per_process(replica):
    """A gunicorn thread computing statistics does not send another thread's reads to the replica."""
    entered, looked = threading.Event(), threading.Event()
    seen = {}

    def other_request():
        entered.wait(5)
        seen["other thread"] = router.db_for_read(Organisation)
        looked.set()

    thread = threading.Thread(target=other_request)
    thread.start()
    with reading_reports():
        entered.set()
        looked.wait(5)
        seen["this thread"] = router.db_for_read(Organisation)
    thread.join(5)
    assert seen == {"this thread": REPORTS_DB_ALIAS, "other thread": "default"}


# --- Reads through the replica alias, on the database (SQLite or PostgreSQL) -------------------------------


@contextmanager
def captured():
    """The queries of the primary and of the replica connection inside the block."""
    with ExitStack() as stack:
        primary = stack.enter_context(CaptureQueriesContext(connections["default"]))
        replica = stack.enter_context(CaptureQueriesContext(connections[REPORTS_DB_ALIAS]))
        yield primary, replica


def sql(context) -> list[str]:
    return [query["sql"] for query in context.captured_queries]


def reads_only(queries: list[str]) -> bool:
    return all(re.match(r"\s*(SELECT|WITH)\b", query, re.IGNORECASE) for query in queries)


def mention(queries: list[str], table: str) -> list[str]:
    return [query for query in queries if table in query]


@pytest.fixture
def world(org_a, org_cmm, users_a, make_member, private_storage):
    """Four contacts of organisation A in 2026Q2 (committed: the test is transactional), an analyst."""
    for day, venue in enumerate((Venue.STREET, Venue.STREET, Venue.MASSAGE_CLINIC, Venue.STREET), start=1):
        contact_log(
            by=users_a[Role.OUTREACH_WORKER],
            organisation=org_a,
            occurred_at=datetime.datetime(2026, 5, day, 12, tzinfo=datetime.UTC),
            venue=venue,
            indicators=[],
        )
    return {"analyst": make_member(org_cmm, Role.ANALYST), "org_a": org_a}


@REPLICA
def test_the_statistics_are_read_from_the_replica_and_nothing_else_is(world, replica, settings):
    with captured() as (primary, replica_queries):
        tables = statistics_compute(period=Q2, scope=Scope(None))
    assert sql(primary) == []
    assert mention(sql(replica_queries), CONTACT_TABLE)
    assert reads_only(sql(replica_queries))

    # The same numbers as from the primary.
    settings.REPORTS_READ_REPLICA = False
    with captured() as (primary, replica_queries):
        from_primary = statistics_compute(period=Q2, scope=Scope(None))
    assert sql(replica_queries) == [] and mention(sql(primary), CONTACT_TABLE)
    assert [table.totals for table in tables] == [table.totals for table in from_primary]
    persons_met = next(table for table in tables if table.key == "persons_met")
    assert persons_met.totals["persons_met"] == 4


@REPLICA
def test_without_the_switch_the_statistics_read_from_the_primary(world, settings):
    assert settings.REPORTS_READ_REPLICA is False  # the test settings' default: the rest of the suite
    with captured() as (primary, replica_queries):
        statistics_compute(period=Q2, scope=Scope(None))
    assert sql(replica_queries) == []
    assert mention(sql(primary), CONTACT_TABLE)


@REPLICA
def test_a_row_read_inside_the_block_is_written_to_the_primary(world, replica):
    with reading_reports():
        organisation = Organisation.objects.get(pk=world["org_a"].pk)
        contact = Contact.objects.filter(organisation=organisation).first()
    assert organisation._state.db == REPORTS_DB_ALIAS
    with captured() as (primary, replica_queries), reading_reports():
        organisation.name = "Reden Test, renamed"
        organisation.save(update_fields=["name"])
    assert sql(replica_queries) == []
    assert [query for query in sql(primary) if query.lstrip().upper().startswith("UPDATE")]
    with captured() as (primary, replica_queries):
        assert contact.organisation_id == organisation.pk
        Organisation.objects.get(pk=contact.organisation_id)  # outside the block: the primary
    assert sql(replica_queries) == [] and len(sql(primary)) == 1
    assert Organisation.objects.get(pk=organisation.pk).name == "Reden Test, renamed"


@REPLICA
def test_the_replica_connection_refuses_writes(world):
    """Read-only sessions (as settings give a real replica): a write sent there by mistake fails."""
    with pytest.raises(DatabaseError):
        Organisation.objects.using(REPORTS_DB_ALIAS).filter(pk=world["org_a"].pk).update(name="changed")
    assert Organisation.objects.get(pk=world["org_a"].pk).name == world["org_a"].name


@REPLICA
def test_the_quarterly_pdf_counts_on_the_replica_and_records_its_progress_on_the_primary(world, replica):
    with captured() as (primary, replica_queries):
        # Asked for and, Celery being eager in tests, generated once the request commits.
        job = jobs.report_job_request(
            user=world["analyst"], kind=ReportKind.QUARTERLY, language="en", period=Q2, organisation_id=None
        )
    assert mention(sql(replica_queries), CONTACT_TABLE) and reads_only(sql(replica_queries))
    assert not mention(sql(primary), CONTACT_TABLE)
    updates = [query for query in mention(sql(primary), ReportJob._meta.db_table) if "UPDATE" in query]
    assert len(updates) >= 3  # the claim, progress steps, done
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    with storages["private"].open(job.file, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


@REPLICA
def test_the_case_status_report_reads_from_the_primary(world, users_a, open_case, replica):
    """It checks the requester's access as it is now and audits what it reads: never a lagging replica."""
    case = open_case(by=users_a[Role.CASEWORKER])
    with captured() as (primary, replica_queries):
        job = jobs.report_job_request(
            user=users_a[Role.CASEWORKER], kind=ReportKind.CASE_STATUS, language="en", case_id=case.pk
        )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert sql(replica_queries) == []
    assert mention(sql(primary), "cases_case")


@REPLICA
def test_the_case_export_counts_on_the_replica_and_audits_on_the_primary(world, users_a, open_case, replica):
    for _i in range(2):
        open_case(by=users_a[Role.CASEWORKER])
    with captured() as (primary, replica_queries):
        export = case_export(user=world["analyst"], organisation_id=None, fmt="csv")
    assert mention(sql(replica_queries), "cases_case") and reads_only(sql(replica_queries))
    assert not mention(sql(primary), 'FROM "cases_case"')
    assert [query for query in mention(sql(primary), AuditEvent._meta.db_table) if "INSERT" in query]
    assert export.content.startswith(b"\xef\xbb\xbfyearOfRegistration")
    assert AuditEvent.objects.filter(target_label="case-level export").count() == 1


# --- Celery queues ----------------------------------------------------------------------------------------


# From the settings, not from the app's live list: a test that sends to a queue of its own adds that one.
def configured_queues() -> set[str]:
    return {queue.name for queue in django_settings.CELERY_TASK_QUEUES}


def queue_of(task_name: str) -> str:
    return celery_app.amqp.router.route({}, task_name)["queue"].name


def project_tasks() -> list[str]:
    celery_app.loader.import_default_modules()
    apps = ("cmm.", "cases.", "outreach.", "identification.", "reflection.", "referrals.", "reports.")
    return sorted(name for name in celery_app.tasks if name.startswith(apps))


# Importing the task modules runs Celery's Django fixup, which runs the system checks, and cmm's designation
# check reads the organisations (as a real worker does at start-up).
@pytest.mark.django_db
def test_pdf_generation_has_a_queue_of_its_own_and_everything_else_the_default():
    assert django_settings.CELERY_TASK_DEFAULT_QUEUE == "celery"
    assert configured_queues() == {"celery", "reports"}
    tasks = project_tasks()
    assert REPORT_TASK in tasks and "cmm.tasks.email_send_task" in tasks
    assert {name: queue_of(name) for name in tasks} == {
        name: "reports" if name == REPORT_TASK else "celery" for name in tasks
    }


def test_reminders_scans_and_the_report_recovery_stay_on_the_default_queue():
    """The recovery scan must run even while the reports workers are busy or gone."""
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reports.tasks.report_jobs_recover_task" in scheduled
    assert {name: queue_of(name) for name in scheduled} == dict.fromkeys(scheduled, "celery")


# --- The compose stack and the development Procfile -------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def default_of(value) -> int:
    """The default of a `${NAME:-default}` value (or the value itself)."""
    match = re.fullmatch(r"\$\{\w+:-(\d+)\}", str(value))
    return int(match.group(1) if match else value)


def queues_of(command: list[str]) -> set[str]:
    (queues,) = [arg.split("=", 1)[1] for arg in command if arg.startswith("--queues=")]
    return set(queues.split(","))


def test_compose_runs_several_web_and_worker_replicas_and_one_beat(compose):
    services = compose["services"]
    assert default_of(services["web"]["deploy"]["replicas"]) >= 2
    assert default_of(services["worker"]["deploy"]["replicas"]) >= 2
    assert default_of(services["worker-reports"]["deploy"]["replicas"]) >= 1
    assert services["beat"]["deploy"]["replicas"] == 1
    # One published port for all web replicas: the proxy's, balancing over Docker's DNS name "web".
    assert "ports" not in services["web"]
    assert [port.split(":")[-1] for port in services["proxy"]["ports"]] == ["8000"]
    proxy_conf = compose["configs"]["web-proxy"]["content"]
    assert "proxy_pass $$cmm_web" in proxy_conf and "http://web:8000" in proxy_conf


def test_compose_workers_consume_every_queue_and_split_them(compose):
    services = compose["services"]
    default, reports = (
        queues_of(services["worker"]["command"]),
        queues_of(services["worker-reports"]["command"]),
    )
    assert (default, reports) == ({"celery"}, {"reports"})
    assert default | reports == configured_queues()


def test_compose_shares_one_database_one_redis_and_one_file_volume(compose):
    services = compose["services"]
    app_services = ["migrate", "web", "worker", "worker-reports", "beat"]
    for name in app_services:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].endswith("@db:5432/cmm"), name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert "REPORTS_DATABASE_URL" in env, name
    # Every service that writes or serves private files mounts the same volume where settings look.
    for name in ("web", "worker", "worker-reports"):
        assert f"private:{services[name]['environment']['PRIVATE_STORAGE_ROOT']}" in services[name]["volumes"]


def test_make_run_still_runs_every_queue():
    procfile = dict(
        line.split(":", 1) for line in (BASE_DIR / "Procfile.dev").read_text().splitlines() if line.strip()
    )
    assert queues_of(procfile["worker"].split()) == configured_queues()


# --- No in-process state under production settings --------------------------------------------------------

SHOW_SETTINGS = """
import json, django
django.setup()
import axes.conf  # noqa: F401 - fills in django-axes' defaults
from django.conf import settings as s
print(json.dumps({
    "reports": s.DATABASES.get("reports"),
    "routers": s.DATABASE_ROUTERS,
    "cache": s.CACHES["default"]["BACKEND"],
    "session": s.SESSION_ENGINE,
    "axes": s.AXES_HANDLER,
    "broker": s.CELERY_BROKER_URL,
    "private": s.STORAGES["private"]["OPTIONS"]["location"],
}))
"""


def production_settings(**env) -> dict:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "REDIS", "REPORTS", "CELERY"))
    }
    clean.update(
        DJANGO_SETTINGS_MODULE="cmm.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="cmm.example.org",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        CLIENT_CODE_PEPPER=secrets.token_urlsafe(40),
        DATABASE_URL="postgres://cmm:secret@db:5432/cmm",
        REDIS_URL="redis://redis:6379/0",
        PRIVATE_STORAGE_ROOT="/app/var/private",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_keeps_no_state_in_a_process():
    shown = production_settings()
    assert shown["session"] == "django.contrib.sessions.backends.db"  # sessions: PostgreSQL rows
    assert shown["axes"] == "axes.handlers.database.AxesDatabaseHandler"  # login failures: rows too
    assert shown["cache"] == "cmm.cache.FailSoftRedisCache"  # API throttling: Redis (fails soft)
    assert shown["broker"] == "redis://redis:6379/0"
    assert shown["private"] == "/app/var/private"  # the shared volume of docker-compose.yml
    assert shown["routers"] == ["cmm.routers.ReportsReplicaRouter"]
    assert shown["reports"] is None  # no REPORTS_DATABASE_URL: no replica, every query on the primary


def test_a_reports_database_url_adds_a_read_only_replica_alias():
    shown = production_settings(REPORTS_DATABASE_URL="postgres://cmm_ro:secret@db-replica:5432/cmm")
    replica_alias = shown["reports"]
    assert (replica_alias["HOST"], replica_alias["USER"], replica_alias["NAME"]) == (
        "db-replica",
        "cmm_ro",
        "cmm",
    )
    assert "default_transaction_read_only=on" in replica_alias["OPTIONS"]["options"]
    assert "jit=off" in replica_alias["OPTIONS"]["options"]


# --- Real worker processes: a busy reports queue does not hold up e-mail ----------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_default_worker_delivers_email_while_pdf_work_waits_for_a_reports_worker(world, tmp_path, settings):
    from tests import workers

    private = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    broker = workers.broker_config(tmp_path)
    env = workers.process_env(
        broker,
        EMAIL_URL=f"filemail:///{mail_dir}",
        PRIVATE_STORAGE_ROOT=str(private),
        REPORTS_DATABASE_URL="",
    )
    default_worker = workers.start(
        [*workers.WORKER_ARGS, "--queues=celery"], env=env, log_path=tmp_path / "default.log"
    )
    reports_worker = None
    try:
        with workers.sending_to(broker):
            job = jobs.report_job_request(
                user=world["analyst"],
                kind=ReportKind.QUARTERLY,
                language="en",
                period=Q2,
                organisation_id=None,
            )
            subject = f"Reminder {uuid.uuid4().hex[:8]}"
            email = email_queue(to="caseworker@example.org", subject=subject, body="Open the app.")

            workers.wait_for(
                lambda: OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.SENT,
                timeout=90,
                processes=[default_worker],
            )
            assert ReportJob.objects.get(pk=job.pk).status == JobStatus.QUEUED  # not taken by that worker
            assert workers.task_runs(default_worker[1], REPORT_TASK) == 0

            reports_worker = workers.start(
                [*workers.WORKER_ARGS, "--queues=reports"], env=env, log_path=tmp_path / "reports.log"
            )
            workers.wait_for(
                lambda: ReportJob.objects.filter(pk=job.pk, status=JobStatus.DONE).exists(),
                timeout=120,
                processes=[reports_worker],
            )
        assert [path.read_text().count(subject) > 0 for path in mail_dir.iterdir()] == [True]
        assert workers.task_runs(reports_worker[1], REPORT_TASK) == 1
        assert workers.task_runs(default_worker[1], REPORT_TASK) == 0
    finally:
        workers.stop(*default_worker)
        if reports_worker is not None:
            workers.stop(*reports_worker)
