"""Filters of the outreach lists, shared by the pages, the CSV export and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from cmm.filters import YesNoAllWidget
from cmm.input_rules import InputForm
from cmm.selectors import member_choices_for_organisation
from outreach.choices import CallerCategory, CallPurpose, PoliceDistrict, Venue


class DateRangeForm(InputForm):
    """Refuse a period that ends before it starts, in the form itself, so that `errors` and `is_valid()`
    agree whichever a caller asks first."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return cleaned


# ISO values, so that the browser's date picker (which only reads yyyy-mm-dd) shows them in every language.
_DATE_PICKER = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class WrongNumberWidget(django_filters.widgets.BooleanWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (
            ("", _("All calls")),
            ("true", _("Only wrong numbers")),
            ("false", _("Without wrong numbers")),
        )


class DateRangeFilterSet(django_filters.FilterSet):
    """`date_from` / `date_to` on the record's local calendar date (Europe/Copenhagen)."""

    date_field = "date"
    date_from = django_filters.DateFilter(label=_("From"), method="from_date", widget=_DATE_PICKER)
    date_to = django_filters.DateFilter(label=_("To"), method="to_date", widget=_DATE_PICKER)

    class Meta:
        form = DateRangeForm

    def from_date(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": value})

    def to_date(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__lte": value})


class ContactFilter(DateRangeFilterSet):
    date_field = "occurred_at__date"
    venue = django_filters.ChoiceFilter(label=_("Venue"), choices=Venue.choices, empty_label=_("Any"))
    worker = django_filters.ChoiceFilter(label=_("Worker"), method="by_worker", empty_label=_("Anyone"))
    indicators = django_filters.BooleanFilter(
        label=_("Indicators observed"),
        field_name="has_indicators",
        widget=YesNoAllWidget(),
    )
    city = django_filters.CharFilter(label=_("City"), lookup_expr="icontains")

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        members = member_choices_for_organisation(organisation=organisation) if organisation else []
        self.filters["worker"].extra["choices"] = [
            (str(m.user_id), m.user.get_full_name() or m.user.username) for m in members
        ]

    def by_worker(self, queryset, name, value):
        return queryset.filter(worker_id=int(value))


class MeetingSessionFilter(DateRangeFilterSet):
    place = django_filters.CharFilter(label=_("Meeting place"), lookup_expr="icontains")


class ClinicConsultationFilter(DateRangeFilterSet):
    clinic = django_filters.CharFilter(label=_("Clinic"), lookup_expr="icontains")


class HotlineCallFilter(DateRangeFilterSet):
    date_field = "received_at__date"
    caller_category = django_filters.ChoiceFilter(
        label=_("Caller"), choices=CallerCategory.choices, empty_label=_("Any")
    )
    purpose = django_filters.ChoiceFilter(
        label=_("Purpose"), choices=CallPurpose.choices, empty_label=_("Any")
    )
    wrong_number = django_filters.BooleanFilter(label=_("Wrong numbers"), widget=WrongNumberWidget())


class PoliceRaidFilter(DateRangeFilterSet):
    police_district = django_filters.ChoiceFilter(
        label=_("Police district"), choices=PoliceDistrict.choices, empty_label=_("Any")
    )
