"""The case-level export (DESIGN.md §3): CTDC-style broad categories, rare combinations dropped (k-anonymity),
never a name, date of birth or case number; the documented columns; who may export what; the audit row."""

import csv
import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from cases.choices import ControlMeans, ExploitationType, ForcedLabourSector, Gender, ResidenceStatus
from cases.models import Case, CaseControlMeans, CaseExploitation
from cases.services import case_soft_delete
from cases.tests.factories import CaseFactory
from cmm.models import AuditAction, AuditEvent, Role
from cmm.tests.test_api import token_client
from identification.choices import Finding, Outcome, PresentedBy
from identification.services import court_verdict_record, decision_record, presentation_create
from reports.periods import Period, Scope
from reports.services.case_export import (
    BOM,
    COLUMNS,
    CONTROL_COLUMNS,
    EXPLOITATION_COLUMNS,
    case_export,
    case_export_rows,
    column_docs,
)

pytestmark = pytest.mark.django_db

API = "/api/reports/exports/cases/"
PAGE = "/reports/exports/cases/"
DOCS = Path(settings.BASE_DIR) / "docs" / "case-export.md"


def make_cases(n, *, organisation, exploitations=(ExploitationType.SEXUAL,), control=(), **fields):
    """n plain cases (factories: no rule is at stake in building them) with the given exploitation types."""
    cases = CaseFactory.create_batch(n, organisation=organisation, **fields)
    for case in cases:
        for kind in exploitations:
            sector = ForcedLabourSector.CLEANING if kind == ExploitationType.FORCED_LABOUR else ""
            CaseExploitation.objects.create(case=case, type=kind, sector=sector)
        for kind in control:
            CaseControlMeans.objects.create(case=case, type=kind)
    return cases


def csv_rows(content: bytes) -> list[dict]:
    assert content.startswith(BOM.encode("utf-8"))
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_rows(content: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


@pytest.fixture
def analyst(org_cmm, make_member):
    return make_member(org_cmm, Role.ANALYST)


@pytest.fixture
def world(org_a, org_b):
    """A: 5 x (female, 24, NG, sexual), 2 x (male, 30, RO, forced labour), 1 x (female, 24, NG, sexual and
    begging); B: 5 x (female, 24, NG, sexual)."""
    return {
        "common": make_cases(5, organisation=org_a, control=[ControlMeans.DEBT_BONDAGE]),
        "pair": make_cases(
            2,
            organisation=org_a,
            gender=Gender.MALE,
            age_at_opening=30,
            nationality="RO",
            exploitations=[ExploitationType.FORCED_LABOUR],
        ),
        "single": make_cases(
            1, organisation=org_a, exploitations=[ExploitationType.SEXUAL, ExploitationType.BEGGING]
        ),
        "b": make_cases(5, organisation=org_b),
    }


# --- The k-anonymity rule -------------------------------------------------------------------------------


def test_rare_combinations_are_dropped(world, org_a):
    rows = case_export_rows(scope=Scope(organisation_id=org_a.pk), k=5)

    assert len(rows) == 5
    assert {(row["gender"], row["ageBroad"], row["citizenship"]) for row in rows} == {
        ("Female", "24-26", "NG")
    }
    assert {(row["isSexualExploit"], row["isBegging"], row["meansOfControlDebtBondage"]) for row in rows} == {
        (1, 0, 1)
    }


def test_an_exploitation_type_more_makes_another_combination(world, org_a):
    # The single case differs from the five only by begging: with k=1 it is kept, as its own group.
    rows = case_export_rows(scope=Scope(organisation_id=org_a.pk), k=1)

    assert len(rows) == 8
    assert sum(row["isBegging"] for row in rows) == 1
    assert len(case_export_rows(scope=Scope(organisation_id=org_a.pk), k=2)) == 7
    assert case_export_rows(scope=Scope(organisation_id=org_a.pk), k=6) == []


def test_k_comes_from_the_settings_at_call_time(world, org_a, users_a):
    user = users_a[Role.CASEWORKER]
    with override_settings(EXPORT_K_ANONYMITY=2):
        assert len(case_export_rows(scope=Scope(organisation_id=org_a.pk))) == 7
        export = case_export(user=user, organisation_id=org_a.pk, fmt="csv")
    assert len(csv_rows(export.content)) == 7
    assert len(case_export_rows(scope=Scope(organisation_id=org_a.pk))) == 5  # the default, 5
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert (event.detail["k"], event.detail["records"], event.detail["dropped"]) == (2, 7, 1)


def test_the_national_export_counts_groups_across_organisations(world, org_a, org_b):
    # The five common cases of A and the five of B make one group of ten.
    rows = case_export_rows(scope=Scope(), k=10)
    assert len(rows) == 10
    assert len(case_export_rows(scope=Scope(organisation_id=org_b.pk), k=10)) == 0


# --- Columns and values ---------------------------------------------------------------------------------


def documented_columns() -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Columns", 1)[1]
    return re.findall(r"^\| `([A-Za-z]+)` \|", section, flags=re.MULTILINE)


def test_the_columns_are_those_documented_in_order():
    assert documented_columns() == COLUMNS
    assert [doc.name for doc in column_docs()] == COLUMNS  # the page's list too
    assert len(set(COLUMNS)) == len(COLUMNS)


def test_every_exploitation_type_and_means_of_control_has_its_column():
    assert set(EXPLOITATION_COLUMNS) == set(ExploitationType.values)
    assert set(CONTROL_COLUMNS) == set(ControlMeans.values)


def test_no_column_could_hold_an_identifier():
    for column in COLUMNS:
        assert not re.search(r"name|birth|number|date|note|reason", column, flags=re.IGNORECASE), column
        assert not re.search(r"^id$|Id$|^id_|^pk$", column), column


def test_values_are_broad_categories(org_a):
    make_cases(
        1,
        organisation=org_a,
        gender=Gender.OTHER,
        age_at_opening=None,
        nationality="",
        residence_status=ResidenceStatus.ASYLUM_SEEKER,
        opened_on=datetime.date(2025, 12, 31),
        exploitations=[ExploitationType.ORGAN_REMOVAL, ExploitationType.OTHER],
        control=[ControlMeans.THREATS_TO_FAMILY, ControlMeans.OTHER],
    )
    make_cases(1, organisation=org_a, age_at_opening=16, gender=Gender.UNKNOWN, exploitations=[])
    make_cases(1, organisation=org_a, age_at_opening=48, gender=Gender.MALE)

    rows = sorted(case_export_rows(scope=Scope(organisation_id=org_a.pk), k=1), key=lambda r: r["gender"])

    assert [list(row) for row in rows] == [COLUMNS] * 3
    male, other, unknown = rows
    assert (male["ageBroad"], male["majorityStatus"], male["citizenship"]) == ("48+", "Adult", "NG")
    assert other == {
        **dict.fromkeys(COLUMNS, 0),
        "yearOfRegistration": 2025,
        "gender": "Other",
        "ageBroad": "Unknown",
        "majorityStatus": "Unknown",
        "citizenship": "Unknown",
        "isOrganRemoval": 1,
        "isOtherExploit": 1,
        "meansOfControlThreatsToFamily": 1,
        "meansOfControlOther": 1,
        "identifiedBy": "Not identified",
        "residenceStatus": "Asylum seeker",
    }
    assert (unknown["gender"], unknown["ageBroad"], unknown["majorityStatus"]) == ("Unknown", "9-17", "Minor")
    assert sum(unknown[name] for name in EXPLOITATION_COLUMNS.values()) == 0


def test_identified_by_follows_the_current_decision_and_a_court(
    org_a, users_a, open_case, deciders, identified_case
):
    worker = users_a[Role.CASEWORKER]
    # An EU citizen is decided on by CMM; a court found the third person trafficked; the fourth has a
    # presentation but no decision yet; the fifth was not identified.
    by_cmm = open_case(by=worker, residence_status=ResidenceStatus.EU_CITIZEN)
    by_court = open_case(by=worker)
    waiting = open_case(by=worker)
    refused = open_case(by=worker)
    day = datetime.date(2026, 3, 10)
    presentations = {
        case.pk: presentation_create(case=case, by=worker, presented_on=day, presented_by=PresentedBy.POLICE)
        for case in (by_cmm, by_court, waiting, refused)
    }
    court_verdict_record(
        presentation=presentations[by_court.pk],
        by=worker,
        court="Retten",
        ruled_on=day,
        finding=Finding.TRAFFICKED,
    )
    for case, decider, outcome in [
        (by_cmm, deciders["cmm"], Outcome.IDENTIFIED),
        (by_court, deciders["us"], Outcome.IDENTIFIED),
        (refused, deciders["us"], Outcome.NOT_IDENTIFIED),
    ]:
        decision_record(
            presentation=presentations[case.pk],
            by=decider,
            outcome=outcome,
            decided_on=datetime.date(2026, 3, 20),
            exploitation_types=["forced_labour"] if outcome == Outcome.IDENTIFIED else [],
        )

    rows = case_export_rows(scope=Scope(organisation_id=org_a.pk), k=1)

    assert sorted(row["identifiedBy"] for row in rows) == sorted(
        ["Immigration Service", "CMM", "Court", "Not identified", "Not identified"]
    )


def test_deleted_cases_and_other_years_are_left_out(world, org_a, users_a):
    make_cases(5, organisation=org_a, opened_on=datetime.date(2025, 6, 1))
    case_soft_delete(case=world["common"][0], by=users_a[Role.COORDINATOR], reason="Registered twice")

    assert len(case_export_rows(scope=Scope(organisation_id=org_a.pk), k=1)) == 12
    rows = case_export_rows(scope=Scope(organisation_id=org_a.pk), k=1, period=Period.year(2025))
    assert [row["yearOfRegistration"] for row in rows] == [2025] * 5
    # Four common cases are left in 2026: fewer than five.
    assert case_export_rows(scope=Scope(organisation_id=org_a.pk), k=5, period=Period.year(2026)) == []


# --- No identifiers, in either format -------------------------------------------------------------------


@pytest.fixture
def planted(org_a, users_a, open_case):
    """Six cases opened through the service with unique names, aliases and dates of birth."""
    worker = users_a[Role.CASEWORKER]
    cases = []
    for i in range(6):
        cases.append(
            open_case(
                by=worker,
                estimated_age=None,
                date_of_birth=datetime.date(1990, 1, 11 + i),
                personal={
                    "full_name": f"Qzxname Marker{i}",
                    "aliases": f"Aliasmark{i}",
                    "phone_numbers": "+4512345",
                },
            )
        )
    return cases


def identifiers(cases) -> list[str]:
    """The planted names and the case numbers and dates of birth, as the file could spell them."""
    values = ["Qzxname", "Marker", "Aliasmark", "+4512345", "1990"]
    for case in cases:
        born = case.personal_details.date_of_birth
        values += [case.number, born.isoformat(), born.strftime("%d-%m-%Y"), born.strftime("%d.%m.%Y")]
    return values


@override_settings(EXPORT_K_ANONYMITY=1)  # keep every record, so that any leak would show
def test_the_csv_never_holds_names_dates_of_birth_or_case_numbers(planted, users_a, org_a):
    export = case_export(user=users_a[Role.CASEWORKER], organisation_id=org_a.pk, fmt="csv")

    raw = export.content.decode("utf-8-sig")
    rows = csv_rows(export.content)
    assert len(rows) == 6 and list(rows[0]) == COLUMNS
    for value in identifiers(planted):
        assert value not in raw, value
        assert value not in export.filename, value
    assert {row["ageBroad"] for row in rows} == {"30-38"}  # the age, in a band, is all that is left


@override_settings(EXPORT_K_ANONYMITY=1)
def test_the_xlsx_never_holds_names_dates_of_birth_or_case_numbers(planted, users_a, org_a):
    export = case_export(user=users_a[Role.CASEWORKER], organisation_id=org_a.pk, fmt="xlsx")

    header, *rows = xlsx_rows(export.content)
    assert header == COLUMNS and len(rows) == 6
    cells = [value for row in rows for value in row]
    assert not any(isinstance(value, datetime.date) for value in cells)
    text = " ".join(str(value) for value in cells)
    for value in identifiers(planted):
        assert value not in text, value
    assert {row[COLUMNS.index("yearOfRegistration")] for row in rows} == {2026}
    assert export.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_rows_come_in_the_order_of_their_values_not_of_registration(org_a):
    make_cases(3, organisation=org_a, nationality="RO")
    make_cases(3, organisation=org_a, nationality="BG")
    make_cases(3, organisation=org_a, nationality="RO")
    rows = case_export_rows(scope=Scope(organisation_id=org_a.pk), k=1)
    assert [row["citizenship"] for row in rows] == ["BG"] * 3 + ["RO"] * 6


# --- The audit row --------------------------------------------------------------------------------------


def test_an_export_is_recorded_in_the_audit_log_without_identifiers(world, org_a, users_a):
    user = users_a[Role.CASEWORKER]
    case_export(user=user, organisation_id=org_a.pk, fmt="xlsx", period=Period.year(2026))

    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.actor == user and event.organisation == org_a
    assert event.target_label == "case-level export"
    assert event.detail == {
        "format": "xlsx",
        "organisation": org_a.pk,
        "period": ["2026-01-01", "2026-12-31"],
        "records": 5,
        "dropped": 3,
        "k": 5,
    }


# --- The API --------------------------------------------------------------------------------------------


def get(api_client, user, **params):
    return token_client(api_client, user).get(API, params)


def test_api_gives_the_csv_of_the_own_organisation(api_client, world, users_a):
    response = get(api_client, users_a[Role.CASEWORKER])

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="cmm-case-export-rta-all-years-')
    assert "no-store" in response["Cache-Control"]
    rows = csv_rows(response.content)
    assert len(rows) == 5 and list(rows[0]) == COLUMNS


def test_api_xlsx_for_a_year(api_client, world, users_a):
    response = get(api_client, users_a[Role.CASEWORKER], format="xlsx", year=2026)
    assert response.status_code == 200
    assert len(xlsx_rows(response.content)) == 6  # header and five rows
    assert get(api_client, users_a[Role.CASEWORKER], format="xlsx", year=2020).status_code == 200


def test_national_users_get_all_organisations_or_any_one(api_client, world, analyst, org_b):
    assert len(csv_rows(get(api_client, analyst).content)) == 10  # A's five and B's five
    assert len(csv_rows(get(api_client, analyst, organisation=org_b.pk).content)) == 5


def test_another_organisation_is_not_found(api_client, world, users_a, org_b, analyst):
    assert get(api_client, users_a[Role.COORDINATOR], organisation=org_b.pk).status_code == 404
    missing = org_b.pk + 1000
    assert get(api_client, analyst, organisation=missing).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


@pytest.mark.parametrize("role", [Role.OUTREACH_WORKER, Role.AUTHORITY_LIAISON])
def test_a_role_without_statistics_is_refused(api_client, world, users_a, role):
    response = get(api_client, users_a[role])
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"format": "pdf"}, "format"),
        ({"year": "abc"}, "year"),
        ({"year": "1800"}, "year"),
        ({"organisation": "0"}, "organisation"),
        ({"organisation": "x"}, "organisation"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_client, world, users_a, params, field):
    response = get(api_client, users_a[Role.CASEWORKER], **params)
    assert response.status_code == 400
    assert field in response.json()


def test_the_query_count_does_not_grow_with_cases(api_client, org_a, users_a, django_assert_max_num_queries):
    user = users_a[Role.CASEWORKER]
    make_cases(5, organisation=org_a, control=[ControlMeans.THREATS])
    client = token_client(api_client, user)
    with CaptureQueriesContext(connection) as few:
        assert client.get(API, {"format": "xlsx"}).status_code == 200
    make_cases(40, organisation=org_a, exploitations=[ExploitationType.BEGGING], control=[ControlMeans.OTHER])
    make_cases(5, organisation=org_a, nationality="RO")
    with django_assert_max_num_queries(len(few)):
        response = client.get(API, {"format": "xlsx"})
    assert len(xlsx_rows(response.content)) == 51


# --- The page -------------------------------------------------------------------------------------------


def test_page_explains_the_rule_and_the_columns(login, users_a):
    client = login(users_a[Role.CASEWORKER])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "organisation" not in response.context["form"].fields  # only their own organisation
    assert "The cases owned by Reden Test." in body
    assert "fewer than 5 cases" in body
    for column in COLUMNS:
        assert f"<code>{column}</code>" in body
    assert "no-store" in response["Cache-Control"]


def test_page_renders_in_danish(login, users_a):
    client = login(users_a[Role.CASEWORKER])
    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 200
    assert 'lang="da"' in response.content.decode()


def test_page_downloads_the_file(login, world, users_a):
    client = login(users_a[Role.CASEWORKER])
    response = client.post(PAGE, {"format": "csv", "year": ""})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert len(csv_rows(response.content)) == 5


def test_page_lets_national_users_choose_the_organisation(login, world, analyst, org_b):
    client = login(analyst)
    form = client.get(PAGE).context["form"]
    assert [value for value, _label in form.fields["organisation"].choices][:1] == ["all"]
    response = client.post(PAGE, {"organisation": str(org_b.pk), "format": "xlsx", "year": "2026"})
    assert response.status_code == 200
    assert len(xlsx_rows(response.content)) == 6
    everything = client.post(PAGE, {"organisation": "all", "format": "csv"})
    assert len(csv_rows(everything.content)) == 10


@pytest.mark.parametrize(
    "data, field", [({"format": "pdf"}, "format"), ({"format": "csv", "year": "19"}, "year")]
)
def test_page_shows_bad_input_next_to_the_field(login, users_a, data, field):
    response = login(users_a[Role.CASEWORKER]).post(PAGE, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_page_organisation_outside_the_list_is_refused_next_to_the_field(login, analyst):
    response = login(analyst).post(PAGE, {"organisation": "999999", "format": "csv"})
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors


def test_page_is_refused_to_a_role_without_statistics(login, users_a):
    client = login(users_a[Role.OUTREACH_WORKER])
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"format": "csv"}).status_code == 403


def test_page_post_needs_the_csrf_token(login, users_a, world):
    logged_in = login(users_a[Role.CASEWORKER])
    client = Client(enforce_csrf_checks=True)
    client.cookies = logged_in.cookies
    assert client.get(PAGE).status_code == 200  # the same session
    assert client.post(PAGE, {"format": "csv"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_case_numbers_of_the_world_never_reach_the_page_file(login, world, users_a):
    response = login(users_a[Role.CASEWORKER]).post(PAGE, {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert not any(case.number in text for case in Case.objects.all())
