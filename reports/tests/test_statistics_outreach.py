"""Statistics tables 1-5 (DESIGN.md §3) against a hand-built fixture whose answers are worked out below.

The period is the second quarter of 2026. Events at 00:30 on 1 April and 23:30 on 30 June (local time) are
in it; events at 23:30 on 31 March and 00:30 on 1 July are not, although in UTC the latter falls on 30 June.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

from cases.services import case_soft_delete
from cmm.models import Role
from outreach.choices import CallerCategory, CallPurpose, Indicator, PoliceDistrict, Venue
from outreach.services import (
    clinic_consultations_save,
    contact_log,
    hotline_call_save,
    meeting_session_save,
    police_raid_save,
)
from reports.periods import Period, Scope
from reports.statistics.outreach import (
    clinic_consultations_table,
    hotline_calls_by_quarter_table,
    hotline_calls_table,
    meeting_place_table,
    new_persons_table,
    persons_met_table,
    police_raids_table,
)

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
Q2 = Period.quarter(2026, 2)
CODE_1 = "AAAAA-11111"
CODE_2 = "BBBBB-22222"


def local(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=CPH)


@pytest.fixture
def world(org_a, org_b, users_a, make_member, open_case):
    """Organisation A's and B's activity around the second quarter of 2026 (answers in each test)."""
    worker_a = users_a[Role.CASEWORKER]
    worker_b = make_member(org_b, Role.OUTREACH_WORKER)
    case_x = open_case(by=worker_a)
    case_y = open_case(by=worker_a)
    case_z = open_case(by=worker_a)

    def contact(by, organisation, when, venue=Venue.STREET, indicators=(), **values):
        contact_log(
            by=by,
            organisation=organisation,
            occurred_at=when,
            venue=venue,
            indicators=list(indicators),
            **values,
        )

    signs = [Indicator.WITHHOLDS_DOCUMENTS]
    # Case X: first met before the period (not new), met twice in it, once with indicators.
    contact(worker_a, org_a, local(3, 15), case=case_x)
    contact(worker_a, org_a, local(4, 10), case=case_x)
    contact(worker_a, org_a, local(5, 5), Venue.MASSAGE_CLINIC, signs, case=case_x)
    # Case Y: first met at a massage clinic at 23:30 on the period's last day; the next contact is out.
    contact(worker_a, org_a, local(6, 30, 23, 30), Venue.MASSAGE_CLINIC, case=case_y)
    contact(worker_a, org_a, local(7, 1, 0, 30), Venue.MASSAGE_CLINIC, signs, case=case_y)
    # Case Z: met with indicators, then deleted: left out everywhere.
    contact(worker_a, org_a, local(5, 1), Venue.STREET, signs, case=case_z)
    case_soft_delete(case=case_z, by=worker_a, reason="Registered by mistake")
    # Client code 1: first met at 00:30 on the period's first day (new, street), with indicators.
    contact(worker_a, org_a, local(4, 1, 0, 30), Venue.STREET, signs, client_code=CODE_1)
    contact(worker_a, org_a, local(5, 2), Venue.STREET, client_code=CODE_1)
    # Client code 2: first met at 23:30 the day before the period (not new); met again in it.
    contact(worker_a, org_a, local(3, 31, 23, 30), Venue.STREET, signs, client_code=CODE_2)
    contact(worker_a, org_a, local(6, 1), Venue.MASSAGE_CLINIC, client_code=CODE_2)
    # Anonymous groups: 3 new with indicators, 2 not new, 1 new at a bar, 4 after the period.
    contact(worker_a, org_a, local(4, 20), Venue.STREET, signs, group_size=3, first_time_met=True)
    contact(worker_a, org_a, local(5, 10), Venue.MASSAGE_CLINIC, group_size=2, first_time_met=False)
    contact(worker_a, org_a, local(6, 30), Venue.BAR, group_size=1, first_time_met=True)
    contact(worker_a, org_a, local(7, 1, 0, 30), Venue.STREET, signs, group_size=4, first_time_met=True)
    # Organisation B: client code 1 (the same person, new to B) and a new group of 5 with indicators.
    contact(worker_b, org_b, local(5, 20), Venue.MASSAGE_CLINIC, client_code=CODE_1)
    contact(worker_b, org_b, local(5, 3), Venue.STREET, signs, group_size=5, first_time_met=True)

    def session(by, organisation, place, day, visitors, returning, clinic):
        meeting_session_save(
            by=by,
            organisation=organisation,
            place=place,
            date=day,
            visitors=visitors,
            returning_visitors=returning,
            health_clinic_open=clinic,
        )

    session(worker_a, org_a, "Mødestedet", datetime.date(2026, 3, 31), 50, 50, True)
    session(worker_a, org_a, "Mødestedet", datetime.date(2026, 4, 1), 10, 4, True)
    session(worker_a, org_a, "Mødestedet", datetime.date(2026, 6, 30), 20, 10, False)
    session(worker_a, org_a, "Mødestedet", datetime.date(2026, 7, 1), 100, 0, True)
    session(worker_a, org_a, "Café", datetime.date(2026, 5, 5), 5, 5, True)
    session(worker_b, org_b, "Nord", datetime.date(2026, 5, 1), 8, 2, False)

    def consultations(by, organisation, clinic, day, count):
        clinic_consultations_save(
            by=by, organisation=organisation, clinic=clinic, date=day, consultations=count
        )

    consultations(worker_a, org_a, "Klinik Vest", datetime.date(2026, 4, 2), 7)
    consultations(worker_a, org_a, "Klinik Vest", datetime.date(2026, 6, 30), 3)
    consultations(worker_a, org_a, "Klinik Vest", datetime.date(2026, 7, 1), 50)
    consultations(worker_a, org_a, "Klinik Øst", datetime.date(2026, 5, 1), 4)
    consultations(worker_b, org_b, "Klinik Nord", datetime.date(2026, 5, 1), 6)

    def raid(by, organisation, day, district, met, signs_seen):
        police_raid_save(
            by=by,
            organisation=organisation,
            date=day,
            police_district=district,
            location_type=Venue.MASSAGE_CLINIC,
            persons_met=met,
            persons_with_indicators=signs_seen,
        )

    raid(worker_a, org_a, datetime.date(2026, 4, 15), PoliceDistrict.KOEBENHAVN, 6, 2)
    raid(worker_a, org_a, datetime.date(2026, 6, 30), PoliceDistrict.KOEBENHAVN, 4, 1)
    raid(worker_a, org_a, datetime.date(2026, 5, 5), PoliceDistrict.FYN, 3, 0)
    raid(worker_a, org_a, datetime.date(2026, 7, 1), PoliceDistrict.KOEBENHAVN, 10, 10)
    raid(worker_a, org_a, datetime.date(2026, 3, 31), PoliceDistrict.BORNHOLM, 1, 1)
    raid(worker_b, org_b, datetime.date(2026, 5, 1), PoliceDistrict.FYN, 2, 2)

    def call(by, organisation, when, category, purpose, wrong_number=False):
        hotline_call_save(
            by=by,
            organisation=organisation,
            received_at=when,
            caller_category=category,
            purpose=purpose,
            wrong_number=wrong_number,
        )

    call(worker_a, org_a, local(3, 31, 23, 30), CallerCategory.POLICE, CallPurpose.INFORMATION)
    call(worker_a, org_a, local(4, 1, 0, 30), CallerCategory.POLICE, CallPurpose.INFORMATION)
    call(worker_a, org_a, local(5, 5), CallerCategory.POLICE, CallPurpose.INFORMATION)
    call(worker_a, org_a, local(5, 6), CallerCategory.PARTNER, CallPurpose.RAID_WARNING)
    call(
        worker_a,
        org_a,
        local(6, 30, 23, 30),
        CallerCategory.POSSIBLE_VICTIM,
        CallPurpose.VICTIM_NEEDS_ASSISTANCE,
    )
    call(worker_a, org_a, local(5, 7), CallerCategory.OTHER, CallPurpose.OTHER, wrong_number=True)
    call(worker_a, org_a, local(7, 1, 0, 30), CallerCategory.POLICE, CallPurpose.INFORMATION)
    call(worker_b, org_b, local(5, 8), CallerCategory.STUDENT, CallPurpose.INFORMATION)
    return {"a": Scope(org_a.pk), "b": Scope(org_b.pk), "all": Scope(), "org_a": org_a, "org_b": org_b}


def cells(table, columns=None):
    """Every row as {row key: {column: value}}, for comparing a whole table at once."""
    return {row.key: {c: row.cells[c] for c in (columns or row.cells)} for row in table.rows}


# --- 1. Persons met ---------------------------------------------------------------------------------------


def test_persons_met_counts_cases_and_codes_once_and_groups_by_size(world):
    table = persons_met_table(period=Q2, scope=world["a"])
    # Cases X and Y (Z is deleted; Y's indicators come after the period); codes 1 and 2; groups 3+2+1.
    assert cells(table) == {
        "case": {"persons_met": 2, "with_indicators": 1},
        "client_code": {"persons_met": 2, "with_indicators": 1},
        "anonymous": {"persons_met": 6, "with_indicators": 3},
    }
    assert table.totals == {"persons_met": 10, "with_indicators": 5}
    assert table.notes  # the anonymous figure is footnoted as an estimate


def test_persons_met_for_all_organisations_counts_a_shared_client_code_once(world):
    table = persons_met_table(period=Q2, scope=world["all"])
    assert cells(table) == {
        "case": {"persons_met": 2, "with_indicators": 1},
        "client_code": {"persons_met": 2, "with_indicators": 1},
        "anonymous": {"persons_met": 11, "with_indicators": 8},
    }
    assert table.totals == {"persons_met": 15, "with_indicators": 10}
    b = persons_met_table(period=Q2, scope=world["b"])
    assert b.totals == {"persons_met": 6, "with_indicators": 5}


def test_persons_met_boundary_days(world):
    # The last day alone holds case Y (23:30) and the group met at the bar; the day after holds none of Q2's.
    last_day = persons_met_table(period=Period(Q2.end, Q2.end), scope=world["a"])
    assert last_day.totals == {"persons_met": 2, "with_indicators": 0}
    day_after = Period(Q2.end + datetime.timedelta(days=1), Q2.end + datetime.timedelta(days=1))
    # 1 July 00:30: case Y with indicators and a group of 4 with indicators.
    assert cells(persons_met_table(period=day_after, scope=world["a"])) == {
        "case": {"persons_met": 1, "with_indicators": 1},
        "client_code": {"persons_met": 0, "with_indicators": 0},
        "anonymous": {"persons_met": 4, "with_indicators": 4},
    }
    # 31 March 23:30 local is 31 March, not 1 April: only code 2 (and case X on 15 March is in March).
    march = persons_met_table(period=Period.quarter(2026, 1), scope=world["a"])
    assert cells(march) == {
        "case": {"persons_met": 1, "with_indicators": 0},
        "client_code": {"persons_met": 1, "with_indicators": 1},
        "anonymous": {"persons_met": 0, "with_indicators": 0},
    }


# --- 2. New persons ---------------------------------------------------------------------------------------


def test_new_persons_counts_first_contacts_of_the_organisation_at_their_venue(world):
    table = new_persons_table(period=Q2, scope=world["a"])
    # Street: code 1 (first met 1 April 00:30) and the new group of 3; case X and code 2 were met before.
    # Massage clinic: case Y (first met 30 June 23:30); the group of 2 was not met for the first time.
    # Other venues: the new person at the bar. Case Z is deleted.
    assert cells(table) == {
        "street": {"case": 0, "client_code": 1, "anonymous": 3, "total": 4},
        "massage_clinic": {"case": 1, "client_code": 0, "anonymous": 0, "total": 1},
        "other": {"case": 0, "client_code": 0, "anonymous": 1, "total": 1},
    }
    assert table.totals == {"case": 1, "client_code": 1, "anonymous": 4, "total": 6}


def test_new_persons_for_all_organisations_counts_each_organisations_first_contact(world):
    table = new_persons_table(period=Q2, scope=world["all"])
    # B met code 1 for the first time at a massage clinic, and a new group of 5 on the street.
    assert cells(table) == {
        "street": {"case": 0, "client_code": 1, "anonymous": 8, "total": 9},
        "massage_clinic": {"case": 1, "client_code": 1, "anonymous": 0, "total": 2},
        "other": {"case": 0, "client_code": 0, "anonymous": 1, "total": 1},
    }
    assert table.totals == {"case": 1, "client_code": 2, "anonymous": 9, "total": 12}


def test_new_persons_in_the_first_quarter(world):
    # Case X (15 March) and code 2 (31 March 23:30) are new in Q1; case Y's first contact is not.
    table = new_persons_table(period=Period.quarter(2026, 1), scope=world["a"])
    assert table.cell("street", "case") == 1
    assert table.cell("street", "client_code") == 1
    assert table.totals == {"case": 1, "client_code": 1, "anonymous": 0, "total": 2}


# --- 3. Meeting place and health clinic -------------------------------------------------------------------


def test_meeting_place_visits_shares_and_averages(world):
    org_a = world["org_a"].pk
    table = meeting_place_table(period=Q2, scope=world["a"])
    assert [row.key for row in table.rows] == [f"{org_a}:Café", f"{org_a}:Mødestedet"]
    assert cells(table) == {
        f"{org_a}:Café": {
            "opening_days": 1,
            "visits": 5,
            "returning_visits": 5,
            "returning_share": 100.0,
            "visits_per_day": 5.0,
            "clinic_days": 1,
            "clinic_visits": 5,
            "visits_per_clinic_day": 5.0,
        },
        # 1 April (10 visitors, 4 returning, clinic) and 30 June (20, 10); 31 March and 1 July are out.
        f"{org_a}:Mødestedet": {
            "opening_days": 2,
            "visits": 30,
            "returning_visits": 14,
            "returning_share": 46.7,
            "visits_per_day": 15.0,
            "clinic_days": 1,
            "clinic_visits": 10,
            "visits_per_clinic_day": 10.0,
        },
    }
    assert table.totals == {
        "opening_days": 3,
        "visits": 35,
        "returning_visits": 19,
        "returning_share": 54.3,
        "visits_per_day": 11.7,
        "clinic_days": 2,
        "clinic_visits": 15,
        "visits_per_clinic_day": 7.5,
    }


def test_meeting_place_for_all_organisations_and_an_empty_period(world):
    table = meeting_place_table(period=Q2, scope=world["all"])
    assert table.cell(f"{world['org_b'].pk}:Nord", "visits") == 8
    assert table.cell(f"{world['org_b'].pk}:Nord", "visits_per_clinic_day") is None
    assert table.totals["visits"] == 43
    assert table.totals["opening_days"] == 4
    empty = meeting_place_table(period=Period.quarter(2026, 3), scope=world["b"])
    assert empty.rows == []
    assert empty.totals["visits"] == 0
    assert empty.totals["returning_share"] is None


def test_clinic_consultations_per_clinic(world):
    org_a = world["org_a"].pk
    table = clinic_consultations_table(period=Q2, scope=world["a"])
    assert cells(table) == {
        f"{org_a}:Klinik Vest": {"days": 2, "consultations": 10},
        f"{org_a}:Klinik Øst": {"days": 1, "consultations": 4},
    }
    assert table.totals == {"days": 3, "consultations": 14}
    assert clinic_consultations_table(period=Q2, scope=world["all"]).totals == {
        "days": 4,
        "consultations": 20,
    }


# --- 4. Police raids --------------------------------------------------------------------------------------


def test_police_raids_by_district(world):
    table = police_raids_table(period=Q2, scope=world["a"])
    zero = {"raids": 0, "persons_met": 0, "with_indicators": 0}
    expected = dict.fromkeys(PoliceDistrict.values, zero)
    expected["koebenhavn"] = {"raids": 2, "persons_met": 10, "with_indicators": 3}  # 15 April, 30 June
    expected["fyn"] = {"raids": 1, "persons_met": 3, "with_indicators": 0}
    assert cells(table) == expected  # 31 March (Bornholm) and 1 July are out
    assert table.totals == {"raids": 3, "persons_met": 13, "with_indicators": 3}
    national = police_raids_table(period=Q2, scope=world["all"])
    assert national.cell("fyn", "raids") == 2
    assert national.totals == {"raids": 4, "persons_met": 15, "with_indicators": 5}


# --- 5. Hotline calls -------------------------------------------------------------------------------------


def test_hotline_calls_by_caller_and_purpose_leave_out_wrong_numbers(world):
    table = hotline_calls_table(period=Q2, scope=world["a"])
    expected = {
        category: dict.fromkeys([*CallPurpose.values, "total"], 0) for category in CallerCategory.values
    }
    expected["police"].update(information=2, total=2)  # 1 April 00:30 and 5 May; not 31 March 23:30
    expected["partner"].update(raid_warning=1, total=1)
    expected["possible_victim"].update(victim_assistance=1, total=1)  # 30 June 23:30
    assert cells(table) == expected  # the wrong number of 7 May is not there
    assert table.totals == {
        "information": 2,
        "raid_warning": 1,
        "victim_assistance": 1,
        "case_follow_up": 0,
        "other": 0,
        "total": 4,
    }
    assert hotline_calls_table(period=Q2, scope=world["all"]).totals["total"] == 5


def test_hotline_calls_by_local_quarter(world):
    period = Period(datetime.date(2026, 3, 1), datetime.date(2026, 7, 31))
    table = hotline_calls_by_quarter_table(period=period, scope=world["a"])
    assert [row.key for row in table.rows] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert cells(table, ["police", "partner", "possible_victim", "other", "total"]) == {
        "2026-Q1": {"police": 1, "partner": 0, "possible_victim": 0, "other": 0, "total": 1},
        "2026-Q2": {"police": 2, "partner": 1, "possible_victim": 1, "other": 0, "total": 4},
        # 1 July 00:30 local is 30 June in UTC, but belongs to the third quarter.
        "2026-Q3": {"police": 1, "partner": 0, "possible_victim": 0, "other": 0, "total": 1},
    }
    assert table.totals["total"] == 6
    assert table.totals["student"] == 0
    national = hotline_calls_by_quarter_table(period=period, scope=world["all"])
    assert national.cell("2026-Q2", "student") == 1


# --- Queries ----------------------------------------------------------------------------------------------

ALL_TABLES = (
    persons_met_table,
    new_persons_table,
    meeting_place_table,
    clinic_consultations_table,
    police_raids_table,
    hotline_calls_table,
    hotline_calls_by_quarter_table,
)


def test_query_count_does_not_grow_with_the_rows(world, django_assert_max_num_queries, users_a):
    worker = users_a[Role.CASEWORKER]
    organisation = world["org_a"]
    with django_assert_max_num_queries(len(ALL_TABLES)):
        for compute in ALL_TABLES:
            compute(period=Q2, scope=world["all"])
    for i in range(15):
        day = datetime.date(2026, 4, 1) + datetime.timedelta(days=i)
        contact_log(
            by=worker,
            organisation=organisation,
            occurred_at=local(4, 2 + i),
            venue=Venue.STREET,
            client_code=f"CCCCC-{i:05d}",
        )
        meeting_session_save(
            by=worker,
            organisation=organisation,
            place=f"Sted {i}",
            date=day,
            visitors=3,
            returning_visitors=1,
        )
        clinic_consultations_save(
            by=worker, organisation=organisation, clinic=f"Klinik {i}", date=day, consultations=2
        )
        hotline_call_save(
            by=worker,
            organisation=organisation,
            received_at=local(4, 2 + i),
            caller_category=CallerCategory.OTHER,
            purpose=CallPurpose.OTHER,
        )
    with django_assert_max_num_queries(len(ALL_TABLES)):
        tables = [compute(period=Q2, scope=world["all"]) for compute in ALL_TABLES]
    assert tables[0].cell("client_code", "persons_met") == 17
    assert tables[3].totals["consultations"] == 20 + 30
