"""The marker test (issues 11 and 17): unique marker strings go into every personal and free-text field of a
case, the main flows run, and then

(a) no table holds a personal marker in plain text (only encrypted columns hold them, as ciphertext), and
    free-text markers sit only in the plain free-text columns listed below (those the forms tell users to
    keep free of identifying details, stored as they are by design); every other text is encrypted;
(b) after a GDPR erasure no marker is left anywhere: not in any column, not even decrypted in an encrypted
    one, and not in any file of the private storage;
(c) no marker reached the logs, e-mails (sent or in the outbox), Celery task messages or the URLs requested
    and redirected to.

Markers: PERSONAL = "<M>P...", FREE = "<M>F..."; <M> is unique per run, and every search looks for <M>.

The dump test (issue 17) plants the same markers, commits them, and dumps the database as a backup would
(`pg_dump --data-only --no-owner` on PostgreSQL, SQLite's own SQL dump otherwise): without the keys the
dump holds no marker but those of the plain free-text columns.
"""

import datetime
import logging
import os
import re
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from celery.app.task import Task
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from cases.choices import ActivityKind, ActivityStatus, HousingType, ServiceMode, ServiceType, TracingStatus
from cases.models import Case, PersonalDetails
from cases.personal_texts import PARTY_TEXTS, PERSONAL_TEXTS
from cases.services import (
    action_plan_update,
    activity_save,
    case_soft_delete,
    parent_tracing_record,
    plan_review_add,
    representative_appoint,
    service_record,
    stay_save,
)
from cmm.encryption import EncryptedDateField, EncryptedTextField
from cmm.models import OutboundEmail, Role
from identification.choices import Finding, Outcome
from identification.models import Attachment
from identification.services import (
    attachment_add,
    court_verdict_record,
    decision_record,
    identification_form_record,
    police_assessment_record,
)
from outreach.choices import Indicator
from outreach.models import Contact
from outreach.services import contact_log
from referrals.choices import (
    ComponentKind,
    ConsentScope,
    EscortKind,
    FollowUpMilestone,
    ReferralKind,
    ReferralReason,
)
from referrals.models import Referral, ReturnFollowUp, ReturnPlan, ReturnStatusChange
from referrals.services.referrals import referral_accept, referral_send
from referrals.services.returns import component_add, return_plan_create
from reflection.choices import ExtensionGround, PeriodKind
from reflection.models import Extension, Postponement, ReflectionPeriod
from reflection.services import period_extend, period_postpone, period_start
from reports.models import JobStatus, ReportKind
from reports.services.jobs import report_job_request

pytestmark = pytest.mark.django_db

D = datetime.date

# Plain free-text columns, by design: the reflection period's reasons and the outreach notes. The forms
# tell users to write no identifying details there, an erasure blanks them, and they are the period's and
# the contact's own work notes, not the person's (issue 17 keeps them plain: see docs/operations.md). A
# free-text marker found in any other column fails the test: every other text is encrypted.
PLAIN_FREE_TEXT = [
    (ReflectionPeriod, ["short_reason"]),
    (Extension, ["ground_text"]),
    (Postponement, ["reason"]),
    (Contact, ["note"]),
]


def _allowed_columns() -> set[tuple[str, str]]:
    allowed = set()
    for model, names in PLAIN_FREE_TEXT:
        tables = [model._meta.db_table]
        if hasattr(model, "history"):
            tables.append(model.history.model._meta.db_table)
        for name in names:
            column = model._meta.get_field(name).column
            allowed |= {(table, column) for table in tables}
    return allowed


def _scan_database(marker: str) -> dict[tuple[str, str], int]:
    """Every (table, column) whose stored value contains `marker` as it is stored (no decryption)."""
    hits: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    if value is not None and marker in str(value):
                        hits[(table, column)] = hits.get((table, column), 0) + 1
    return hits


def _decrypted_hits(marker: str) -> list[str]:
    """Every encrypted field whose decrypted value contains `marker` (history tables included)."""
    found = []
    for model in apps.get_models():
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, EncryptedTextField | EncryptedDateField)
        ]
        for values in model._base_manager.values_list(*names) if names else []:
            found += [
                f"{model._meta.db_table}.{n}" for n, v in zip(names, values, strict=True) if marker in str(v)
            ]
    return found


def _files_with(marker: str, *roots) -> list[str]:
    found = []
    for root in map(Path, roots):
        for path in root.rglob("*") if root.exists() else []:
            if path.is_file() and (marker in path.name or marker.encode() in path.read_bytes()):
                found.append(str(path))
    return found


def _plant(m: str, *, caseworker, open_case, liaison, org_cmm, cmm_coordinator, deleted_reason: str) -> dict:
    """Open a case and run the main flows with a marker in every personal and free-text field; another
    case is soft-deleted with `deleted_reason`. Returns the case and its presentation."""
    personal, free = f"{m}P", f"{m}F"
    case = open_case(
        by=caseworker,
        personal={name: f"{personal}-{name}" for name in PersonalDetails.FIELDS if name != "date_of_birth"},
        date_of_birth=D(2000, 2, 3),
        estimated_age=None,
    )
    representative_appoint(
        case=case,
        by=caseworker,
        name=f"{free}-rep",
        organisation_name=f"{free}-reporg",
        is_professional=True,
        appointed_on=D(2026, 3, 2),
    )
    parent_tracing_record(
        case=case,
        by=caseworker,
        status=TracingStatus.NOT_IN_INTEREST,
        requested_on=None,
        with_whom=f"{free}-whom",
        reason=f"{free}-tracing",
    )
    action_plan_update(case=case, by=caseworker, goals=f"{free}-goals", wishes_after_stay=f"{free}-wish")
    service_record(
        case=case,
        by=caseworker,
        service_type=ServiceType.choices[0][0],
        mode=ServiceMode.REFERRED,
        provided_on=D(2026, 3, 3),
        provider=f"{free}-provider",
        notes=f"{free}-service",
    )
    stay_save(
        case=case,
        by=caseworker,
        housing_type=HousingType.CRISIS_CENTRE,
        housing_name=f"{free}-shelter",
        admitted_on=D(2026, 3, 4),
    )
    # Identification: evidence (encrypted), an attachment whose name and content hold the marker.
    from identification.services import presentation_create

    presentation = presentation_create(
        case=case, by=caseworker, presented_on=D(2026, 3, 10), presented_by="police"
    )
    police_assessment_record(
        presentation=presentation,
        by=caseworker,
        assessed_on=D(2026, 3, 10),
        finding=Finding.TRAFFICKED,
        text=f"{personal}-police",
    )
    identification_form_record(
        presentation=presentation,
        by=caseworker,
        interviewed_on=D(2026, 3, 11),
        indicators=[Indicator.values[0]],
        narrative=f"{personal}-narrative",
    )
    attachment_add(
        presentation=presentation,
        by=caseworker,
        uploaded_file=SimpleUploadedFile(
            f"{personal}-passport.txt", f"scan of {personal}-content".encode(), content_type="text/plain"
        ),
    )
    court_verdict_record(
        presentation=presentation,
        by=caseworker,
        court=f"{free}-court",
        ruled_on=D(2026, 3, 12),
        finding=Finding.TRAFFICKED,
    )
    decision_record(
        presentation=presentation,
        by=liaison,
        outcome=Outcome.IDENTIFIED,
        decided_on=D(2026, 3, 20),
        exploitation_types=["forced_labour"],
        reasons=f"{free}-reasons",
    )
    # Reflection period with its free texts.
    period = period_start(
        case=case,
        by=caseworker,
        kind=PeriodKind.STATUTORY,
        starts_on=D(2026, 3, 21),
        initial_days=20,
        short_reason=f"{free}-short",
    )
    period_extend(
        period=period,
        by=caseworker,
        new_total_days=60,
        ground=ExtensionGround.MEDICAL,
        decided_on=D(2026, 3, 25),
        ground_text=f"{free}-extension",
    )
    period_postpone(period=period, by=caseworker, from_date=D(2026, 3, 26), reason=f"{free}-postpone")
    # A referral to CMM (e-mails to its coordinators), accepted with the identifying details.
    referral = referral_send(
        case=case,
        by=caseworker,
        to_organisation=org_cmm,
        kind=ReferralKind.SHARE,
        reason=ReferralReason.choices[0][0],
        request_note=f"{free}-request",
        consent_given=True,
        consent_on=D(2026, 3, 27),
        consent_scope=ConsentScope.FACTS_AND_DETAILS,
    )
    referral_accept(referral=referral, by=cmm_coordinator)
    return_plan_create(
        case=case,
        by=caseworker,
        destination_country="NG",
        destination_city=f"{free}-city",
        iom_reference=f"{free}-iom",
        escort=EscortKind.SOCIAL_WORKER,
        escort_name=f"{free}-escort",
        receiving_organisation=f"{free}-receiver",
    )
    contact_log(by=caseworker, organisation=case.organisation, venue="street", case=case, note=f"{free}-note")
    # The texts of the action plan's reviews and activities.
    plan_review_add(case=case, by=caseworker, review_on=D(2026, 3, 5), notes=f"{free}-review")
    activity_save(
        case=case,
        by=caseworker,
        kind=ActivityKind.COURSE,
        title=f"{free}-title",
        provider=f"{free}-activityprovider",
        starts_on=D(2026, 3, 6),
        ends_on=None,
        status=ActivityStatus.PLANNED,
    )
    # The referral's other notes, and the return plan's other texts (written straight through the models:
    # their flows need steps that do not matter here; the fields encrypt however they are written).
    Referral.objects.filter(pk=referral.pk).update(
        override_reason=f"{free}-override", response_note=f"{free}-response", end_reason=f"{free}-end"
    )
    plan = ReturnPlan.objects.get(case=case)
    ReturnPlan.objects.filter(pk=plan.pk).update(representative_involvement=f"{free}-involvement")
    component_add(
        plan=plan,
        by=caseworker,
        kind=ComponentKind.RECEPTION,
        budget_amount=Decimal(100),
        notes=f"{free}-part",
    )
    ReturnStatusChange.objects.filter(plan=plan).update(note=f"{free}-step")
    ReturnFollowUp.objects.create(
        plan=plan, milestone=FollowUpMilestone.ONE_MONTH, due_on=D(2026, 6, 1), note=f"{free}-followup"
    )
    # A case deleted by mistake, with its reason (the case's own personal text, in its history too).
    deleted = open_case(by=caseworker)
    case_soft_delete(case=deleted, by=caseworker, reason=deleted_reason)
    return {"case": case, "presentation": presentation}


@pytest.fixture
def celery_messages(monkeypatch):
    """Record the arguments of every task sent (the eager test settings still pass through apply_async)."""
    sent = []
    original = Task.apply_async

    def recording(self, args=None, kwargs=None, *rest, **options):
        sent.append(repr((self.name, args, kwargs, options)))
        return original(self, args, kwargs, *rest, **options)

    monkeypatch.setattr(Task, "apply_async", recording)
    return sent


def test_markers_stay_encrypted_and_leave_nothing_behind_after_erasure(
    users_a,
    open_case,
    org_cmm,
    cmm_coordinator,
    liaison,
    deciders,
    login,
    private_storage,
    caplog,
    celery_messages,
    django_capture_on_commit_callbacks,
    time_machine,
):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC))
    caplog.set_level(logging.DEBUG)
    m = f"MRK{uuid.uuid4().hex[:16]}"
    personal, free = f"{m}P", f"{m}F"
    # The deleted case is not erased: its marker is checked for encryption only.
    m_deleted = f"DEL{uuid.uuid4().hex[:16]}"
    caseworker = users_a[Role.CASEWORKER]
    urls: list[str] = []

    def visit(client, method, url, data=None):
        response = getattr(client, method)(url, data or {})
        request = response.wsgi_request
        urls.extend([request.get_full_path(), request.build_absolute_uri(), response.get("Location") or ""])
        return response

    with django_capture_on_commit_callbacks(execute=True):
        # --- The main flows, with a marker in every personal and free-text field --------------------------
        planted = _plant(
            m,
            caseworker=caseworker,
            open_case=open_case,
            liaison=liaison,
            org_cmm=org_cmm,
            cmm_coordinator=cmm_coordinator,
            deleted_reason=f"{m_deleted}F-deleted",
        )
        case, presentation = planted["case"], planted["presentation"]
        # A case status report (a PDF with the identifying details, rendered by the eager Celery task).
        job = report_job_request(user=caseworker, kind=ReportKind.CASE_STATUS, language="en", case_id=case.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.identifying
    report_storage_file = private_storage / job.file
    assert report_storage_file.exists()
    assert mail.outbox, "the referral must have sent e-mails"

    # Page flows: the details are changed through the form, the case pages are read.
    client = login(caseworker)
    changed = {
        name: f"{personal}-edited-{name}" for name in PersonalDetails.FIELDS if name != "date_of_birth"
    }
    response = visit(client, "post", reverse("case-personal-update", args=[case.pk]), changed)
    assert response.status_code == 302, response.content[:300]
    for name in ("case-detail", "case-personal", "case-history", "case-timeline"):
        assert visit(client, "get", reverse(name, args=[case.pk])).status_code == 200
    assert (
        f"{personal}-edited-full_name"
        in visit(client, "get", reverse("case-personal", args=[case.pk])).content.decode()
    )

    # (a) Personal markers are nowhere in plain text; free-text markers only in the listed columns.
    attachment = Attachment.objects.get(presentation=presentation)
    attachment_storage = attachment.file.storage
    assert attachment.name == f"{personal}-passport.txt"  # stored encrypted, read back decrypted
    assert _scan_database(personal) == {}
    unexpected = set(_scan_database(free)) - _allowed_columns()
    assert unexpected == set()
    assert _decrypted_hits(personal)  # the encrypted columns really hold them (decrypted here)
    assert _scan_database(m_deleted) == {}
    assert "cases_case.deletion_reason" in _decrypted_hits(m_deleted)
    # Every personal and party text (issue 17) holds its marker, encrypted, in its table and its history.
    encrypted = set(_decrypted_hits(free))
    for label, names in {**PERSONAL_TEXTS, **PARTY_TEXTS}.items():
        if label == "cases.Case":
            continue  # the deleted case's, above
        model = apps.get_model(label)
        for name in names:
            assert f"{model._meta.db_table}.{name}" in encrypted, (label, name)
            if hasattr(model, "history"):
                assert f"{model.history.model._meta.db_table}.{name}" in encrypted, (label, name)

    # (b) The GDPR erasure, through the page, by CMM's coordinator (who sees the case through the referral).
    coordinator_client = login(cmm_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = visit(
            coordinator_client,
            "post",
            reverse("case-erase", args=[case.pk]),
            {"confirm_number": case.number, "reason": "Request by letter, journal 2026-114"},
        )
    assert response.status_code == 302, response.content[:500]
    assert response.url == reverse("case-list")  # the share ended with the erasure

    assert _scan_database(m) == {}
    assert _decrypted_hits(m) == []
    assert _files_with(m, private_storage, attachment_storage.path("")) == []
    assert not report_storage_file.exists()
    job.refresh_from_db()
    assert job.status == JobStatus.EXPIRED and job.file == ""

    # (c) Nothing reached the logs, e-mails, Celery messages or URLs.
    logged = [f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records]
    assert logged, "log capture must see the app's log records"
    assert [line for line in logged if m in line] == []
    emails = [f"{e.subject} {e.body} {e.to}" for e in mail.outbox]
    emails += [f"{e.subject} {e.body} {e.to}" for e in OutboundEmail.objects.all()]
    assert emails and [e for e in emails if m in e] == []
    assert celery_messages and [c for c in celery_messages if m in c] == []
    assert urls and [u for u in urls if m in u] == []


# --- The dump (issue 17) --------------------------------------------------------------------------------


def _database_dump() -> str:
    """The committed data of the test database as a backup holds it: `pg_dump --data-only --no-owner` on
    PostgreSQL, SQLite's SQL dump otherwise (the same rows, written out as INSERTs)."""
    if connection.vendor != "postgresql":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [
        "pg_dump",
        "--data-only",
        "--no-owner",
        "--host",
        settings.get("HOST") or "127.0.0.1",
        "--port",
        str(settings.get("PORT") or 5432),
        "--username",
        settings.get("USER") or "postgres",
        settings["NAME"],
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_without_the_keys_shows_no_personal_text(
    users_a, open_case, org_cmm, cmm_coordinator, liaison, deciders, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC))
    m = f"DMP{uuid.uuid4().hex[:16]}"
    caseworker = users_a[Role.CASEWORKER]
    _plant(
        m,
        caseworker=caseworker,
        open_case=open_case,
        liaison=liaison,
        org_cmm=org_cmm,
        cmm_coordinator=cmm_coordinator,
        deleted_reason=f"{m}F-deleted",
    )
    assert Case.objects.filter(deleted_at__isnull=False).exists()
    assert len(_decrypted_hits(m)) > 40  # planted, committed, and readable with the keys

    dump = _database_dump()

    assert "cases_case" in dump  # the dump has the data
    found = set(re.findall(rf"{m}[PF][\w-]*", dump))
    # Only the plain free-text columns' markers (by design) are readable in the dump.
    assert found == {f"{m}F-short", f"{m}F-extension", f"{m}F-postpone", f"{m}F-note"}
