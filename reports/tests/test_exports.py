"""The CSV and XLSX exports of the statistics: the API's numbers exactly, the small-cell rule, a header
block, formula-injection guards, safe file names, no caching, and an audit row for every export."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.conf import settings
from rest_framework.authtoken.models import Token

from cmm.models import AuditAction, AuditEvent, Role
from outreach.choices import CallerCategory, CallPurpose, Venue
from outreach.services import contact_log, hotline_call_save, meeting_session_save
from reports.exports import safe_text, statistics_csv, statistics_xlsx
from reports.periods import Period
from reports.services.exports import statistics_export_filename
from reports.suppression import SuppressedTable
from reports.tables import Row, Table

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
API = "/api/reports/statistics/"
EXPORT_API = "/api/reports/statistics/export/"
EXPORT_PAGE = "/reports/statistics/export/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_ROWS = 5


def local(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 12, tzinfo=CPH)


@pytest.fixture
def world(org_a, org_b, users_a, make_member):
    """In 2026: A met 3 people by client code, took 3 police calls and had 3 meeting-place visitors on one
    day (an average); B took 6 calls from students."""
    worker_a = users_a[Role.CASEWORKER]
    worker_b = make_member(org_b, Role.OUTREACH_WORKER)
    for day, code in enumerate(["AAAAA-11111", "BBBBB-22222", "CCCCC-33333"], start=1):
        contact_log(
            by=worker_a,
            organisation=org_a,
            occurred_at=local(5, day),
            venue=Venue.STREET,
            indicators=[],
            client_code=code,
        )
    for day in range(1, 4):
        hotline_call_save(
            by=worker_a,
            organisation=org_a,
            received_at=local(5, day),
            caller_category=CallerCategory.POLICE,
            purpose=CallPurpose.INFORMATION,
        )
    for day in range(1, 7):
        hotline_call_save(
            by=worker_b,
            organisation=org_b,
            received_at=local(2, day),
            caller_category=CallerCategory.STUDENT,
            purpose=CallPurpose.INFORMATION,
        )
    meeting_session_save(
        by=worker_a,
        organisation=org_a,
        place="Mødestedet",
        date=datetime.date(2026, 5, 5),
        visitors=3,
        returning_visitors=2,
        health_clinic_open=True,
    )


@pytest.fixture
def analyst(org_cmm, make_member):
    return make_member(org_cmm, Role.ANALYST)


def token_client(api_client, user):
    token, _created = Token.objects.get_or_create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def csv_text(value, *, danish: bool = False) -> str:
    """How the CSV writes a value of the API's JSON (a decimal comma in a file for Danish Excel)."""
    if isinstance(value, float) and danish:
        return str(value).replace(".", ",")
    return "" if value is None else str(value)


def csv_blocks(content: bytes, *, danish: bool = False) -> tuple[list[list[str]], list[list[list[str]]]]:
    """The header block and the table blocks of an exported CSV."""
    assert content.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";" if danish else ","))
    blocks, current = [], None
    for row in rows[HEADER_ROWS:]:
        if not row:
            current = []
            blocks.append(current)
        else:
            current.append(row)
    return rows[:HEADER_ROWS], blocks


def api_json(api_client, user, **params):
    response = token_client(api_client, user).get(API, params)
    assert response.status_code == 200
    return response.json()


def export(api_client, user, **params):
    return token_client(api_client, user).get(EXPORT_API, params)


def assert_csv_matches(content: bytes, body: dict, *, danish: bool = False) -> None:
    _header, blocks = csv_blocks(content, danish=danish)
    assert len(blocks) == len(body["tables"])
    for block, table in zip(blocks, body["tables"], strict=True):
        keys = [column["key"] for column in table["columns"]]
        assert block[0] == [table["title"]]
        assert block[1] == ["", *(column["label"] for column in table["columns"])]
        rows = block[2 : 2 + len(table["rows"])]
        assert rows == [
            [row["label"], *(csv_text(row["cells"][k], danish=danish) for k in keys)] for row in table["rows"]
        ]
        totals = block[2 + len(table["rows"])]
        assert totals[1:] == [csv_text(table["totals"].get(k), danish=danish) for k in keys]
        assert block[3 + len(table["rows"]) :] == [[note] for note in table["notes"]]


def assert_xlsx_matches(content: bytes, body: dict) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheets = workbook.worksheets[1:]
    assert len(sheets) == len(body["tables"])
    for sheet, table in zip(sheets, body["tables"], strict=True):
        keys = [column["key"] for column in table["columns"]]
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][0] == table["title"]
        assert list(values[3]) == [None, *(column["label"] for column in table["columns"])]
        rows = [list(row) for row in values[4 : 4 + len(table["rows"])]]
        assert rows == [[row["label"], *(row["cells"][k] for k in keys)] for row in table["rows"]]
        assert list(values[4 + len(table["rows"])][1:]) == [table["totals"].get(k) for k in keys]
        notes = [row[0] for row in values[5 + len(table["rows"]) :]]
        assert notes == table["notes"]


@pytest.mark.parametrize("external", [False, True])
def test_csv_and_xlsx_hold_exactly_the_api_numbers(api_client, world, analyst, external):
    params = {"period": "2026", "external": "true" if external else "false"}
    body = api_json(api_client, analyst, **params)
    assert body["suppressed"] is external
    csv_response = export(api_client, analyst, format="csv", **params)
    assert csv_response.status_code == 200
    assert_csv_matches(csv_response.content, body)
    xlsx_response = export(api_client, analyst, format="xlsx", **params)
    assert xlsx_response.status_code == 200
    assert xlsx_response["Content-Type"] == XLSX
    assert_xlsx_matches(xlsx_response.content, body)
    # The world has what matters: exact counts and averages, or "<5" and hidden averages.
    place = next(table for table in body["tables"] if table["key"] == "meeting_place")["rows"][0]["cells"]
    if external:
        assert (place["visits"], place["visits_per_day"]) == ("<5", "\N{EN DASH}")
    else:
        assert (place["visits"], place["visits_per_day"]) == (3, 3.0)


def test_partner_exports_are_suppressed(api_client, world, users_a, org_a):
    caseworker = users_a[Role.CASEWORKER]
    body = api_json(api_client, caseworker, period="2026")
    assert body["suppressed"] is True
    content = export(api_client, caseworker, period="2026", format="csv").content
    assert_csv_matches(content, body)
    header, blocks = csv_blocks(content)
    assert header[2][1] == org_a.name
    calls = next(block for block in blocks if block[0] == [body["tables"][5]["title"]])
    police_label = dict(CallerCategory.choices)[CallerCategory.POLICE]
    police_row = next(row for row in calls if row[0] == str(police_label))
    assert "<5" in police_row
    assert "3" not in police_row[1:]
    assert_xlsx_matches(export(api_client, caseworker, period="2026", format="xlsx").content, body)


@time_machine.travel(datetime.datetime(2026, 11, 2, 8, 30, tzinfo=datetime.UTC), tick=False)
def test_header_block_names_period_scope_suppression_and_time(api_client, world, analyst):
    token_client(api_client, analyst)
    api_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = api_client.get(EXPORT_API, {"period": "2026Q2", "format": "csv"}).content
    header, _blocks = csv_blocks(content)
    assert header == [
        ["CMM statistics"],
        ["Period", "Q2 2026 (2026-04-01 - 2026-06-30)"],
        ["Organisations", "All organisations"],
        ["Small counts suppressed", "no"],
        ["Generated at", "2026-11-02 09:30 (Europe/Copenhagen)"],
    ]
    workbook = openpyxl.load_workbook(
        io.BytesIO(
            api_client.get(EXPORT_API, {"period": "2026Q2", "format": "xlsx", "external": "true"}).content
        )
    )
    about = [list(row) for row in workbook.worksheets[0].iter_rows(max_row=HEADER_ROWS, values_only=True)]
    assert about[3][:2] == ["Small counts suppressed", "yes"]
    assert about[4][:2] == ["Generated at", "2026-11-02 09:30 (Europe/Copenhagen)"]


def test_download_is_named_after_period_and_scope_never_cached_and_audited(api_client, world, analyst, org_b):
    response = export(api_client, analyst, period="2026Q1", format="csv")
    assert response["Content-Disposition"] == 'attachment; filename="cmm-statistics-2026Q1-all.csv"'
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.actor == analyst
    assert event.organisation == analyst.memberships.get().organisation
    assert event.target_label == "statistics export"
    assert event.detail == {"format": "csv", "period": "2026Q1", "organisation": None, "suppressed": False}

    response = export(
        api_client, analyst, period="2026", organisation=org_b.pk, external="true", format="xlsx"
    )
    assert response["Content-Disposition"] == f'attachment; filename="cmm-statistics-2026-{org_b.pk}.xlsx"'
    event = AuditEvent.objects.filter(action=AuditAction.EXPORTED).latest("pk")
    assert event.detail == {"format": "xlsx", "period": "2026", "organisation": org_b.pk, "suppressed": True}


def test_custom_period_file_name_has_dates_only():
    period = Period(datetime.date(2026, 1, 1), datetime.date(2026, 2, 15))
    assert (
        statistics_export_filename(period=period, organisation_id=7, fmt="csv")
        == "cmm-statistics-2026-01-01_2026-02-15-7.csv"
    )


def test_another_organisation_is_not_found_and_not_audited(api_client, world, users_a, org_b, analyst):
    assert (
        export(
            api_client, users_a[Role.ANALYST], period="2026", organisation=org_b.pk, format="csv"
        ).status_code
        == 404
    )
    assert export(api_client, analyst, period="2026", organisation=999_999, format="csv").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2026"}, "format"),
        ({"period": "2026", "format": "pdf"}, "format"),
        ({"period": "2026Q5", "format": "csv"}, "period"),
        ({"format": "csv"}, "period"),
        ({"from": "2026-03-01", "to": "2026-02-01", "format": "csv"}, "to"),
    ],
)
def test_bad_input_is_400_naming_the_field(api_client, users_a, params, field):
    response = export(api_client, users_a[Role.CASEWORKER], **params)
    assert response.status_code == 400
    assert field in response.json()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_role_without_statistics_is_refused(api_client, users_a):
    assert export(api_client, users_a[Role.OUTREACH_WORKER], period="2026", format="csv").status_code == 403
    api_client.credentials()
    assert api_client.get(EXPORT_API, {"period": "2026", "format": "csv"}).status_code in (401, 403)


def test_export_endpoint_is_in_the_schema_with_binary_responses(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"][EXPORT_API]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "period",
        "from",
        "to",
        "organisation",
        "external",
        "format",
    }
    content = operation["responses"]["200"]["content"]
    assert set(content) == {"text/csv", XLSX}
    assert content["text/csv"]["schema"] == {"type": "string", "format": "binary"}


# --- The page's export ------------------------------------------------------------------------------------


def test_page_export_gives_the_same_file_and_is_audited(login, world, analyst, api_client):
    client = login(analyst)
    response = client.get(EXPORT_PAGE, {"period": "2026", "organisation": "all", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cmm-statistics-2026-all.csv"'
    assert "no-store" in response["Cache-Control"]
    # The page's file is for Danish Excel (the reader's language): semicolons and decimal commas.
    assert response.content.decode("utf-8-sig").splitlines()[1].startswith("Periode;")
    assert_csv_matches(response.content, api_json(api_client, analyst, period="2026"), danish=True)
    custom = client.get(
        EXPORT_PAGE, {"period": "custom", "start": "2026-01-01", "end": "2026-02-15", "format": "xlsx"}
    )
    assert custom.status_code == 200
    assert custom["Content-Type"] == XLSX
    assert [
        e.detail["period"] for e in AuditEvent.objects.filter(action=AuditAction.EXPORTED).order_by("pk")
    ] == [
        "2026",
        "2026-01-01..2026-02-15",
    ]


def test_page_export_external_and_partner_are_suppressed(login, world, analyst, users_a, api_client):
    client = login(analyst)
    external = client.get(EXPORT_PAGE, {"period": "2026", "external": "on", "format": "csv"})
    assert_csv_matches(
        external.content, api_json(api_client, analyst, period="2026", external="true"), danish=True
    )
    client = login(users_a[Role.CASEWORKER])
    own = client.get(EXPORT_PAGE, {"period": "2026", "format": "xlsx"})
    assert_xlsx_matches(own.content, api_json(api_client, users_a[Role.CASEWORKER], period="2026"))


def test_page_export_in_english_is_comma_separated_with_english_headers(login, world, analyst, api_client):
    client = login(analyst)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(EXPORT_PAGE, {"period": "2026", "format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "CMM statistics"
    assert text.splitlines()[1].startswith("Period,")
    api_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert_csv_matches(response.content, api_json(api_client, analyst, period="2026"))


def test_page_export_in_danish_has_decimal_commas_and_danish_headers(login, world, analyst):
    text = login(analyst).get(EXPORT_PAGE, {"period": "2026", "format": "csv"}).content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "CMM-statistik"
    assert lines[1].startswith("Periode;")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    numbers = [cell for row in rows[HEADER_ROWS:] for cell in row[1:] if cell[:1].isdigit()]
    assert numbers, "the file holds numbers"
    decimals = [cell for cell in numbers if "," in cell]
    assert decimals, "the meeting place's average visitors is a decimal number"
    assert not [cell for cell in numbers if "." in cell]


def test_api_export_keeps_commas_and_decimal_points_in_danish(api_client, world, analyst):
    response = export(api_client, analyst, period="2026", format="csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[1].startswith(("Periode,", "Period,"))
    assert_csv_matches(response.content, api_json(api_client, analyst, period="2026"))


def test_page_export_errors(login, world, users_a, org_b):
    client = login(users_a[Role.ANALYST])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert (
        client.get(EXPORT_PAGE, {"period": "2026", "organisation": org_b.pk, "format": "csv"}).status_code
        == 404
    )
    bad_format = client.get(EXPORT_PAGE, {"period": "2026", "format": "pdf"})
    assert bad_format.status_code == 400
    assert 'Choose the file format "csv" or "xlsx".'.replace('"', "&quot;") in bad_format.content.decode()
    assert client.get(EXPORT_PAGE).status_code == 400  # nothing asked for: no format
    bad_period = client.get(EXPORT_PAGE, {"period": "2026Q7", "format": "csv"})
    assert bad_period.status_code == 400
    assert bad_period.context["form"].errors["period"]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()
    client = login(users_a[Role.OUTREACH_WORKER])
    assert client.get(EXPORT_PAGE, {"period": "2026", "format": "csv"}).status_code == 403


# --- The renderers ----------------------------------------------------------------------------------------


def test_formula_like_text_is_neutralised():
    assert safe_text("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    for start in "+-@\t\r":
        assert safe_text(f"{start}x") == f"'{start}x"
    assert safe_text("<5") == "<5"
    assert safe_text("\N{EN DASH}") == "\N{EN DASH}"
    assert safe_text("Street") == "Street"
    table = Table(
        key="t",
        title="=cmd|' /C calc'!A0",
        columns=[("n", "+n")],
        rows=[Row("a", "@SUM(A1)", {"n": -3}), Row("b", "-minus", {"n": 2.5})],
        totals={"n": -0.5},
        notes=["=1+1"],
    )
    published = [SuppressedTable.exact(table)]
    period = Period.quarter(2026, 1)
    text = statistics_csv(published, period=period, scope_label="=evil", suppressed=False).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[2][1] == "'=evil"
    assert rows[HEADER_ROWS + 1 :] == [
        ["'=cmd|' /C calc'!A0"],
        ["", "'+n"],
        ["'@SUM(A1)", "-3"],  # numbers stay numbers
        ["'-minus", "2.5"],
        [rows[HEADER_ROWS + 5][0], "-0.5"],
        ["'=1+1"],
    ]
    workbook = openpyxl.load_workbook(
        io.BytesIO(statistics_xlsx(published, period=period, scope_label="=evil", suppressed=False))
    )
    sheet = workbook.worksheets[1]
    values = [value for row in sheet.iter_rows(values_only=True) for value in row if value is not None]
    assert all(not (isinstance(v, str) and v.startswith(("=", "+", "-", "@"))) for v in values)
    assert -3 in values and 2.5 in values
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
