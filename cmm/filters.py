"""Filters of the platform's lists, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cmm.models import Membership, Role


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, empty_label=_("All roles"))
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="by_status",
        empty_label=_("Active and ended"),
        choices=[("active", _("Active")), ("ended", _("Ended"))],
    )

    class Meta:
        model = Membership
        fields = ["q", "role", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(user__username__icontains=value)
            | Q(user__first_name__icontains=value)
            | Q(user__last_name__icontains=value)
        )

    def by_status(self, queryset, name, value):
        return queryset.filter(is_active=(value == "active"))


class YesNoAllWidget(django_filters.widgets.BooleanWidget):
    """A yes/no filter whose empty choice reads "All" instead of django-filter's "Unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("All")), ("true", _("Yes")), ("false", _("No")))
