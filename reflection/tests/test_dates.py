"""The deadline arithmetic of reflection.dates: pure functions, no database."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from reflection.dates import days_left, period_deadline

D = datetime.date


@dataclass
class P:
    """A postponement as period_deadline sees it."""

    from_date: datetime.date
    lifted_on: datetime.date | None = None
    new_ends_on: datetime.date | None = None


def test_thirty_days_from_new_year_end_on_31_january():
    assert period_deadline(starts_on=D(2026, 1, 1), total_days=30, postponements=[]) == D(2026, 1, 31)


def test_an_extension_to_100_days_counts_from_the_start():
    assert period_deadline(starts_on=D(2026, 1, 1), total_days=100, postponements=[]) == D(2026, 4, 11)


def test_after_a_lifted_postponement_the_remaining_days_continue():
    # Postponed on day 10 for 20 days: the 20 remaining days run from the lift.
    postponement = P(from_date=D(2026, 1, 11), lifted_on=D(2026, 1, 31))
    deadline = period_deadline(starts_on=D(2026, 1, 1), total_days=30, postponements=[postponement])
    assert deadline == D(2026, 2, 20)
    assert deadline - D(2026, 1, 31) == D(2026, 1, 31) - D(2026, 1, 11)


def test_a_new_deadline_decided_at_the_lift_overrides_the_count():
    postponement = P(from_date=D(2026, 1, 11), lifted_on=D(2026, 1, 31), new_ends_on=D(2026, 2, 10))
    assert period_deadline(starts_on=D(2026, 1, 1), total_days=30, postponements=[postponement]) == D(
        2026, 2, 10
    )


def test_while_postponed_no_deadline_runs():
    assert (
        period_deadline(starts_on=D(2026, 1, 1), total_days=30, postponements=[P(from_date=D(2026, 1, 11))])
        is None
    )


def test_a_postponement_starting_after_the_deadline_changes_nothing():
    late = P(from_date=D(2026, 2, 1), lifted_on=D(2026, 2, 20))
    assert period_deadline(starts_on=D(2026, 1, 1), total_days=30, postponements=[late]) == D(2026, 1, 31)
    still_open = P(from_date=D(2026, 2, 1))
    assert period_deadline(starts_on=D(2026, 1, 1), total_days=30, postponements=[still_open]) == D(
        2026, 1, 31
    )


def test_two_lifted_postponements_add_up_in_any_order():
    first = P(from_date=D(2026, 1, 5), lifted_on=D(2026, 1, 10))  # 5 days
    second = P(from_date=D(2026, 2, 1), lifted_on=D(2026, 2, 4))  # 3 days, before the moved deadline
    assert period_deadline(starts_on=D(2026, 1, 1), total_days=30, postponements=[second, first]) == D(
        2026, 2, 8
    )


def test_a_period_across_29_february_of_a_leap_year():
    assert period_deadline(starts_on=D(2028, 2, 15), total_days=30, postponements=[]) == D(2028, 3, 16)
    assert period_deadline(starts_on=D(2027, 2, 15), total_days=30, postponements=[]) == D(2027, 3, 17)
    assert period_deadline(starts_on=D(2028, 1, 30), total_days=100, postponements=[]) == D(2028, 5, 9)


@pytest.mark.parametrize(
    ("starts_on", "deadline"),
    [
        (D(2026, 3, 1), D(2026, 3, 31)),  # across the spring change (29 March 2026)
        (D(2026, 2, 27), D(2026, 3, 29)),  # ends on the spring change day
        (D(2026, 10, 1), D(2026, 10, 31)),  # across the autumn change (25 October 2026)
        (D(2026, 9, 25), D(2026, 10, 25)),  # ends on the autumn change day
    ],
)
def test_daylight_saving_changes_do_not_move_calendar_deadlines(starts_on, deadline):
    assert period_deadline(starts_on=starts_on, total_days=30, postponements=[]) == deadline


@pytest.mark.parametrize(
    ("moment", "deadline", "left"),
    [
        # Just after midnight and late in the evening in Copenhagen on the change days: "today" is the
        # Danish date (not UTC's), and the count is in calendar days.
        (datetime.datetime(2026, 3, 29, 0, 30, tzinfo=ZoneInfo("Europe/Copenhagen")), D(2026, 3, 31), 2),
        (datetime.datetime(2026, 3, 29, 23, 30, tzinfo=ZoneInfo("Europe/Copenhagen")), D(2026, 3, 31), 2),
        (datetime.datetime(2026, 3, 30, 0, 30, tzinfo=ZoneInfo("Europe/Copenhagen")), D(2026, 3, 31), 1),
        (datetime.datetime(2026, 10, 25, 0, 30, tzinfo=ZoneInfo("Europe/Copenhagen")), D(2026, 10, 27), 2),
        (datetime.datetime(2026, 10, 25, 23, 30, tzinfo=ZoneInfo("Europe/Copenhagen")), D(2026, 10, 27), 2),
        (datetime.datetime(2026, 10, 24, 23, 30, tzinfo=ZoneInfo("Europe/Copenhagen")), D(2026, 10, 25), 1),
    ],
)
def test_days_left_on_daylight_saving_change_days_follows_the_danish_date(moment, deadline, left):
    with time_machine.travel(moment, tick=False):
        today = timezone.localdate()
    assert days_left(deadline, today) == left


def test_days_left():
    assert days_left(D(2026, 1, 31), D(2026, 1, 24)) == 7
    assert days_left(D(2026, 1, 31), D(2026, 1, 31)) == 0
    assert days_left(D(2026, 1, 31), D(2026, 2, 2)) == -2
    assert days_left(D(2026, 3, 1), D(2026, 2, 28)) == 1
    assert days_left(D(2028, 3, 1), D(2028, 2, 28)) == 2
    assert days_left(None, D(2026, 1, 1)) is None
