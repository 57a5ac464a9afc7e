"""The statistics page (every table of DESIGN.md §3 for a period and scope, compared with the previous period
and the same period a year earlier, with charts) and its CSV/XLSX export.

Who may see which scope, and whether small counts are suppressed, is decided by reports.selectors.statistics
(another organisation is "not found", a role without statistics is refused); the numbers come from
`statistics_for_user`, so the page prints what the API, the exports and the PDF print.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from cases.apis.common import MAX_ID
from cmm.two_factor.access import FreshSecondFactorRequiredMixin
from reports.charts import bar_chart_svg, chart_values, line_chart_svg
from reports.forms import ALL, CUSTOM, StatisticsForm
from reports.periods import Period
from reports.selectors.organisations import statistics_organisation_choices, statistics_scope_label
from reports.selectors.statistics import (
    statistics_default_organisation_for_user,
    statistics_for_user,
    statistics_scope_for_user,
)
from reports.services.exports import EXPORT_FORMATS, statistics_export
from reports.services.statistics import chart_column
from reports.services.trend import statistics_trend
from reports.suppression import HIDDEN, SUPPRESSED, SUPPRESSION_NOTE, TOTALS, SuppressedTable, should_suppress
from reports.views.common import StatisticsRequiredMixin, download_response

CHART_WIDTH = 360  # the charts' viewBox on the page: legible on a phone, not huge on a desktop


EXACT_NOTE = gettext_lazy(
    "These are CMM's internal figures: every count is exact. Do not publish them as they are; choose "
    '"As published outside CMM" to see them with small counts suppressed.'
)
EXACT_NOTE_SHORT = gettext_lazy("These are CMM's internal figures: every count is exact.")


@dataclass
class Cell:
    text: str
    css: str = ""  # "stat--suppressed" / "stat--hidden" for a protected figure


@dataclass
class TableView:
    """One published table laid out for the template, with its comparison and chart."""

    key: str
    number: int
    title: str
    columns: list[str]
    rows: list[tuple[str, list[Cell]]]
    totals: list[Cell]
    notes: list[str]
    comparison: list[tuple[str, list[Cell]]]
    main_column: str
    chart: SafeString | None  # None when every row is 0 in all three periods


def display(value) -> str:
    """A value as the page prints it: numbers in the active language, marks as published, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return number_format(value)
    return str(value)


def _css(value) -> str:
    if value == SUPPRESSED:
        return "stat--suppressed"
    if value == HIDDEN:
        return "stat--hidden"
    return ""


def _cells(values) -> list[Cell]:
    return [Cell(display(value), _css(value)) for value in values]


def _by_row(published: SuppressedTable | None, column: str) -> dict[str, float | None]:
    if published is None:
        return {}
    _labels, values = chart_values(published, column)
    return {row.key: value for row, value in zip(published.table.rows, values, strict=True)}


def table_views(
    published: list[SuppressedTable],
    previous: list[SuppressedTable],
    year_before: list[SuppressedTable],
    *,
    periods: tuple[Period, Period, Period],
) -> list[TableView]:
    """Lay the tables out with the totals of the two earlier periods and a bar chart of the main column.

    The earlier periods are matched by table key and row key (a custom period's neighbours may have other
    tables or rows); a row missing there is drawn as a dash, never as an invented zero. Rows that are 0 in
    all three periods are left out of the chart (not the table), and a table with nothing else has none."""
    earlier = [{t.table.key: t for t in previous}, {t.table.key: t for t in year_before}]
    names = [period.label() for period in periods]
    views = []
    for number, this in enumerate(published, start=1):
        table = this.table
        keys = [key for key, _label in table.columns]
        others = [by_key.get(table.key) for by_key in earlier]
        comparison = [(names[0], _cells(table.totals.get(key) for key in keys))]
        for name, other in zip(names[1:], others, strict=True):
            totals = other.table.totals if other is not None else {}
            comparison.append((name, _cells(totals.get(key) for key in keys)))

        column = chart_column(this.table)
        labels, values = chart_values(this, column)
        earlier_values = [_by_row(other, column) for other in others]
        series = [values, *([by_row.get(row.key) for row in table.rows] for by_row in earlier_values)]
        keep = [index for index, row in enumerate(table.rows) if any(serie[index] != 0 for serie in series)]
        column_label = dict(table.columns)[column]
        # The chart sits under its table: its title names the column, the section names the table.
        chart = None
        if keep:
            chart = bar_chart_svg(
                title=str(column_label),
                labels=[labels[index] for index in keep],
                series=[
                    (name, [serie[index] for index in keep])
                    for name, serie in zip(names, series, strict=True)
                ],
                width=CHART_WIDTH,
                bar_height=14,
            )
        views.append(
            TableView(
                key=table.key,
                number=number,
                title=str(table.title),
                columns=[str(label) for _key, label in table.columns],
                rows=[(str(row.label), _cells(row.cells.get(key) for key in keys)) for row in table.rows],
                totals=_cells(table.totals.get(key) for key in keys),
                notes=[str(note) for note in table.notes],
                comparison=comparison,
                main_column=str(column_label),
                chart=chart,
            )
        )
    return views


# --- Reading the request --------------------------------------------------------------------------------


@dataclass
class Request:
    """What the page was asked for, once the form is checked."""

    form: StatisticsForm
    valid: bool
    period: Period
    organisation_id: int | None
    external: bool
    organisations: list[tuple[int, str]] | None


def _requested_organisation(request, default) -> int | None:
    """The organisation asked for in the query string (None: all), or `default` when none is named or the
    value is no id (the form then says so by its field). Whether it may be seen is decided by
    `statistics_for_user` (another organisation is "not found")."""
    raw = (request.GET.get("organisation") or "").strip()
    if raw == ALL:
        return None
    if raw.isdigit() and 0 < int(raw) <= MAX_ID:
        return int(raw)
    return default


def read_request(request, *, bound: bool = False) -> Request:
    """Check the query string; `bound`: check it even when empty (the export has no default format)."""
    user = request.user
    organisations = statistics_organisation_choices(user=user)
    form = StatisticsForm(
        request.GET if bound else (request.GET or None),
        organisations=[(str(pk), name) for pk, name in organisations] if organisations is not None else None,
        may_choose_external=not should_suppress(user=user, external=False),
    )
    valid = not form.is_bound or form.is_valid()
    default = statistics_default_organisation_for_user(user=user)
    organisation_id = _requested_organisation(request, default)
    statistics_scope_for_user(user=user, organisation_id=organisation_id)  # another's is 404, before the form
    external = bool(valid and form.is_bound and form.cleaned_data.get("external"))
    return Request(
        form=form,
        valid=valid,
        period=form.period_or_default(),
        organisation_id=organisation_id,
        external=external,
        organisations=organisations,
    )


def period_query(period: Period) -> dict[str, str]:
    """The query parameters that ask the pages for `period`."""
    if period.quarter_number or period.is_year:
        return {"period": period.code}
    return {"period": CUSTOM, "start": period.start.isoformat(), "end": period.end.isoformat()}


def page_query(asked: Request, **extra) -> str:
    query = period_query(asked.period)
    query["organisation"] = ALL if asked.organisation_id is None else str(asked.organisation_id)
    if asked.external:
        query["external"] = "on"
    query.update(extra)
    return urlencode(query)


class _StatisticsAccess(StatisticsRequiredMixin, View):
    def render_form_errors(self, request, asked: Request):
        """The page with the form and its messages, without figures: the input could not be counted."""
        response = render(
            request, "reports/statistics.html", {"form": asked.form, "asked": asked, "tables": []}, status=400
        )
        add_never_cache_headers(response)
        return response


class StatisticsView(_StatisticsAccess):
    """Every statistics table for the period and scope, compared with the previous period and the same
    period a year earlier, with a bar chart per table and, for a quarter, the persons met over 8 quarters."""

    def get(self, request):
        asked = read_request(request)
        if not asked.valid:
            return self.render_form_errors(request, asked)
        user, period = request.user, asked.period
        periods = (period, period.previous(), period.year_before())
        published, previous, year_before = (
            statistics_for_user(
                user=user, period=shown, organisation_id=asked.organisation_id, external=asked.external
            )
            for shown in periods
        )
        trend = None
        if period.quarter_number:
            points = statistics_trend(
                user=user, period=period, organisation_id=asked.organisation_id, external=asked.external
            )
            trend = line_chart_svg(
                title=_("Persons met per quarter"),
                labels=[quarter.label() for quarter, _value in points],
                series=[(_("Persons met"), [value for _quarter, value in points])],
                width=CHART_WIDTH,
                height=220,
            )
        suppressed = should_suppress(user=user, external=asked.external)
        may_choose_external = "external" in asked.form.fields
        context = {
            "form": asked.form,
            "asked": asked,
            "period": period,
            "periods": periods,
            "scope_label": statistics_scope_label(user=user, organisation_id=asked.organisation_id),
            "suppressed": suppressed,
            "suppression_note": SUPPRESSION_NOTE,
            "exact_note": EXACT_NOTE if may_choose_external else EXACT_NOTE_SHORT,
            "tables": table_views(published, previous, year_before, periods=periods),
            "trend": trend,
            "csv_url": f"{reverse('reports-statistics-export')}?{page_query(asked, format='csv')}",
            "xlsx_url": f"{reverse('reports-statistics-export')}?{page_query(asked, format='xlsx')}",
            "pdf_url": f"{reverse('reports-job-create')}?{page_query(asked)}",
            "totals_key": TOTALS,
        }
        response = render(request, "reports/statistics.html", context)
        add_never_cache_headers(response)
        return response


class StatisticsExportView(FreshSecondFactorRequiredMixin, _StatisticsAccess):
    """The shown statistics as a CSV or XLSX download (`format=csv|xlsx` with the page's parameters)."""

    def get(self, request):
        asked = read_request(request, bound=True)
        fmt = request.GET.get("format", "")
        if asked.valid and fmt not in EXPORT_FORMATS:
            asked.form.add_error(None, _('Choose the file format "csv" or "xlsx".'))
            asked.valid = False
        if not asked.valid:
            return self.render_form_errors(request, asked)
        content, filename, content_type = statistics_export(
            user=request.user,
            period=asked.period,
            organisation_id=asked.organisation_id,
            external=asked.external,
            fmt=fmt,
            # A download from the page is for a spreadsheet in the reader's language (semicolons in Danish).
            dialect="language",
        )
        return download_response(content, filename=filename, content_type=content_type)
