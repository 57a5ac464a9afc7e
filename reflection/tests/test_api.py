"""The reflection API: the services' deadline rules and the selectors' access answered as 400/403/404, never
500."""

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from cmm.models import Role
from cmm.tests.test_api import token_client
from reflection.choices import PeriodKind, PeriodOutcome
from reflection.models import Notification, ReflectionPeriod
from reflection.services import deadline_scan, period_end, period_postpone, period_start

pytestmark = pytest.mark.django_db

BASE = "/api/reflection/"
PERIODS = f"{BASE}periods/"
TODAY = datetime.datetime(2026, 4, 1, 10, tzinfo=datetime.UTC)
MARKER = "Marker Person Alpha"  # the name open_case stores in the personal details


@pytest.fixture(autouse=True)
def today():
    """Every test runs on 2026-04-01; identified_case is identified on 2026-03-20."""
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def client_for():
    """A fresh API client authenticated with the user's token (one client per user)."""

    def make(user):
        return token_client(APIClient(), user)

    return make


@pytest.fixture
def caseworker(users_a):
    """A's caseworker, who opens the cases and is therefore on their team."""
    return users_a[Role.CASEWORKER]


@pytest.fixture
def period(identified_case, caseworker):
    """A statutory period of identified_case from 2026-03-21: the deadline is 2026-04-20."""
    return period_start(
        case=identified_case, by=caseworker, kind=PeriodKind.STATUTORY, starts_on=datetime.date(2026, 3, 21)
    )


def url(period, suffix=""):
    return f"{PERIODS}{period.pk}/{suffix}"


def start_body(case, **overrides):
    return {"case": case.pk, "kind": "statutory", "starts_on": "2026-03-21", **overrides}


def extension_body(**overrides):
    return {
        "new_total_days": 60,
        "ground": "medical",
        "ground_text": "",
        "decided_on": "2026-04-01",
        **overrides,
    }


# --- Starting -------------------------------------------------------------------------------------------


def test_caseworker_starts_a_statutory_period_and_sees_its_deadline(identified_case, caseworker, client_for):
    client = client_for(caseworker)
    response = client.post(PERIODS, start_body(identified_case), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["case"] == {"id": identified_case.pk, "number": identified_case.number}
    assert (data["kind"], data["starts_on"], data["initial_days"], data["total_days"]) == (
        "statutory",
        "2026-03-21",
        30,
        30,
    )
    assert (data["ends_on"], data["days_left"], data["running"], data["postponed"]) == (
        "2026-04-20",
        19,
        True,
        False,
    )
    assert (data["outcome"], data["extensions"], data["postponements"]) == (None, [], [])
    assert MARKER not in response.content.decode()
    assert ReflectionPeriod.objects.get(pk=data["id"]).created_by == caseworker

    assert client.get(url(ReflectionPeriod(pk=data["id"]))).json() == data
    listed = client.get(PERIODS).json()
    assert [(p["id"], p["days_left"]) for p in listed["results"]] == [(data["id"], 19)]


def test_a_shorter_period_needs_the_special_reason(identified_case, caseworker, client_for):
    client = client_for(caseworker)
    refused = client.post(PERIODS, start_body(identified_case, initial_days=20), format="json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"short_reason"}

    body = start_body(identified_case, initial_days=20, short_reason="Leaves with the prepared return.")
    started = client.post(PERIODS, body, format="json")
    assert started.status_code == 201, started.json()
    assert (started.json()["ends_on"], started.json()["short_reason"]) == ("2026-04-10", body["short_reason"])


def test_a_statutory_period_without_the_immigration_service_identification_is_refused(
    case_a, caseworker, client_for
):
    client = client_for(caseworker)
    refused = client.post(PERIODS, start_body(case_a), format="json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"kind"}
    assert not ReflectionPeriod.objects.exists()

    action_plan = client.post(PERIODS, start_body(case_a, kind="action_plan"), format="json")
    assert action_plan.status_code == 201, action_plan.json()


def test_a_second_running_period_is_refused(period, caseworker, client_for):
    body = start_body(period.case, kind="action_plan", starts_on="2026-03-25")
    response = client_for(caseworker).post(PERIODS, body, format="json")
    assert response.status_code == 400
    assert "kind" in response.json()
    assert ReflectionPeriod.objects.count() == 1


def test_starting_needs_a_visible_case_and_the_role(identified_case, users_a, users_b, open_case, client_for):
    other = open_case(by=users_b[Role.CASEWORKER])
    response = client_for(users_a[Role.CASEWORKER]).post(PERIODS, start_body(other), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"case"}

    for role in (Role.OUTREACH_WORKER, Role.ANALYST, Role.ORG_ADMIN):
        refused = client_for(users_a[role]).post(PERIODS, start_body(identified_case), format="json")
        assert refused.status_code == 403, role
    assert not ReflectionPeriod.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"starts_on": "2026-04-02"}, "starts_on"),
        ({"starts_on": "2026-03-19"}, "starts_on"),
        ({"starts_on": "1900-01-01", "kind": "action_plan"}, "starts_on"),
        ({"kind": "forever"}, "kind"),
        ({"initial_days": 31}, "initial_days"),
        ({"initial_days": 0}, "initial_days"),
        ({"case": 2**40}, "case"),
    ],
)
def test_bad_start_input_is_400_naming_the_field(identified_case, caseworker, client_for, body, field):
    response = client_for(caseworker).post(PERIODS, {**start_body(identified_case), **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()


# --- Extending, postponing, ending ----------------------------------------------------------------------


def test_an_extension_to_100_days_moves_the_deadline(period, caseworker, client_for):
    response = client_for(caseworker).post(
        url(period, "extensions/"), extension_body(new_total_days=100, ground="testimony"), format="json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["total_days"], data["ends_on"], data["days_left"]) == (100, "2026-06-29", 89)
    assert [(e["new_total_days"], e["ground"], e["decided_on"]) for e in data["extensions"]] == [
        (100, "testimony", "2026-04-01")
    ]


def test_an_extension_beyond_100_days_is_refused(period, caseworker, client_for):
    response = client_for(caseworker).post(
        url(period, "extensions/"), extension_body(new_total_days=101), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"new_total_days"}
    period.refresh_from_db()
    assert (period.total_days, period.ends_on) == (30, datetime.date(2026, 4, 20))


def test_an_other_ground_needs_its_explanation(period, caseworker, client_for):
    response = client_for(caseworker).post(
        url(period, "extensions/"), extension_body(ground="other"), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"ground_text"}


def test_an_extension_decided_after_the_deadline_is_refused(case_a, caseworker, client_for):
    lapsed = period_start(
        case=case_a,
        by=caseworker,
        kind=PeriodKind.ACTION_PLAN,
        starts_on=datetime.date(2026, 3, 1),
        initial_days=10,
        short_reason="A shorter action-plan period was agreed.",
    )
    assert lapsed.ends_on == datetime.date(2026, 3, 11)
    response = client_for(caseworker).post(
        url(lapsed, "extensions/"), extension_body(decided_on="2026-03-20"), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"decided_on"}
    assert not lapsed.extensions.exists()


def test_an_outcome_before_the_start_is_refused_and_an_ended_period_cannot_change(
    period, caseworker, client_for
):
    client = client_for(caseworker)
    early = client.post(
        url(period, "outcome/"), {"outcome": "disappeared", "outcome_on": "2026-03-20"}, format="json"
    )
    assert early.status_code == 400
    assert set(early.json()) == {"outcome_on"}

    ended = client.post(
        url(period, "outcome/"), {"outcome": "left_on_own", "outcome_on": "2026-03-30"}, format="json"
    )
    assert ended.status_code == 200, ended.json()
    assert (ended.json()["outcome"], ended.json()["outcome_on"], ended.json()["running"]) == (
        "left_on_own",
        "2026-03-30",
        False,
    )

    again = client.post(url(period, "extensions/"), extension_body(), format="json")
    assert again.status_code == 400
    assert "non_field_errors" in again.json()
    assert client.get(PERIODS, {"running": "true"}).json()["count"] == 0
    assert client.get(PERIODS, {"running": "false"}).json()["count"] == 1


def test_a_postponement_stops_the_clock_and_the_lift_continues_the_remaining_days(
    period, caseworker, client_for
):
    client = client_for(caseworker)
    postponed = client.post(
        url(period, "postponements/"),
        {"from_date": "2026-03-25", "reason": "The home country's conditions are examined."},
        format="json",
    )
    assert postponed.status_code == 201, postponed.json()
    data = postponed.json()
    assert (data["ends_on"], data["days_left"], data["postponed"]) == (None, None, True)
    assert [(p["from_date"], p["lifted_on"]) for p in data["postponements"]] == [("2026-03-25", None)]

    twice = client.post(
        url(period, "postponements/"), {"from_date": "2026-03-26", "reason": "Again"}, format="json"
    )
    assert twice.status_code == 400
    assert "from_date" in twice.json()

    lifted = client.post(url(period, "lift/"), {"lifted_on": "2026-03-31"}, format="json")
    assert lifted.status_code == 200, lifted.json()
    # Six days postponed: the deadline moves from 20 to 26 April.
    assert (lifted.json()["ends_on"], lifted.json()["days_left"], lifted.json()["postponed"]) == (
        "2026-04-26",
        25,
        False,
    )

    not_postponed = client.post(url(period, "lift/"), {"lifted_on": "2026-04-01"}, format="json")
    assert not_postponed.status_code == 400
    assert "non_field_errors" in not_postponed.json()


def test_a_new_deadline_decided_at_the_lift_overrides_the_count(period, caseworker, client_for):
    period_postpone(period=period, by=caseworker, from_date=datetime.date(2026, 3, 25), reason="Examined")
    client = client_for(caseworker)

    before = client.post(
        url(period, "lift/"), {"lifted_on": "2026-03-31", "new_ends_on": "2026-03-30"}, format="json"
    )
    assert before.status_code == 400
    assert set(before.json()) == {"new_ends_on"}

    lifted = client.post(
        url(period, "lift/"), {"lifted_on": "2026-03-31", "new_ends_on": "2026-05-15"}, format="json"
    )
    assert lifted.status_code == 200, lifted.json()
    assert (lifted.json()["ends_on"], lifted.json()["days_left"]) == ("2026-05-15", 44)
    assert lifted.json()["postponements"][0]["new_ends_on"] == "2026-05-15"


# --- Lists ----------------------------------------------------------------------------------------------


def test_the_list_is_ordered_by_deadline_and_filters(period, caseworker, open_case, client_for):
    soon = period_start(
        case=open_case(by=caseworker),
        by=caseworker,
        kind=PeriodKind.ACTION_PLAN,
        starts_on=datetime.date(2026, 3, 10),
    )
    postponed = period_start(
        case=open_case(by=caseworker),
        by=caseworker,
        kind=PeriodKind.ACTION_PLAN,
        starts_on=datetime.date(2026, 3, 5),
    )
    period_postpone(period=postponed, by=caseworker, from_date=datetime.date(2026, 3, 6), reason="Examined")
    ended_case = open_case(by=caseworker)
    ended = period_start(
        case=ended_case, by=caseworker, kind=PeriodKind.ACTION_PLAN, starts_on=datetime.date(2026, 3, 1)
    )
    period_end(
        period=ended,
        by=caseworker,
        outcome=PeriodOutcome.RESIDENCE_PERMIT,
        outcome_on=datetime.date(2026, 3, 2),
    )
    client = client_for(caseworker)

    def ids(**params):
        response = client.get(PERIODS, params)
        assert response.status_code == 200, response.json()
        return [p["id"] for p in response.json()["results"]]

    # 31 March (ended), 9 April, 20 April, then the postponed one without a deadline.
    assert ids() == [ended.pk, soon.pk, period.pk, postponed.pk]
    assert ids(running="true") == [soon.pk, period.pk, postponed.pk]
    assert ids(running="false") == [ended.pk]
    assert ids(kind="statutory") == [period.pk]
    assert ids(case=ended_case.pk) == [ended.pk]


@pytest.mark.parametrize(
    ("param", "value"), [("running", "maybe"), ("kind", "forever"), ("case", "x"), ("case", "1.5")]
)
def test_unknown_filter_values_are_400(period, caseworker, client_for, param, value):
    response = client_for(caseworker).get(PERIODS, {param: value})
    assert response.status_code == 400
    assert param in response.json()


# --- Access ---------------------------------------------------------------------------------------------


def every_endpoint(period):
    """(method, url, valid body) for every endpoint under one period."""
    return [
        ("get", url(period), None),
        ("post", url(period, "extensions/"), extension_body()),
        ("post", url(period, "postponements/"), {"from_date": "2026-03-25", "reason": "Examined"}),
        ("post", url(period, "lift/"), {"lifted_on": "2026-03-31"}),
        ("post", url(period, "outcome/"), {"outcome": "left_on_own", "outcome_on": "2026-03-30"}),
    ]


def call(client, method, path, body):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, format="json")


def test_every_period_endpoint_is_404_for_another_organisation(period, users_b, client_for):
    for role in (Role.CASEWORKER, Role.COORDINATOR):
        client = client_for(users_b[role])
        for method, path, body in every_endpoint(period):
            response = call(client, method, path, body)
            assert response.status_code == 404, (role, method, path, response.status_code)
        assert client.get(PERIODS).json()["count"] == 0
        assert client.get(PERIODS, {"case": period.case_id}).json()["count"] == 0

    period.refresh_from_db()
    assert (period.total_days, period.ends_on, period.outcome) == (30, datetime.date(2026, 4, 20), "")
    assert not period.extensions.exists() and not period.postponements.exists()


def test_an_analyst_is_refused_every_period_endpoint(period, users_a, client_for):
    client = client_for(users_a[Role.ANALYST])
    assert client.get(PERIODS).status_code == 403
    assert client.post(PERIODS, start_body(period.case), format="json").status_code == 403
    for method, path, body in every_endpoint(period):
        assert call(client, method, path, body).status_code == 403, (method, path)


def test_the_liaison_sees_the_period_but_cannot_change_it(period, deciders, client_for):
    client = client_for(deciders["us"])
    assert client.get(url(period)).status_code == 200
    assert [p["id"] for p in client.get(PERIODS).json()["results"]] == [period.pk]
    for method, path, body in every_endpoint(period)[1:]:
        assert call(client, method, path, body).status_code == 403, path
    assert client.get(f"{PERIODS}{period.pk + 1000}/").status_code == 404


# --- Notifications --------------------------------------------------------------------------------------


def test_the_caller_lists_and_reads_their_reminders(period, caseworker, users_b, client_for):
    assert deadline_scan(today=datetime.date(2026, 4, 13)) == 1  # 7 days left: the caseworker on the team
    reminder = Notification.objects.get()
    client = client_for(caseworker)

    listed = client.get(f"{BASE}notifications/", {"unread": "true"}).json()
    assert listed["count"] == 1
    assert listed["results"][0] == {
        "id": reminder.pk,
        "case": {"id": period.case_id, "number": period.case.number},
        "period": period.pk,
        "return_follow_up": None,
        "group_action": None,
        "milestone": "d7",
        "days_left": 7,
        "deadline": "2026-04-20",
        "created_at": listed["results"][0]["created_at"],
        "read": False,
        "read_at": None,
    }

    # Someone else's ids are ignored, and they see none of the caller's reminders.
    stranger = client_for(users_b[Role.CASEWORKER])
    assert stranger.get(f"{BASE}notifications/").json()["count"] == 0
    foreign = stranger.post(f"{BASE}notifications/read/", {"ids": [reminder.pk]}, format="json")
    assert foreign.json() == {"marked": 0, "unread": 0}
    reminder.refresh_from_db()
    assert reminder.read_at is None

    read = client.post(f"{BASE}notifications/read/", {"ids": [reminder.pk]}, format="json")
    assert read.status_code == 200, read.json()
    assert read.json() == {"marked": 1, "unread": 0}
    assert client.get(f"{BASE}notifications/", {"unread": "true"}).json()["count"] == 0
    everything = client.get(f"{BASE}notifications/").json()["results"]
    assert [(n["id"], n["read"]) for n in everything] == [(reminder.pk, True)]


def test_marking_without_ids_reads_all_unread(period, caseworker, client_for):
    deadline_scan(today=datetime.date(2026, 4, 13))
    deadline_scan(today=datetime.date(2026, 4, 17))  # 3 days left
    client = client_for(caseworker)
    assert client.get(f"{BASE}notifications/", {"unread": "true"}).json()["count"] == 2
    assert client.post(f"{BASE}notifications/read/", {}, format="json").json() == {"marked": 2, "unread": 0}
    assert client.post(f"{BASE}notifications/read/", {}, format="json").json() == {"marked": 0, "unread": 0}


# --- Garbage --------------------------------------------------------------------------------------------

GARBAGE = [None, [], [1, 2], {"a": 1}, 10**30, -1, "x" * 50_000, "\x00", "a\x00b", "2026-02-30", "0001-01-01"]


def test_garbage_input_is_never_a_server_error(period, caseworker, open_case, client_for):
    client = client_for(caseworker)
    fresh = open_case(by=caseworker)
    writes = [
        (PERIODS, {**start_body(fresh), "kind": "action_plan", "initial_days": 30, "short_reason": ""}),
        (url(period, "extensions/"), extension_body()),
        (url(period, "postponements/"), {"from_date": "2026-03-25", "reason": "Examined"}),
        (url(period, "lift/"), {"lifted_on": "2026-03-31", "new_ends_on": "2026-05-01"}),
        (url(period, "outcome/"), {"outcome": "left_on_own", "outcome_on": "2026-03-30"}),
        (f"{BASE}notifications/read/", {"ids": [1]}),
    ]
    for path, body in writes:
        for whole in ([1, 2], "text", 5, None, {}):
            response = client.post(path, whole, format="json")
            assert response.status_code < 500, (path, whole)
        for field in body:
            for value in GARBAGE:
                response = client.post(path, {**body, field: value}, format="json")
                assert response.status_code < 500, (path, field, repr(value)[:40])
    for param in ("running", "case", "kind", "page"):
        for value in ("x" * 5000, "99999999999999999999", "-1", "\x00"):
            response = client.get(PERIODS, {param: value})
            assert response.status_code < 500, (param, value[:20])
    for value in ("x" * 5000, "\x00", "2"):
        assert client.get(f"{BASE}notifications/", {"unread": value, "page": value}).status_code < 500
    assert client.get(f"{BASE}notifications/", {"unread": "maybe"}).status_code == 400
    assert client.get(f"{PERIODS}99999999999999999999/").status_code == 404
    assert not ReflectionPeriod.objects.filter(starts_on__lt=datetime.date(1990, 1, 1)).exists()


# --- Schema and query counts ----------------------------------------------------------------------------


def test_schema_lists_the_reflection_paths(client, users_a, login):
    login(users_a[Role.CASEWORKER])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert {
        "/api/reflection/periods/",
        "/api/reflection/periods/{id}/",
        "/api/reflection/periods/{id}/extensions/",
        "/api/reflection/periods/{id}/postponements/",
        "/api/reflection/periods/{id}/lift/",
        "/api/reflection/periods/{id}/outcome/",
        "/api/reflection/notifications/",
        "/api/reflection/notifications/read/",
    } <= set(schema.json()["paths"])


def _start_many(count, *, by, open_case):
    for number in range(count):
        started = period_start(
            case=open_case(by=by),
            by=by,
            kind=PeriodKind.ACTION_PLAN,
            starts_on=datetime.date(2026, 3, 1 + number),
        )
        if number % 3 == 1:
            period_postpone(period=started, by=by, from_date=datetime.date(2026, 3, 25), reason="Examined")


def test_period_list_query_count_does_not_grow(
    caseworker, open_case, client_for, django_assert_max_num_queries
):
    client = client_for(caseworker)
    _start_many(1, by=caseworker, open_case=open_case)
    with django_assert_max_num_queries(20) as few:
        assert client.get(PERIODS).json()["count"] == 1
    _start_many(20, by=caseworker, open_case=open_case)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(PERIODS).json()["count"] == 21


def test_notification_list_query_count_does_not_grow(
    caseworker, open_case, client_for, django_assert_max_num_queries
):
    client = client_for(caseworker)
    _start_many(1, by=caseworker, open_case=open_case)
    deadline_scan(today=datetime.date(2026, 3, 28))
    with django_assert_max_num_queries(20) as few:
        assert client.get(f"{BASE}notifications/").json()["count"] == 1
    _start_many(20, by=caseworker, open_case=open_case)
    deadline_scan(today=datetime.date(2026, 3, 28))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"{BASE}notifications/").json()["count"] > 1
