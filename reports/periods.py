"""The period and scope a statistic is computed for (DESIGN.md §3).

An event belongs to a period by its local date in Europe/Copenhagen; a period is a closed range of calendar
dates [start, end]. Datetimes are compared with the period's bounds as aware datetimes at local midnight, so
that the database filters on its index instead of converting every row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings


@dataclass(frozen=True)
class Period:
    """A closed range of calendar dates: the first and the last day that belong to it."""

    start: datetime.date
    end: datetime.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("A period cannot end before it starts.")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise ValueError("A quarter is 1, 2, 3 or 4.")
        first_month = 3 * (quarter - 1) + 1
        start = datetime.date(year, first_month, 1)
        next_start = datetime.date(year + (quarter == 4), (first_month + 3 - 1) % 12 + 1, 1)
        return cls(start, next_start - datetime.timedelta(days=1))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def starts_at(self) -> datetime.datetime:
        """The first instant of the period (local midnight of its first day), aware."""
        return datetime.datetime.combine(self.start, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))

    def ends_before(self) -> datetime.datetime:
        """The first instant after the period (local midnight after its last day), aware."""
        after = self.end + datetime.timedelta(days=1)
        return datetime.datetime.combine(after, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))

    def previous(self) -> Period:
        """The period of the same length just before this one (the previous quarter for a quarter)."""
        if self == Period.quarter(self.start.year, (self.start.month - 1) // 3 + 1):
            q = (self.start.month - 1) // 3 + 1
            return Period.quarter(self.start.year - (q == 1), (q - 2) % 4 + 1)
        return Period(
            self.start - datetime.timedelta(days=self.days), self.start - datetime.timedelta(days=1)
        )


@dataclass(frozen=True)
class Scope:
    """Whose activity is counted: one organisation (its id), or all organisations (None)."""

    organisation_id: int | None = None

    @property
    def is_national(self) -> bool:
        return self.organisation_id is None
