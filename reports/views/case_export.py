"""The case-level export page: pick the scope, a year and a format, and download the k-anonymous file.

What goes into the file, and who may export which organisation's cases, is decided by
reports.services.case_export (with reports.selectors.statistics for the scope).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views import View

from cmm.forms import attach_service_errors
from cmm.input_rules import InputForm
from cmm.two_factor.access import FreshSecondFactorRequiredMixin
from reports.forms import ALL
from reports.periods import EARLIEST_YEAR, LATEST_YEAR, Period
from reports.selectors.organisations import statistics_organisation_choices
from reports.selectors.statistics import statistics_default_organisation_for_user
from reports.services.case_export import CSV, XLSX, case_export, column_docs, export_k
from reports.views.common import StatisticsRequiredMixin, download_response


class CaseExportForm(InputForm):
    """The scope (only for those who may see more than their own organisation), an optional year of
    registration and the file format."""

    organisation = forms.ChoiceField(label=_("Organisation"))
    year = forms.IntegerField(
        label=_("Year of registration"),
        required=False,
        min_value=EARLIEST_YEAR,
        max_value=LATEST_YEAR,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Leave empty for the cases of every year."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(CSV, _("CSV (UTF-8)")), (XLSX, _("Excel workbook (XLSX)"))],
        initial=CSV,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, organisations: list[tuple[int, str]] | None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [(ALL, _("All organisations")), *organisations]
            self.fields["organisation"].initial = ALL

    def organisation_id(self, default: int | None) -> int | None:
        """The organisation asked for (None: all); `default` when the form has no organisation field."""
        if "organisation" not in self.fields:
            return default
        value = self.cleaned_data["organisation"]
        return None if value == ALL else int(value)

    def period(self) -> Period | None:
        year = self.cleaned_data.get("year")
        return Period.year(year) if year is not None else None


class CaseExportView(FreshSecondFactorRequiredMixin, StatisticsRequiredMixin, View):
    """GET shows the form and explains the k-anonymity rule and the columns; POST returns the file."""

    template_name = "reports/case_export.html"

    def _form(self, request, data=None) -> CaseExportForm:
        return CaseExportForm(data, organisations=statistics_organisation_choices(user=request.user))

    def _render(self, request, form, status=200):
        membership = getattr(request, "membership", None)
        context = {
            "form": form,
            "k": export_k(),
            "columns": column_docs(),
            "own_organisation": membership.organisation.name if membership else "",
        }
        response = render(request, self.template_name, context, status=status)
        add_never_cache_headers(response)
        return response

    def get(self, request):
        return self._render(request, self._form(request))

    def post(self, request):
        form = self._form(request, request.POST)
        if form.is_valid():
            default = statistics_default_organisation_for_user(user=request.user)
            try:
                export = case_export(
                    user=request.user,
                    organisation_id=form.organisation_id(default),
                    fmt=form.cleaned_data["format"],
                    period=form.period(),
                )
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                return download_response(
                    export.content, filename=export.filename, content_type=export.content_type
                )
        return self._render(request, form, status=400)
