"""One headline figure over the last quarters, for the line chart of the statistics page."""

from __future__ import annotations

from cmm.routers import reading_reports
from reports.periods import Period
from reports.selectors.statistics import statistics_scope_for_user
from reports.services.statistics import statistics_publish
from reports.statistics.outreach import persons_met_table
from reports.suppression import should_suppress

TREND_QUARTERS = 8


def _quarters_up_to(period: Period, count: int) -> list[Period]:
    quarters = [period]
    for _i in range(count - 1):
        quarters.append(quarters[-1].previous())
    return quarters[::-1]


def statistics_trend(
    *,
    user,
    period: Period,
    organisation_id: int | None,
    quarters: int = TREND_QUARTERS,
    external: bool = False,
) -> list[tuple[Period, int | str | None]]:
    """Return the persons met (the total of table 1) in each of the `quarters` quarters ending with
    `period`, oldest first, as published to `user`: the scope is checked once (`statistics_scope_for_user`:
    PermissionDenied / Http404 as for the tables) and the small-cell rule applies as it does to the tables,
    so a total of 1-4 is "<5". One aggregate query per quarter."""
    if not period.quarter_number:
        raise ValueError("A trend runs over quarters: give a quarter.")
    if quarters < 1:
        raise ValueError("A trend needs at least one quarter.")
    scope = statistics_scope_for_user(user=user, organisation_id=organisation_id)
    periods = _quarters_up_to(period, quarters)
    with reading_reports():  # counting only, after the scope check: the reports replica may answer
        tables = [persons_met_table(period=quarter, scope=scope) for quarter in periods]
    published = statistics_publish(tables=tables, suppress=should_suppress(user=user, external=external))
    return [
        (quarter, table.table.totals.get("persons_met"))
        for quarter, table in zip(periods, published, strict=True)
    ]
