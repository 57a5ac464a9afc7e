"""The marker test (issue 11): unique marker strings go into every personal and free-text field of a case,
the main flows run, and then

(a) no table holds a personal marker in plain text (only encrypted columns hold them, as ciphertext), and
    free-text markers sit only in the plain free-text columns listed below (those the forms tell users to
    keep free of identifying details, stored as they are by design);
(b) after a GDPR erasure no marker is left anywhere: not in any column, not even decrypted in an encrypted
    one, and not in any file of the private storage;
(c) no marker reached the logs, e-mails (sent or in the outbox), Celery task messages or the URLs requested
    and redirected to.

Markers: PERSONAL = "<M>P...", FREE = "<M>F..."; <M> is unique per run, and every search looks for <M>.
"""

import datetime
import logging
import uuid
from pathlib import Path

import pytest
from celery.app.task import Task
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from cases.choices import HousingType, ServiceMode, ServiceType, TracingStatus
from cases.models import (
    ActionPlan,
    CaseService,
    ParentTracing,
    PersonalDetails,
    PersonalRepresentative,
    ShelterStay,
)
from cases.services import (
    action_plan_update,
    parent_tracing_record,
    representative_appoint,
    service_record,
    stay_save,
)
from cmm.encryption import EncryptedDateField, EncryptedTextField
from cmm.models import OutboundEmail, Role
from identification.choices import Finding, Outcome
from identification.models import Attachment, CourtVerdict, Decision
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
from referrals.choices import ConsentScope, EscortKind, ReferralKind, ReferralReason
from referrals.models import Referral, ReturnPlan
from referrals.services.referrals import referral_accept, referral_send
from referrals.services.returns import return_plan_create
from reflection.choices import ExtensionGround, PeriodKind
from reflection.models import Extension, Postponement, ReflectionPeriod
from reflection.services import period_extend, period_postpone, period_start
from reports.models import JobStatus, ReportKind
from reports.services.jobs import report_job_request

pytestmark = pytest.mark.django_db

D = datetime.date

# Plain free-text columns: users are told not to write identifying details there, and an erasure blanks
# them. A free-text marker found in any other column fails the test.
PLAIN_FREE_TEXT = [
    (PersonalRepresentative, ["name", "organisation_name"]),
    (ParentTracing, ["with_whom", "reason"]),
    (ActionPlan, ["goals", "wishes_after_stay"]),
    (CaseService, ["provider", "notes"]),
    (ShelterStay, ["housing_name"]),
    (Decision, ["reasons"]),
    (CourtVerdict, ["court"]),
    (ReflectionPeriod, ["short_reason"]),
    (Extension, ["ground_text"]),
    (Postponement, ["reason"]),
    (Referral, ["request_note"]),
    (ReturnPlan, ["iom_reference", "destination_city", "escort_name", "receiving_organisation"]),
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
    caseworker = users_a[Role.CASEWORKER]
    urls: list[str] = []

    def visit(client, method, url, data=None):
        response = getattr(client, method)(url, data or {})
        request = response.wsgi_request
        urls.extend([request.get_full_path(), request.build_absolute_uri(), response.get("Location") or ""])
        return response

    with django_capture_on_commit_callbacks(execute=True):
        # --- The main flows, with a marker in every personal and free-text field --------------------------
        case = open_case(
            by=caseworker,
            personal={
                name: f"{personal}-{name}" for name in PersonalDetails.FIELDS if name != "date_of_birth"
            },
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
        contact_log(
            by=caseworker, organisation=case.organisation, venue="street", case=case, note=f"{free}-note"
        )
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
