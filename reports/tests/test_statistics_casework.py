"""Tables 6-10 of DESIGN.md §3 on a hand-built fixture, checked cell by cell against numbers worked out by
hand. The period is the first quarter of 2026 (1 January - 31 March); every table has an event on the last
day (counted) and one on the day after (not counted)."""

import datetime

import pytest
from django.utils import timezone

from cases.choices import (
    AgeBand,
    DischargeReason,
    ExploitationType,
    ForcedLabourSector,
    Gender,
    HousingType,
    ResidenceStatus,
)
from cases.housing import bed_days
from cases.models import Case, ShelterStay
from cases.services import stay_save
from cases.tests.factories import CaseFactory
from cmm.models import OrganisationKind, Role
from cmm.services import organisation_create
from identification.choices import Authority, Outcome, PresentedBy
from identification.models import Decision, Presentation
from identification.services import decision_record
from referrals.choices import ReturnBody, ReturnChannel, ReturnStatus
from referrals.models import ReturnPlan
from reflection.choices import PeriodKind, PeriodOutcome
from reflection.models import Extension, Postponement, ReflectionPeriod
from reports.periods import Period, Scope
from reports.statistics.casework import (
    age_band_expression,
    identification_table,
    minors_table,
    reflection_table,
    returns_table,
    shelters_table,
    stay_nights_in_period,
)

pytestmark = pytest.mark.django_db

D = datetime.date
Q1 = Period.quarter(2026, 1)
ALL = Scope()
OPENED = D(2025, 11, 1)


def _delete(case):
    Case.objects.filter(pk=case.pk).update(deleted_at=timezone.now())


# --- 6. Shelters --------------------------------------------------------------------------------------


@pytest.fixture
def shelters(users_a, users_b, open_case):
    """Two shelters and stays chosen to cross the period's edges (nights in Q1 in brackets)."""
    s1 = organisation_create(
        name="Shelter One", kind=OrganisationKind.SHELTER, case_prefix="SHA", region="hovedstaden"
    )
    s2 = organisation_create(
        name="Shelter Two", kind=OrganisationKind.SHELTER, case_prefix="SHB", region="hovedstaden"
    )
    a, b = users_a[Role.CASEWORKER], users_b[Role.CASEWORKER]

    def case(by=a):
        return open_case(by=by, opened_on=OPENED)

    def stay(case, shelter, admitted, discharged=None, housing=HousingType.CRISIS_CENTRE, by=a):
        reason = DischargeReason.MOVED_ON if discharged else ""
        return stay_save(
            case=case,
            by=by,
            shelter=shelter,
            housing_type=housing,
            admitted_on=admitted,
            discharged_on=discharged,
            discharge_reason=reason,
        )

    c1 = case()
    stay(c1, s1, D(2025, 12, 30), D(2026, 1, 3))  # nights 1, 2 Jan [2]; discharge in
    stay(c1, s2, D(2026, 1, 10), D(2026, 1, 12))  # the 10-12 January example [2]
    stay(case(), s1, D(2026, 3, 31))  # admitted on the last day, open [1]
    stay(case(), s1, D(2026, 3, 20), D(2026, 4, 1))  # 20-31 March [12]; discharged the day after: out
    stay(case(), s1, D(2026, 4, 1))  # admitted the day after: out [0]
    stay(case(), s1, D(2025, 12, 1), D(2026, 1, 1))  # last night 31 Dec [0]; discharge on 1 Jan counts
    stay(case(by=b), s2, D(2026, 2, 1), D(2026, 2, 6), by=b)  # organisation B's case [5]
    deleted = case()
    stay(deleted, s1, D(2026, 2, 1))
    _delete(deleted)
    stay(case(), None, D(2026, 2, 10), D(2026, 2, 10), housing=HousingType.MUNICIPAL_PLACEMENT)  # [0]
    return {"s1": s1, "s2": s2}


def test_shelters_count_admissions_discharges_and_nights_per_shelter(shelters):
    table = shelters_table(period=Q1, scope=ALL)

    s1, s2 = str(shelters["s1"].pk), str(shelters["s2"].pk)
    assert [row.key for row in table.rows] == [s1, s2, "none"]
    assert [str(row.label) for row in table.rows][:2] == ["Shelter One", "Shelter Two"]
    assert {k: table.cell(s1, k) for k, _label in table.columns} == {
        "admissions": 2,
        "discharges": 2,
        "bed_days": 15,
        "persons": 3,
        "average_bed_days": 5.0,
    }
    assert {k: table.cell(s2, k) for k, _label in table.columns} == {
        "admissions": 2,
        "discharges": 2,
        "bed_days": 7,
        "persons": 2,
        "average_bed_days": 3.5,
    }
    # A stay discharged on its admission day has no night: no person, no average.
    assert {k: table.cell("none", k) for k, _label in table.columns} == {
        "admissions": 1,
        "discharges": 1,
        "bed_days": 0,
        "persons": 0,
        "average_bed_days": None,
    }
    # The person in both shelters counts once in the total.
    assert table.totals == {
        "admissions": 5,
        "discharges": 5,
        "bed_days": 22,
        "persons": 4,
        "average_bed_days": 5.5,
    }


def test_shelters_scope_is_the_case_organisation_or_the_shelter(shelters, org_a):
    own = shelters_table(period=Q1, scope=Scope(org_a.pk))
    s2 = str(shelters["s2"].pk)
    assert own.cell(s2, "bed_days") == 2
    assert own.totals == {
        "admissions": 4,
        "discharges": 4,
        "bed_days": 17,
        "persons": 3,
        "average_bed_days": 5.7,
    }

    shelter = shelters_table(period=Q1, scope=Scope(shelters["s2"].pk))
    assert [row.key for row in shelter.rows] == [s2]
    assert shelter.totals["bed_days"] == 7
    assert shelter.totals["persons"] == 2


def test_bed_days_in_the_database_equal_the_python_rule(shelters):
    for period in (Q1, Period(D(2026, 1, 2), D(2026, 1, 11)), Period(D(2026, 3, 31), D(2026, 3, 31))):
        stays = ShelterStay.objects.annotate(nights=stay_nights_in_period(period=period))
        assert stays.count() == 9
        for stay in stays:
            expected = bed_days(
                admitted_on=stay.admitted_on,
                discharged_on=stay.discharged_on,
                start=period.start,
                end=period.end,
            )
            assert max(stay.nights.days, 0) == expected, stay


def test_a_single_day_period_counts_the_night_of_that_evening(shelters):
    table = shelters_table(period=Period(D(2026, 3, 31), D(2026, 3, 31)), scope=ALL)
    assert (
        table.cell(str(shelters["s1"].pk), "bed_days") == 2
    )  # the stay admitted that day, the 20-31 March stay
    assert table.cell(str(shelters["s1"].pk), "admissions") == 1


# --- 7. Identification and 10. Minors -----------------------------------------------------------------


@pytest.fixture
def identification(users_a, users_b, open_case, present, deciders):
    a, b = users_a[Role.CASEWORKER], users_b[Role.CASEWORKER]

    def case(by=a, **values):
        return open_case(by=by, opened_on=OPENED, **values)

    def decide(presentation, outcome, day, by=deciders["us"], corrects=None):
        return decision_record(
            presentation=presentation,
            by=by,
            outcome=outcome,
            decided_on=day,
            exploitation_types=["sexual"] if outcome == Outcome.IDENTIFIED else [],
            corrects=corrects,
        )

    both = [(ExploitationType.SEXUAL, ""), (ExploitationType.FORCED_LABOUR, ForcedLabourSector.CLEANING)]
    p1 = present(case(exploitations=both), by=a, presented_on=D(2026, 1, 15))
    decide(p1, Outcome.IDENTIFIED, D(2026, 2, 1))
    p2 = present(
        case(
            gender=Gender.MALE,
            estimated_age=19,
            nationality="RO",
            residence_status=ResidenceStatus.EU_CITIZEN,
        ),
        by=a,
        presented_on=D(2026, 3, 31),  # the last day: in
    )
    decide(p2, Outcome.NOT_IDENTIFIED, D(2026, 4, 1), by=deciders["cmm"])  # the day after: out
    p3 = present(
        case(estimated_age=30, residence_status=ResidenceStatus.ASYLUM_SEEKER),
        by=a,
        presented_on=D(2025, 12, 20),
    )
    decide(p3, Outcome.IDENTIFIED, D(2026, 1, 10))
    p4 = present(
        case(estimated_age=16, nationality="VN", unaccompanied_minor=True), by=a, presented_on=D(2026, 2, 1)
    )
    decide(p4, Outcome.IDENTIFIED, D(2026, 3, 1))
    present(case(), by=a, presented_on=D(2026, 4, 1))  # out
    p6 = present(
        case(gender=Gender.MALE, estimated_age=None, nationality="", exploitations=[]),
        by=a,
        presented_on=D(2026, 1, 5),
    )
    first = decide(p6, Outcome.IDENTIFIED, D(2026, 1, 20))
    decide(p6, Outcome.NOT_IDENTIFIED, D(2026, 2, 10), corrects=first)  # only the correction counts
    deleted = case()
    decide(present(deleted, by=a, presented_on=D(2026, 2, 2)), Outcome.IDENTIFIED, D(2026, 2, 5))
    _delete(deleted)
    present(
        case(by=b, gender=Gender.MALE, estimated_age=15, nationality="AL", unaccompanied_minor=True),
        by=b,
        presented_on=D(2026, 2, 3),
    )


def _cells(table, key):
    return tuple(table.cell(key, column) for column, _label in table.columns)


def test_identification_counts_presentations_and_decisions_by_authority_gender_age_and_nationality(
    identification,
):
    table = identification_table(period=Q1, scope=ALL)

    # (presentations, decisions, identified, not identified)
    assert table.totals == {"presentations": 5, "decisions": 4, "identified": 3, "not_identified": 1}
    assert _cells(table, "authority:immigration_service") == (4, 4, 3, 1)
    assert _cells(table, "authority:cmm") == (1, 0, 0, 0)
    assert _cells(table, "authority:") == (0, 0, 0, 0)
    assert _cells(table, "gender:female") == (2, 3, 3, 0)
    assert _cells(table, "gender:male") == (3, 1, 0, 1)
    assert _cells(table, "gender:other") == (0, 0, 0, 0)
    assert _cells(table, "age:9-17") == (2, 1, 1, 0)
    assert _cells(table, "age:18-20") == (1, 0, 0, 0)
    assert _cells(table, "age:24-26") == (1, 1, 1, 0)
    assert _cells(table, "age:30-38") == (0, 1, 1, 0)  # presented in December, decided in January
    assert _cells(table, "age:unknown") == (1, 1, 0, 1)
    assert _cells(table, "age:48+") == (0, 0, 0, 0)
    assert _cells(table, "nationality:NG") == (1, 2, 2, 0)
    assert _cells(table, "nationality:RO") == (1, 0, 0, 0)
    assert _cells(table, "nationality:VN") == (1, 1, 1, 0)
    assert _cells(table, "nationality:AL") == (1, 0, 0, 0)
    assert _cells(table, "nationality:") == (1, 1, 0, 1)
    assert _cells(table, "asylum_seekers") == (0, 1, 1, 0)
    # Every case has forced labour recorded except the unknown one; the first has sexual exploitation too.
    assert _cells(table, "exploitation:forced_labour") == (4, 3, 3, 0)
    assert _cells(table, "exploitation:sexual") == (1, 1, 1, 0)
    assert _cells(table, "exploitation:begging") == (0, 0, 0, 0)
    assert _cells(table, "exploitation:") == (1, 1, 0, 1)
    for section in ("authority:", "gender:", "age:", "nationality:"):
        rows = [row for row in table.rows if row.key.startswith(section)]
        assert {c: sum(row.cells[c] for row in rows) for c in table.totals} == table.totals, section


def test_identification_of_one_organisation_leaves_out_the_others(identification, org_a):
    table = identification_table(period=Q1, scope=Scope(org_a.pk))
    assert table.totals == {"presentations": 4, "decisions": 4, "identified": 3, "not_identified": 1}
    assert "nationality:AL" not in {row.key for row in table.rows}
    assert _cells(table, "gender:male") == (2, 1, 0, 1)


def test_minors_count_unaccompanied_minors_presented_and_identified(identification, org_a):
    table = minors_table(period=Q1, scope=ALL)
    assert table.totals == {"presented": 2, "identified": 1}
    assert _cells(table, "gender:female") == (1, 1)
    assert _cells(table, "gender:male") == (1, 0)
    assert _cells(table, "age:9-17") == (2, 1)
    assert _cells(table, "age:0-8") == (0, 0)

    own = minors_table(period=Q1, scope=Scope(org_a.pk))
    assert own.totals == {"presented": 1, "identified": 1}
    assert _cells(own, "gender:male") == (0, 0)


def test_age_bands_in_the_database_equal_the_python_rule(org_a):
    from cases.choices import age_band

    ages = [None, 0, 8, 9, 17, 18, 20, 21, 23, 24, 26, 27, 29, 30, 38, 39, 47, 48, 90]
    for age in ages:
        CaseFactory(organisation=org_a, age_at_opening=age)
    banded = Case.objects.annotate(band=age_band_expression("age_at_opening")).values_list(
        "age_at_opening", "band"
    )
    assert sorted(banded, key=lambda pair: (pair[0] is not None, pair[0] or 0)) == [
        (age, age_band(age)) for age in ages
    ]
    assert age_band(None) == AgeBand.UNKNOWN


# --- 8. Reflection periods ----------------------------------------------------------------------------


@pytest.fixture
def reflection(org_a, org_b):
    def period(kind, starts_on, outcome="", outcome_on=None, organisation=org_a):
        return ReflectionPeriod.objects.create(
            case=CaseFactory(organisation=organisation),
            kind=kind,
            starts_on=starts_on,
            total_days=30,
            ends_on=starts_on + datetime.timedelta(days=29),
            outcome=outcome,
            outcome_on=outcome_on,
        )

    def extend(period, day):
        Extension.objects.create(period=period, new_total_days=60, ground="medical", decided_on=day)

    r1 = period(PeriodKind.ACTION_PLAN, D(2026, 1, 10))
    extend(r1, D(2026, 2, 1))
    extend(r1, D(2026, 4, 1))  # the day after: out
    Postponement.objects.create(period=r1, from_date=D(2026, 3, 31), reason="examined")
    r2 = period(PeriodKind.STATUTORY, D(2025, 12, 1), PeriodOutcome.PREPARED_RETURN, D(2026, 1, 15))
    extend(r2, D(2025, 12, 20))  # before: out
    Postponement.objects.create(period=r2, from_date=D(2025, 12, 5), reason="x", lifted_on=D(2026, 1, 2))
    period(PeriodKind.STATUTORY, D(2026, 3, 31), PeriodOutcome.DISAPPEARED, D(2026, 4, 1))
    deleted = period(PeriodKind.ACTION_PLAN, D(2026, 2, 1), PeriodOutcome.OTHER, D(2026, 2, 20))
    _delete(deleted.case)
    period(PeriodKind.ACTION_PLAN, D(2026, 2, 1), PeriodOutcome.OTHER, D(2026, 3, 1), organisation=org_b)


def test_reflection_periods_started_extended_postponed_and_ended_by_outcome(reflection, org_a):
    table = reflection_table(period=Q1, scope=ALL)
    # (started, of which statutory, extensions, postponements, ended)
    assert _cells(table, "running") == (1, 0, 1, 1, 0)
    assert _cells(table, "prepared_return") == (0, 0, 0, 0, 1)
    assert _cells(table, "disappeared") == (1, 1, 0, 0, 0)
    assert _cells(table, "other") == (1, 0, 0, 0, 1)
    assert _cells(table, "left_on_own") == (0, 0, 0, 0, 0)
    assert table.totals == {"started": 3, "statutory": 1, "extended": 1, "postponed": 1, "ended": 2}

    own = reflection_table(period=Q1, scope=Scope(org_a.pk))
    assert own.totals == {"started": 2, "statutory": 1, "extended": 1, "postponed": 1, "ended": 1}


# --- 9. Prepared returns ------------------------------------------------------------------------------


@pytest.fixture
def returns(org_a, org_b):
    def plan(channel, country, status, departed, organisation=org_a):
        return ReturnPlan.objects.create(
            case=CaseFactory(organisation=organisation),
            responsible_body=ReturnBody.IMMIGRATION_SERVICE,
            channel=channel,
            destination_country=country,
            status=status,
            actual_departure_on=departed,
        )

    plan(ReturnChannel.IOM, "NG", ReturnStatus.COMPLETED, D(2026, 3, 31))  # the last day: in
    plan(ReturnChannel.IOM, "NG", ReturnStatus.FOLLOW_UP, D(2026, 1, 1))
    plan(ReturnChannel.CMM, "RO", ReturnStatus.DEPARTED, D(2026, 2, 10))
    plan(ReturnChannel.EMBASSY, "NG", ReturnStatus.COMPLETED, D(2026, 4, 1))  # the day after: out
    plan(ReturnChannel.NGO, "VN", ReturnStatus.CANCELLED, None)
    plan(ReturnChannel.EMBASSY, "NG", ReturnStatus.APPROVED, None)
    deleted = plan(ReturnChannel.IOM, "NG", ReturnStatus.DEPARTED, D(2026, 2, 1))
    _delete(deleted.case)
    plan(ReturnChannel.NGO, "AL", ReturnStatus.DEPARTED, D(2026, 2, 15), organisation=org_b)


def test_returns_count_departures_by_country_and_channel(returns, org_a):
    table = returns_table(period=Q1, scope=ALL)
    assert [row.key for row in table.rows] == ["AL", "NG", "RO"]
    # (iom, cmm, ngo, embassy, total)
    assert _cells(table, "NG") == (2, 0, 0, 0, 2)
    assert _cells(table, "RO") == (0, 1, 0, 0, 1)
    assert _cells(table, "AL") == (0, 0, 1, 0, 1)
    assert table.totals == {"iom": 2, "cmm": 1, "ngo": 1, "embassy": 0, "total": 4}

    own = returns_table(period=Q1, scope=Scope(org_a.pk))
    assert [row.key for row in own.rows] == ["NG", "RO"]
    assert own.totals == {"iom": 2, "cmm": 1, "ngo": 0, "embassy": 0, "total": 3}


# --- Query counts -------------------------------------------------------------------------------------

TABLES = [
    (shelters_table, 2),
    (identification_table, 4),
    (minors_table, 2),
    (reflection_table, 1),
    (returns_table, 1),
]


def test_the_number_of_queries_does_not_grow_with_the_rows(
    shelters, identification, reflection, returns, org_a, django_assert_max_num_queries
):
    for table_function, queries in TABLES:
        with django_assert_max_num_queries(queries):
            table_function(period=Q1, scope=ALL)

    for n in range(5):
        case = CaseFactory(organisation=org_a, age_at_opening=20 + n)
        ShelterStay.objects.create(
            case=case,
            shelter=shelters["s1"] if n % 2 else shelters["s2"],
            housing_type=HousingType.CRISIS_CENTRE,
            admitted_on=D(2026, 2, 1 + n),
        )
        ReturnPlan.objects.create(
            case=case,
            responsible_body=ReturnBody.CMM,
            channel=ReturnChannel.CMM,
            destination_country=["PL", "LT", "TH", "UA", "BR"][n],
            status=ReturnStatus.DEPARTED,
            actual_departure_on=D(2026, 3, 1),
        )
        ReflectionPeriod.objects.create(
            case=case, kind=PeriodKind.ACTION_PLAN, starts_on=D(2026, 2, 1), total_days=30
        )
        presentation = Presentation.objects.create(
            case=case,
            presented_on=D(2026, 2, 1),
            presented_by=PresentedBy.POLICE,
            residence_status=ResidenceStatus.NO_LEGAL_RESIDENCE,
            authority=Authority.IMMIGRATION_SERVICE,
            age_at_presentation=10 + 5 * n,
            unaccompanied_minor=True,
        )
        Decision.objects.create(
            presentation=presentation,
            outcome=Outcome.IDENTIFIED,
            decided_on=D(2026, 3, 1),
            authority=Authority.IMMIGRATION_SERVICE,
            organisation=org_a,
        )
    tables = {}
    for table_function, queries in TABLES:
        with django_assert_max_num_queries(queries):
            table = table_function(period=Q1, scope=ALL)
        tables[table.key] = table
    assert tables["shelters"].totals["admissions"] == 5 + 5
    assert tables["identification"].totals["presentations"] == 5 + 5
    assert tables["minors"].totals["identified"] == 1 + 5
    assert tables["reflection"].totals["started"] == 3 + 5
    assert tables["returns"].totals["total"] == 4 + 5
