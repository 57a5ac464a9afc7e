"""100 days means 100 days: every change of a period's deadline - extension, lift with a new deadline,
correction of the start - goes through reflection.dates.refuse_beyond_limit, which counts the days that ran
from the start to the deadline (postponed days do not run) and refuses more than 100 in total. Through the
services, the pages (the error next to the field, status 400) and the API (400 naming the field)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cmm.models import Role
from cmm.tests.factories import TEST_PASSWORD
from cmm.tests.test_api import token_client
from cmm.two_factor.testing import pass_second_factor
from reflection.choices import ExtensionGround, PeriodKind
from reflection.dates import days_counted, refuse_beyond_limit
from reflection.models import Extension, ReflectionPeriod
from reflection.services import (
    period_correct,
    period_extend,
    period_lift_postponement,
    period_postpone,
    period_start,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 6, 22)
START = D(2026, 6, 1)
POSTPONED, LIFTED = D(2026, 6, 10), D(2026, 6, 20)  # 10 days that do not run
# 1 June to 19 September is 110 days, less the 10 postponed: exactly 100.
DECIDED_AT_100 = D(2026, 9, 19)


@pytest.fixture(autouse=True)
def fixed_today():
    moment = datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=ZoneInfo("Europe/Copenhagen"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def worker(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def period(case_a, worker):
    """An action-plan period of 30 days from 1 June 2026: the deadline is 1 July."""
    return period_start(case=case_a, by=worker, kind=PeriodKind.ACTION_PLAN, starts_on=START)


@pytest.fixture
def postponed(period, worker):
    """The period, postponed from 10 June (not lifted yet)."""
    period_postpone(period=period, by=worker, from_date=POSTPONED, reason="Home-country assessment")
    return period


@pytest.fixture
def at_100(postponed, worker):
    """The issue's period: postponed 10-20 June and lifted with a new deadline of 19 September, 100 days."""
    period_lift_postponement(period=postponed, by=worker, lifted_on=LIFTED, new_ends_on=DECIDED_AT_100)
    postponed.refresh_from_db()
    return postponed


def _extend(period, by, days):
    return period_extend(
        period=period, by=by, new_total_days=days, ground=ExtensionGround.MEDICAL, decided_on=TODAY
    )


def _counted(period) -> int:
    period.refresh_from_db()
    return days_counted(
        starts_on=period.starts_on,
        total_days=period.total_days,
        postponements=list(period.postponements.all()),
    )


@pytest.fixture
def login(db):
    def do(user):
        client = Client()
        response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
        assert response.status_code == 302
        pass_second_factor(client, user)
        return client

    return do


def api(user):
    return token_client(APIClient(), user)


# --- The rule itself ----------------------------------------------------------------------------------


class P:
    def __init__(self, from_date, lifted_on=None, new_ends_on=None, total_days_at_lift=None):
        self.from_date, self.lifted_on = from_date, lifted_on
        self.new_ends_on, self.total_days_at_lift = new_ends_on, total_days_at_lift


def test_the_rule_counts_the_days_that_ran_postponed_days_left_out():
    decided = P(POSTPONED, LIFTED, DECIDED_AT_100, total_days_at_lift=30)
    assert days_counted(starts_on=START, total_days=30, postponements=[decided]) == 100
    # The extension to 100 days the old code granted: 28 November, 170 days counted.
    assert days_counted(starts_on=START, total_days=100, postponements=[decided]) == 170
    # Remaining days continuing after a plain lift count as they were granted; so does an open postponement.
    assert days_counted(starts_on=START, total_days=100, postponements=[P(POSTPONED, LIFTED)]) == 100
    assert days_counted(starts_on=START, total_days=100, postponements=[P(POSTPONED)]) == 100
    # Postponed days after the deadline are not taken off (the period had ended).
    assert days_counted(starts_on=START, total_days=30, postponements=[P(D(2026, 8, 1), D(2026, 8, 5))]) == 30


def test_the_rule_accepts_exactly_100_days_and_refuses_101():
    plain = {"starts_on": START, "postponements": [P(POSTPONED, LIFTED)]}
    assert refuse_beyond_limit(total_days=100, field="new_total_days", **plain) == 100
    with pytest.raises(ValidationError) as excinfo:
        refuse_beyond_limit(total_days=101, field="new_total_days", **plain)
    assert list(excinfo.value.message_dict) == ["new_total_days"]
    decided = [P(POSTPONED, LIFTED, DECIDED_AT_100 + datetime.timedelta(days=1), total_days_at_lift=30)]
    with pytest.raises(ValidationError) as excinfo:
        refuse_beyond_limit(starts_on=START, total_days=30, postponements=decided, field="new_ends_on")
    assert "101" in excinfo.value.message_dict["new_ends_on"][0]


# --- Services ------------------------------------------------------------------------------------------


def test_the_issue_scenario_an_extension_after_a_lift_to_100_days_is_refused(at_100, worker):
    # Start 1 June, postponed 10-20 June, lifted with a new deadline of 19 September: 100 days counted.
    assert (at_100.ends_on, _counted(at_100)) == (DECIDED_AT_100, 100)

    with pytest.raises(ValidationError) as excinfo:
        _extend(at_100, worker, 100)  # was accepted, deadline 28 November: 170 days counted

    assert list(excinfo.value.message_dict) == ["new_total_days"]
    assert "170" in excinfo.value.message_dict["new_total_days"][0]
    at_100.refresh_from_db()
    assert (at_100.total_days, at_100.ends_on, _counted(at_100)) == (30, DECIDED_AT_100, 100)
    assert not Extension.objects.exists()
    with pytest.raises(ValidationError):
        _extend(at_100, worker, 31)  # even one more day
    assert ReflectionPeriod.objects.get().ends_on == DECIDED_AT_100


def test_an_extension_after_a_decided_deadline_reaches_exactly_100_days(postponed, worker):
    # A new deadline of 9 September: 90 days counted; an extension adds its extra days to it.
    period_lift_postponement(period=postponed, by=worker, lifted_on=LIFTED, new_ends_on=D(2026, 9, 9))
    with pytest.raises(ValidationError) as excinfo:
        _extend(postponed, worker, 41)  # 101 days
    assert "101" in excinfo.value.message_dict["new_total_days"][0]

    _extend(postponed, worker, 40)

    postponed.refresh_from_db()
    assert (postponed.ends_on, _counted(postponed)) == (DECIDED_AT_100, 100)


def test_an_extension_to_100_days_after_a_plain_lift_is_100_days(postponed, worker):
    period_lift_postponement(period=postponed, by=worker, lifted_on=LIFTED)
    _extend(postponed, worker, 100)
    # 1 June + 100 days + the 10 postponed days.
    postponed.refresh_from_db()
    assert (postponed.ends_on, _counted(postponed)) == (D(2026, 9, 19), 100)
    with pytest.raises(ValidationError):
        _extend(postponed, worker, 101)


def test_an_extension_while_postponed_again_counts_the_decided_deadline(at_100, worker):
    period_postpone(period=at_100, by=worker, from_date=TODAY, reason="Assessed again")
    with pytest.raises(ValidationError) as excinfo:
        _extend(at_100, worker, 31)
    assert "101" in excinfo.value.message_dict["new_total_days"][0]


def test_a_new_deadline_at_the_lift_counts_every_postponement(period, worker):
    # Postponed 3-6 June (3 days) and 10-20 June (10 days): 1 June + 100 + 13 = 22 September.
    period_postpone(period=period, by=worker, from_date=D(2026, 6, 3), reason="First assessment")
    period_lift_postponement(period=period, by=worker, lifted_on=D(2026, 6, 6))
    period_postpone(period=period, by=worker, from_date=POSTPONED, reason="Second assessment")
    with pytest.raises(ValidationError) as excinfo:
        period_lift_postponement(period=period, by=worker, lifted_on=LIFTED, new_ends_on=D(2026, 9, 23))
    assert list(excinfo.value.message_dict) == ["new_ends_on"]
    assert "101" in excinfo.value.message_dict["new_ends_on"][0]

    period_lift_postponement(period=period, by=worker, lifted_on=LIFTED, new_ends_on=D(2026, 9, 22))

    period.refresh_from_db()
    assert (period.ends_on, _counted(period)) == (D(2026, 9, 22), 100)


def test_a_lift_with_a_new_deadline_of_exactly_100_days_is_accepted_and_101_refused(postponed, worker):
    with pytest.raises(ValidationError) as excinfo:
        period_lift_postponement(
            period=postponed, by=worker, lifted_on=LIFTED, new_ends_on=DECIDED_AT_100 + datetime.timedelta(1)
        )
    assert list(excinfo.value.message_dict) == ["new_ends_on"]
    period_lift_postponement(period=postponed, by=worker, lifted_on=LIFTED, new_ends_on=DECIDED_AT_100)
    assert _counted(postponed) == 100


def test_a_corrected_start_moves_the_deadline(period, worker):
    period_correct(period=period, by=worker, starts_on=D(2026, 6, 3))
    period.refresh_from_db()
    assert (period.starts_on, period.ends_on) == (D(2026, 6, 3), D(2026, 7, 3))


def test_a_corrected_start_cannot_make_a_decided_deadline_more_than_100_days(at_100, worker):
    # The deadline decided at the lift stays on its date: an earlier start makes more days run.
    with pytest.raises(ValidationError) as excinfo:
        period_correct(period=at_100, by=worker, starts_on=D(2026, 5, 31))
    assert list(excinfo.value.message_dict) == ["starts_on"]
    assert "101" in excinfo.value.message_dict["starts_on"][0]
    at_100.refresh_from_db()
    assert at_100.starts_on == START

    period_correct(period=at_100, by=worker, starts_on=D(2026, 6, 2))
    at_100.refresh_from_db()
    assert (at_100.ends_on, _counted(at_100)) == (DECIDED_AT_100, 99)


@pytest.mark.parametrize("day", [D(2026, 6, 11), D(2026, 6, 23), D(1989, 12, 31)])
def test_a_corrected_start_after_the_postponement_in_the_future_or_ancient_is_refused(postponed, worker, day):
    with pytest.raises(ValidationError) as excinfo:
        period_correct(period=postponed, by=worker, starts_on=day)
    assert list(excinfo.value.message_dict) == ["starts_on"]


# --- Pages ---------------------------------------------------------------------------------------------


def test_the_extension_page_refuses_the_issue_scenario_next_to_the_field(at_100, worker, login):
    response = login(worker).post(
        reverse("reflection-extend", args=[at_100.pk]),
        {"new_total_days": "100", "ground": ExtensionGround.MEDICAL, "decided_on": TODAY.isoformat()},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["new_total_days"]
    assert "170" in response.context["form"].errors["new_total_days"][0]
    at_100.refresh_from_db()
    assert (at_100.total_days, at_100.ends_on) == (30, DECIDED_AT_100)


def test_the_lift_page_takes_exactly_100_days_and_refuses_101(postponed, worker, login):
    client = login(worker)
    path = reverse("reflection-lift", args=[postponed.pk])
    refused = client.post(path, {"lifted_on": LIFTED.isoformat(), "new_ends_on": "2026-09-20"})
    assert refused.status_code == 400
    assert list(refused.context["form"].errors) == ["new_ends_on"]

    accepted = client.post(path, {"lifted_on": LIFTED.isoformat(), "new_ends_on": DECIDED_AT_100.isoformat()})

    assert accepted.status_code == 302
    assert _counted(postponed) == 100
    page = client.get(reverse("case-reflection", args=[postponed.case_id]))
    assert page.context["periods"][0].days_counted == 100


def test_the_correction_page_moves_the_deadline_within_100_days(at_100, worker, login):
    client = login(worker)
    path = reverse("reflection-correct", args=[at_100.pk])
    form = client.get(path)
    assert form.status_code == 200
    assert form.context["form"]["starts_on"].value() == START

    refused = client.post(path, {"starts_on": "2026-05-31"})
    assert refused.status_code == 400
    assert list(refused.context["form"].errors) == ["starts_on"]

    assert client.post(path, {"starts_on": "2026-06-02"}).status_code == 302
    at_100.refresh_from_db()
    assert at_100.starts_on == D(2026, 6, 2)


# --- API -----------------------------------------------------------------------------------------------


def _url(period, suffix):
    return f"/api/reflection/periods/{period.pk}/{suffix}"


def test_the_api_refuses_the_issue_scenario_with_400_naming_the_field(at_100, worker):
    body = {"new_total_days": 100, "ground": "medical", "decided_on": TODAY.isoformat()}
    response = api(worker).post(_url(at_100, "extensions/"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["new_total_days"]
    at_100.refresh_from_db()
    assert (at_100.total_days, at_100.ends_on) == (30, DECIDED_AT_100)


def test_the_api_lift_takes_exactly_100_days_and_refuses_101(postponed, worker):
    client = api(worker)
    refused = client.post(
        _url(postponed, "lift/"),
        {"lifted_on": LIFTED.isoformat(), "new_ends_on": "2026-09-20"},
        format="json",
    )
    assert refused.status_code == 400
    assert list(refused.json()) == ["new_ends_on"]

    accepted = client.post(
        _url(postponed, "lift/"),
        {"lifted_on": LIFTED.isoformat(), "new_ends_on": DECIDED_AT_100.isoformat()},
        format="json",
    )
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["ends_on"] == DECIDED_AT_100.isoformat()


def test_the_api_correction_moves_the_deadline_within_100_days(at_100, worker):
    client = api(worker)
    refused = client.post(_url(at_100, "correction/"), {"starts_on": "2026-05-31"}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["starts_on"]

    accepted = client.post(_url(at_100, "correction/"), {"starts_on": "2026-06-02"}, format="json")
    assert accepted.status_code == 200, accepted.json()
    assert (accepted.json()["starts_on"], accepted.json()["ends_on"]) == ("2026-06-02", "2026-09-19")


def test_the_api_extension_reaches_exactly_100_days_and_refuses_101(period, worker):
    client = api(worker)
    body = {"ground": "medical", "decided_on": TODAY.isoformat()}
    refused = client.post(_url(period, "extensions/"), {**body, "new_total_days": 101}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["new_total_days"]
    accepted = client.post(_url(period, "extensions/"), {**body, "new_total_days": 100}, format="json")
    assert accepted.status_code == 201
    assert accepted.json()["ends_on"] == "2026-09-09"
