"""Compute the statistics of DESIGN.md §3 for a period and scope, and prepare them for publication.

`statistics_compute` is the one list of tables, in the published order, that the page, the API, the exports
and the PDF all print; `statistics_publish` applies the small-cell rule (reports.suppression) to each table
with the columns its builder declares as counts, totals and averages.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from cmm.routers import reading_reports
from reports.periods import Period, Scope
from reports.statistics.casework import (
    identification_table,
    minors_table,
    reflection_table,
    returns_table,
    shelters_table,
)
from reports.statistics.outreach import (
    clinic_consultations_table,
    hotline_calls_by_quarter_table,
    hotline_calls_table,
    meeting_place_table,
    new_persons_table,
    persons_met_table,
    police_raids_table,
)
from reports.suppression import SuppressedTable, table_suppress
from reports.tables import Table


@dataclass(frozen=True)
class _Layout:
    """Which columns of a table are counts, row totals and averages (see `table_suppress`)."""

    count_columns: Collection[str] | None = None  # None: every column
    total_columns: Collection[str] = ()
    derived_columns: Mapping[str, Collection[str]] = field(default_factory=dict)
    # Rows keyed "section:value" whose sections each add up to the totals (see `table_suppress`).
    sectioned: bool = False


def _section(row_key: str) -> str:
    return row_key.split(":", 1)[0]


# Opening days and clinic days count days, not people, so they are published as they are; the averages and
# the share are computed from the visits, so they are hidden with them.
_MEETING_PLACE = _Layout(
    count_columns=("visits", "returning_visits", "clinic_visits"),
    derived_columns={
        "returning_share": ("returning_visits", "visits"),
        "visits_per_day": ("visits",),
        "visits_per_clinic_day": ("clinic_visits",),
    },
)

LAYOUTS: dict[str, _Layout] = {
    "new_persons": _Layout(total_columns=("total",)),
    "meeting_place": _MEETING_PLACE,
    "clinic_consultations": _Layout(count_columns=("consultations",)),
    "hotline_calls": _Layout(total_columns=("total",)),
    "hotline_calls_by_quarter": _Layout(total_columns=("total",)),
    "shelters": _Layout(
        count_columns=("admissions", "discharges", "bed_days", "persons"),
        derived_columns={"average_bed_days": ("bed_days", "persons")},
    ),
    "returns": _Layout(total_columns=("total",)),
    "identification": _Layout(sectioned=True),
    "minors": _Layout(sectioned=True),
}


# The count each table's chart draws (on the page and in the PDFs); another table draws its "total"
# column, else its first.
CHART_COLUMNS = {
    "persons_met": "persons_met",
    "new_persons": "total",
    "meeting_place": "visits",
    "clinic_consultations": "consultations",
    "police_raids": "raids",
    "hotline_calls": "total",
    "hotline_calls_by_quarter": "total",
    "shelters": "bed_days",
    "identification": "presentations",
    "reflection": "started",
    "returns": "total",
    "minors": "presented",
    # The activity report's own tables.
    "contacts_by_venue": "contacts",
    "contacts_by_month": "contacts",
    "cases": "opened",
    "services": "offered",
}


def chart_column(table: Table) -> str:
    """The column of `table` that its chart draws."""
    keys = [key for key, _label in table.columns]
    for wanted in (CHART_COLUMNS.get(table.key), "total"):
        if wanted in keys:
            return wanted
    return keys[0]


def _spans_several_quarters(period: Period) -> bool:
    def quarter(day):
        return day.year, (day.month - 1) // 3

    return quarter(period.start) != quarter(period.end)


def statistics_compute(*, period: Period, scope: Scope) -> list[Table]:
    """Compute every table of DESIGN.md §3 for the period and scope, in the published order (1 to 10); the
    hotline calls by quarter only when the period spans more than one quarter."""
    builders: list[Callable[..., Table]] = [
        persons_met_table,
        new_persons_table,
        meeting_place_table,
        clinic_consultations_table,
        police_raids_table,
        hotline_calls_table,
    ]
    if _spans_several_quarters(period):
        builders.append(hotline_calls_by_quarter_table)
    builders += [shelters_table, identification_table, reflection_table, returns_table, minors_table]
    # Counting only, after the caller has checked the scope: the reads may go to the reports replica.
    with reading_reports():
        return [build(period=period, scope=scope) for build in builders]


def statistics_publish(*, tables: list[Table], suppress: bool) -> list[SuppressedTable]:
    """Prepare the tables for a reader: with the small-cell rule applied when `suppress` (anyone outside CMM,
    every external export), else exact."""
    if not suppress:
        return [SuppressedTable.exact(table) for table in tables]
    published = []
    for table in tables:
        layout = LAYOUTS.get(table.key, _Layout())
        published.append(
            table_suppress(
                table=table,
                count_columns=layout.count_columns,
                total_columns=layout.total_columns,
                derived_columns=layout.derived_columns,
                row_section=_section if layout.sectioned else None,
            )
        )
    return published
