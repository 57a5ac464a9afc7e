"""The statistics page: every table as published to the reader, the comparison with earlier periods, the
charts, the links to the exports and the PDF, the scope rules and input errors next to their field."""

import datetime
import re
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import translation
from django.utils.html import escape

from cmm.models import Role
from outreach.choices import CallerCategory, CallPurpose, Venue
from outreach.services import contact_log, hotline_call_save
from reports.periods import Period, Scope
from reports.selectors.organisations import statistics_organisation_choices, statistics_scope_label
from reports.services.statistics import statistics_compute
from reports.services.trend import statistics_trend
from reports.suppression import SUPPRESSION_NOTE
from reports.views.statistics import display

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
URL = "/reports/statistics/"
Q2 = {"period": "2026Q2"}


def local(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, 12, tzinfo=CPH)


def log_calls(*, by, organisation, count, category=CallerCategory.POLICE, year=2026, month=5):
    for day in range(1, count + 1):
        hotline_call_save(
            by=by,
            organisation=organisation,
            received_at=local(year, month, day),
            caller_category=category,
            purpose=CallPurpose.INFORMATION,
        )


def log_contacts(*, by, organisation, codes, year=2026, month=5):
    for day, code in enumerate(codes, start=1):
        contact_log(
            by=by,
            organisation=organisation,
            occurred_at=local(year, month, day),
            venue=Venue.STREET,
            indicators=[],
            client_code=code,
        )


@pytest.fixture
def world(org_a, org_b, org_cmm, users_a, make_member):
    """In Q2 2026 A met 3 people by client code and took 3 police calls, B took 6 calls from students; in
    Q1 2026 A took 7 calls; in Q2 2025 B took 9 calls and A met 6 people."""
    worker_b = make_member(org_b, Role.OUTREACH_WORKER)
    worker_a = users_a[Role.CASEWORKER]
    log_contacts(by=worker_a, organisation=org_a, codes=["AAAAA-11111", "BBBBB-22222", "CCCCC-33333"])
    log_calls(by=worker_a, organisation=org_a, count=3)
    log_calls(by=worker_b, organisation=org_b, count=6, category=CallerCategory.STUDENT)
    log_calls(by=worker_a, organisation=org_a, count=7, month=2)
    log_calls(by=worker_b, organisation=org_b, count=9, year=2025, month=4)
    log_contacts(
        by=worker_a, organisation=org_a, codes=[f"EEEEE-{n:05}" for n in range(6)], year=2025, month=6
    )
    return {"worker_a": worker_a, "worker_b": worker_b}


@pytest.fixture
def analyst(org_cmm, make_member):
    return make_member(org_cmm, Role.ANALYST)


def page(login, user, **params):
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(URL, params)


def section(html: str, key: str) -> str:
    """The HTML of one table's section."""
    start = html.index(f'id="stat-{key}"')
    end = html.find("</section>", start)
    return html[start:end]


def row_cells(html: str, label: str) -> list[str]:
    """The printed cells of the first table row whose header is `label`."""
    match = re.search(rf"<th scope=\"row\">{re.escape(str(label))}</th>(.*?)</tr>", html, re.S)
    assert match, f"no row {label!r}"
    return [text.strip() for text in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]


def test_analyst_sees_every_table_with_exact_numbers(login, world, analyst):
    response = page(login, analyst, **Q2)
    assert response.status_code == 200
    html = response.content.decode()
    tables = statistics_compute(period=Period.quarter(2026, 2), scope=Scope())
    assert [t.key for t in response.context["tables"]] == [t.key for t in tables]
    for table in tables:
        assert f'id="stat-{table.key}"' in html
        assert str(table.title) in html
    calls = section(html, "hotline_calls")
    police = dict(CallerCategory.choices)[CallerCategory.POLICE]
    student = dict(CallerCategory.choices)[CallerCategory.STUDENT]
    assert "3" in row_cells(calls, police)
    assert "6" in row_cells(calls, student)
    assert "These are CMM" in html and "every count is exact" in html
    assert str(SUPPRESSION_NOTE) not in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


def test_ngo_caseworker_sees_own_organisation_with_small_counts_suppressed(login, world, users_a, org_a):
    response = page(login, users_a[Role.CASEWORKER], **Q2)
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("en"):
        assert escape(str(SUPPRESSION_NOTE)) in html
    calls = section(html, "hotline_calls")
    police = dict(CallerCategory.choices)[CallerCategory.POLICE]
    assert "&lt;5" in row_cells(calls, police)
    assert 'class="num stat--suppressed"' in calls
    assert org_a.name in html
    # Their own organisation only: no scope to choose, no external switch.
    assert 'name="organisation"' not in html
    assert 'name="external"' not in html


def test_cmm_analyst_can_ask_for_the_external_view(login, world, analyst):
    html = page(login, analyst, external="on", **Q2).content.decode()
    police = dict(CallerCategory.choices)[CallerCategory.POLICE]
    assert "&lt;5" in row_cells(section(html, "hotline_calls"), police)
    assert 'name="external"' in html and 'name="organisation"' in html


def test_totals_are_compared_with_the_previous_period_and_last_year(login, world, analyst):
    response = page(login, analyst, **Q2)
    calls = next(t for t in response.context["tables"] if t.key == "hotline_calls")
    labels = [label for label, _cells in calls.comparison]
    assert labels == ["Q2 2026", "Q1 2026", "Q2 2025"]
    # The "total" column is the last one: 9 calls now, 7 in Q1, 9 a year ago.
    assert [cells[-1].text for _label, cells in calls.comparison] == ["9", "7", "9"]
    persons = next(t for t in response.context["tables"] if t.key == "persons_met")
    assert [cells[0].text for _label, cells in persons.comparison] == ["3", "0", "6"]
    html = response.content.decode()
    assert "Totals compared with earlier periods" in html


def test_each_table_has_a_bar_chart_of_three_periods_and_a_quarter_a_trend(login, world, analyst):
    response = page(login, analyst, **Q2)
    html = response.content.decode()
    tables = response.context["tables"]
    charted = {t.key for t in tables if t.chart is not None}
    assert html.count('class="chart chart--bar"') == len(charted)
    # A chart wherever a period had something to count; none for a table of zeros only.
    assert charted == {"persons_met", "new_persons", "hotline_calls"}
    calls = section(html, "hotline_calls")
    assert "Q2 2026" in calls and "Q1 2026" in calls and "Q2 2025" in calls
    assert html.count('class="chart chart--line"') == 1
    assert "Persons met per quarter" in html
    # A year has no quarterly trend.
    assert 'class="chart chart--line"' not in page(login, analyst, period="2026").content.decode()
    assert "style=" not in html.replace('rel="stylesheet"', "")


def test_links_export_and_ask_for_a_pdf_of_what_is_shown(login, world, analyst, org_b):
    response = page(login, analyst, organisation=str(org_b.pk), external="on", **Q2)
    context = response.context
    csv = urlparse(context["csv_url"])
    assert csv.path == "/reports/statistics/export/"
    assert parse_qs(csv.query) == {
        "period": ["2026Q2"],
        "organisation": [str(org_b.pk)],
        "external": ["on"],
        "format": ["csv"],
    }
    assert parse_qs(urlparse(context["xlsx_url"]).query)["format"] == ["xlsx"]
    pdf = urlparse(context["pdf_url"])
    assert pdf.path == "/reports/jobs/new/"
    assert parse_qs(pdf.query)["period"] == ["2026Q2"]
    assert parse_qs(pdf.query)["organisation"] == [str(org_b.pk)]
    custom = page(login, analyst, period="custom", start="2026-02-01", end="2026-03-15").context
    assert parse_qs(urlparse(custom["csv_url"]).query) == {
        "period": ["custom"],
        "start": ["2026-02-01"],
        "end": ["2026-03-15"],
        "organisation": ["all"],
        "format": ["csv"],
    }


def test_custom_period_compares_with_periods_of_the_same_length(login, world, analyst):
    response = page(login, analyst, period="custom", start="2026-05-01", end="2026-05-31")
    assert response.status_code == 200
    calls = next(t for t in response.context["tables"] if t.key == "hotline_calls")
    assert [cells[-1].text for _label, cells in calls.comparison] == ["9", "0", "0"]
    assert response.context["trend"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2026Q5"}, "period"),
        ({"period": "custom", "start": "2026-03-01", "end": "2026-02-01"}, "end"),
        ({"period": "custom", "start": "2026-03-01"}, "end"),
        ({"period": "custom", "start": "2026-02-30", "end": "2026-03-01"}, "start"),
        ({"period": "custom", "start": "2019-01-01", "end": "2026-01-01"}, "end"),
    ],
)
def test_a_bad_period_is_400_with_the_message_next_to_its_field(login, analyst, params, field):
    response = page(login, analyst, **params)
    assert response.status_code == 400
    html = response.content.decode()
    assert response.context["form"].errors[field]
    # The message sits inside the field's own block, and the form is there to correct it.
    block = html[html.index(f'for="id_{field}"') :]
    assert block.index('class="field__error"') < block.index('<div class="field')
    assert 'name="period"' in html and "Show statistics" in html
    assert 'id="stat-' not in html and "<svg" not in html


def test_a_bad_organisation_value_is_400_for_those_who_may_choose(login, analyst):
    response = page(login, analyst, period="2026Q2", organisation="abc")
    assert response.status_code == 400
    assert response.context["form"].errors["organisation"]


def test_another_organisation_is_not_found(login, world, users_a, org_b, analyst):
    for role in (Role.CASEWORKER, Role.ANALYST, Role.COORDINATOR):
        assert page(login, users_a[role], organisation=str(org_b.pk), **Q2).status_code == 404
    assert page(login, users_a[Role.ANALYST], organisation="all", **Q2).status_code == 404
    assert page(login, analyst, organisation="999999", **Q2).status_code == 404


def test_own_organisation_named_explicitly_is_shown(login, world, users_a, org_a):
    response = page(login, users_a[Role.ANALYST], organisation=str(org_a.pk), **Q2)
    assert response.status_code == 200


def test_role_without_statistics_is_refused(login, world, users_a, client):
    assert page(login, users_a[Role.OUTREACH_WORKER], **Q2).status_code == 403
    assert page(login, users_a[Role.OUTREACH_WORKER], period="bad").status_code == 403
    client.logout()
    response = client.get(URL, Q2)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@time_machine.travel(datetime.datetime(2026, 8, 15, 10, tzinfo=CPH), tick=False)
def test_without_parameters_the_last_full_quarter_is_shown(login, world, analyst):
    response = page(login, analyst)
    assert response.status_code == 200
    assert response.context["period"] == Period.quarter(2026, 2)
    assert response.context["trend"] is not None


def test_page_is_danish_by_default_and_english_on_request(login, world, analyst):
    client = login(analyst)
    danish = client.get(URL, Q2)
    assert '<html lang="da">' in danish.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(URL, Q2).content.decode()
    assert '<html lang="en">' in english
    assert "<h1>Statistics</h1>" in english


def test_query_count_does_not_grow_with_rows(
    login, world, analyst, org_a, org_b, users_a, django_assert_max_num_queries
):
    client = login(analyst)
    with django_assert_max_num_queries(80) as few:
        assert client.get(URL, Q2).status_code == 200
    log_calls(by=users_a[Role.CASEWORKER], organisation=org_a, count=10, category=CallerCategory.PARTNER)
    log_calls(by=world["worker_b"], organisation=org_b, count=10, month=4)
    log_calls(by=world["worker_b"], organisation=org_b, count=10, year=2025, month=10)
    log_contacts(by=users_a[Role.CASEWORKER], organisation=org_a, codes=[f"DDDDD-{n:05}" for n in range(10)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL, Q2).status_code == 200


# --- The selectors and the trend service ----------------------------------------------------------------


def test_organisation_choices_only_for_those_who_see_national_figures(
    world, analyst, users_a, org_a, org_b, org_cmm
):
    choices = statistics_organisation_choices(user=analyst)
    assert choices == sorted(
        [(org_a.pk, org_a.name), (org_b.pk, org_b.name), (org_cmm.pk, org_cmm.name)], key=lambda c: c[1]
    )
    assert statistics_organisation_choices(user=users_a[Role.ANALYST]) is None
    assert statistics_organisation_choices(user=users_a[Role.OUTREACH_WORKER]) is None


def test_scope_label_names_the_organisation_or_all(world, analyst, users_a, org_a, org_b):
    with translation.override("en"):
        assert statistics_scope_label(user=analyst, organisation_id=None) == "All organisations"
    assert statistics_scope_label(user=analyst, organisation_id=org_b.pk) == org_b.name
    assert statistics_scope_label(user=users_a[Role.CASEWORKER], organisation_id=org_a.pk) == org_a.name


def test_trend_counts_persons_met_per_quarter_as_published(world, analyst, users_a, org_a, org_b):
    points = statistics_trend(user=analyst, period=Period.quarter(2026, 2), organisation_id=None)
    assert [quarter.code for quarter, _value in points] == [
        "2024Q3",
        "2024Q4",
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
        "2026Q1",
        "2026Q2",
    ]
    assert [value for _quarter, value in points] == [0, 0, 0, 6, 0, 0, 0, 3]
    # Outside CMM, and in the external view, the 3 is "<5"; the 6 is published.
    for user, external in ((users_a[Role.CASEWORKER], False), (analyst, True)):
        organisation = org_a.pk if user != analyst else None
        published = statistics_trend(
            user=user, period=Period.quarter(2026, 2), organisation_id=organisation, external=external
        )
        assert [value for _q, value in published][-5:] == [6, 0, 0, 0, "<5"]
    assert statistics_trend(
        user=analyst, period=Period.quarter(2026, 2), organisation_id=None, quarters=2
    ) == [
        (Period.quarter(2026, 1), 0),
        (Period.quarter(2026, 2), 3),
    ]


def test_trend_checks_the_scope_and_needs_a_quarter(world, analyst, users_a, org_b):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(Http404):
        statistics_trend(
            user=users_a[Role.CASEWORKER], period=Period.quarter(2026, 2), organisation_id=org_b.pk
        )
    with pytest.raises(PermissionDenied):
        statistics_trend(
            user=users_a[Role.OUTREACH_WORKER], period=Period.quarter(2026, 2), organisation_id=None
        )
    with pytest.raises(ValueError, match="quarter"):
        statistics_trend(user=analyst, period=Period.year(2026), organisation_id=None)


def test_display_prints_values_as_published():
    with translation.override("da"):
        assert display(8.3) == "8,3"
        assert display(12) == "12"
        assert display("<5") == "<5"
        assert display(None) == ""
