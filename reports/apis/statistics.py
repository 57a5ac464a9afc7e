"""The reports API under /api/reports/: the statistics of DESIGN.md §3 as JSON.

The numbers are the ones `statistics_compute` gives the page and the exports; readers outside CMM, and
anyone asking for an external view, get them with the small-cell rule applied ("<5" in place of a count from
1 to 4). A role without the statistics permission is refused (403) before anything is looked up; an
organisation the caller may not see is "not found" (404), as a missing one.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.apis.case import NeverCachedMixin
from cases.apis.common import MAX_ID
from cmm.input_rules import DayField
from cmm.two_factor.access import FreshSecondFactor
from reports.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from reports.periods import PERIOD_ERRORS, Period, PeriodError, period_between, period_parse
from reports.selectors.statistics import (
    statistics_for_user,
    statistics_organisation_asked,
    statistics_require,
)
from reports.services.exports import statistics_export
from reports.suppression import SuppressedTable, should_suppress
from reports.views.common import download_response

# --- What the API takes ---------------------------------------------------------------------------------


class PeriodQuerySerializer(serializers.Serializer):
    """A period: a quarter or a year in `period`, or custom `from` and `to` dates. Subclasses call
    `period_validated` from their `validate`; the Period is then in attrs["period"]."""

    period = serializers.CharField(
        required=False,
        max_length=20,
        help_text='A quarter ("2026Q1") or a year ("2026"); or give from and to instead.',
    )
    from_ = DayField(required=False, help_text="The first day of a custom period (YYYY-MM-DD).")
    to = DayField(required=False, help_text="The last day of a custom period, at most 5 years on.")

    default_error_messages = {
        **PERIOD_ERRORS,
        "period_or_dates": _("Give either a period or from and to dates, not both."),
        "missing": _("Give a period, or from and to dates."),
        "both_dates": _("Give both from and to dates."),
    }

    def get_fields(self):
        # "from" is a Python keyword, so the field is declared as from_ and published under its real name.
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def _error(self, field: str, key: str) -> serializers.ValidationError:
        return serializers.ValidationError({field: [self.error_messages[key]]}, code=key)

    def validate_period(self, value: str) -> Period:
        try:
            return period_parse(value)
        except PeriodError as error:
            raise serializers.ValidationError(self.error_messages[error.code], code=error.code) from None

    def period_validated(self, attrs) -> dict:
        start, end = attrs.get("from"), attrs.get("to")
        if "period" in attrs:
            if start is not None or end is not None:
                raise self._error("period", "period_or_dates")
            return attrs
        if start is None and end is None:
            raise self._error("period", "missing")
        if start is None or end is None:
            raise self._error("from" if start is None else "to", "both_dates")
        try:
            attrs["period"] = period_between(start, end)
        except PeriodError as error:
            raise self._error(error.field, error.code) from None
        return attrs


class StatisticsQuerySerializer(PeriodQuerySerializer):
    """The period (a quarter, a year, or from/to dates) and the scope of the statistics asked for."""

    organisation = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="An organisation id. Without it: all organisations for CMM's analysts and coordinators, "
        "the caller's own organisation for everyone else.",
    )
    external = serializers.BooleanField(
        required=False, default=False, help_text="true: as published outside CMM, small counts as <5."
    )

    def validate(self, attrs):
        return self.period_validated(attrs)


# --- What the API answers -------------------------------------------------------------------------------


class PeriodRangeSerializer(serializers.Serializer):
    from_ = serializers.DateField(help_text="The first day of the period.")
    to = serializers.DateField(help_text="The last day of the period.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class ScopeSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        allow_null=True, help_text="The organisation counted; null for all organisations."
    )


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class CellsField(serializers.DictField):
    """Column key -> a count, an average, null (nothing to average), "<5" (a suppressed count) or a dash (an
    average hidden because it was computed from a suppressed count)."""

    child = serializers.JSONField()


class StatisticsRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    cells = CellsField()


class StatisticsTableSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="A stable name, e.g. persons_met.")
    title = serializers.CharField()
    columns = ColumnSerializer(many=True)
    rows = StatisticsRowSerializer(many=True)
    totals = CellsField()
    notes = serializers.ListField(child=serializers.CharField())


class StatisticsSerializer(serializers.Serializer):
    period = PeriodRangeSerializer()
    scope = ScopeSerializer()
    suppressed = serializers.BooleanField(help_text="Whether the small-cell rule was applied.")
    tables = StatisticsTableSerializer(many=True)


def table_data(published: SuppressedTable) -> dict:
    """The table as the API prints it: suppressed counts are already "<5" in the published copy."""
    table = published.table
    return {
        "key": table.key,
        "title": str(table.title),
        "columns": [{"key": key, "label": str(label)} for key, label in table.columns],
        "rows": [{"key": row.key, "label": str(row.label), "cells": row.cells} for row in table.rows],
        "totals": table.totals,
        "notes": [str(note) for note in table.notes],
    }


def statistics_query(request, serializer_class) -> tuple[dict, int | None]:
    """Refuse a role without statistics (403) before anything else, check the query's shape (400 by field),
    and name the organisation asked for, or the caller's default scope."""
    statistics_require(user=request.user)
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    return data, statistics_organisation_asked(user=request.user, organisation_id=data.get("organisation"))


# --- The endpoint ---------------------------------------------------------------------------------------


class StatisticsApi(NeverCachedMixin, APIView):
    """The statistics tables of DESIGN.md §3 for a period and a scope."""

    @extend_schema(
        parameters=[StatisticsQuerySerializer],
        responses=StatisticsSerializer,
        description="Every statistics table for a quarter, a year or custom dates (at most 5 years), for "
        "the caller's organisation or, for CMM's analysts and coordinators, all organisations or any one. "
        'Outside CMM, and with external=true, counts from 1 to 4 are "<5" (a string) and averages computed '
        "from them a dash. Another organisation's figures are 404 for everyone else.",
    )
    def get(self, request):
        data, organisation_id = statistics_query(request, StatisticsQuerySerializer)
        period: Period = data["period"]
        external = data["external"]
        published = statistics_for_user(
            user=request.user, period=period, organisation_id=organisation_id, external=external
        )
        return Response(
            {
                "period": {"from": period.start, "to": period.end},
                "scope": {"organisation": organisation_id},
                "suppressed": should_suppress(user=request.user, external=external),
                "tables": [table_data(table) for table in published],
            }
        )


# --- The export -----------------------------------------------------------------------------------------


class StatisticsExportQuerySerializer(StatisticsQuerySerializer):
    """The statistics query and the file format."""

    format = serializers.ChoiceField(
        choices=[("csv", "CSV"), ("xlsx", "XLSX")], help_text="csv (UTF-8 with BOM, comma) or xlsx."
    )


class _FileFormatIsNotARenderer(BaseContentNegotiation):
    """Here ?format= names the file to make, not a DRF renderer: always answer errors as JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def file_export_responses(description: str) -> dict:
    """The OpenAPI responses of an endpoint that answers a CSV or XLSX file, or JSON errors."""
    return {
        (200, CSV_CONTENT_TYPE.split(";")[0]): OpenApiResponse(OpenApiTypes.BINARY, description=description),
        (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description=description),
        400: OpenApiResponse(description="A field of the query is missing or wrong (errors by field)."),
        403: OpenApiResponse(
            description="The role cannot see statistics, or the second factor is not fresh "
            "(`code` `fresh_otp_required`: enter a new code, or get a new token with one)."
        ),
        404: OpenApiResponse(description="An organisation the caller may not see (or none such)."),
    }


class FileExportApi(NeverCachedMixin, APIView):
    """An endpoint whose answer is a file (`?format=csv|xlsx`) and whose errors are JSON."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = _FileFormatIsNotARenderer
    # Data leaving the system: the second factor must be fresh (cmm.two_factor.access).
    permission_classes = [IsAuthenticated, FreshSecondFactor]


class StatisticsExportApi(FileExportApi):
    """The statistics tables of DESIGN.md §3 as a CSV or XLSX file."""

    @extend_schema(
        parameters=[StatisticsExportQuerySerializer],
        responses=file_export_responses("The statistics as a CSV file or an XLSX workbook."),
        description="The same tables, numbers and small-cell rule as the statistics endpoint, as a file: a "
        "header block (period, organisations, whether small counts are suppressed, when it was generated) "
        "and every table with its totals and notes. The download is named after the period and the scope "
        '("cmm-statistics-2026Q1-all.csv"), is never cached, and is recorded in the audit log.',
    )
    def get(self, request):
        data, organisation_id = statistics_query(request, StatisticsExportQuerySerializer)
        content, filename, content_type = statistics_export(
            user=request.user,
            period=data["period"],
            organisation_id=organisation_id,
            external=data["external"],
            fmt=data["format"],
        )
        return download_response(content, filename=filename, content_type=content_type)
