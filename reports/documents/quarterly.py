"""The quarterly statistics report (issue 9, report 1): every table of DESIGN.md §3 for the job's period and
scope, as published (the numbers of `statistics_compute` + `statistics_publish`, the same the API gives),
each with a bar chart of its main count; the totals beside those of the previous period; and the counting
rules in plain words."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports.charts import bar_chart_svg, chart_values
from reports.documents import RenderedReport
from reports.documents.base import PrintedTable, comparisons, printed_table, render_document
from reports.periods import Period, Scope
from reports.services.statistics import chart_column, statistics_compute, statistics_publish
from reports.suppression import SuppressedTable

# The counting rules of DESIGN.md §3 in plain words, in the order of the section.
COUNTING_NOTES = [
    (
        _("Persons met"),
        _(
            "A person with a case counts once, however often they were met. A person without a case but "
            "with an anonymous client code also counts once. A contact with neither counts as the number of "
            "people met together: the same person met twice then counts twice, so that figure is an "
            "estimate and is marked as one."
        ),
    ),
    (
        _("New persons"),
        _(
            "A person is new when the organisation's first recorded contact with their case or client code "
            "falls in the period. An anonymous contact without a client code is new when the worker ticked "
            "“first time met”. Across all organisations, a person new to two organisations counts for each."
        ),
    ),
    (
        _("Bed-days"),
        _(
            "Bed-days are nights: a stay from 10 to 12 January is 2 bed-days, and a night belongs to the "
            "date of its evening. A stay still open at the end of the period counts up to the period's "
            "last day. The average is the bed-days in the period divided by the persons with at least one "
            "night in it."
        ),
    ),
    (
        _("Hotline calls"),
        _(
            "Calls to a wrong number are recorded but not counted. "
            "A call belongs to the date it was received."
        ),
    ),
    (
        _("Which period an event belongs to"),
        _(
            "An event belongs to a period by its local date in Denmark (Europe/Copenhagen): presentations by "
            "presentation date, decisions by decision date, returns by the actual date of departure, calls "
            "by the time of the call."
        ),
    ),
    (
        _("Age bands"),
        _(
            "Ages are grouped in the bands of the CTDC global dataset: 0-8, 9-17, 18-20, 21-23, 24-26, "
            "27-29, 30-38, 39-47 and 48+, and unknown. The age is the age at first contact, or at "
            "presentation for the identification figures."
        ),
    ),
    (
        _("Small numbers"),
        _(
            "Outside CMM, and in every copy marked external, a count from 1 to 4 is shown as “<5”. "
            "Where a row or column would then have just one hidden count, the next smallest count in it is "
            "hidden too, so that no hidden count can be worked out from the totals; averages computed from a "
            "hidden count are shown as a dash."
        ),
    ),
]


def table_chart(published: SuppressedTable, *, series_name: str):
    """A bar chart of the table's main count per row; rows with nothing counted are left out (the table shows
    them), a hidden count is kept as a bar-less dash. None when the table has nothing to draw."""
    column = chart_column(published.table)
    labels, values = chart_values(published, column)
    shown = [(label, value) for label, value in zip(labels, values, strict=True) if value != 0]
    if not any(value for _label, value in shown):
        return None
    name = str(dict(published.table.columns)[column])
    return bar_chart_svg(
        title=name,
        labels=[label for label, _value in shown],
        series=[(series_name, [value for _label, value in shown])],
        width=640,
        bar_height=12,
    )


def printed_tables(published: list[SuppressedTable], *, period: Period) -> list[PrintedTable]:
    return [
        printed_table(table, number=number, chart=table_chart(table, series_name=period.label()))
        for number, table in enumerate(published, start=1)
    ]


def scope_label(job) -> str:
    return job.organisation.name if job.organisation_id else gettext("All organisations")


def statistics_context(job, *, title: str, published: list[SuppressedTable]) -> dict:
    """What the cover, the contents and the tables of a statistics report need (quarterly and activity)."""
    period = Period(job.period_start, job.period_end)
    return {
        "title": title,
        "period_label": period.label(),
        "scope_label": scope_label(job),
        "suppressed": job.suppressed,
        "tables": printed_tables(published, period=period),
    }


def render(job, *, on_progress: Callable[[int], None]) -> RenderedReport:
    """Render the quarterly statistics report of the job's period and scope."""
    period = Period(job.period_start, job.period_end)
    scope = Scope(job.organisation_id)
    published = statistics_publish(
        tables=statistics_compute(period=period, scope=scope), suppress=job.suppressed
    )
    previous_period = period.previous()
    previous = statistics_publish(
        tables=statistics_compute(period=previous_period, scope=scope), suppress=job.suppressed
    )
    on_progress(20)
    context = statistics_context(job, title=gettext("Quarterly statistics report"), published=published)
    context.update(
        previous_label=previous_period.label(),
        comparison=comparisons(published, previous),
        counting_notes=COUNTING_NOTES,
    )
    return render_document("reports/pdf/quarterly.html", context, on_progress=on_progress)
