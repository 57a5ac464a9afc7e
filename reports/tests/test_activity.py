"""The figures of the organisation activity report, on a hand-built fixture checked cell by cell. The period
is the second quarter of 2026 (1 April - 30 June); events sit on both edges of it, in local time."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone, translation

from cases.choices import CloseReason, Gender, ResidenceStatus, ServiceMode, ServiceType
from cases.models import Case
from cases.services import case_close, case_open, service_record
from cmm.models import Role
from outreach.choices import Indicator, Venue
from outreach.services import contact_log
from reports.periods import Period, Scope
from reports.services.statistics import statistics_publish
from reports.statistics.activity import activity_compute
from reports.statistics.casework import identification_table, reflection_table, returns_table, shelters_table
from reports.statistics.outreach import new_persons_table, persons_met_table

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
Q2 = Period.quarter(2026, 2)
D = datetime.date


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=CPH)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 7, 10, 9, tzinfo=CPH), tick=False):
        yield


@pytest.fixture
def worker_a(users_a):
    return users_a[Role.CASEWORKER]


def open_(by, opened_on, gender=Gender.FEMALE, organisation=None):
    return case_open(
        by=by,
        organisation=organisation or by.memberships.get().organisation,
        opened_on=opened_on,
        gender=gender,
        residence_status=ResidenceStatus.EU_CITIZEN,
    )


def contact(by, occurred_at, venue=Venue.STREET, indicators=(), **extra):
    return contact_log(
        by=by,
        organisation=by.memberships.get().organisation,
        occurred_at=occurred_at,
        venue=venue,
        indicators=list(indicators),
        **extra,
    )


@pytest.fixture
def world(worker_a, users_b):
    """Organisation A's contacts, cases and services around the second quarter; B's and a deleted case's
    never count for A."""
    worker_b = users_b[Role.CASEWORKER]
    contact(worker_a, at(3, 31, 23, 30))  # 31 March local: out
    contact(worker_a, at(4, 1, 0, 30))  # 1 April local (31 March in UTC): April
    contact(worker_a, at(5, 15, 14), Venue.MASSAGE_CLINIC, [Indicator.DEBT_BONDAGE])
    contact(worker_a, at(5, 16, 14), Venue.MASSAGE_CLINIC)
    contact(worker_a, at(6, 30, 23))  # 30 June local (21:00 UTC): June
    contact(worker_a, at(7, 1, 0, 30))  # 1 July local: out
    contact(worker_b, at(5, 15, 14), Venue.MASSAGE_CLINIC)  # B's

    c1 = open_(worker_a, D(2026, 1, 10))  # open throughout
    c2 = open_(worker_a, D(2026, 2, 1), Gender.MALE)
    case_close(case=c2, by=worker_a, closed_on=D(2026, 4, 1), reason=CloseReason.RETURNED)  # first day
    c3 = open_(worker_a, D(2026, 4, 15))
    case_close(case=c3, by=worker_a, closed_on=D(2026, 6, 30), reason=CloseReason.INTEGRATED)  # last day
    open_(worker_a, D(2026, 6, 30))  # opened on the last day, open
    c5 = open_(worker_a, D(2026, 1, 5), Gender.MALE)
    case_close(case=c5, by=worker_a, closed_on=D(2026, 3, 31), reason=CloseReason.OTHER)  # before: nowhere
    deleted = open_(worker_a, D(2026, 5, 1))
    Case.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    c_b = open_(worker_b, D(2026, 5, 1))

    def service(case, service_type, mode, day, by=worker_a):
        service_record(case=case, by=by, service_type=service_type, mode=mode, provided_on=day)

    service(c1, ServiceType.HEALTH_DOCTOR, ServiceMode.ACCOMPANIED, D(2026, 4, 1))
    service(c1, ServiceType.HEALTH_DOCTOR, ServiceMode.OFFERED, D(2026, 5, 1))
    service(c1, ServiceType.LEGAL_LAWYER, ServiceMode.REFERRED, D(2026, 6, 30))
    service(c1, ServiceType.LEGAL_LAWYER, ServiceMode.REFERRED, D(2026, 3, 31))  # before: out
    service(c3, ServiceType.EDUCATION, ServiceMode.RECEIVED, D(2026, 5, 5))
    service(c_b, ServiceType.HEALTH_DOCTOR, ServiceMode.ACCOMPANIED, D(2026, 5, 5), by=worker_b)  # B's
    return {"c1": c1}


def tables_of(org):
    return {table.key: table for table in activity_compute(period=Q2, organisation_id=org.pk)}


def test_tables_come_in_the_printed_order(world, org_a):
    keys = [table.key for table in activity_compute(period=Q2, organisation_id=org_a.pk)]
    assert keys == [
        "contacts_by_venue",
        "contacts_by_month",
        "persons_met",
        "new_persons",
        "cases",
        "services",
        "shelters",
        "identification",
        "reflection",
        "returns",
    ]


def test_contacts_count_by_venue_on_their_local_date(world, org_a):
    table = tables_of(org_a)["contacts_by_venue"]

    assert table.cell(Venue.STREET, "contacts") == 2  # 1 April 00:30 and 30 June 23:00, local
    assert table.cell(Venue.MASSAGE_CLINIC, "contacts") == 2
    assert table.cell(Venue.MASSAGE_CLINIC, "with_indicators") == 1
    assert table.cell(Venue.STREET, "with_indicators") == 0
    assert {row.key for row in table.rows} == set(Venue.values)
    assert sum(row.cells["contacts"] for row in table.rows) == 4
    assert table.totals == {"contacts": 4, "with_indicators": 1}


def test_contacts_count_by_month(world, org_a):
    table = tables_of(org_a)["contacts_by_month"]

    assert [row.key for row in table.rows] == ["2026-04", "2026-05", "2026-06"]
    assert [row.cells["contacts"] for row in table.rows] == [1, 2, 1]
    assert [row.cells["with_indicators"] for row in table.rows] == [0, 1, 0]
    assert table.totals == {"contacts": 4, "with_indicators": 1}
    with translation.override("en"):
        assert str(tables_of(org_a)["contacts_by_month"].rows[0].label) == "April 2026"


def test_cases_open_at_start_opened_closed_and_open_at_end_by_gender(world, org_a):
    table = tables_of(org_a)["cases"]

    assert table.rows[0].key == Gender.FEMALE
    assert {k: table.cell(Gender.FEMALE, k) for k, _label in table.columns} == {
        "open_at_start": 1,  # c1
        "opened": 2,  # c3, and the case opened on the last day
        "closed": 1,  # c3 on the last day
        "open_at_end": 2,  # c1 and the case opened on the last day
    }
    assert {k: table.cell(Gender.MALE, k) for k, _label in table.columns} == {
        "open_at_start": 1,  # c2, closed on the first day: open when the period began
        "opened": 0,
        "closed": 1,
        "open_at_end": 0,
    }
    assert table.totals == {"open_at_start": 2, "opened": 2, "closed": 2, "open_at_end": 2}
    totals = table.totals
    assert totals["open_at_start"] + totals["opened"] - totals["closed"] == totals["open_at_end"]


def test_services_count_by_type_and_how_given_in_the_period(world, org_a):
    table = tables_of(org_a)["services"]

    assert table.cell(ServiceType.HEALTH_DOCTOR, ServiceMode.ACCOMPANIED) == 1  # not B's
    assert table.cell(ServiceType.HEALTH_DOCTOR, ServiceMode.OFFERED) == 1
    assert table.cell(ServiceType.LEGAL_LAWYER, ServiceMode.REFERRED) == 1  # not the one of 31 March
    assert table.cell(ServiceType.EDUCATION, ServiceMode.RECEIVED) == 1
    assert table.totals == {"offered": 1, "referred": 1, "accompanied": 1, "received": 1}


def test_figures_the_statistics_already_count_are_their_very_tables(world, org_a):
    tables = tables_of(org_a)
    scope = Scope(org_a.pk)
    for build in (
        persons_met_table,
        new_persons_table,
        shelters_table,
        identification_table,
        reflection_table,
        returns_table,
    ):
        expected = build(period=Q2, scope=scope)
        got = tables[expected.key]
        assert [(row.key, row.cells) for row in got.rows] == [(row.key, row.cells) for row in expected.rows]
        assert got.totals == expected.totals
    assert tables["persons_met"].totals["persons_met"] == 4  # four anonymous contacts, one person each


def test_another_organisation_sees_only_its_own(world, org_b):
    tables = tables_of(org_b)

    assert tables["contacts_by_venue"].totals == {"contacts": 1, "with_indicators": 0}
    assert tables["cases"].totals == {"open_at_start": 0, "opened": 1, "closed": 0, "open_at_end": 1}
    assert tables["services"].totals == {"offered": 0, "referred": 0, "accompanied": 1, "received": 0}


def test_small_counts_are_suppressed_when_published(world, org_a):
    published = {
        item.table.key: item
        for item in statistics_publish(
            tables=activity_compute(period=Q2, organisation_id=org_a.pk), suppress=True
        )
    }

    venue = published["contacts_by_venue"]
    assert venue.table.cell(Venue.STREET, "contacts") == "<5"
    assert venue.table.totals["contacts"] == "<5"
    assert published["cases"].table.cell(Gender.FEMALE, "opened") == "<5"
    assert published["cases"].table.cell(Gender.OTHER, "opened") == 0  # zero stays


def test_query_count_does_not_grow_with_rows(world, org_a, worker_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(40) as few:
        activity_compute(period=Q2, organisation_id=org_a.pk)
    for day in range(1, 11):
        contact(worker_a, at(5, day, 10), Venue.BAR, [Indicator.DEBT_BONDAGE])
        case = open_(worker_a, D(2026, 5, day), Gender.OTHER)
        service_record(
            case=case,
            by=worker_a,
            service_type=ServiceType.EDUCATION,
            mode=ServiceMode.OFFERED,
            provided_on=D(2026, 5, day),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        tables = activity_compute(period=Q2, organisation_id=org_a.pk)
    assert {table.key: table for table in tables}["contacts_by_venue"].cell(Venue.BAR, "contacts") == 10
