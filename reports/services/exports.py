"""Export the statistics as a CSV or XLSX file, and record that they left the system."""

from __future__ import annotations

from django.db import transaction

from reports.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, statistics_csv, statistics_xlsx
from reports.periods import Period
from reports.selectors.organisations import statistics_scope_label
from reports.selectors.statistics import statistics_for_user
from reports.services.audit import report_audit
from reports.suppression import should_suppress

EXPORT_FORMATS = {
    "csv": (statistics_csv, CSV_CONTENT_TYPE),
    "xlsx": (statistics_xlsx, XLSX_CONTENT_TYPE),
}


def statistics_export_filename(*, period: Period, organisation_id: int | None, fmt: str) -> str:
    """Name the file after the period and the scope only: "cmm-statistics-2026Q1-all.csv"."""
    code = period.code if period.quarter_number or period.is_year else f"{period.start}_{period.end}"
    return f"cmm-statistics-{code}-{'all' if organisation_id is None else organisation_id}.{fmt}"


def statistics_export(
    *, user, period: Period, organisation_id: int | None, external: bool, fmt: str, dialect: str = "comma"
) -> tuple[bytes, str, str]:
    """Render the statistics `user` may see for the period and scope as a file and return (content,
    filename, content type). The scope rule and the small-cell rule are those of `statistics_for_user`
    (PermissionDenied, Http404); every export is audited (format, period, organisation, suppressed).
    `dialect` is the CSV's (reports.exports): "comma" for programs, "language" for a spreadsheet."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}.")
    render, content_type = EXPORT_FORMATS[fmt]
    with transaction.atomic():
        published = statistics_for_user(
            user=user, period=period, organisation_id=organisation_id, external=external
        )
        suppressed = should_suppress(user=user, external=external)
        content = render(
            published,
            period=period,
            scope_label=statistics_scope_label(user=user, organisation_id=organisation_id),
            suppressed=suppressed,
            dialect=dialect,
        )
        report_audit(
            user=user,
            target_label="statistics export",
            detail={
                "format": fmt,
                "period": period.code,
                "organisation": organisation_id,
                "suppressed": suppressed,
            },
        )
    return (
        content,
        statistics_export_filename(period=period, organisation_id=organisation_id, fmt=fmt),
        (content_type),
    )
