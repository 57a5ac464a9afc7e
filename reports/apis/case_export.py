"""The case-level export under /api/reports/exports/cases/: the k-anonymous CTDC-style file as CSV or XLSX.

What the file holds and whose cases it covers is decided by reports.services.case_export. A role without
the statistics permission is refused (403) before anything is looked up; an organisation the caller may not
see is "not found" (404), as a missing one; bad input is a 400 naming the field.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from cases.apis.common import MAX_ID, service_errors
from reports.apis.statistics import FileExportApi, file_export_responses, statistics_query
from reports.periods import EARLIEST_YEAR, LATEST_YEAR, Period
from reports.services.case_export import COLUMNS, CSV, XLSX, case_export
from reports.views.common import download_response


class CaseExportQuerySerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="An organisation id. Without it: all organisations for CMM's analysts and coordinators, "
        "the caller's own organisation for everyone else.",
    )
    year = serializers.IntegerField(
        required=False,
        min_value=EARLIEST_YEAR,
        max_value=LATEST_YEAR,
        help_text="Only cases opened in this year. Without it: the cases of every year.",
    )
    format = serializers.ChoiceField(
        choices=[CSV, XLSX], required=False, default=CSV, help_text="csv (UTF-8 with BOM) or xlsx."
    )


class CaseExportApi(FileExportApi):
    """The case-level export of DESIGN.md §3 for the caller's scope."""

    @extend_schema(
        parameters=[CaseExportQuerySerializer],
        responses=file_export_responses("The CSV file or the XLSX workbook, as `format` asks."),
        description="One row per case with broad categories only, in the spirit of IOM's Human Trafficking "
        "Case Data Standard; a case whose combination of gender, age band, citizenship and forms of "
        "exploitation fewer than k cases share (setting EXPORT_K_ANONYMITY, 5 by default) is left out. "
        f"Columns, in this order (docs/case-export.md): {', '.join(COLUMNS)}. No names, dates of birth, "
        "case numbers or free text. Every export is recorded in the audit log.",
    )
    def get(self, request):
        data, organisation_id = statistics_query(request, CaseExportQuerySerializer)
        year = data.get("year")
        with service_errors():
            export = case_export(
                user=request.user,
                organisation_id=organisation_id,
                fmt=data["format"],
                period=Period.year(year) if year is not None else None,
            )
        return download_response(export.content, filename=export.filename, content_type=export.content_type)
