import datetime

import pytest

from reports.periods import Period

D = datetime.date


def test_quarters_cover_the_year_without_gaps():
    assert Period.quarter(2026, 1) == Period(D(2026, 1, 1), D(2026, 3, 31))
    assert Period.quarter(2026, 4) == Period(D(2026, 10, 1), D(2026, 12, 31))
    assert Period.quarter(2028, 1).days == 91  # a leap year
    assert sum(Period.quarter(2026, q).days for q in (1, 2, 3, 4)) == Period.year(2026).days == 365


def test_the_previous_period_of_a_quarter_is_the_previous_quarter():
    assert Period.quarter(2026, 1).previous() == Period.quarter(2025, 4)
    assert Period.quarter(2026, 3).previous() == Period.quarter(2026, 2)
    assert Period(D(2026, 5, 10), D(2026, 5, 19)).previous() == Period(D(2026, 4, 30), D(2026, 5, 9))


def test_period_bounds_are_local_midnights():
    period = Period.quarter(2026, 2)
    assert period.starts_at().isoformat() == "2026-04-01T00:00:00+02:00"
    assert period.ends_before().isoformat() == "2026-07-01T00:00:00+02:00"


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        Period(D(2026, 2, 1), D(2026, 1, 31))
    with pytest.raises(ValueError):
        Period.quarter(2026, 5)
