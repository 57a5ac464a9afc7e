"""Import of historical registrations from CSV and XLSX: all or nothing, every bad row reported by line."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from cases.choices import Gender, ResidenceStatus
from cases.services import case_open
from cmm.models import AuditEvent, Role
from outreach import imports
from outreach.choices import CallerCategory, CallPurpose, Indicator, OutreachService, PoliceDistrict, Venue
from outreach.exports import csv_response, csv_rows
from outreach.imports import import_activity
from outreach.models import Contact, HotlineCall, MeetingPlaceSession, PoliceRaid
from outreach.selectors import (
    contact_list_for_user,
    hotline_call_list_for_user,
    meeting_session_list_for_user,
    police_raid_list_for_user,
)

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=CPH)
MODELS = {
    "contacts": Contact,
    "hotline_calls": HotlineCall,
    "meeting_sessions": MeetingPlaceSession,
    "police_raids": PoliceRaid,
}
SELECTORS = {
    "contacts": contact_list_for_user,
    "hotline_calls": hotline_call_list_for_user,
    "meeting_sessions": meeting_session_list_for_user,
    "police_raids": police_raid_list_for_user,
}


@pytest.fixture(autouse=True)
def fixed_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(users_a):
    return users_a[Role.COORDINATOR]


@pytest.fixture
def worker(users_a):
    return users_a[Role.OUTREACH_WORKER]


def _open_case(by, organisation):
    return case_open(
        by=by,
        organisation=organisation,
        opened_on=datetime.date(2026, 3, 1),
        gender=Gender.FEMALE,
        residence_status=ResidenceStatus.NO_LEGAL_RESIDENCE,
        nationality="NG",
        estimated_age=24,
    )


@pytest.fixture
def case_a(users_a, org_a):
    return _open_case(users_a[Role.CASEWORKER], org_a)


@pytest.fixture
def case_b(users_b, org_b):
    return _open_case(users_b[Role.CASEWORKER], org_b)


@pytest.fixture
def good_files(case_a, worker, org_b):
    """One good CSV text per kind, comma-separated, three rows each (lines 2 to 4)."""
    return {
        "contacts": (
            "occurred_at,venue,city,region,case_number,client_code,gender,nationality,age_band,group_size,"
            "first_time_met,indicators,services_offered,language,note,worker\n"
            "2026-05-01 14:30,street,København,hovedstaden,,,female,NG,21-23,1,yes,"
            '"withholds_documents;threats",information,en,Met near the station,\n'
            f"01-05-2026 15:00,massage_clinic,Aarhus,,{case_a.number},,,RO,,,nej,,health;legal,ro,,"
            f"{worker.username}\n"
            "05.05.2026 09:15,bar,Odense,syddanmark,,4k7qx m2pa9,male,RO,30-38,1,x,,,,,\n"
        ),
        "hotline_calls": (
            "received_at,caller_category,purpose,wrong_number,case_number,note\n"
            "2026-05-02 10:00,police,information,no,,\n"
            f"2026-05-02 11:00,possible_victim,raid_warning,,{case_a.number},Called back\n"
            "2026-05-02T12:00:00+02:00,other,other,yes,,\n"
        ),
        "meeting_sessions": (
            "place,date,opens_at,closes_at,visitors,returning_visitors,health_clinic_open\n"
            "Mødestedet,2026-05-03,10:00,14:00,20,12,ja\n"
            "Mødestedet,04-05-2026,,,15,15,\n"
            "Café Nørrebro,04.05.2026,9:30,13:00,8,0,false\n"
        ),
        "police_raids": (
            "date,police_district,location_type,city,persons_met,persons_with_indicators,contacts_made,"
            "organisations_present,note\n"
            "2026-05-04,koebenhavn,massage_clinic,København,6,2,4,PVB,\n"
            "2026-05-05,fyn,street,Odense,3,0,,,\n"
            "2026-05-06,nordjylland,bar,Aalborg,10,5,5,pvb;RTA,Quiet night\n"
        ),
    }


def run(kind, content, *, by, filename=None, dry_run=False):
    data = content.encode() if isinstance(content, str) else content
    return import_activity(
        kind=kind,
        file=io.BytesIO(data),
        filename=filename or f"{kind}.csv",
        by=by,
        organisation=by.memberships.get().organisation,
        dry_run=dry_run,
    )


def with_row(content: str, row: str, line: int) -> str:
    """The file with `row` put in as line `line` (the header is line 1)."""
    lines = content.splitlines()
    lines.insert(line - 1, row)
    return "\n".join(lines) + "\n"


def to_semicolons(content: str) -> bytes:
    rows = list(csv.reader(io.StringIO(content)))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return "\ufeff".encode() + out.getvalue().encode()


# --- Good files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(MODELS))
def test_a_good_file_of_each_kind_imports_every_row(kind, good_files, coordinator):
    report = run(kind, good_files[kind], by=coordinator)

    assert report.errors == []
    assert (report.rows_total, report.rows_ok) == (3, 3)
    assert report.saved
    assert MODELS[kind].objects.count() == 3
    assert AuditEvent.objects.filter(actor=coordinator, detail__import=kind, detail__rows=3).exists()


def test_imported_contacts_carry_the_values_of_the_file(good_files, coordinator, worker, case_a):
    run("contacts", good_files["contacts"], by=coordinator)

    first, second, third = Contact.objects.order_by("occurred_at")
    assert first.occurred_at == datetime.datetime(2026, 5, 1, 14, 30, tzinfo=CPH)
    assert first.worker == coordinator  # no worker column value: the importing user
    assert first.indicators == [Indicator.WITHHOLDS_DOCUMENTS, Indicator.THREATS]
    assert first.has_indicators and first.first_time_met
    assert first.note == "Met near the station"
    assert second.case == case_a and second.worker == worker
    assert second.services_offered == [OutreachService.HEALTH, OutreachService.LEGAL]
    assert second.gender == Gender.FEMALE  # taken from the case, as the service does
    assert not second.first_time_met
    assert third.occurred_at == datetime.datetime(2026, 5, 5, 9, 15, tzinfo=CPH)
    assert third.client_code == "4K7QX-M2PA9"  # normalised by the service
    assert case_a.events.filter(kind="contact").count() == 1


def test_a_semicolon_file_with_a_bom_and_free_column_order_imports(good_files, coordinator):
    rows = list(csv.reader(io.StringIO(good_files["contacts"])))
    # Columns in another order and header names in another case.
    order = list(reversed(range(len(rows[0]))))
    shuffled = [[row[i] for i in order] for row in rows]
    shuffled[0] = [name.upper() for name in shuffled[0]]
    text = io.StringIO()
    csv.writer(text).writerows(shuffled)

    report = run("contacts", to_semicolons(text.getvalue()), by=coordinator)

    assert report.errors == []
    assert Contact.objects.count() == 3
    first = Contact.objects.order_by("occurred_at").first()
    assert first.indicators == [Indicator.WITHHOLDS_DOCUMENTS, Indicator.THREATS]


def test_an_xlsx_file_imports_with_typed_cells_and_sheet_row_numbers(coordinator, english):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Occurred_at", "venue", "gender", "group_size", "first_time_met", "nationality"])
    # Excel cells carry no time zone: a naive local time, as a spreadsheet holds it.
    sheet.append([datetime.datetime(2026, 5, 1, 14, 30), "street", "female", 1, True, "NG"])  # noqa: DTZ001
    sheet.append([])  # an empty row 3 is skipped but still counts in the row numbers
    sheet.append(["2026-05-02 10:00", "Bar", "Male", 2.0, False, "Romania"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = run("contacts", buffer.getvalue(), by=coordinator, filename="contacts.xlsx")

    assert report.errors == []
    assert report.rows_total == 2
    assert Contact.objects.count() == 2
    first, second = Contact.objects.order_by("occurred_at")
    assert first.occurred_at == datetime.datetime(2026, 5, 1, 14, 30, tzinfo=CPH)
    assert (second.venue, second.gender, second.group_size, str(second.nationality)) == (
        Venue.BAR,
        Gender.MALE,
        2,
        "RO",
    )

    sheet.append(["2026-05-03 10:00", "strit", "female", 1, True, "NG"])  # row 5
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run("contacts", buffer.getvalue(), by=coordinator, filename="contacts.xlsx")
    assert [(e.line, e.column) for e in report.errors] == [(5, "venue")]
    assert Contact.objects.count() == 2


def test_choices_accept_codes_and_english_and_danish_labels(coordinator, org_b):
    contacts = (
        "occurred_at,venue,gender,nationality,age_band,first_time_met,indicators,language\n"
        "2026-05-01 14:30,Massage clinic,Kvinde,Rumænien,48+,JA,Passport or ID documents taken,Rumænsk\n"
        "2026-05-01 15:30,STREET,female,Romania,unknown,Nej,debt bondage,Romanian\n"
    )
    calls = (
        "received_at,caller_category,purpose\n"
        "2026-05-02 10:00,Possible victim,Warning of a police raid\n"
        "2026-05-02 10:30,student or pupil,Follow-up on a case\n"
    )
    raids = (
        "date,police_district,location_type,persons_met,persons_with_indicators,organisations_present\n"
        "2026-05-04,Copenhagen Police,Massage clinic,6,2,Pro Vest Test\n"
    )

    for kind, content in (("contacts", contacts), ("hotline_calls", calls), ("police_raids", raids)):
        report = run(kind, content, by=coordinator)
        assert report.errors == [], kind

    first, second = Contact.objects.order_by("occurred_at")
    assert (first.venue, first.gender, str(first.nationality), first.age_band) == (
        Venue.MASSAGE_CLINIC,
        Gender.FEMALE,
        "RO",
        "48+",
    )
    assert first.first_time_met and not second.first_time_met
    assert first.indicators == [Indicator.WITHHOLDS_DOCUMENTS]
    assert second.indicators == [Indicator.DEBT_BONDAGE]
    assert first.language == second.language == "ro"
    assert set(HotlineCall.objects.values_list("caller_category", "purpose")) == {
        (CallerCategory.POSSIBLE_VICTIM, CallPurpose.RAID_WARNING),
        (CallerCategory.STUDENT, CallPurpose.CASE_FOLLOW_UP),
    }
    raid = PoliceRaid.objects.get()
    assert raid.police_district == PoliceDistrict.KOEBENHAVN
    assert list(raid.organisations_present.all()) == [org_b]


# --- One bad row: nothing is saved, the row is reported -----------------------------------------------


@pytest.mark.parametrize(
    ("kind", "bad_row", "column", "says"),
    [
        ("meeting_sessions", "Mødestedet,2026-05-10,,,5,6,", "returning_visitors", "returning visitors"),
        ("contacts", "2026-07-01 10:00,street,,,,,,,,,,,,,,", "occurred_at", "future"),
        ("contacts", "2026-05-02 10:00,strit,,,,,,,,,,,,,,", "venue", "unknown venue 'strit'"),
        ("contacts", "2026-05-02 10:00,street,,,{case_b},,,,,,,,,,,", "case_number", "case"),
        ("contacts", "2026-05-02 25:00,street,,,,,,,,,,,,,,", "occurred_at", "'25:00'"),
        ("contacts", "2026-05-02 10:00,street,,,,,,,,,,debt;nonsense,,,,", "indicators", "nonsense"),
        ("hotline_calls", "2026-05-02 10:00,police,,,,", "purpose", "required"),
        ("police_raids", "2026-05-07,fyn,street,,3,4,,,", "persons_with_indicators", "persons met"),
        ("police_raids", "2026-05-07,fyn,street,,3,1,,Nowhere Org,", "organisations_present", "Nowhere"),
    ],
)
def test_a_file_with_one_bad_row_imports_nothing_and_reports_that_row(
    kind, bad_row, column, says, good_files, coordinator, case_b, english
):
    content = with_row(good_files[kind], bad_row.format(case_b=case_b.number), line=3)

    report = run(kind, content, by=coordinator)

    assert [(error.line, error.column) for error in report.errors] == [(3, column)]
    assert says in report.errors[0].message
    assert (report.rows_total, report.rows_ok) == (4, 3)
    assert not report.saved
    assert MODELS[kind].objects.count() == 0
    assert not AuditEvent.objects.filter(detail__import=kind).exists()


def test_every_bad_row_is_reported_not_only_the_first(good_files, coordinator, english):
    content = with_row(good_files["contacts"], "2026-05-02 10:00,strit,,,,,,,,,,,,,,", line=2)
    content = with_row(content, "2026-05-02 10:00,street,,,,,robot,,,,,,,,,", line=5)

    report = run("contacts", content, by=coordinator)

    assert [(error.line, error.column) for error in report.errors] == [(2, "venue"), (5, "gender")]
    assert report.bad_lines == [2, 5]
    assert Contact.objects.count() == 0


def test_a_row_repeating_an_earlier_row_of_the_file_is_caught_by_the_service(good_files, coordinator):
    content = with_row(good_files["meeting_sessions"], "Mødestedet,2026-05-03,,,1,0,", line=5)

    report = run("meeting_sessions", content, by=coordinator)

    assert [(error.line, error.column) for error in report.errors] == [(5, "date")]
    assert MeetingPlaceSession.objects.count() == 0


def test_messages_never_quote_notes_or_client_codes(coordinator):
    content = (
        "occurred_at,venue,client_code,note\n"
        "2026-05-02 10:00,street,Sofie Hansen,\n"
        f"2026-05-02 11:00,street,,{'Sofie Hansen was there ' * 30}\n"
    )

    report = run("contacts", content, by=coordinator)

    assert [(error.line, error.column) for error in report.errors] == [(2, "client_code"), (3, "note")]
    assert all("Sofie" not in error.message for error in report.errors)


def test_a_worker_who_is_not_an_active_member_is_refused(coordinator, users_b, english):
    content = f"occurred_at,venue,worker\n2026-05-02 10:00,street,{users_b[Role.OUTREACH_WORKER].username}\n"

    report = run("contacts", content, by=coordinator)

    assert [(error.line, error.column) for error in report.errors] == [(2, "worker")]
    assert users_b[Role.OUTREACH_WORKER].username not in report.errors[0].message


# --- Dry run ------------------------------------------------------------------------------------------


def test_a_dry_run_saves_nothing_and_reports_the_same_as_a_real_run(good_files, coordinator):
    report = run("contacts", good_files["contacts"], by=coordinator, dry_run=True)
    assert (report.rows_total, report.rows_ok, report.errors, report.saved) == (3, 3, [], False)
    assert Contact.objects.count() == 0
    assert AuditEvent.objects.filter(detail__import="contacts").count() == 0

    bad = with_row(good_files["contacts"], "2026-05-02 10:00,strit,,,,,,,,,,,,,,", line=4)
    dry = run("contacts", bad, by=coordinator, dry_run=True)
    real = run("contacts", bad, by=coordinator, dry_run=False)
    assert dry.errors == real.errors
    assert [error.line for error in dry.errors] == [4]
    assert Contact.objects.count() == 0


# --- The file as a whole ------------------------------------------------------------------------------


def test_unknown_and_missing_columns_are_a_file_error(good_files, coordinator, english):
    content = good_files["contacts"].replace("occurred_at,venue,", "occurred_at,colour,", 1)

    report = run("contacts", content, by=coordinator)

    assert len(report.errors) == 1
    error = report.errors[0]
    assert (error.line, error.column) == (1, None)
    assert "'colour'" in error.message
    assert "Missing required column: venue." in error.message
    assert report.rows_total == 0
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "filename", "says"),
    [
        (b"a" * (imports.MAX_BYTES + 1), "big.csv", "larger than 10 MB"),
        (b"", "empty.csv", "empty"),
        (b"place,date,visitors,returning_visitors\n", "header.csv", "no rows"),
        ("place,date\n".encode("cp1252") + "Mødestedet,2026-05-03\n".encode("cp1252"), "x.csv", "UTF-8"),
        (b"not a workbook", "sessions.xlsx", "Excel"),
        (b"place;date", "sessions.txt", ".csv"),
    ],
)
def test_files_that_cannot_be_imported_are_refused_as_a_whole(content, filename, says, coordinator, english):
    report = run("meeting_sessions", content, by=coordinator, filename=filename)

    assert len(report.errors) == 1
    assert report.errors[0].column is None
    assert says in report.errors[0].message
    assert MeetingPlaceSession.objects.count() == 0


def test_a_file_with_too_many_rows_is_refused(good_files, coordinator, monkeypatch, english):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)

    report = run("meeting_sessions", good_files["meeting_sessions"], by=coordinator)

    assert [(error.line, error.column) for error in report.errors] == [(None, None)]
    assert "more than 2 rows" in report.errors[0].message
    assert MeetingPlaceSession.objects.count() == 0


def test_only_a_role_that_may_import_can_import(good_files, worker):
    with pytest.raises(imports.PermissionDenied):
        run("contacts", good_files["contacts"], by=worker)


# --- Management command -------------------------------------------------------------------------------


def test_the_command_imports_a_file(good_files, coordinator, tmp_path, english):
    path = tmp_path / "contacts.csv"
    path.write_text(good_files["contacts"], encoding="utf-8")
    out = io.StringIO()

    call_command(
        "import_activity", "contacts", str(path), organisation="rta", user=coordinator.username, stdout=out
    )

    assert Contact.objects.count() == 3
    assert "Imported 3 rows" in out.getvalue()


def test_the_command_fails_on_a_bad_row_and_saves_nothing(good_files, coordinator, tmp_path, english):
    path = tmp_path / "contacts.csv"
    path.write_text(with_row(good_files["contacts"], "2026-05-02 10:00,strit,,,,,,,,,,,,,,", 3))
    out = io.StringIO()

    with pytest.raises(CommandError, match="nothing was saved"):
        call_command(
            "import_activity",
            "contacts",
            str(path),
            organisation="RTA",
            user=coordinator.username,
            stdout=out,
        )

    assert "line 3: venue: Cannot read this cell: unknown venue 'strit'." in out.getvalue()
    assert Contact.objects.count() == 0


def test_the_command_dry_run_saves_nothing(good_files, coordinator, tmp_path, english):
    path = tmp_path / "raids.csv"
    path.write_text(good_files["police_raids"])
    out = io.StringIO()

    call_command(
        "import_activity",
        "police_raids",
        str(path),
        organisation="RTA",
        user=coordinator.username,
        dry_run=True,
        stdout=out,
    )

    assert "Dry run" in out.getvalue()
    assert PoliceRaid.objects.count() == 0


def test_the_command_refuses_a_role_that_may_not_import(good_files, worker, tmp_path, english):
    path = tmp_path / "contacts.csv"
    path.write_text(good_files["contacts"])

    with pytest.raises(CommandError, match="does not allow importing"):
        call_command("import_activity", "contacts", str(path), organisation="RTA", user=worker.username)
    with pytest.raises(CommandError, match="not an active member"):
        call_command("import_activity", "contacts", str(path), organisation="PVB", user=worker.username)


# --- Upload page --------------------------------------------------------------------------------------


def upload(content: str, name: str = "contacts.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def test_a_coordinator_checks_then_imports_on_the_page(good_files, coordinator, login):
    client = login(coordinator)
    url = reverse("activity-import")

    page = client.get(url)
    assert page.status_code == 200
    assert b"occurred_at" in page.content  # the column summary

    checked = client.post(
        url, {"kind": "contacts", "file": upload(good_files["contacts"]), "action": "check"}
    )
    assert checked.status_code == 200
    assert checked.context["report"].rows_ok == 3
    assert Contact.objects.count() == 0

    imported = client.post(
        url, {"kind": "contacts", "file": upload(good_files["contacts"]), "action": "import"}, follow=True
    )
    assert imported.redirect_chain == [(url, 302)]
    assert Contact.objects.count() == 3
    assert [str(m) for m in imported.context["messages"]]


def test_the_page_lists_the_bad_rows_by_line(good_files, coordinator, login):
    client = login(coordinator)
    content = with_row(good_files["meeting_sessions"], "Mødestedet,2026-05-10,,,5,6,", line=3)

    response = client.post(
        reverse("activity-import"),
        {"kind": "meeting_sessions", "file": upload(content, "sessions.csv"), "action": "import"},
    )

    assert response.status_code == 400
    assert [(e.line, e.column) for e in response.context["report"].errors] == [(3, "returning_visitors")]
    html = response.content.decode()
    assert '<td data-label="' in html and ">3</td>" in html
    assert "<code>returning_visitors</code>" in html
    assert MeetingPlaceSession.objects.count() == 0


def test_the_page_refuses_a_file_of_another_type(coordinator, login):
    client = login(coordinator)

    response = client.post(
        reverse("activity-import"),
        {"kind": "contacts", "file": upload("x", "contacts.txt"), "action": "check"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_an_outreach_worker_may_not_use_the_import_page(good_files, worker, login):
    client = login(worker)
    url = reverse("activity-import")

    assert client.get(url).status_code == 403
    response = client.post(
        url, {"kind": "contacts", "file": upload(good_files["contacts"]), "action": "import"}
    )
    assert response.status_code == 403
    assert Contact.objects.count() == 0


# --- Export and round trip ----------------------------------------------------------------------------


def _export(kind, user) -> list[list[str]]:
    return list(csv_rows(kind=kind, queryset=SELECTORS[kind](user=user)))


@pytest.mark.parametrize("kind", list(MODELS))
def test_an_export_imports_again_to_the_same_records(kind, good_files, coordinator):
    run(kind, good_files[kind], by=coordinator)
    exported = _export(kind, coordinator)
    assert len(exported) == 4
    assert "note" not in exported[0]

    MODELS[kind].objects.all().delete()
    text = io.StringIO()
    csv.writer(text).writerows(exported)
    report = run(kind, text.getvalue(), by=coordinator)

    assert report.errors == []
    again = _export(kind, coordinator)
    assert again[0] == exported[0]
    assert sorted(again[1:]) == sorted(exported[1:])


def test_the_export_guards_cells_a_spreadsheet_would_run_and_the_import_reads_them_back(coordinator):
    run("contacts", "occurred_at,venue,city\n2026-05-02 10:00,street,=HYPERLINK(1)\n", by=coordinator)

    exported = _export("contacts", coordinator)
    assert exported[1][exported[0].index("city")] == "'=HYPERLINK(1)"

    Contact.objects.all().delete()
    text = io.StringIO()
    csv.writer(text).writerows(exported)
    run("contacts", text.getvalue(), by=coordinator)
    assert Contact.objects.get().city == "=HYPERLINK(1)"


def test_the_csv_response_streams_the_export_with_a_bom(good_files, coordinator):
    run("hotline_calls", good_files["hotline_calls"], by=coordinator)

    response = csv_response(
        kind="hotline_calls", queryset=hotline_call_list_for_user(user=coordinator), filename="calls.csv"
    )

    body = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="calls.csv"' in response["Content-Disposition"]
    # Danish (the tests' language): semicolons, as Danish Excel splits a CSV.
    assert body.startswith("\ufeffreceived_at;caller_category;purpose;wrong_number;case_number\r\n")
    assert body.count("\r\n") == 4


def test_an_english_export_is_comma_separated_and_a_danish_one_imports_again(good_files, coordinator):
    from django.utils import translation

    run("hotline_calls", good_files["hotline_calls"], by=coordinator)
    queryset = hotline_call_list_for_user(user=coordinator)
    with translation.override("en"):
        english = b"".join(
            csv_response(kind="hotline_calls", queryset=queryset, filename="c.csv").streaming_content
        )
    assert english.decode().startswith("\ufeffreceived_at,caller_category,")
    with translation.override("da"):
        danish = b"".join(
            csv_response(kind="hotline_calls", queryset=queryset, filename="c.csv").streaming_content
        )
    HotlineCall.objects.all().delete()
    report = run("hotline_calls", danish, by=coordinator)
    assert report.errors == []
    assert HotlineCall.objects.count() == 3
