"""Forms of the meeting-place, health-clinic, hotline and police-raid pages.

They check shape only (types, required, 0-10000); the rules (nothing in the future, returning visitors within
visitors, one record per place and day, cases and raids the organisation may see) live in outreach.services,
whose ValidationError the views attach to these forms.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cmm.input_rules import InputForm
from cmm.models import Organisation
from outreach.choices import CallerCategory, CallPurpose, PoliceDistrict, Venue
from outreach.models import ClinicConsultation, HotlineCall, MeetingPlaceSession, PoliceRaid

# Date, time and datetime-local inputs take ISO values only, whatever the reader's language.
ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME = "%Y-%m-%dT%H:%M"
MAX_COUNT = 10000
NO_NAMES = _("Never write names or other identifying details.")


def _date_input() -> forms.DateInput:
    return forms.DateInput(format=ISO_DATE, attrs={"type": "date"})


def _time_field(label) -> forms.TimeField:
    return forms.TimeField(
        label=label, required=False, widget=forms.TimeInput(format=ISO_TIME, attrs={"type": "time"})
    )


def _count_field(label, *, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=MAX_COUNT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def raid_label(raid: PoliceRaid) -> str:
    return f"{date_format(raid.date, 'SHORT_DATE_FORMAT')} · {raid.get_police_district_display()}"


def contact_label(contact) -> str:
    """A contact as a pick-list line: time, venue, city and who — never a name."""
    parts = [
        timezone.localtime(contact.occurred_at).strftime(ISO_TIME),
        contact.get_venue_display(),
        contact.city,
        contact.get_gender_display(),
        contact.get_age_band_display(),
    ]
    return " · ".join(str(part) for part in parts if part)


def _with_current(queryset: QuerySet, current_ids) -> QuerySet:
    """The choices plus what the record already holds, so that saving never drops a link silently."""
    current_ids = [pk for pk in current_ids if pk]
    if not current_ids:
        return queryset
    return queryset | queryset.model._default_manager.filter(pk__in=current_ids)


class MeetingSessionForm(InputForm):
    place = forms.CharField(label=_("Meeting place"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=_date_input())
    opens_at = _time_field(_("Opens"))
    closes_at = _time_field(_("Closes"))
    visitors = _count_field(_("Visitors"))
    returning_visitors = _count_field(_("Of whom returning"))
    health_clinic_open = forms.BooleanField(label=_("The health clinic was open"), required=False)

    FIELDS = (
        "place",
        "date",
        "opens_at",
        "closes_at",
        "visitors",
        "returning_visitors",
        "health_clinic_open",
    )

    def __init__(self, *args, session: MeetingPlaceSession | None = None, places=(), **kwargs):
        if session is not None:
            kwargs.setdefault("initial", {name: getattr(session, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)
        self.places = list(places)
        self.fields["place"].widget.attrs["list"] = "meeting-places"
        if session is None:
            self.fields["date"].initial = timezone.localdate()
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def save_kwargs(self) -> dict:
        """Keyword arguments for outreach.services.meeting_session_save."""
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class ClinicConsultationForm(InputForm):
    clinic = forms.CharField(label=_("Clinic"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=_date_input())
    consultations = _count_field(_("Consultations"))
    contacts = forms.ModelMultipleChoiceField(
        label=_("Linked contacts"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Optional: your organisation's contacts of the same day."),
        error_messages={"invalid_choice": _("Choose contacts of the same day.")},
    )

    FIELDS = ("clinic", "date", "consultations")

    def __init__(self, *args, contacts: QuerySet, record: ClinicConsultation | None = None, **kwargs):
        if record is not None:
            initial = {name: getattr(record, name) for name in self.FIELDS}
            initial["contacts"] = [contact.pk for contact in record.contacts.all()]
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = contacts
        self.fields["contacts"].label_from_instance = contact_label
        self.fields["clinic"].widget.attrs["list"] = "clinics"
        if record is None:
            self.fields["date"].initial = timezone.localdate()
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def save_kwargs(self) -> dict:
        """Keyword arguments for outreach.services.clinic_consultations_save."""
        data = self.cleaned_data
        return {**{name: data[name] for name in self.FIELDS}, "contacts": list(data["contacts"])}

    @classmethod
    def date_of(cls, data, default: datetime.date) -> datetime.date:
        """The date typed into the (maybe unchecked) form, whose contacts the pick list offers."""
        try:
            return forms.DateField().clean(data.get("date")) if data else default
        except forms.ValidationError:
            return default


class HotlineCallForm(InputForm):
    """The quick form of the person answering the phone: one screen, big tap targets."""

    received_at = forms.DateTimeField(
        label=_("Time of the call"),
        widget=forms.DateTimeInput(format=ISO_DATETIME, attrs={"type": "datetime-local"}),
    )
    caller_category = forms.ChoiceField(
        label=_("Caller"), choices=CallerCategory.choices, widget=forms.RadioSelect
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=CallPurpose.choices, widget=forms.RadioSelect)
    wrong_number = forms.BooleanField(label=_("Wrong number"), required=False)
    case = forms.ModelChoiceField(
        label=_("Case"),
        queryset=None,
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": _("Choose a case your organisation can see.")},
    )
    police_raid = forms.ModelChoiceField(
        label=_("Police raid"),
        queryset=None,
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": _("Choose a police raid your organisation took part in.")},
    )
    note = forms.CharField(
        label=_("Short note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        help_text=NO_NAMES,
    )

    FIELDS = ("received_at", "caller_category", "purpose", "wrong_number", "case", "police_raid", "note")

    def __init__(self, *args, cases: QuerySet, raids: QuerySet, call: HotlineCall | None = None, **kwargs):
        self.call = call
        if call is not None:
            initial = {name: getattr(call, name) for name in self.FIELDS}
            initial["received_at"] = timezone.localtime(call.received_at)
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = _with_current(cases, [call.case_id] if call else [])
        self.fields["case"].label_from_instance = lambda case: case.number
        self.fields["police_raid"].queryset = _with_current(raids, [call.police_raid_id] if call else [])
        self.fields["police_raid"].label_from_instance = raid_label
        if call is None:
            self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def save_kwargs(self) -> dict:
        """Keyword arguments for outreach.services.hotline_call_save.

        On a correction an unchanged link is left out, so that a case or raid no longer shared with the
        organisation stays on the call instead of blocking the save.
        """
        values = {name: self.cleaned_data[name] for name in self.FIELDS}
        if self.call is not None:
            for name in ("case", "police_raid"):
                if getattr(values[name], "pk", None) == getattr(self.call, f"{name}_id"):
                    del values[name]
        return values


class PoliceRaidForm(InputForm):
    date = forms.DateField(label=_("Date"), widget=_date_input())
    police_district = forms.ChoiceField(
        label=_("Police district"), choices=[("", "—"), *PoliceDistrict.choices]
    )
    location_type = forms.ChoiceField(label=_("Type of place"), choices=[("", "—"), *Venue.choices])
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    organisations_present = forms.ModelMultipleChoiceField(
        label=_("Other organisations present"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They see the raid in their list, but only your organisation can change it."),
    )
    persons_met = _count_field(_("Persons met"))
    persons_with_indicators = _count_field(_("Of whom with indicators of trafficking"))
    contacts_made = _count_field(_("Contacts made"))
    note = forms.CharField(
        label=_("Short note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=NO_NAMES,
    )

    FIELDS = (
        "date",
        "police_district",
        "location_type",
        "city",
        "persons_met",
        "persons_with_indicators",
        "contacts_made",
        "note",
    )

    def __init__(self, *args, organisation: Organisation, raid: PoliceRaid | None = None, **kwargs):
        present = [org.pk for org in raid.organisations_present.all()] if raid is not None else []
        if raid is not None:
            initial = {name: getattr(raid, name) for name in self.FIELDS}
            initial["organisations_present"] = present
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        # Active organisations, and any already on the raid, so that saving keeps a closed partner on it.
        self.fields["organisations_present"].queryset = (
            Organisation.objects.filter(Q(is_active=True) | Q(pk__in=present))
            .exclude(pk=organisation.pk)
            .order_by("name")
        )
        if raid is None:
            self.fields["date"].initial = timezone.localdate()
            self.fields["contacts_made"].initial = 0
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def save_kwargs(self) -> dict:
        """Keyword arguments for outreach.services.police_raid_save."""
        data = self.cleaned_data
        return {
            **{name: data[name] for name in self.FIELDS},
            "organisations_present": list(data["organisations_present"]),
        }
