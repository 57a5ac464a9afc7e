"""The case list's search, filters and sorting, shared by the page and the API."""

import datetime

import django_filters
from django import forms
from django.db.models import DateField, Exists, F, OuterRef, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.agenda import case_list_with_next_deadline
from cases.choices import OPEN_STATUSES, CaseStatus, ExploitationType, ResidenceStatus
from cases.models import CaseExploitation, CaseTeamMember
from cmm.countries import country_choices
from cmm.filters import YesNoAllWidget
from cmm.selectors import member_choices_for_organisation
from cmm.widgets import QuickSelect

# The longest "due within" the filter takes.
MAX_DUE_WITHIN = 365


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (a day count), validated by the form: a bad value is a field error, never a 500."""

    field_class = forms.IntegerField


class CaseOrderingFilter(django_filters.OrderingFilter):
    """Sorting, with the cases without a next deadline last whichever way it is sorted."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        name = self.param_map.get(param.lstrip("-"), param.lstrip("-"))
        if name == "next_deadline":
            column = F("next_deadline")
            return column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
        return super().get_ordering_value(param)


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Case number"), method="by_number")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="by_status",
        empty_label=_("All open"),
        choices=[("all", _("Open and closed")), *CaseStatus.choices],
    )
    residence_status = django_filters.ChoiceFilter(
        label=_("Residence status"), choices=ResidenceStatus.choices, empty_label=_("Any")
    )
    nationality = django_filters.ChoiceFilter(
        label=_("Nationality"),
        choices=lambda: country_choices()[1:],
        empty_label=_("Any"),
        widget=QuickSelect,
    )
    exploitation = django_filters.ChoiceFilter(
        label=_("Exploitation"),
        choices=ExploitationType.choices,
        method="by_exploitation",
        empty_label=_("Any"),
    )
    contact_person = django_filters.ChoiceFilter(
        label=_("Contact person"), method="by_contact_person", empty_label=_("Anyone")
    )
    minors = django_filters.BooleanFilter(
        label=_("Unaccompanied minors only"),
        method="by_minors",
        widget=YesNoAllWidget(),
    )
    mine = django_filters.BooleanFilter(label=_("My cases only"), method="by_mine", widget=YesNoAllWidget())
    due_within = IntegerFilter(
        label=_("Next deadline within (days)"),
        method="by_due_within",
        min_value=0,
        max_value=MAX_DUE_WITHIN,
        help_text=_("Overdue deadlines included (0 to 365 days)."),
    )
    ordering = CaseOrderingFilter(
        label=_("Sort by"),
        fields=[
            ("opened_on", "opened_on"),
            ("number", "number"),
            ("status", "status"),
            ("next_deadline", "next_deadline"),
        ],
        field_labels={
            "opened_on": _("Opened"),
            "number": _("Case number"),
            "status": _("Status"),
            "next_deadline": _("Next deadline"),
        },
    )

    class Meta:
        fields = [
            "q",
            "status",
            "residence_status",
            "nationality",
            "exploitation",
            "contact_person",
            "minors",
            "mine",
            "due_within",
            "ordering",
        ]

    def __init__(self, *args, user=None, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Contact persons to pick from: the members of the user's organisation (values are user ids).
        members = member_choices_for_organisation(organisation=organisation) if organisation else []
        self.filters["contact_person"].extra["choices"] = [
            (str(m.user_id), m.user.get_full_name() or m.user.username) for m in members
        ]

    def by_number(self, queryset, name, value):
        return queryset.filter(number__icontains=value.strip())

    def by_status(self, queryset, name, value):
        if value == "all":
            return queryset
        return queryset.filter(status=value)

    def by_exploitation(self, queryset, name, value):
        return queryset.filter(Exists(CaseExploitation.objects.filter(case=OuterRef("pk"), type=value)))

    def by_contact_person(self, queryset, name, value):
        return queryset.filter(contact_person_id=int(value))

    def by_minors(self, queryset, name, value):
        return queryset.filter(unaccompanied_minor=True) if value else queryset

    def by_mine(self, queryset, name, value):
        if not value or self.user is None:
            return queryset
        on_team = CaseTeamMember.objects.filter(case=OuterRef("pk"), user=self.user)
        return queryset.filter(Q(contact_person=self.user) | Q(Exists(on_team)))

    def by_due_within(self, queryset, name, value):
        until = timezone.localdate() + datetime.timedelta(days=value)
        return queryset.filter(next_deadline__lte=until)

    def filter_queryset(self, queryset):
        # Every case carries its next deadline (one subquery per kind of deadline the user's role sees), so
        # that it can be shown, filtered on and sorted by.
        if self.user is not None:
            queryset = case_list_with_next_deadline(queryset, user=self.user)
        else:
            queryset = queryset.annotate(next_deadline=Value(None, output_field=DateField()))
        return super().filter_queryset(queryset)

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        return queryset
