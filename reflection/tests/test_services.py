"""The rules of reflection periods, through the services that enforce them (DESIGN.md §2)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.choices import EventKind, ResidenceStatus
from cases.models import CaseEvent
from cmm.models import Role
from identification.choices import Outcome, TaskKind, TaskStatus
from identification.models import IdentificationTask
from identification.services import decision_record
from reflection.choices import ExtensionGround, PeriodKind, PeriodOutcome
from reflection.models import ReflectionPeriod
from reflection.services import (
    period_end,
    period_extend,
    period_lift_postponement,
    period_postpone,
    period_start,
)

pytestmark = pytest.mark.django_db

D = datetime.date
STATUTORY_START = D(2026, 3, 21)  # the day after the Immigration Service identified the person


@pytest.fixture(autouse=True)
def today():
    """Every test runs on 1 April 2026 (Copenhagen), unless it travels elsewhere itself."""
    with time_machine.travel(datetime.datetime(2026, 4, 1, 10, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def worker(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def period(identified_case, worker):
    return period_start(case=identified_case, by=worker, kind=PeriodKind.STATUTORY, starts_on=STATUTORY_START)


def _messages(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Starting ---------------------------------------------------------------------------------------


def test_a_period_runs_30_days_by_default(period):
    assert (period.initial_days, period.total_days) == (30, 30)
    assert period.ends_on == D(2026, 4, 20)
    assert period.decision is not None


def test_a_shorter_period_needs_a_special_reason(identified_case, worker):
    with pytest.raises(ValidationError) as excinfo:
        period_start(
            case=identified_case,
            by=worker,
            kind=PeriodKind.STATUTORY,
            starts_on=STATUTORY_START,
            initial_days=20,
        )
    assert "short_reason" in _messages(excinfo)
    with pytest.raises(ValidationError):
        period_start(
            case=identified_case,
            by=worker,
            kind=PeriodKind.STATUTORY,
            starts_on=STATUTORY_START,
            initial_days=20,
            short_reason="   ",
        )
    assert not ReflectionPeriod.objects.exists()

    period = period_start(
        case=identified_case,
        by=worker,
        kind=PeriodKind.STATUTORY,
        starts_on=STATUTORY_START,
        initial_days=20,
        short_reason="Special reasons speak against 30 days.",
    )
    assert period.ends_on == D(2026, 4, 10)


@pytest.mark.parametrize("days", [31, 100, 0])
def test_an_initial_length_outside_1_to_30_days_is_refused(identified_case, worker, days):
    with pytest.raises(ValidationError) as excinfo:
        period_start(
            case=identified_case,
            by=worker,
            kind=PeriodKind.STATUTORY,
            starts_on=STATUTORY_START,
            initial_days=days,
            short_reason="A reason",
        )
    assert "initial_days" in _messages(excinfo)
    assert not ReflectionPeriod.objects.exists()


def test_a_second_running_period_is_refused(period, identified_case, worker):
    with pytest.raises(ValidationError) as excinfo:
        period_start(case=identified_case, by=worker, kind=PeriodKind.ACTION_PLAN, starts_on=D(2026, 3, 25))
    assert "kind" in _messages(excinfo)
    assert ReflectionPeriod.objects.filter(case=identified_case).count() == 1


def test_the_database_refuses_two_running_periods_of_one_case(period, identified_case, worker):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReflectionPeriod.objects.create(
            case=identified_case, kind=PeriodKind.ACTION_PLAN, starts_on=D(2026, 3, 25), total_days=30
        )


def test_a_new_period_may_start_once_the_running_one_has_ended(period, identified_case, worker):
    period_end(period=period, by=worker, outcome=PeriodOutcome.ASYLUM_APPLICATION, outcome_on=D(2026, 3, 25))
    second = period_start(
        case=identified_case, by=worker, kind=PeriodKind.STATUTORY, starts_on=D(2026, 3, 26)
    )
    assert second.is_running


def test_a_statutory_period_without_any_identification_is_refused(case_a, worker):
    with pytest.raises(ValidationError) as excinfo:
        period_start(case=case_a, by=worker, kind=PeriodKind.STATUTORY, starts_on=STATUTORY_START)
    assert "kind" in _messages(excinfo)
    assert not ReflectionPeriod.objects.exists()


def test_a_not_identified_decision_does_not_allow_a_statutory_period(case_a, users_a, deciders, present):
    presentation = present(case_a, by=users_a[Role.CASEWORKER])
    decision_record(
        presentation=presentation,
        by=deciders["us"],
        outcome=Outcome.NOT_IDENTIFIED,
        decided_on=D(2026, 3, 20),
    )
    with pytest.raises(ValidationError):
        period_start(
            case=case_a, by=users_a[Role.CASEWORKER], kind=PeriodKind.STATUTORY, starts_on=STATUTORY_START
        )


def test_an_identification_corrected_to_not_identified_does_not_count(identified_case, worker, deciders):
    current = identified_case.presentations.get().decisions.get()
    decision_record(
        presentation=current.presentation,
        by=deciders["us"],
        outcome=Outcome.NOT_IDENTIFIED,
        decided_on=D(2026, 3, 25),
        corrects=current,
    )
    with pytest.raises(ValidationError):
        period_start(case=identified_case, by=worker, kind=PeriodKind.STATUTORY, starts_on=D(2026, 3, 26))


def test_a_cmm_identification_does_not_allow_a_statutory_period(users_a, deciders, present, open_case):
    worker = users_a[Role.CASEWORKER]
    case = open_case(by=worker, residence_status=ResidenceStatus.EU_CITIZEN)
    presentation = present(case, by=worker)
    decision = decision_record(
        presentation=presentation,
        by=deciders["cmm"],
        outcome=Outcome.IDENTIFIED,
        decided_on=D(2026, 3, 20),
        exploitation_types=["forced_labour"],
    )
    assert decision.authority == "cmm"
    with pytest.raises(ValidationError):
        period_start(case=case, by=worker, kind=PeriodKind.STATUTORY, starts_on=STATUTORY_START)
    # The person has legal residence: the action-plan period is theirs.
    period = period_start(case=case, by=worker, kind=PeriodKind.ACTION_PLAN, starts_on=STATUTORY_START)
    assert period.kind == PeriodKind.ACTION_PLAN


def test_an_action_plan_period_needs_no_identification(case_a, worker):
    period = period_start(case=case_a, by=worker, kind=PeriodKind.ACTION_PLAN, starts_on=D(2026, 3, 2))
    assert period.decision is None
    assert period.ends_on == D(2026, 4, 1)


def test_a_statutory_period_cannot_start_before_the_identification(identified_case, worker):
    with pytest.raises(ValidationError) as excinfo:
        period_start(case=identified_case, by=worker, kind=PeriodKind.STATUTORY, starts_on=D(2026, 3, 19))
    assert "starts_on" in _messages(excinfo)


def test_a_period_cannot_start_in_the_future(case_a, worker):
    with pytest.raises(ValidationError) as excinfo:
        period_start(case=case_a, by=worker, kind=PeriodKind.ACTION_PLAN, starts_on=D(2026, 4, 2))
    assert "starts_on" in _messages(excinfo)


def test_starting_a_statutory_period_closes_the_identification_task(identified_case, worker):
    task = IdentificationTask.objects.get(case=identified_case, kind=TaskKind.START_REFLECTION)
    assert task.status == TaskStatus.OPEN
    period_start(case=identified_case, by=worker, kind=PeriodKind.STATUTORY, starts_on=STATUTORY_START)
    task.refresh_from_db()
    assert (task.status, task.done_on, task.done_by) == (TaskStatus.DONE, D(2026, 4, 1), worker)


def test_starting_writes_a_case_event(period, identified_case, worker):
    event = CaseEvent.objects.filter(case=identified_case, kind=EventKind.REFLECTION).get()
    assert event.data == {"step": "started", "days": 30, "kind": "statutory", "ends_on": "2026-04-20"}
    assert (event.occurred_on, event.actor) == (STATUTORY_START, worker)


# --- Extending --------------------------------------------------------------------------------------


def test_an_extension_to_100_days_moves_the_deadline(period, worker):
    period_extend(
        period=period,
        by=worker,
        new_total_days=100,
        ground=ExtensionGround.TESTIMONY,
        decided_on=D(2026, 4, 1),
    )
    period.refresh_from_db()
    assert (period.total_days, period.ends_on) == (100, D(2026, 6, 29))
    event = CaseEvent.objects.filter(kind=EventKind.REFLECTION).latest("id")
    assert event.data == {
        "step": "extended",
        "days": 100,
        "ground": ExtensionGround.TESTIMONY,
        "ends_on": "2026-06-29",
    }


def test_101_days_are_refused(period, worker):
    with pytest.raises(ValidationError) as excinfo:
        period_extend(
            period=period,
            by=worker,
            new_total_days=101,
            ground=ExtensionGround.MEDICAL,
            decided_on=D(2026, 4, 1),
        )
    assert "new_total_days" in _messages(excinfo)
    period.refresh_from_db()
    assert (period.total_days, period.extensions.count()) == (30, 0)


def test_two_extensions_cannot_add_up_beyond_100_days(period, worker):
    period_extend(
        period=period, by=worker, new_total_days=60, ground=ExtensionGround.MEDICAL, decided_on=D(2026, 4, 1)
    )
    with pytest.raises(ValidationError):
        period_extend(
            period=period,
            by=worker,
            new_total_days=120,
            ground=ExtensionGround.MEDICAL,
            decided_on=D(2026, 4, 1),
        )
    period_extend(
        period=period, by=worker, new_total_days=100, ground=ExtensionGround.MEDICAL, decided_on=D(2026, 4, 1)
    )
    period.refresh_from_db()
    assert period.total_days == 100


@pytest.mark.parametrize("days", [30, 20])
def test_an_extension_not_longer_than_the_current_length_is_refused(period, worker, days):
    with pytest.raises(ValidationError) as excinfo:
        period_extend(
            period=period,
            by=worker,
            new_total_days=days,
            ground=ExtensionGround.MEDICAL,
            decided_on=D(2026, 4, 1),
        )
    assert "new_total_days" in _messages(excinfo)


def test_an_extension_decided_after_the_deadline_is_refused(case_a, worker):
    with time_machine.travel(datetime.datetime(2026, 4, 10, 10, tzinfo=datetime.UTC), tick=False):
        period = period_start(case=case_a, by=worker, kind=PeriodKind.ACTION_PLAN, starts_on=D(2026, 3, 5))
        assert period.ends_on == D(2026, 4, 4)
        with pytest.raises(ValidationError) as excinfo:
            period_extend(
                period=period,
                by=worker,
                new_total_days=60,
                ground=ExtensionGround.MEDICAL,
                decided_on=D(2026, 4, 5),
            )
        assert "decided_on" in _messages(excinfo)
        # Decided on the deadline day itself the period was still running.
        period_extend(
            period=period,
            by=worker,
            new_total_days=60,
            ground=ExtensionGround.MEDICAL,
            decided_on=D(2026, 4, 4),
        )
    period.refresh_from_db()
    assert period.ends_on == D(2026, 5, 4)


def test_an_other_ground_needs_an_explanation(period, worker):
    with pytest.raises(ValidationError) as excinfo:
        period_extend(
            period=period,
            by=worker,
            new_total_days=60,
            ground=ExtensionGround.OTHER,
            decided_on=D(2026, 4, 1),
        )
    assert "ground_text" in _messages(excinfo)
    period_extend(
        period=period,
        by=worker,
        new_total_days=60,
        ground=ExtensionGround.OTHER,
        ground_text="Caring for a sick child.",
        decided_on=D(2026, 4, 1),
    )


def test_an_extension_cannot_be_decided_before_the_start_or_in_the_future(period, worker):
    for day in (D(2026, 3, 20), D(2026, 4, 2)):
        with pytest.raises(ValidationError) as excinfo:
            period_extend(
                period=period, by=worker, new_total_days=60, ground=ExtensionGround.MEDICAL, decided_on=day
            )
        assert "decided_on" in _messages(excinfo)


# --- Postponing -------------------------------------------------------------------------------------


def test_postponement_stops_the_deadline_and_the_lift_lets_the_rest_run(period, worker):
    period_postpone(period=period, by=worker, from_date=D(2026, 3, 25), reason="Home-country assessment")
    period.refresh_from_db()
    assert period.ends_on is None
    period_lift_postponement(period=period, by=worker, lifted_on=D(2026, 4, 1))
    period.refresh_from_db()
    assert period.ends_on == D(2026, 4, 27)  # 20 April + the 7 postponed days


def test_a_new_deadline_decided_at_the_lift_overrides(period, worker):
    period_postpone(period=period, by=worker, from_date=D(2026, 3, 25), reason="Home-country assessment")
    period_lift_postponement(period=period, by=worker, lifted_on=D(2026, 4, 1), new_ends_on=D(2026, 4, 15))
    period.refresh_from_db()
    assert period.ends_on == D(2026, 4, 15)


def test_a_new_deadline_before_the_lift_or_the_start_is_refused(period, worker):
    period_postpone(period=period, by=worker, from_date=D(2026, 3, 25), reason="Home-country assessment")
    for day in (D(2026, 3, 31), D(2026, 3, 1)):
        with pytest.raises(ValidationError) as excinfo:
            period_lift_postponement(period=period, by=worker, lifted_on=D(2026, 4, 1), new_ends_on=day)
        assert "new_ends_on" in _messages(excinfo)
    period.refresh_from_db()
    assert period.ends_on is None


def test_a_new_deadline_beyond_100_days_is_refused(period, worker):
    period_postpone(period=period, by=worker, from_date=D(2026, 3, 25), reason="Home-country assessment")
    # 21 March + 100 days + 7 postponed days = 6 July 2026; one day more is refused.
    with pytest.raises(ValidationError):
        period_lift_postponement(period=period, by=worker, lifted_on=D(2026, 4, 1), new_ends_on=D(2026, 7, 7))
    period_lift_postponement(period=period, by=worker, lifted_on=D(2026, 4, 1), new_ends_on=D(2026, 7, 6))


def test_a_period_cannot_be_postponed_twice_at_once(period, worker):
    period_postpone(period=period, by=worker, from_date=D(2026, 3, 25), reason="Home-country assessment")
    with pytest.raises(ValidationError):
        period_postpone(period=period, by=worker, from_date=D(2026, 3, 26), reason="Again")


# --- Ending -----------------------------------------------------------------------------------------


def test_ending_records_the_outcome_and_an_event(period, worker):
    period_end(period=period, by=worker, outcome=PeriodOutcome.PREPARED_RETURN, outcome_on=D(2026, 3, 30))
    period.refresh_from_db()
    assert (period.outcome, period.outcome_on, period.is_running) == (
        PeriodOutcome.PREPARED_RETURN,
        D(2026, 3, 30),
        False,
    )
    steps = list(CaseEvent.objects.filter(kind=EventKind.REFLECTION).values_list("data__step", flat=True))
    assert sorted(steps) == ["ended", "started"]


def test_an_outcome_dated_before_the_start_is_refused(period, worker):
    with pytest.raises(ValidationError) as excinfo:
        period_end(period=period, by=worker, outcome=PeriodOutcome.DISAPPEARED, outcome_on=D(2026, 3, 20))
    assert "outcome_on" in _messages(excinfo)
    period.refresh_from_db()
    assert period.is_running


def test_an_end_without_an_outcome_or_with_an_unknown_one_is_refused(period, worker):
    for outcome in ("", "vanished"):
        with pytest.raises(ValidationError):
            period_end(period=period, by=worker, outcome=outcome, outcome_on=D(2026, 3, 30))
    period.refresh_from_db()
    assert period.is_running


def test_an_ended_period_cannot_change(period, worker):
    period_end(period=period, by=worker, outcome=PeriodOutcome.LEFT_ON_OWN, outcome_on=D(2026, 3, 30))
    period.refresh_from_db()
    changes = [
        lambda: period_extend(
            period=period,
            by=worker,
            new_total_days=60,
            ground=ExtensionGround.MEDICAL,
            decided_on=D(2026, 3, 30),
        ),
        lambda: period_postpone(period=period, by=worker, from_date=D(2026, 3, 30), reason="Assessment"),
        lambda: period_end(period=period, by=worker, outcome=PeriodOutcome.OTHER, outcome_on=D(2026, 3, 31)),
    ]
    for change in changes:
        with pytest.raises(ValidationError):
            change()
    period.refresh_from_db()
    assert (period.outcome, period.total_days, period.postponements.count()) == (
        PeriodOutcome.LEFT_ON_OWN,
        30,
        0,
    )
