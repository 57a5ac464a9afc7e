"""Bed-days (belægningsdage), the one place the rule lives (DESIGN.md §3).

Bed-days are nights: a stay from 10 to 12 January is 2 bed-days. A night belongs to the date of its evening,
so the nights of a stay are the dates admitted_on .. discharged_on - 1. A stay still open counts up to the
end of the period.
"""

import datetime

ONE_DAY = datetime.timedelta(days=1)


def bed_days(
    *,
    admitted_on: datetime.date,
    discharged_on: datetime.date | None,
    start: datetime.date,
    end: datetime.date,
) -> int:
    """Count the nights of a stay whose evening falls in the period start..end (both included)."""
    first_night = max(admitted_on, start)
    # The last night is the evening before discharge; an open stay runs to the period's last evening.
    last_night = end if discharged_on is None else min(discharged_on - ONE_DAY, end)
    return max((last_night - first_night).days + 1, 0)
