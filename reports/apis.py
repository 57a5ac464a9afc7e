"""The reports API under /api/reports/: the statistics of DESIGN.md §3 as JSON.

The numbers are the ones `statistics_compute` gives the page and the exports; readers outside CMM, and
anyone asking for an external view, get them with the small-cell rule applied ("<5" in place of a count from
1 to 4). A role without the statistics permission is refused (403) before anything is looked up; an
organisation the caller may not see is "not found" (404), as a missing one.
"""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.apis.case import NeverCachedMixin
from cases.apis.common import MAX_ID
from cmm.permissions import has_role_permission
from reports.periods import Period
from reports.selectors import VIEW, statistics_default_organisation_for_user, statistics_for_user
from reports.suppression import SuppressedTable, should_suppress

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
YEAR = re.compile(r"^(\d{4})$")
EARLIEST_YEAR, LATEST_YEAR = 1990, 9998
MAX_YEARS = 5


# --- What the API takes ---------------------------------------------------------------------------------


class StatisticsQuerySerializer(serializers.Serializer):
    """The period (a quarter, a year, or from/to dates) and the scope of the statistics asked for."""

    period = serializers.CharField(
        required=False,
        help_text='A quarter ("2026Q1") or a year ("2026"); or give from and to instead.',
    )
    from_ = serializers.DateField(required=False, help_text="The first day of a custom period (YYYY-MM-DD).")
    to = serializers.DateField(
        required=False, help_text="The last day of a custom period, at most 5 years on."
    )
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

    default_error_messages = {
        "period_format": _('Give a quarter such as "2026Q1" or a year such as "2026".'),
        "period_year": _("Give a year from 1990 to 9998."),
        "period_or_dates": _("Give either a period or from and to dates, not both."),
        "missing": _("Give a period, or from and to dates."),
        "both_dates": _("Give both from and to dates."),
        "to_before_from": _("The last day cannot be before the first day."),
        "too_long": _("A period can be at most 5 years long."),
    }

    def get_fields(self):
        # "from" is a Python keyword, so the field is declared as from_ and published under its real name.
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def _error(self, field: str, key: str) -> serializers.ValidationError:
        return serializers.ValidationError({field: [self.error_messages[key]]}, code=key)

    def validate_period(self, value: str) -> Period:
        value = value.strip().upper()
        quarter, year = QUARTER.match(value), YEAR.match(value)
        if not (quarter or year):
            raise serializers.ValidationError(self.error_messages["period_format"], code="period_format")
        number = int((quarter or year).group(1))
        if not EARLIEST_YEAR <= number <= LATEST_YEAR:
            raise serializers.ValidationError(self.error_messages["period_year"], code="period_year")
        return Period.quarter(number, int(quarter.group(2))) if quarter else Period.year(number)

    def validate(self, attrs):
        start, end = attrs.get("from"), attrs.get("to")
        if "period" in attrs:
            if start is not None or end is not None:
                raise self._error("period", "period_or_dates")
            return attrs
        if start is None and end is None:
            raise self._error("period", "missing")
        if start is None or end is None:
            raise self._error("from" if start is None else "to", "both_dates")
        if end < start:
            raise self._error("to", "to_before_from")
        if end >= _years_later(start, MAX_YEARS):
            raise self._error("to", "too_long")
        attrs["period"] = Period(start, end)
        return attrs


def _years_later(day: datetime.date, years: int) -> datetime.date:
    """The same calendar date `years` on (29 February becomes 1 March in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


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
        if not has_role_permission(request.user, VIEW):
            raise PermissionDenied(_("Your role cannot see statistics."))
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        organisation_id = data.get("organisation")
        if organisation_id is None:
            organisation_id = statistics_default_organisation_for_user(user=request.user)
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
