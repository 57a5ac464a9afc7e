"""The statistics API: the same numbers as statistics_compute, the small-cell rule for readers outside CMM
and in external views, the scope each role may see, and input errors named by field."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.authtoken.models import Token

from cmm.models import Role
from outreach.choices import CallerCategory, CallPurpose, Venue
from outreach.services import contact_log, hotline_call_save, meeting_session_save
from reports.periods import Period, Scope
from reports.services.statistics import statistics_compute, statistics_publish
from reports.statistics.outreach import meeting_place_table
from reports.suppression import HIDDEN
from reports.tables import Row, Table

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
URL = "/api/reports/statistics/"
Q2 = {"period": "2026Q2"}


def local(month: int, day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=CPH)


def token_client(api_client, user):
    token, _created = Token.objects.get_or_create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def log_calls(*, by, organisation, count, category=CallerCategory.POLICE, month=5):
    for day in range(1, count + 1):
        hotline_call_save(
            by=by,
            organisation=organisation,
            received_at=local(month, day),
            caller_category=category,
            purpose=CallPurpose.INFORMATION,
        )


def log_contacts(*, by, organisation, codes, month=5):
    for day, code in enumerate(codes, start=1):
        contact_log(
            by=by,
            organisation=organisation,
            occurred_at=local(month, day),
            venue=Venue.STREET,
            indicators=[],
            client_code=code,
        )


@pytest.fixture
def world(org_a, org_b, org_cmm, users_a, make_member):
    """In the second quarter of 2026: A met 3 people known by client codes and took 3 police calls; B took
    6 calls from students."""
    worker_b = make_member(org_b, Role.OUTREACH_WORKER)
    worker_a = users_a[Role.CASEWORKER]
    log_contacts(by=worker_a, organisation=org_a, codes=["AAAAA-11111", "BBBBB-22222", "CCCCC-33333"])
    log_calls(by=worker_a, organisation=org_a, count=3)
    log_calls(by=worker_b, organisation=org_b, count=6, category=CallerCategory.STUDENT)
    return {"worker_a": worker_a, "worker_b": worker_b}


@pytest.fixture
def analyst(org_cmm, make_member):
    return make_member(org_cmm, Role.ANALYST)


def get(api_client, user, **params):
    return token_client(api_client, user).get(URL, params)


def table(body, key):
    return next(table for table in body["tables"] if table["key"] == key)


def cell(body, table_key, row_key, column_key):
    rows = table(body, table_key)["rows"]
    return next(row for row in rows if row["key"] == row_key)["cells"][column_key]


def test_numbers_are_those_of_statistics_compute(api_client, world, analyst):
    response = get(api_client, analyst, period="2026")
    assert response.status_code == 200
    body = response.json()
    expected = statistics_compute(period=Period.year(2026), scope=Scope())
    assert [t["key"] for t in body["tables"]] == [t.key for t in expected]
    assert "hotline_calls_by_quarter" in [t.key for t in expected]
    for got, table_ in zip(body["tables"], expected, strict=True):
        assert [c["key"] for c in got["columns"]] == [key for key, _label in table_.columns]
        assert [(r["key"], r["cells"]) for r in got["rows"]] == [(r.key, r.cells) for r in table_.rows]
        assert got["totals"] == table_.totals
    assert body["period"] == {"from": "2026-01-01", "to": "2026-12-31"}
    assert body["scope"] == {"organisation": None}
    assert body["suppressed"] is False


def test_a_single_quarter_has_no_table_by_quarter(api_client, world, analyst):
    keys = [t["key"] for t in get(api_client, analyst, **Q2).json()["tables"]]
    assert keys == [
        "persons_met",
        "new_persons",
        "meeting_place",
        "clinic_consultations",
        "police_raids",
        "hotline_calls",
        "shelters",
        "identification",
        "reflection",
        "returns",
        "minors",
    ]


def test_ngo_caseworker_gets_own_organisation_suppressed(api_client, world, org_a, users_a):
    body = get(api_client, users_a[Role.CASEWORKER], **Q2).json()
    assert body["scope"] == {"organisation": org_a.pk}
    assert body["suppressed"] is True
    assert cell(body, "persons_met", "client_code", "persons_met") == "<5"
    assert cell(body, "hotline_calls", CallerCategory.POLICE, CallPurpose.INFORMATION) == "<5"
    assert cell(body, "hotline_calls", CallerCategory.STUDENT, CallPurpose.INFORMATION) == 0  # B's calls
    own = get(api_client, users_a[Role.CASEWORKER], organisation=org_a.pk, **Q2).json()
    assert own == body


def test_ngo_user_cannot_see_another_organisation(api_client, world, org_b, users_a):
    for role in (Role.CASEWORKER, Role.ANALYST, Role.COORDINATOR):
        assert get(api_client, users_a[role], organisation=org_b.pk, **Q2).status_code == 404
    assert get(api_client, users_a[Role.ANALYST], organisation=999_999, **Q2).status_code == 404


def test_cmm_analyst_sees_exact_national_numbers_and_suppressed_external(api_client, world, analyst):
    exact = get(api_client, analyst, **Q2).json()
    assert exact["suppressed"] is False
    assert cell(exact, "hotline_calls", CallerCategory.POLICE, CallPurpose.INFORMATION) == 3
    assert cell(exact, "hotline_calls", CallerCategory.STUDENT, CallPurpose.INFORMATION) == 6
    assert cell(exact, "persons_met", "client_code", "persons_met") == 3
    external = get(api_client, analyst, external="true", **Q2).json()
    assert external["suppressed"] is True
    assert cell(external, "hotline_calls", CallerCategory.POLICE, CallPurpose.INFORMATION) == "<5"
    # The only other count in that column goes too, so the 3 cannot be worked out from the column total.
    assert cell(external, "hotline_calls", CallerCategory.STUDENT, CallPurpose.INFORMATION) == "<5"


def test_cmm_analyst_sees_any_one_organisation(api_client, world, analyst, org_b):
    body = get(api_client, analyst, organisation=org_b.pk, **Q2).json()
    assert body["scope"] == {"organisation": org_b.pk}
    assert cell(body, "hotline_calls", CallerCategory.POLICE, CallPurpose.INFORMATION) == 0
    assert cell(body, "hotline_calls", CallerCategory.STUDENT, CallPurpose.INFORMATION) == 6
    assert get(api_client, analyst, organisation=999_999, **Q2).status_code == 404


def test_cmm_caseworker_sees_only_cmm(api_client, world, org_cmm, org_a, make_member):
    caseworker = make_member(org_cmm, Role.CASEWORKER)
    body = get(api_client, caseworker, **Q2).json()
    assert body["scope"] == {"organisation": org_cmm.pk}
    assert body["suppressed"] is False  # acting for CMM: exact
    assert get(api_client, caseworker, organisation=org_a.pk, **Q2).status_code == 404


def test_role_without_statistics_is_refused(api_client, world, users_a, org_a):
    assert get(api_client, users_a[Role.OUTREACH_WORKER], **Q2).status_code == 403
    # Refused before the input or the organisation is looked at.
    assert get(api_client, users_a[Role.OUTREACH_WORKER], period="bad").status_code == 403
    assert api_client.get(URL, Q2).status_code in (401, 403)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "period"),
        ({"period": "2026Q5"}, "period"),
        ({"period": "26"}, "period"),
        ({"period": "1200"}, "period"),
        ({"period": "2026", "from": "2026-01-01", "to": "2026-02-01"}, "period"),
        ({"from": "2026-01-01"}, "to"),
        ({"to": "2026-01-01"}, "from"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
        ({"from": "2026-03-01", "to": "2026-02-28"}, "to"),
        ({"from": "2020-01-01", "to": "2025-01-01"}, "to"),
        ({"period": "2026", "organisation": "x"}, "organisation"),
        ({"period": "2026", "external": "maybe"}, "external"),
    ],
)
def test_bad_input_is_400_naming_the_field(api_client, users_a, params, field):
    response = get(api_client, users_a[Role.CASEWORKER], **params)
    assert response.status_code == 400
    assert field in response.json()


def test_custom_period_of_five_years_is_accepted(api_client, world, analyst):
    body = get(api_client, analyst, **{"from": "2021-01-01", "to": "2025-12-31"}).json()
    assert body["period"] == {"from": "2021-01-01", "to": "2025-12-31"}
    assert len(table(body, "hotline_calls_by_quarter")["rows"]) == 20


def test_endpoint_is_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "period",
        "from",
        "to",
        "organisation",
        "external",
    }


def test_query_count_does_not_grow_with_rows(
    api_client, world, analyst, org_a, org_b, users_a, django_assert_max_num_queries
):
    client = token_client(api_client, analyst)
    with django_assert_max_num_queries(60) as few:
        assert client.get(URL, {"period": "2026"}).status_code == 200
    log_calls(
        by=users_a[Role.CASEWORKER], organisation=org_a, count=10, category=CallerCategory.PARTNER, month=8
    )
    log_calls(by=world["worker_b"], organisation=org_b, count=10, month=2)
    log_contacts(by=users_a[Role.CASEWORKER], organisation=org_a, codes=[f"DDDDD-{n:05}" for n in range(10)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL, {"period": "2026"}).status_code == 200


def test_the_identification_table_protects_a_small_count_in_every_section(world, users_a, org_a):
    """The published identification table (sections by authority, gender, age band, nationality) never
    leaves a lone "<5" in a section of a column, whatever the other sections hold."""
    from reports.services.statistics import LAYOUTS
    from reports.statistics.casework import identification_table

    assert LAYOUTS["identification"].sectioned and LAYOUTS["minors"].sectioned
    table = Table(
        key="identification",
        title="Identification",
        columns=[("presentations", "Presentations")],
        rows=[
            Row("gender:female", "F", {"presentations": 20}),
            Row("gender:male", "M", {"presentations": 3}),
            Row("age:18-20", "18-20", {"presentations": 3}),
            Row("age:21-23", "21-23", {"presentations": 20}),
        ],
        totals={"presentations": 23},
    )
    (published,) = statistics_publish(tables=[table], suppress=True)
    assert {row.key: row.cells["presentations"] for row in published.table.rows} == dict.fromkeys(
        ["gender:female", "gender:male", "age:18-20", "age:21-23"], "<5"
    )
    # And the real builder's rows are keyed by section, as the layout expects.
    real = identification_table(period=Period.quarter(2026, 2), scope=Scope(org_a.pk))
    assert {row.key.split(":", 1)[0] for row in real.rows} >= {"authority", "gender", "age", "exploitation"}


def test_averages_computed_from_a_suppressed_count_are_hidden(org_a, users_a):
    meeting_session_save(
        by=users_a[Role.CASEWORKER],
        organisation=org_a,
        place="Mødestedet",
        date=datetime.date(2026, 5, 5),
        visitors=3,
        returning_visitors=2,
        health_clinic_open=True,
    )
    shelters = Table(
        key="shelters",
        title="Shelters",
        columns=[
            (key, key) for key in ("admissions", "discharges", "bed_days", "persons", "average_bed_days")
        ],
        rows=[
            Row(
                "1",
                "One",
                {"admissions": 9, "discharges": 6, "bed_days": 40, "persons": 2, "average_bed_days": 20.0},
            ),
            Row(
                "2",
                "Two",
                {"admissions": 7, "discharges": 8, "bed_days": 60, "persons": 10, "average_bed_days": 6.0},
            ),
        ],
        totals={"admissions": 16, "discharges": 14, "bed_days": 100, "persons": 12, "average_bed_days": 8.3},
    )
    tables = [meeting_place_table(period=Period.quarter(2026, 2), scope=Scope(org_a.pk)), shelters]
    place, shelter = statistics_publish(tables=tables, suppress=True)
    row = place.table.rows[0].cells
    assert (row["visits"], row["returning_visits"], row["opening_days"]) == ("<5", "<5", 1)
    assert row["returning_share"] == row["visits_per_day"] == row["visits_per_clinic_day"] == HIDDEN
    assert shelter.table.cell("1", "persons") == "<5"
    assert shelter.table.cell("1", "average_bed_days") == HIDDEN
    assert shelter.table.totals["average_bed_days"] == 8.3


def test_the_average_per_clinic_day_is_hidden_when_the_clinic_visits_are_few(org_a, users_a):
    """Visits may be many while the visits on health-clinic days are 1-4: 1 clinic day with an average of 3.0
    would give the 3 away, so the clinic visits are a count of their own and the average goes with them."""
    for day, visitors, clinic in ((5, 20, False), (6, 3, True)):
        meeting_session_save(
            by=users_a[Role.CASEWORKER],
            organisation=org_a,
            place="Mødestedet",
            date=datetime.date(2026, 5, day),
            visitors=visitors,
            returning_visitors=0,
            health_clinic_open=clinic,
        )
    table = meeting_place_table(period=Period.quarter(2026, 2), scope=Scope(org_a.pk))
    (place,) = statistics_publish(tables=[table], suppress=True)
    row = place.table.rows[0].cells
    assert (row["clinic_days"], row["clinic_visits"]) == (1, "<5")
    assert row["visits_per_clinic_day"] == HIDDEN
    # The row's lone small count takes the next smallest with it (the visits), and their average goes too.
    assert (row["visits"], row["visits_per_day"]) == ("<5", HIDDEN)
    assert place.table.totals["clinic_visits"] == "<5"
