"""The PDF reports: the quarterly statistics report prints the numbers the API gives, small counts as "<5"
when suppressed; the case status report is confidential on every page and shows identifying details only to
those who may see them; the activity report prints its tables; every page has its header and "Page X of Y";
nothing is fetched from the network.

A small world of the second quarter of 2026 is built through the services, at a fixed "now" (10 July 2026).
"""

import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import Http404
from django.utils import translation
from pypdf import PdfReader

from cases.choices import (
    DischargeReason,
    ExploitationType,
    Gender,
    HousingType,
    ResidenceStatus,
    ServiceMode,
    ServiceType,
)
from cases.services import case_open, service_record, stay_save
from cmm.models import AuditAction, AuditEvent, Role
from identification.choices import Outcome
from identification.services import decision_record
from outreach.choices import CallerCategory, CallPurpose, Indicator, Venue
from outreach.services import contact_log, hotline_call_save
from referrals.choices import ReturnStatus
from referrals.services.returns import return_plan_create, return_plan_transition
from reflection.choices import ExtensionGround, PeriodKind
from reflection.services import period_extend, period_start
from reports.apis.statistics import table_data
from reports.documents import render_report
from reports.documents.base import LocalOnlyFetcher, cell_text, html_to_pdf, stylesheet_path
from reports.models import ReportJob, ReportKind
from reports.periods import Period, Scope
from reports.services.statistics import statistics_compute, statistics_publish
from reports.statistics.activity import activity_compute

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime.datetime(2026, 7, 10, 9, 0, tzinfo=CPH)
Q2 = Period.quarter(2026, 2)
D = datetime.date
MARKER = "Qwyxz Markername"  # the person's name: must appear only where the requester may see it

# The exact number of pages each report has for this world (A4, the print stylesheet of static/reports).
QUARTERLY_PAGES = 11  # the meeting-place table on a landscape page of its own (issue 18)
QUARTERLY_PAGES_DA = 11
CASE_PAGES = 3
ACTIVITY_PAGES = 8


def local(month: int, day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=CPH)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(frozen, org_a, org_b, users_a, make_member, deciders, present):
    """In the second quarter of 2026 organisation A met three people known by client codes on the street and
    its one case at a massage clinic (with indicators), took 3 police calls and 1 wrong number; B took 6 calls
    from students. The case was presented, identified, had a reflection period extended to 60 days, a stay of
    10 nights, a service, and a prepared return to Nigeria on 20 June. In the first quarter A took 2 calls."""
    caseworker = users_a[Role.CASEWORKER]
    worker_b = make_member(org_b, Role.OUTREACH_WORKER)
    case = case_open(
        by=caseworker,
        organisation=org_a,
        opened_on=D(2026, 4, 2),
        gender=Gender.FEMALE,
        residence_status=ResidenceStatus.NO_LEGAL_RESIDENCE,
        nationality="NG",
        languages=["en"],
        exploitations=[(ExploitationType.SEXUAL, "")],
        estimated_age=24,
        personal={"full_name": MARKER},
    )
    for day, code in enumerate(["AAAAA-11111", "BBBBB-22222", "CCCCC-33333"], start=1):
        contact_log(
            by=caseworker,
            organisation=org_a,
            occurred_at=local(5, day),
            venue=Venue.STREET,
            indicators=[],
            client_code=code,
        )
    contact_log(
        by=caseworker,
        organisation=org_a,
        occurred_at=local(5, 10),
        venue=Venue.MASSAGE_CLINIC,
        indicators=[Indicator.DEBT_BONDAGE],
        case=case,
    )

    def calls(by, organisation, count, category, month, **extra):
        for day in range(1, count + 1):
            hotline_call_save(
                by=by,
                organisation=organisation,
                received_at=local(month, day),
                caller_category=category,
                purpose=CallPurpose.INFORMATION,
                **extra,
            )

    calls(caseworker, org_a, 3, CallerCategory.POLICE, 5)
    calls(caseworker, org_a, 1, CallerCategory.OTHER, 6, wrong_number=True)
    calls(worker_b, org_b, 6, CallerCategory.STUDENT, 5)
    calls(caseworker, org_a, 2, CallerCategory.PARTNER, 2)

    stay_save(
        case=case,
        by=caseworker,
        shelter=None,
        housing_type=HousingType.CRISIS_CENTRE,
        admitted_on=D(2026, 4, 10),
        discharged_on=D(2026, 4, 20),
        discharge_reason=DischargeReason.MOVED_ON,
    )
    service_record(
        case=case,
        by=caseworker,
        service_type=ServiceType.HEALTH_DOCTOR,
        mode=ServiceMode.ACCOMPANIED,
        provided_on=D(2026, 4, 12),
        provider="Health clinic",
    )
    presentation = present(case, by=caseworker, presented_on=D(2026, 4, 15))
    decision_record(
        presentation=presentation,
        by=deciders["us"],
        outcome=Outcome.IDENTIFIED,
        decided_on=D(2026, 4, 25),
        exploitation_types=["sexual"],
    )
    case.refresh_from_db()
    period = period_start(case=case, by=caseworker, kind=PeriodKind.STATUTORY, starts_on=D(2026, 4, 26))
    plan = return_plan_create(
        case=case, by=caseworker, destination_country="NG", planned_departure_on=D(2026, 6, 20)
    )
    period_extend(
        period=period,
        by=caseworker,
        new_total_days=60,
        ground=ExtensionGround.PREPARED_RETURN,
        decided_on=D(2026, 5, 20),
    )
    for status, day in [
        (ReturnStatus.SENT_TO_IOM, D(2026, 6, 1)),
        (ReturnStatus.APPROVED, D(2026, 6, 5)),
        (ReturnStatus.DEPARTED, D(2026, 6, 20)),
    ]:
        plan = return_plan_transition(plan=plan, to_status=status, by=caseworker, on=day)
    case.refresh_from_db()
    return {"case": case, "caseworker": caseworker}


@pytest.fixture
def analyst(org_cmm, make_member):
    return make_member(org_cmm, Role.ANALYST)


def statistics_job(*, kind=ReportKind.QUARTERLY, language="en", suppressed=False, organisation=None, by=None):
    return ReportJob.objects.create(
        kind=kind,
        language=language,
        period_start=Q2.start,
        period_end=Q2.end,
        organisation=organisation,
        suppressed=suppressed,
        requested_by=by,
    )


def case_job(*, case, by, language="en"):
    return ReportJob.objects.create(
        kind=ReportKind.CASE_STATUS, language=language, case=case, requested_by=by, suppressed=False
    )


def render(job):
    """Render as the job runner does (in the job's language); return the report, its pages' text and the
    progress reported."""
    progress: list[int] = []
    with translation.override(job.language):
        rendered = render_report(job, on_progress=progress.append)
    reader = PdfReader(io.BytesIO(rendered.pdf))
    return rendered, reader, progress


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def page_texts(reader: PdfReader) -> list[str]:
    """Each page's text, whitespace collapsed (extracted once per reader: pypdf is slow at it)."""
    if not hasattr(reader, "_cmm_texts"):
        reader._cmm_texts = [flat(page.extract_text()) for page in reader.pages]
    return reader._cmm_texts


def sections(reader: PdfReader) -> dict[str, str]:
    """The text of each section, by its bookmark title: from the page the section starts on to the page the
    next one starts on (both included, as sections share pages)."""
    texts = page_texts(reader)
    marks = [(flat(item.title), reader.get_destination_page_number(item)) for item in reader.outline]
    ends = [page for _title, page in marks[1:]] + [len(texts) - 1]
    return {title: " ".join(texts[start : end + 1]) for (title, start), end in zip(marks, ends, strict=True)}


def assert_well_formed(rendered, reader, progress, pages: int) -> None:
    assert rendered.pdf.startswith(b"%PDF")
    assert rendered.pages == len(reader.pages) == pages
    assert progress == sorted(progress) and len(set(progress)) >= 3
    assert progress[0] > 0 and progress[-1] < 100


def assert_tables_printed(published, reader) -> None:
    """Every row of every published table appears in its section as the API gives it: the label followed by
    its cells, and the totals."""
    by_title = sections(reader)
    for number, table in enumerate(published, start=1):
        data = table_data(table)
        text = by_title[f"{number}. {data['title']}"]
        keys = [column["key"] for column in data["columns"]]
        for row in data["rows"]:
            printed = " ".join([row["label"], *(cell_text(row["cells"][key]) for key in keys)])
            assert flat(printed) in text, (data["key"], printed)
        totals = " ".join(cell_text(data["totals"][key]) for key in keys)
        assert totals in text, (data["key"], totals)


# --- The quarterly statistics report --------------------------------------------------------------------


def test_quarterly_report_prints_the_numbers_of_the_api_with_contents_comparison_and_notes(world, analyst):
    job = statistics_job(by=analyst)

    rendered, reader, progress = render(job)

    assert_well_formed(rendered, reader, progress, QUARTERLY_PAGES)
    with translation.override("en"):
        published = statistics_publish(tables=statistics_compute(period=Q2, scope=Scope()), suppress=False)
        assert_tables_printed(published, reader)
    texts = page_texts(reader)
    assert "Internal - exact counts" in texts[0]
    assert "All organisations" in texts[0] and "Q2 2026" in texts[0]
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {QUARTERLY_PAGES}" in text
        if number > 1:  # the running header, after the cover
            assert "Quarterly statistics report · Q2 2026 · All organisations" in text
    # Exact: A's 3 police calls and B's 6 student calls in their rows of the hotline table.
    hotline = sections(reader)["6. Hotline calls by caller and purpose"]
    assert "Police 3 0 0 0 0 3" in hotline
    assert "Student or pupil 6 0 0 0 0 6" in hotline

    # The contents, the comparison with the previous quarter and the counting notes follow the tables.
    titles = [flat(item.title) for item in reader.outline]
    assert titles[-2:] == ["Comparison with the previous period", "Counting notes"]
    # The contents give each section's page number (target-counter).
    for item in reader.outline:
        page = reader.get_destination_page_number(item) + 1
        assert re.search(re.escape(flat(item.title)) + r"[ .]*" + str(page), texts[1]), item.title
    # The previous quarter's 2 partner calls beside this quarter's 9 calls (the wrong number left out).
    comparison = sections(reader)["Comparison with the previous period"]
    assert "Q2 2026" in comparison and "Q1 2026" in comparison
    assert "Information 9 2 +7" in comparison and "Total 9 2 +7" in comparison
    notes = sections(reader)["Counting notes"]
    for words in (
        "client code",
        "first time met",
        "Bed-days are nights",
        "wrong number",
        "Copenhagen",
        "48+",
    ):
        assert words in notes


def test_suppressed_danish_report_shows_small_counts_as_less_than_five_and_danish_headings(world, analyst):
    job = statistics_job(by=analyst, suppressed=True, language="da")

    rendered, reader, progress = render(job)

    assert_well_formed(rendered, reader, progress, QUARTERLY_PAGES_DA)
    with translation.override("da"):
        published = statistics_publish(tables=statistics_compute(period=Q2, scope=Scope()), suppress=True)
        assert_tables_printed(published, reader)
        police = str(CallerCategory.POLICE.label)
        title = f"6. {published[5].table.title}"
    hotline = sections(reader)[title]
    assert f"{police} <5 0 0 0 0 <5" in hotline
    assert f"{police} 3" not in hotline
    texts = page_texts(reader)
    assert "Små antal vises som <5" in texts[0]
    assert "Intern - nøjagtige tal" not in texts[0]
    for number, text in enumerate(texts, start=1):
        assert f"Side {number} af {QUARTERLY_PAGES_DA}" in text
    # Danish headings, not the English ones.
    danish_titles = [flat(item.title) for item in reader.outline]
    with translation.override("en"):
        tables = statistics_compute(period=Q2, scope=Scope())
        english_titles = [f"{number}. {table.title}" for number, table in enumerate(tables, start=1)]
    english_titles += ["Comparison with the previous period", "Counting notes"]
    assert danish_titles[0] == "1. Personer mødt og personer med indikatorer på menneskehandel"
    assert danish_titles[-2:] == ["Sammenligning med forrige periode", "Sådan er der talt"]
    assert len(danish_titles) == len(english_titles)
    assert not set(danish_titles) & set(english_titles)
    assert "Indhold" in texts[1]


# --- The case status report -----------------------------------------------------------------------------


def test_case_report_for_the_team_shows_identifying_details_and_audits_the_read(world):
    case, caseworker = world["case"], world["caseworker"]
    job = case_job(case=case, by=caseworker)

    rendered, reader, progress = render(job)

    assert_well_formed(rendered, reader, progress, CASE_PAGES)
    texts = page_texts(reader)
    whole = " ".join(texts)
    for number, text in enumerate(texts, start=1):
        assert "CONFIDENTIAL" in text
        assert f"Page {number} of {CASE_PAGES}" in text
    assert MARKER in whole
    assert case.number in texts[0]
    for fact in (
        "Reden Test",  # owner organisation
        "Identified as trafficked",
        "Extended to 60 days in total",
        "Specialised crisis centre",
        "Health: doctor",
        "Nigeria",
        "Departed",
    ):
        assert fact in whole, fact
    assert "Health clinic" in whole  # the services' providers: personal texts, for the team (issue 17)
    reads = AuditEvent.objects.filter(action=AuditAction.VIEWED, actor=caseworker, target_label=case.number)
    assert sorted((read.detail for read in reads), key=lambda detail: detail["what"]) == [
        {"what": "personal_details", "fields": ["full_name"], "purpose": "report"},
        {"what": "personal_texts", "fields": ["caseservice.provider"], "purpose": "report"},
    ]


def test_case_report_withholds_identifying_details_from_who_cannot_see_them(world, org_a, make_member):
    colleague = make_member(org_a, Role.CASEWORKER)  # sees the organisation's cases, is not on the team
    job = case_job(case=world["case"], by=colleague, language="da")

    _rendered, reader, _progress = render(job)

    texts = page_texts(reader)
    assert all("FORTROLIG" in text for text in texts)
    assert all(f"Side {n} af {len(texts)}" in text for n, text in enumerate(texts, start=1))
    assert MARKER not in " ".join(texts)
    assert "Health clinic" not in " ".join(texts)  # a personal text (issue 17)
    with translation.override("da"):
        withheld = translation.gettext("Identifying details are not included: you cannot see them.")
    assert flat(withheld) in " ".join(texts)
    assert not AuditEvent.objects.filter(actor=colleague, action=AuditAction.VIEWED).exists()


def test_case_report_for_a_requester_who_lost_access_fails(world, users_b):
    job = case_job(case=world["case"], by=users_b[Role.CASEWORKER])

    with pytest.raises(Http404):
        render(job)


# --- The organisation activity report -------------------------------------------------------------------


def test_activity_report_prints_the_organisation_tables(world, org_a, analyst):
    job = statistics_job(kind=ReportKind.ACTIVITY, organisation=org_a, by=analyst, suppressed=True)

    rendered, reader, progress = render(job)

    assert_well_formed(rendered, reader, progress, ACTIVITY_PAGES)
    with translation.override("en"):
        tables = activity_compute(period=Q2, organisation_id=org_a.pk)
        published = statistics_publish(tables=tables, suppress=True)
        assert_tables_printed(published, reader)
    texts = page_texts(reader)
    assert "Reden Test" in texts[0]
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {ACTIVITY_PAGES}" in text
        if number > 1:
            assert "Organisation activity report · Q2 2026 · Reden Test" in text
    assert "<5" in " ".join(texts)


# --- Offline rendering ----------------------------------------------------------------------------------


def test_url_fetcher_refuses_anything_but_static_files_and_data():
    fetcher = LocalOnlyFetcher()
    for url in ("http://example.com/x.css", "https://example.com/font.woff2", "ftp://example.com/a"):
        with pytest.raises(ValueError, match="Refused"):
            fetcher.fetch(url)
    with pytest.raises(ValueError, match="outside the static folders"):
        fetcher.fetch("file:///etc/hostname")
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    assert fetcher.fetch(stylesheet_path().as_uri()).read().startswith(b"/*")


def test_a_remote_image_is_not_fetched_and_the_page_still_renders(monkeypatch):
    fetched = []
    original = LocalOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(LocalOnlyFetcher, "fetch", spy)
    html = '<html><body><p>Hello</p><img src="http://198.51.100.1/x.png" alt="x"></body></html>'

    rendered = html_to_pdf(html)

    assert rendered.pages == 1
    assert fetched == ["http://198.51.100.1/x.png"]  # asked for, refused, never opened
    assert "Hello" in PdfReader(io.BytesIO(rendered.pdf)).pages[0].extract_text()
