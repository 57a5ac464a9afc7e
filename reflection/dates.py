"""The deadline of a reflection period: the one place the date arithmetic lives.

A period of N days starting on day S has its deadline on S + N days (30 days from 1 January: 31 January).
Deadlines are calendar dates: daylight-saving changes do not move them. While a postponement is open no
deadline runs (None). A lifted postponement adds the days it lasted (the remaining days continue after the
lift), unless a new deadline was decided at the lift, which then overrides the count; an extension granted
after such a lift adds its extra days to the decided deadline.
"""

from __future__ import annotations

import datetime

# The length of a reflection period before any extension.
STANDARD_DAYS = 30


def period_deadline(*, starts_on: datetime.date, total_days: int, postponements) -> datetime.date | None:
    """Return the deadline of a period of `total_days` from `starts_on`, given its postponements (objects with
    from_date, lifted_on, new_ends_on and optionally total_days_at_lift, in any order)."""
    deadline = starts_on + datetime.timedelta(days=total_days)
    for postponement in sorted(postponements, key=lambda p: p.from_date):
        if postponement.from_date > deadline:
            continue  # a postponement after the deadline changes nothing
        if postponement.lifted_on is None:
            return None
        if postponement.new_ends_on is not None:
            granted_then = getattr(postponement, "total_days_at_lift", None) or total_days
            deadline = postponement.new_ends_on + datetime.timedelta(days=total_days - granted_then)
        else:
            deadline += postponement.lifted_on - postponement.from_date
    return deadline


def days_left(deadline: datetime.date | None, today: datetime.date) -> int | None:
    return None if deadline is None else (deadline - today).days
