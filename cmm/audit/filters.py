"""The audit log's filters, shared by the page (/audit/) and the API (/api/audit/)."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cmm.input_rules import InputForm
from cmm.models import AuditAction, AuditEvent, Organisation

# The apps whose objects audit events name; the object-type filter offers their models only.
AUDITED_APPS = ("cmm", "cases", "outreach", "identification", "reflection", "referrals", "reports")
MAX_LENGTH = 150


class ContentTypeChoiceField(django_filters.fields.ModelChoiceField):
    """Object types by their translated names ("Case", "Presentation"), not "cases | case"."""

    def label_from_instance(self, obj):
        model = obj.model_class()
        return str(model._meta.verbose_name).capitalize() if model else obj.model


class ObjectTypeFilter(django_filters.ModelChoiceFilter):
    field_class = ContentTypeChoiceField


class IpAddressFilter(django_filters.CharFilter):
    field_class = forms.GenericIPAddressField


class AuditEventFilterForm(InputForm):
    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return data


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the project's time zone (Copenhagen), as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditEventFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        label=_("From (date)"), method="from_day", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("To (date)"), method="to_day", widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = django_filters.CharFilter(
        label=_("User"), field_name="actor__username", lookup_expr="icontains", max_length=MAX_LENGTH
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name"), empty_label=_("All")
    )
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices, empty_label=_("All"))
    object_type = ObjectTypeFilter(
        label=_("Object type"),
        field_name="target_type",
        queryset=ContentType.objects.filter(app_label__in=AUDITED_APPS).order_by("app_label", "model"),
        empty_label=_("All"),
    )
    object = django_filters.CharFilter(
        label=_("Case number or object"),
        field_name="target_label",
        lookup_expr="icontains",
        max_length=MAX_LENGTH,
    )
    ip_address = IpAddressFilter(label=_("IP address"), field_name="ip_address")

    class Meta:
        model = AuditEvent
        fields = [
            "date_from",
            "date_to",
            "actor",
            "organisation",
            "action",
            "object_type",
            "object",
            "ip_address",
        ]
        form = AuditEventFilterForm

    def from_day(self, queryset, name, value):
        return queryset.filter(at__gte=_day_start(value))

    def to_day(self, queryset, name, value):
        return queryset.filter(at__lt=_day_start(value + datetime.timedelta(days=1)))

    def applied(self) -> dict:
        """The filters in use and their values as text (for the audit entry of the viewing itself)."""
        if not self.is_valid():
            return {}
        return {
            key: str(value.pk if hasattr(value, "pk") else value)
            for key, value in self.form.cleaned_data.items()
            if value not in (None, "")
        }
