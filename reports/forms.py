"""The forms of the reports pages: which period and scope to count, and which PDF report to generate.

They check the shape of the input; which scope a user may see is decided by reports.selectors.
"""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cmm.input_rules import InputForm
from reports.models import JobStatus, ReportKind
from reports.periods import (
    PERIOD_ERRORS,
    Period,
    PeriodError,
    period_between,
    period_parse,
    quarter_containing,
)

CUSTOM = "custom"
ALL = "all"


def period_choices(*, today: datetime.date, current: str | None = None) -> list[tuple[str, str]]:
    """The last eight quarters and the last five years, newest first, then "custom dates"; the value asked
    for is kept among them when it is older."""
    choices = []
    quarter = quarter_containing(today)
    for _i in range(8):
        choices.append((quarter.code, quarter.label()))
        quarter = quarter.previous()
    choices += [(str(year), str(year)) for year in range(today.year, today.year - 5, -1)]
    if current and current not in {value for value, _label in choices} and current != CUSTOM:
        try:
            period = period_parse(current)
        except PeriodError:
            pass
        else:
            choices.append((period.code, period.label()))
    choices.append((CUSTOM, _("Custom dates")))
    return choices


class PeriodForm(InputForm):
    """A quarter or a year from a list (any other "2019Q2" or "2019" typed into the address works too), or
    custom first and last days."""

    period = forms.CharField(label=_("Period"), required=False, widget=forms.Select)
    start = forms.DateField(
        label=_("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    ERRORS = {
        **PERIOD_ERRORS,
        "missing_dates": _("Give the first and the last day of a custom period."),
    }

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        current = self.data.get("period") if self.is_bound else None
        self.fields["period"].widget.choices = period_choices(today=self.today, current=current)
        self.fields["period"].initial = quarter_containing(self.today).previous().code

    def clean(self):
        cleaned = super().clean()
        value = (cleaned.get("period") or "").strip()
        start, end = cleaned.get("start"), cleaned.get("end")
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        try:
            if value == CUSTOM or (not value and (start or end)):
                if start is None or end is None:
                    self.add_error("start" if start is None else "end", self.ERRORS["missing_dates"])
                    return cleaned
                cleaned["period_range"] = period_between(start, end)
            else:
                cleaned["period_range"] = period_parse(value or self.fields["period"].initial)
        except PeriodError as error:
            field = {"from": "start", "to": "end"}.get(error.field, error.field)
            self.add_error(field, self.ERRORS[error.code])
        return cleaned

    def period_or_default(self) -> Period:
        """The period asked for, or the last full quarter when the form is unbound or invalid."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period_range"]
        return quarter_containing(self.today).previous()


class StatisticsForm(PeriodForm):
    """The period and, for those who may see more than their own organisation, the scope; CMM users may ask
    for the external view (small counts suppressed, as published)."""

    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    external = forms.BooleanField(label=_("As published outside CMM (counts below 5 hidden)"), required=False)

    def __init__(
        self, *args, organisations: list[tuple[int, str]] | None = None, may_choose_external=False, **kw
    ):
        super().__init__(*args, **kw)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [(ALL, _("All organisations")), *organisations]
        if not may_choose_external:
            del self.fields["external"]

    def organisation_id(self, default: int | None) -> int | None:
        """The organisation asked for (None: all); `default` when the field is absent or empty."""
        if "organisation" not in self.fields or not self.is_bound or not self.is_valid():
            return default
        value = self.cleaned_data.get("organisation")
        if not value:
            return default
        return None if value == ALL else int(value)


class ReportRequestForm(StatisticsForm):
    """Ask for a quarterly statistics or organisation activity report (the case status report is asked for
    from the case)."""

    kind = forms.ChoiceField(
        label=_("Report"),
        choices=[
            (ReportKind.QUARTERLY, ReportKind.QUARTERLY.label),
            (ReportKind.ACTIVITY, ReportKind.ACTIVITY.label),
        ],
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    field_order = ["kind", "period", "start", "end", "organisation", "external", "language"]


class CaseReportForm(InputForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class ReportJobFilterForm(InputForm):
    kind = forms.ChoiceField(
        label=_("Report"), required=False, choices=[("", _("All reports")), *ReportKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *JobStatus.choices]
    )

    def filter(self, jobs):
        """Narrow a list of jobs the user may already see to the kind and status chosen."""
        if self.cleaned_data.get("kind"):
            jobs = jobs.filter(kind=self.cleaned_data["kind"])
        if self.cleaned_data.get("status"):
            jobs = jobs.filter(status=self.cleaned_data["status"])
        return jobs
