"""The period and scope a statistic is computed for (DESIGN.md §3).

An event belongs to a period by its local date in Europe/Copenhagen; a period is a closed range of calendar
dates [start, end]. Datetimes are compared with the period's bounds as aware datetimes at local midnight, so
that the database filters on its index instead of converting every row.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

QUARTER_PATTERN = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$")
YEAR_PATTERN = re.compile(r"^(\d{4})$")
EARLIEST_YEAR, LATEST_YEAR = 1990, 9998
MAX_YEARS = 5

PERIOD_ERRORS = {
    "period_format": _('Give a quarter such as "2026Q1" or a year such as "2026".'),
    "period_year": _("Give a year from 1990 to 9998."),
    "to_before_from": _("The last day cannot be before the first day."),
    "too_long": _("A period can be at most 5 years long."),
}


class PeriodError(ValueError):
    """A period that cannot be counted; `code` is a key of PERIOD_ERRORS and `field` the input at fault."""

    def __init__(self, code: str, field: str = "period"):
        super().__init__(str(PERIOD_ERRORS[code]))
        self.code = code
        self.field = field


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

    @property
    def quarter_number(self) -> int | None:
        """1 to 4 when the period is exactly one calendar quarter, else None."""
        q = (self.start.month - 1) // 3 + 1
        return q if self == Period.quarter(self.start.year, q) else None

    @property
    def is_year(self) -> bool:
        return self == Period.year(self.start.year)

    @property
    def code(self) -> str:
        """The short form the pages and the API take back: "2026Q1", "2026", or "2026-01-01..2026-02-15"."""
        if self.quarter_number:
            return f"{self.start.year}Q{self.quarter_number}"
        if self.is_year:
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def label(self) -> str:
        """The period for a reader in the active language: "Q1 2026", "2026" or "1 Jan 2026 - 15 Feb 2026"."""
        if self.quarter_number:
            return gettext("Q%(quarter)s %(year)s") % {
                "quarter": self.quarter_number,
                "year": self.start.year,
            }
        if self.is_year:
            return str(self.start.year)
        return f"{date_format(self.start, 'DATE_FORMAT')} - {date_format(self.end, 'DATE_FORMAT')}"

    def year_before(self) -> Period:
        """The same dates one year earlier (the same quarter last year for a quarter)."""
        if self.quarter_number:
            return Period.quarter(self.start.year - 1, self.quarter_number)
        return Period(_one_year_earlier(self.start), _one_year_earlier(self.end))

    def previous(self) -> Period:
        """The period of the same length just before this one (the previous quarter for a quarter, the
        previous year for a year)."""
        if self.is_year:
            return Period.year(self.start.year - 1)
        if self == Period.quarter(self.start.year, (self.start.month - 1) // 3 + 1):
            q = (self.start.month - 1) // 3 + 1
            return Period.quarter(self.start.year - (q == 1), (q - 2) % 4 + 1)
        return Period(
            self.start - datetime.timedelta(days=self.days), self.start - datetime.timedelta(days=1)
        )


def _one_year_earlier(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return datetime.date(day.year - 1, 2, 28)


def years_later(day: datetime.date, years: int) -> datetime.date:
    """The same calendar date `years` on (29 February becomes 1 March in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


def period_parse(text: str) -> Period:
    """Read a quarter ("2026Q1", "2026-Q1") or a year ("2026"); raise PeriodError for anything else."""
    value = (text or "").strip().upper()
    quarter, year = QUARTER_PATTERN.match(value), YEAR_PATTERN.match(value)
    if not (quarter or year):
        raise PeriodError("period_format")
    number = int((quarter or year).group(1))
    if not EARLIEST_YEAR <= number <= LATEST_YEAR:
        raise PeriodError("period_year")
    return Period.quarter(number, int(quarter.group(2))) if quarter else Period.year(number)


def period_between(start: datetime.date, end: datetime.date) -> Period:
    """A custom period from `start` to `end`, both included: in order, within the years a period may name,
    and at most MAX_YEARS long (PeriodError otherwise)."""
    if not EARLIEST_YEAR <= start.year <= LATEST_YEAR:
        raise PeriodError("period_year", "from")
    if not EARLIEST_YEAR <= end.year <= LATEST_YEAR:
        raise PeriodError("period_year", "to")
    if end < start:
        raise PeriodError("to_before_from", "to")
    if end >= years_later(start, MAX_YEARS):
        raise PeriodError("too_long", "to")
    return Period(start, end)


def quarter_containing(day: datetime.date) -> Period:
    return Period.quarter(day.year, (day.month - 1) // 3 + 1)


@dataclass(frozen=True)
class Scope:
    """Whose activity is counted: one organisation (its id), or all organisations (None)."""

    organisation_id: int | None = None

    @property
    def is_national(self) -> bool:
        return self.organisation_id is None
