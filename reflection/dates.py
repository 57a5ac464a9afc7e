"""The deadline of a reflection period: the one place the date arithmetic and the 100-day rule live.

A period of N days starting on day S has its deadline on S + N days (30 days from 1 January: 31 January).
Deadlines are calendar dates: daylight-saving changes do not move them. While a postponement is open no
deadline runs (None). A lifted postponement adds the days it lasted (the remaining days continue after the
lift), unless a new deadline was decided at the lift, which then overrides the count; an extension granted
after such a lift adds its extra days to the decided deadline.

However the deadline was reached, a period runs at most 100 days in total: the days from its start to its
deadline less the days it was postponed (postponed days do not run). `refuse_beyond_limit` is that rule;
every service that moves a deadline (extension, lift, correction) asks it before writing.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The length of a reflection period before any extension.
STANDARD_DAYS = 30
# The most days a period runs in total, extensions and decided deadlines included (Aliens Act § 33(14)).
MAX_DAYS = 100


class _Settled(NamedTuple):
    """An open postponement as if lifted on the day it began: the remaining days then continue."""

    from_date: datetime.date
    lifted_on: datetime.date
    new_ends_on: None = None
    total_days_at_lift: None = None


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


def days_counted(*, starts_on: datetime.date, total_days: int, postponements) -> int:
    """Return the days a period runs from its start to its deadline: the days it was postponed do not run.

    An open postponement counts as lifted at once, since the remaining days continue whenever it is lifted
    (a new deadline decided at that lift is counted by the lift). Overlapping postponements count once."""
    settled = [p if p.lifted_on is not None else _Settled(p.from_date, p.from_date) for p in postponements]
    deadline = period_deadline(starts_on=starts_on, total_days=total_days, postponements=settled)
    stopped = sorted(
        (max(p.from_date, starts_on), min(p.lifted_on, deadline))
        for p in settled
        if p.from_date < deadline and p.lifted_on > starts_on
    )
    postponed, reached = 0, starts_on
    for begin, end in stopped:
        begin = max(begin, reached)
        if end > begin:
            postponed += (end - begin).days
            reached = end
    return (deadline - starts_on).days - postponed


def refuse_beyond_limit(*, starts_on: datetime.date, total_days: int, postponements, field: str) -> int:
    """Refuse a period of more than 100 days in total (ValidationError on `field`): neither the length granted
    nor the days counted from the start to the deadline, postponed days left out, may pass MAX_DAYS. Every
    change of a deadline asks this with the period as it would be after the change; returns the days counted.
    """
    counted = days_counted(starts_on=starts_on, total_days=total_days, postponements=postponements)
    if total_days > MAX_DAYS or counted > MAX_DAYS:
        raise ValidationError(
            {
                field: _(
                    "A reflection period can last at most 100 days in total, postponed days not counted: "
                    "this would make %(days)s days."
                )
                % {"days": max(counted, total_days)}
            }
        )
    return counted


def days_left(deadline: datetime.date | None, today: datetime.date) -> int | None:
    return None if deadline is None else (deadline - today).days


class ExtensionLimit(NamedTuple):
    """How far a period may still be extended: the longest total length the 100-day rule allows, how many days
    that adds, and the deadline it gives (None while a postponement is open: then no deadline runs)."""

    max_total_days: int
    more_days: int
    latest_deadline: datetime.date | None


def extension_limit(*, starts_on: datetime.date, total_days: int, postponements) -> ExtensionLimit:
    """Return the longest extension `refuse_beyond_limit` allows for the period as it stands.

    The rule is asked, not re-implemented: the longest total length from MAX_DAYS down that it accepts (the
    days counted grow with the length, so the first accepted is the longest)."""
    postponements = list(postponements)
    longest = total_days
    for candidate in range(MAX_DAYS, total_days, -1):
        try:
            refuse_beyond_limit(
                starts_on=starts_on, total_days=candidate, postponements=postponements, field="limit"
            )
        except ValidationError:
            continue
        longest = candidate
        break
    deadline = period_deadline(starts_on=starts_on, total_days=longest, postponements=postponements)
    return ExtensionLimit(longest, longest - total_days, deadline)


def total_days_for_deadline(
    *, starts_on: datetime.date, total_days: int, postponements, new_deadline: datetime.date
) -> int | None:
    """Return the total length that moves the period's deadline to `new_deadline` (each day granted moves the
    deadline one day); None while a postponement is open, when no deadline runs."""
    postponements = list(postponements)
    deadline = period_deadline(starts_on=starts_on, total_days=total_days, postponements=postponements)
    if deadline is None:
        return None
    return total_days + (new_deadline - deadline).days
