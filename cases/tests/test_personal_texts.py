"""The personal texts outside the personal details (issue 17): encrypted at rest with the same keys and
rotation, and shown only to who may see the personal details (the case team), on the pages, in the API and
in the case status report; the Immigration Service liaison, with facts-only access, sees the facts around
them. Each read by the team is audited like a read of the personal details."""

from __future__ import annotations

import datetime
import io
import uuid

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from cases.choices import ActivityKind, ActivityStatus, HousingType, ServiceMode, ServiceType, TracingStatus
from cases.models import PersonalRepresentative, PlannedActivity, ShelterStay
from cases.personal_texts import PARTY_TEXTS, PERSONAL_TEXTS
from cases.services import (
    action_plan_update,
    activity_save,
    parent_tracing_record,
    plan_review_add,
    representative_appoint,
    service_record,
    stay_save,
)
from cmm.encryption import EncryptedCharField, EncryptedTextField, decrypt_text, encrypt_plain_columns
from cmm.management.commands.rotate_field_encryption import encrypted_columns
from cmm.models import AuditAction, AuditEvent, Role
from cmm.tests.test_api import token_client
from identification.choices import Finding, Outcome
from identification.services import court_verdict_record, decision_record
from reports.documents import render_report
from reports.models import ReportJob, ReportKind

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def texts(users_a, open_case, deciders, present):
    """A minor's case of organisation A with every personal text holding a marker, presented to and decided
    by the Immigration Service (whose liaison then sees the case's facts, not its personal details)."""
    caseworker = users_a[Role.CASEWORKER]
    m = f"TXT{uuid.uuid4().hex[:12]}"
    case = open_case(by=caseworker, estimated_age=15, unaccompanied_minor=True)
    representative_appoint(
        case=case,
        by=caseworker,
        name=f"{m}-rep",
        organisation_name=f"{m}-reporg",
        is_professional=True,
        appointed_on=D(2026, 3, 2),
    )
    parent_tracing_record(
        case=case,
        by=caseworker,
        status=TracingStatus.NOT_IN_INTEREST,
        requested_on=None,
        with_whom=f"{m}-whom",
        reason=f"{m}-tracing",
    )
    action_plan_update(case=case, by=caseworker, goals=f"{m}-goals", wishes_after_stay=f"{m}-wish")
    plan_review_add(case=case, by=caseworker, review_on=D(2026, 3, 5), notes=f"{m}-review")
    activity = activity_save(
        case=case,
        by=caseworker,
        kind=ActivityKind.COURSE,
        title=f"{m}-title",
        provider=f"{m}-activityprovider",
        starts_on=D(2026, 3, 6),
        ends_on=None,
        status=ActivityStatus.PLANNED,
    )
    service_record(
        case=case,
        by=caseworker,
        service_type=ServiceType.HEALTH_DOCTOR,
        mode=ServiceMode.ACCOMPANIED,
        provided_on=D(2026, 3, 3),
        provider=f"{m}-provider",
        notes=f"{m}-service",
    )
    stay = stay_save(
        case=case,
        by=caseworker,
        housing_type=HousingType.CRISIS_CENTRE,
        housing_name=f"{m}-shelter",
        admitted_on=D(2026, 3, 4),
    )
    presentation = present(case, by=caseworker)
    court_verdict_record(
        presentation=presentation,
        by=caseworker,
        court=f"{m}-court",
        ruled_on=D(2026, 3, 12),
        finding=Finding.TRAFFICKED,
    )
    decision_record(
        presentation=presentation,
        by=deciders["us"],
        outcome=Outcome.IDENTIFIED,
        decided_on=D(2026, 3, 20),
        exploitation_types=["forced_labour"],
        reasons=f"{m}-reasons",
    )
    return {
        "m": m,
        "case": case,
        "caseworker": caseworker,
        "liaison": deciders["us"],
        "presentation": presentation,
        "stay": stay,
        "activity": activity,
    }


def _reads(user, case):
    return AuditEvent.objects.filter(
        action=AuditAction.VIEWED, actor=user, target_label=case.number, detail__what="personal_texts"
    )


PAGES = ["case-detail", "case-minor", "case-plan"]


# --- At rest ----------------------------------------------------------------------------------------------


def test_every_personal_text_is_an_encrypted_field_in_its_table_and_its_history():
    for label, names in {**PERSONAL_TEXTS, **PARTY_TEXTS}.items():
        model = apps.get_model(label)
        models = [model, *([model.history.model] if hasattr(model, "history") else [])]
        for each in models:
            for name in names:
                assert isinstance(each._meta.get_field(name), EncryptedTextField), (each, name)


def test_rotation_covers_the_personal_texts_and_history():
    covered = {model._meta.label: set(fields) for model, fields in encrypted_columns()}
    for label, names in {**PERSONAL_TEXTS, **PARTY_TEXTS}.items():
        model = apps.get_model(label)
        assert set(names) <= covered[label], label
        if hasattr(model, "history"):
            assert set(names) <= covered[model.history.model._meta.label], label


def test_one_line_texts_keep_their_length_limit_and_input():
    field = PersonalRepresentative._meta.get_field("name")
    assert isinstance(field, EncryptedCharField) and field.max_length == 200
    assert field.formfield().max_length == 200
    assert field.formfield().widget.input_type == "text"
    representative = PersonalRepresentative(name="x" * 201, appointed_on=D(2026, 3, 2))
    with pytest.raises(Exception, match="200"):
        representative.clean_fields(exclude=["case"])


def test_a_personal_text_is_stored_as_ciphertext_with_the_first_key(texts, settings):
    stay = texts["stay"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT housing_name FROM cases_shelterstay WHERE id = %s", [stay.pk])
        (token,) = cursor.fetchone()
        cursor.execute("SELECT housing_name FROM cases_historicalshelterstay WHERE id = %s", [stay.pk])
        history_tokens = [row[0] for row in cursor.fetchall()]
    assert texts["m"] not in token and decrypt_text(token) == f"{texts['m']}-shelter"
    assert history_tokens and all(texts["m"] not in t and decrypt_text(t) for t in history_tokens)
    ShelterStay.objects.get(pk=stay.pk)  # reads back


def test_the_data_migration_encrypts_plain_values_once_and_reverses(texts):
    """The migrations' step (cmm.encryption.encrypt_plain_columns): plain values already in the columns are
    encrypted, encrypted ones are left alone, and going back gives the plain values."""
    from django.db.models import TextField, Value

    activity = texts["activity"]
    PlannedActivity.objects.filter(pk=activity.pk).update(
        title=Value("Plain title", output_field=TextField()),  # as the column held it before the migration
    )
    before_provider = _raw("cases_plannedactivity", "provider", activity.pk)
    forward, backward = encrypt_plain_columns({"cases.PlannedActivity": ["title", "provider"]})

    forward(apps, None)
    title = _raw("cases_plannedactivity", "title", activity.pk)
    assert title != "Plain title" and decrypt_text(title) == "Plain title"
    assert _raw("cases_plannedactivity", "provider", activity.pk) == before_provider  # not encrypted twice
    forward(apps, None)
    assert _raw("cases_plannedactivity", "title", activity.pk) == title

    backward(apps, None)
    assert _raw("cases_plannedactivity", "title", activity.pk) == "Plain title"
    assert _raw("cases_plannedactivity", "provider", activity.pk) == f"{texts['m']}-activityprovider"


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test constants
        return cursor.fetchone()[0]


def test_rotation_re_encrypts_the_personal_texts_with_the_new_key(texts, settings):
    from django.core.management import call_command

    stay = texts["stay"]
    old = _raw("cases_shelterstay", "housing_name", stay.pk)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_field_encryption", stdout=io.StringIO())
    rotated = _raw("cases_shelterstay", "housing_name", stay.pk)
    assert rotated != old
    assert Fernet(new_key.encode()).decrypt(rotated.encode()).decode() == f"{texts['m']}-shelter"


# --- Shown to the case team only ------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_the_liaison_sees_the_case_pages_without_the_personal_texts(texts, login, page):
    liaison, case, m = texts["liaison"], texts["case"], texts["m"]
    response = login(liaison).get(reverse(page, args=[case.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert m not in body
    assert "•••" in body
    assert not _reads(liaison, case).exists()


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("case-detail", ["-provider", "-rep", "-reporg", "-goals"]),
        ("case-minor", ["-rep", "-reporg", "-whom", "-tracing"]),
        ("case-plan", ["-goals", "-wish", "-title", "-activityprovider", "-review"]),
    ],
)
def test_the_case_team_sees_the_personal_texts_and_the_read_is_audited(texts, login, page, shown):
    caseworker, case, m = texts["caseworker"], texts["case"], texts["m"]
    body = login(caseworker).get(reverse(page, args=[case.pk])).content.decode()
    for suffix in shown:
        assert f"{m}{suffix}" in body, suffix
    [read] = _reads(caseworker, case)
    assert read.detail["purpose"].startswith("page-") and read.detail["fields"]
    assert m not in str(read.detail)


def test_the_identification_page_hides_the_court_and_the_reasons_from_outsiders(
    texts, login, org_a, make_member
):
    presentation, m = texts["presentation"], texts["m"]
    url = reverse("presentation-detail", args=[presentation.pk])
    team = login(texts["caseworker"]).get(url).content.decode()
    assert f"{m}-court" in team and f"{m}-reasons" in team
    # The deciding authority reads its own decision's reasons, not the court's name.
    liaison = login(texts["liaison"]).get(url).content.decode()
    assert f"{m}-court" not in liaison and f"{m}-reasons" in liaison
    colleague = make_member(org_a, Role.CASEWORKER)  # the owner's, not on the team
    body = login(colleague).get(url).content.decode()
    assert m not in body


def test_changing_a_row_without_the_right_to_read_it_leaves_its_texts_out_and_kept(
    texts, login, org_a, make_member
):
    case, stay, activity, m = texts["case"], texts["stay"], texts["activity"], texts["m"]
    colleague = make_member(org_a, Role.CASEWORKER)  # may change the case, may not read its details
    client = login(colleague)
    for url in (
        reverse("case-stay-update", args=[case.pk, stay.pk]),
        reverse("case-activity-update", args=[case.pk, activity.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200 and m not in response.content.decode()
    response = client.post(
        reverse("case-stay-update", args=[case.pk, stay.pk]),
        {"housing_type": HousingType.LOKK_SHELTER, "admitted_on": "2026-03-04"},
    )
    assert response.status_code == 302
    stay.refresh_from_db()
    assert stay.housing_type == HousingType.LOKK_SHELTER and stay.housing_name == f"{m}-shelter"
    # The plan's texts are rewritten only by who can read them.
    response = client.post(reverse("case-plan", args=[case.pk]), {"action": "plan", "goals": "x"})
    assert response.status_code == 403


API = [
    ("api-case-services", ["provider", "notes"]),
    ("api-case-stays", ["housing_name"]),
    ("api-case-representatives", ["name", "organisation_name"]),
    ("api-case-parent-tracings", ["with_whom", "reason"]),
    ("api-case-activities", ["title", "provider"]),
]


@pytest.mark.parametrize(("name", "fields"), API)
def test_the_api_gives_the_liaison_null_and_the_team_the_texts(texts, api_client, name, fields):
    case, m = texts["case"], texts["m"]
    url = reverse(name, args=[case.pk])
    outsider = token_client(api_client, texts["liaison"]).get(url)
    assert outsider.status_code == 200
    assert m not in outsider.content.decode()
    for row in outsider.json()["results"]:
        assert all(row[field] is None for field in fields)
    assert not _reads(texts["liaison"], case).exists()

    team = token_client(api_client, texts["caseworker"]).get(url)
    assert m in team.content.decode()
    assert _reads(texts["caseworker"], case).get().detail["purpose"].startswith("api-")


def test_the_action_plan_api_gives_the_texts_to_the_team_only(texts, api_client):
    case, m = texts["case"], texts["m"]
    url = reverse("api-case-action-plan", args=[case.pk])
    outsider = token_client(api_client, texts["liaison"]).get(url).json()
    assert outsider["goals"] is None and outsider["wishes_after_stay"] is None
    assert outsider["reviews"][0]["notes"] is None and m not in str(outsider)
    team = token_client(api_client, texts["caseworker"]).get(url).json()
    assert team["goals"] == f"{m}-goals" and team["reviews"][0]["notes"] == f"{m}-review"


def test_the_presentation_api_hides_the_court_and_the_reasons(texts, api_client):
    presentation, m = texts["presentation"], texts["m"]
    url = f"/api/identification/presentations/{presentation.pk}/"
    liaison = token_client(api_client, texts["liaison"]).get(url).json()
    assert liaison["verdicts"][0]["court"] is None
    assert liaison["decision"]["reasons"] == f"{m}-reasons"  # its own decision
    team = token_client(api_client, texts["caseworker"]).get(url).json()
    assert team["verdicts"][0]["court"] == f"{m}-court" and team["decision"]["reasons"] == f"{m}-reasons"


def test_the_history_masks_a_deletion_reason_for_who_cannot_see_the_details(texts):
    from cases.selectors import MASK, case_history

    case, m = texts["case"], texts["m"]
    case.deletion_reason = f"{m}-deleted"  # as a correction would write it: into the case's history
    case.save()
    hidden = [c for c in case_history(case=case, show_identifying=False) if c.field == "deletion_reason"]
    assert hidden and all(c.new == MASK for c in hidden)
    shown = [c for c in case_history(case=case, show_identifying=True) if c.field == "deletion_reason"]
    assert shown and shown[0].new == f"{m}-deleted"


# --- The case status report -----------------------------------------------------------------------------


def _report_text(case, user) -> str:
    job = ReportJob.objects.create(
        kind=ReportKind.CASE_STATUS, language="en", case=case, requested_by=user, suppressed=False
    )
    with translation.override("en"):
        rendered = render_report(job, on_progress=lambda _percent: None)
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.pdf)).pages)


def test_the_case_status_report_shows_the_providers_to_the_team_only(texts):
    case, m = texts["case"], texts["m"]
    assert f"{m}-provider" in _report_text(case, texts["caseworker"])
    assert _reads(texts["caseworker"], case).get().detail == {
        "what": "personal_texts",
        "fields": ["caseservice.provider"],
        "purpose": "report",
    }
    liaison_text = _report_text(case, texts["liaison"])
    assert m not in liaison_text and "Health: doctor" in liaison_text
    assert not _reads(texts["liaison"], case).exists()
