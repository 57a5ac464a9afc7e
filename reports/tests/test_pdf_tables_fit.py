"""Every table of every PDF report fits its page (issue 18): rendered with the widest realistic data, in
Danish and in English, no box reaches past the content area of its page (checked in WeasyPrint's layout: the
text of a column cut off the paper would still be in the PDF's text), and every column header of every table
is in the extracted text of each page the table is on (its header row repeated after a page break).

The widest realistic data: long Danish organisation, shelter, meeting-place and clinic names, many meeting
places, long country names ("Den Demokratiske Republik Congo"), a period of two quarters (so the hotline
table by quarter is printed too) and every count and average of the statistics tables widened to six digits
(a national meeting place counts its visitors in the hundred thousands over a year).
"""

import datetime
import io
import os
import re
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import pgettext
from pypdf import PdfReader
from weasyprint.formatting_structure import boxes

from cases.choices import (
    ControlMeans,
    DischargeReason,
    ExploitationType,
    Gender,
    HousingType,
    ResidenceStatus,
    ServiceMode,
    ServiceType,
)
from cases.services import case_open, service_record, stay_save
from cmm.models import OrganisationKind, Role
from cmm.services import organisation_create
from identification.choices import Outcome
from identification.services import decision_record
from outreach.choices import Venue
from outreach.models import ClinicConsultation, MeetingPlaceSession
from outreach.services import contact_log
from referrals.choices import ReturnStatus
from referrals.services.returns import return_plan_create, return_plan_transition
from reflection.choices import ExtensionGround, PeriodKind
from reflection.services import period_extend, period_start
from reports.documents import activity, base, quarterly, render_report
from reports.documents.base import boxes_off_page, html_to_pdf, render_document
from reports.models import ReportJob, ReportKind
from reports.periods import Period, Scope
from reports.statistics.outreach import meeting_place_table

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime.datetime(2026, 7, 10, 9, 0, tzinfo=CPH)
HALF_YEAR = Period(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))  # two quarters
D = datetime.date

LONG_NAMES = {
    "a": "Reden International, Rådgivnings- og Krisecenter for Kvinder i Prostitution og Menneskehandel",
    "b": "Kirkens Korshærs Natvarmestue og Sundhedsklinik for Udenlandske Sexarbejdere i Hovedstadsområdet",
    "us": "Udlændingestyrelsen, Asylafdelingen, Kontoret for Menneskehandelssager og Særlige Opgaver",
}
SHELTER = "Dannerhusets Beskyttede Krisecenter for Menneskehandlede Kvinder og Deres Medfølgende Børn"
PLACES = [
    "Mødestedet på Istedgade, Værested og Rådgivning for Kvinder i Prostitution",
    "Natcaféen ved Københavns Hovedbanegård",
    "Værestedet for Udenlandske Sexarbejdere på Nørrebrogade",
    "Opsøgende Gadeplansarbejde i Aarhus Midtby og Omegn",
    "Rådgivningscentret Pro Vest, Vesterbrogade",
]
CLINICS = [
    "Sundhedsklinikken for Udokumenterede Migranter på Nørrebro",
    "Gynækologisk Ambulatorium for Sexarbejdere, Hvidovre Hospital",
]
PROVIDER_ADDRESS = "traumeklinikken.for.flygtninge.og.migranter.psykiatrisk.center@regionh.dk"
# Long country names in Danish (and English): the rows of the identification and the returns tables.
NATIONALITIES = ["CD", "CF", "DO", "BA", "VC", "NG"]


def widest(tables):
    """Widen every count of the tables to six digits and every average to five digits and a decimal."""

    def wide(value):
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            return 999_999 - value % 10
        if isinstance(value, float):
            return 99_999.9
        return value

    for table in tables:
        for row in table.rows:
            row.cells = {key: wide(value) for key, value in row.cells.items()}
        table.totals = {key: wide(value) for key, value in table.totals.items()}
    return tables


@pytest.fixture
def wide_world(org_a, org_b, org_us, users_a, deciders, present, monkeypatch):
    """Long names everywhere, many meeting places and clinics, presentations of people of six long-named
    nationalities, a case with all the sections of the case report filled in; counts widened to six digits."""
    with time_machine.travel(NOW, tick=False):
        for organisation, key in ((org_a, "a"), (org_b, "b"), (org_us, "us")):
            organisation.name = LONG_NAMES[key]
            organisation.save(update_fields=["name"])
        shelter = organisation_create(
            name=SHELTER, kind=OrganisationKind.SHELTER, case_prefix="DBK", region="hovedstaden"
        )
        MeetingPlaceSession.objects.bulk_create(
            MeetingPlaceSession(
                organisation=organisation,
                place=place,
                date=D(2026, month, 3),
                visitors=9_000,
                returning_visitors=8_000,
                health_clinic_open=month % 2 == 0,
            )
            for organisation in (org_a, org_b)
            for place in PLACES
            for month in (2, 5)
        )
        ClinicConsultation.objects.bulk_create(
            ClinicConsultation(organisation=organisation, clinic=clinic, date=D(2026, 4, 7), consultations=40)
            for organisation in (org_a, org_b)
            for clinic in CLINICS
        )
        caseworker = users_a[Role.CASEWORKER]
        cases = []
        for number, nationality in enumerate(NATIONALITIES):
            case = case_open(
                by=caseworker,
                organisation=org_a,
                opened_on=D(2026, 4, 1 + number),
                gender=Gender.FEMALE,
                residence_status=ResidenceStatus.NO_LEGAL_RESIDENCE,
                nationality=nationality,
                languages=["fr", "ln"],
                exploitations=[
                    (ExploitationType.SEXUAL, ""),
                    (ExploitationType.FORCED_CRIME, ""),
                    (ExploitationType.FORCED_LABOUR, "cleaning"),
                ],
                control_means=ControlMeans.values[:4],
                estimated_age=19 + 4 * number,
                personal={"full_name": "Marie-Françoise Kabongo Mwamba-Tshisekedi"},
            )
            present(case, by=caseworker, presented_on=D(2026, 4, 10 + number))
            cases.append(case)
        case = cases[0]  # of the Democratic Republic of the Congo: the case of the case report
        contact_log(
            by=caseworker,
            organisation=org_a,
            occurred_at=datetime.datetime(2026, 5, 10, 12, tzinfo=CPH),
            venue=Venue.MASSAGE_CLINIC,
            indicators=[],
            case=case,
        )
        decision_record(
            presentation=case.presentations.get(),
            by=deciders["us"],
            outcome=Outcome.IDENTIFIED,
            decided_on=D(2026, 4, 25),
            exploitation_types=["sexual", "forced_crime"],
        )
        case.refresh_from_db()
        for admitted, discharged in ((D(2026, 4, 11), D(2026, 4, 30)), (D(2026, 5, 1), None)):
            stay_save(
                case=case,
                by=caseworker,
                shelter=shelter,
                housing_type=HousingType.MUNICIPAL_PLACEMENT,
                admitted_on=admitted,
                discharged_on=discharged,
                discharge_reason=DischargeReason.MOVED_ON if discharged else "",
            )
        for service_type, provider in (
            (ServiceType.HEALTH_PSYCHOLOGIST, "Psykiatrisk Center København, Traumeklinikken for Flygtninge"),
            (ServiceType.HARM_REDUCTION, PROVIDER_ADDRESS),  # one long word: no place to break a line
        ):
            service_record(
                case=case,
                by=caseworker,
                service_type=service_type,
                mode=ServiceMode.ACCOMPANIED,
                provided_on=D(2026, 4, 12),
                provider=provider,
            )
        period = period_start(case=case, by=caseworker, kind=PeriodKind.STATUTORY, starts_on=D(2026, 4, 26))
        plan = return_plan_create(case=case, by=caseworker, destination_country="CD")
        period_extend(
            period=period,
            by=caseworker,
            new_total_days=100,
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

    real_statistics, real_activity = quarterly.statistics_compute, activity.activity_compute
    monkeypatch.setattr(quarterly, "statistics_compute", lambda **kw: widest(real_statistics(**kw)))
    monkeypatch.setattr(activity, "activity_compute", lambda **kw: widest(real_activity(**kw)))
    return {"case": case, "caseworker": caseworker}


@pytest.fixture
def laid_out(monkeypatch):
    """Keep the HTML and WeasyPrint's layout of every report rendered in the test."""
    documents = []
    real = base.html_to_document

    def keep(html):
        document = real(html)
        document.cmm_html = html
        documents.append(document)
        return document

    monkeypatch.setattr(base, "html_to_document", keep)
    return documents


def normalised(text: str) -> str:
    """Letters and digits only, lower case: a header wrapped over lines or hyphenated still matches."""
    return re.sub(r"[\W_]+", "", text).lower()


def table_headers(table_box) -> list[str]:
    """The column headers of a table as written in the HTML (whatever the layout did to them)."""
    return [
        " ".join("".join(th.itertext()).split())
        for thead in table_box.element.iter("thead")
        for th in thead.iter("th")
        if "".join(th.itertext()).strip()
    ]


def source_headers(html: str) -> set[str]:
    """The column headers of every table of the HTML as sent to WeasyPrint."""
    headers = set()
    for thead in re.findall(r"<thead>(.*?)</thead>", html, flags=re.DOTALL):
        for cell in re.findall(r"<th\b[^>]*>(.*?)</th>", thead, flags=re.DOTALL):
            text = " ".join(unescape(re.sub(r"<[^>]+>", "", cell)).split())
            if text:
                headers.add(text)
    return headers


def tables_by_page(document) -> list[list]:
    return [
        [box for box in page._page_box.descendants() if isinstance(box, boxes.TableBox)]
        for page in document.pages
    ]


def render(job, laid_out):
    with translation.override(job.language):
        rendered = render_report(job, on_progress=lambda _percent: None)
    directory = os.environ.get("CMM_PDF_SHOTS")  # to look at the pages: pdftoppm -png -r 60
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        Path(directory, f"{job.kind}-{job.language}.pdf").write_bytes(rendered.pdf)
    return laid_out[-1], PdfReader(io.BytesIO(rendered.pdf))


def assert_every_table_fits_and_shows_its_headers(document, reader) -> set[str]:
    """No box past the content area of its page; every header of each table in the text of each page the
    table is on (the text of pages with a table only, upright text only: pypdf is slow). Return the headers
    seen."""
    assert boxes_off_page(document) == []
    assert len(reader.pages) == len(document.pages)
    seen = set()
    for number, tables in enumerate(tables_by_page(document), start=1):
        if not tables:
            continue
        page_text = normalised(reader.pages[number - 1].extract_text(orientations=(0,)))
        for table in tables:
            for header in table_headers(table):
                assert normalised(header) in page_text, (number, header)
                seen.add(header)
    return seen


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_table_of_every_report_fits_its_page_with_the_widest_data(
    wide_world, laid_out, org_a, make_member, org_cmm, language
):
    analyst = make_member(org_cmm, Role.ANALYST)

    def statistics_job(kind, **fields):
        return ReportJob.objects.create(
            kind=kind,
            language=language,
            period_start=HALF_YEAR.start,
            period_end=HALF_YEAR.end,
            requested_by=analyst,
            **fields,
        )

    reports = {
        "quarterly": statistics_job(ReportKind.QUARTERLY, suppressed=False),
        "activity": statistics_job(ReportKind.ACTIVITY, organisation=org_a, suppressed=True),
        "case": ReportJob.objects.create(
            kind=ReportKind.CASE_STATUS,
            language=language,
            case=wide_world["case"],
            requested_by=wide_world["caseworker"],
            suppressed=False,
        ),
    }

    seen = {}
    with time_machine.travel(NOW, tick=False):
        for name, job in reports.items():
            document, reader = render(job, laid_out)
            seen[name] = assert_every_table_fits_and_shows_its_headers(document, reader)
            # Every table of the HTML was laid out, and each one's headers were found on its pages.
            assert seen[name] == source_headers(document.cmm_html)
            if name == "quarterly":
                meeting_place_pages = [
                    page
                    for page in document.pages
                    if any(
                        box.element is not None and box.element.get("id") == "table-meeting_place"
                        for box in page._page_box.descendants()
                        if isinstance(box, boxes.Box)
                    )
                ]
                assert meeting_place_pages
                assert all(page.width > page.height for page in meeting_place_pages)  # turned: landscape

    with translation.override(language):
        meeting_place = meeting_place_table(period=HALF_YEAR, scope=Scope())
        expected = {str(label) for _key, label in meeting_place.columns}
        # The comparison column ("Ændring" in Danish: see test_danish_comparison_column_is_called_...).
        comparison = pgettext("comparison with the previous period", "Change")
    assert expected <= seen["quarterly"]  # the eight columns of the table that ran off the page
    assert comparison in seen["quarterly"]
    assert len(seen["quarterly"]) > 40 and len(seen["activity"]) > 8 and len(seen["case"]) > 12


def test_danish_comparison_column_is_called_aendring_not_ret(laid_out):
    """The comparison with the previous period has a column "Ændring" (a change, the noun), not "Ret" (the
    verb "change" of the edit links, which shared its msgid until issue 18)."""
    context = {
        "title": "Kvartalsrapport",
        "period_label": "2. kvt. 2026",
        "previous_label": "1. kvt. 2026",
        "scope_label": "Alle organisationer",
        "suppressed": False,
        "tables": [],
        "comparison": [base.Comparison(table="Hotline", column="I alt", now="9", before="2", change="+7")],
        "counting_notes": [],
    }
    with translation.override("da"):
        render_document("reports/pdf/quarterly.html", context)
    (table,) = [table for tables in tables_by_page(laid_out[-1]) for table in tables]

    headers = table_headers(table)

    assert headers[-1] == "Ændring"
    assert "Ret" not in headers


def test_the_layout_check_finds_a_table_off_the_page_and_a_cell_running_over_its_neighbour():
    too_wide = "".join(f"<td style='white-space: nowrap'>Column number {n}</td>" for n in range(30))
    overrun = (
        "<table style='table-layout: fixed; width: 50mm'><tr>"
        "<td style='white-space: nowrap'>Sundhedsklinikdage sundhedsklinikdage</td><td>1</td></tr></table>"
    )
    fitting = "<table class='data data--stat'><tr><th class='data__corner'>A</th><td>999999</td></tr></table>"

    off_page = boxes_off_page(base.html_to_document(f"<table><tr>{too_wide}</tr></table>"))
    over_neighbour = boxes_off_page(base.html_to_document(overrun))
    fine = boxes_off_page(base.html_to_document(fitting))

    assert [overflow.page for overflow in off_page] == [1] and off_page[0].by_mm > 100
    assert [(overflow.page, overflow.tag) for overflow in over_neighbour] == [(1, "td")]
    assert fine == []


def test_a_report_with_a_table_off_the_page_is_logged_without_its_text(caplog):
    cells = "".join(f"<td style='white-space: nowrap'>Secretname column {n}</td>" for n in range(30))

    rendered = html_to_pdf(f"<table><tr>{cells}</tr></table>")

    assert rendered.pages == 1
    (record,) = [record for record in caplog.records if record.name == "reports.documents.base"]
    assert record.levelname == "WARNING"
    assert "past the content area on page 1" in record.getMessage()
    assert "Secretname" not in record.getMessage()
