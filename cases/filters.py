"""The case list's search, filters and sorting, shared by the page and the API."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from cases.choices import OPEN_STATUSES, CaseStatus, ExploitationType, ResidenceStatus
from cases.models import CaseExploitation, CaseTeamMember
from cmm.countries import country_choices
from cmm.filters import YesNoAllWidget
from cmm.selectors import member_choices_for_organisation
from cmm.widgets import QuickSelect


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
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=[("opened_on", "opened_on"), ("number", "number"), ("status", "status")],
        field_labels={"opened_on": _("Opened"), "number": _("Case number"), "status": _("Status")},
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

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        return queryset
