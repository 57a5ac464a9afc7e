"""Forms of the outreach-contact pages. They check shape only; the rules (no time in the future, no group with
a client code, a case the worker may see...) live in outreach.services, whose ValidationError the views attach
to these forms under the same field names.

The quick form is built for a phone on the street: every choice is a big tap target, everything has a default,
and a typical anonymous contact needs a handful of taps.
"""

from __future__ import annotations

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.choices import AgeBand, Gender
from cases.forms.case import language_choices
from cases.models import Case
from cmm.countries import country_choices
from cmm.input_rules import InputForm
from cmm.models import Region
from cmm.widgets import QuickSelect
from outreach.choices import Indicator, OutreachService, Venue
from outreach.models import MAX_GROUP, SUBMISSION_ID_MAX, Contact, submission_id_validator

# The places met most often, in the order the chips show them; the rest sit behind "More places".
COMMON_VENUES = [
    Venue.STREET,
    Venue.MASSAGE_CLINIC,
    Venue.MEETING_PLACE,
    Venue.HEALTH_CLINIC,
    Venue.INTERNET,
]
# <input type="datetime-local"> takes this format only, whatever the reader's language.
LOCAL_DATETIME = "%Y-%m-%dT%H:%M"
# Free text on this form must never be kept by the browser's form history.
_NO_AUTOFILL = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
CHIP = {"class": "chip__input"}
FILTERABLE = {"data-filterable": "", "data-filter-placeholder": _("Type to filter the list")}
NO_NAMES = _("Never write names or other identifying details.")


class CaseNumberChoiceField(forms.ModelChoiceField):
    """A case picked by its pseudonymous number: the only thing about a case a picker shows."""

    def label_from_instance(self, obj: Case) -> str:
        return obj.number


def _venue_choices() -> list[tuple[str, str]]:
    rest = [(value, label) for value, label in Venue.choices if value not in COMMON_VENUES]
    return [(venue.value, venue.label) for venue in COMMON_VENUES] + rest


def _region_choices(current: str = "") -> list[tuple[str, str]]:
    # A contact happens in one region; "nationwide" stays only on a record that already has it.
    choices = [
        (value, label) for value, label in Region.choices if value != Region.NATIONAL or current == value
    ]
    return [("", "—"), *choices]


class ContactForm(InputForm):
    """One outreach contact, for logging it on the street and for correcting it later."""

    venue = forms.ChoiceField(label=_("Venue"), widget=forms.RadioSelect(attrs=CHIP))
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=Gender.choices, widget=forms.RadioSelect(attrs=CHIP)
    )
    age_band = forms.ChoiceField(
        label=_("Age band"), required=False, choices=AgeBand.choices, widget=forms.RadioSelect(attrs=CHIP)
    )
    first_time_met = forms.BooleanField(
        label=_("First time met"), required=False, widget=forms.CheckboxInput(attrs=CHIP)
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators of trafficking observed"),
        required=False,
        choices=Indicator.choices,
        widget=forms.CheckboxSelectMultiple(attrs=CHIP),
    )
    group_size = forms.IntegerField(
        label=_("People met together"),
        required=False,
        min_value=1,
        max_value=MAX_GROUP,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": MAX_GROUP}),
        help_text=_("A group met together is one entry, counted per person."),
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"),
        required=False,
        widget=QuickSelect(attrs=FILTERABLE),
    )
    language = forms.ChoiceField(label=_("Language used"), required=False, widget=QuickSelect)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    region = forms.ChoiceField(label=_("Region"), required=False)
    services_offered = forms.MultipleChoiceField(
        label=_("Services offered"),
        required=False,
        choices=OutreachService.choices,
        widget=forms.CheckboxSelectMultiple(attrs=CHIP),
    )
    client_code = forms.CharField(
        label=_("Anonymous client code"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={**_NO_AUTOFILL, "autocapitalize": "characters"}),
        help_text=_("Like 4K7QX-M2PA9. Made from facts the person tells, never from a name."),
    )
    case = CaseNumberChoiceField(
        label=_("Case"),
        required=False,
        queryset=Case.objects.none(),
        empty_label="—",
        widget=forms.Select(attrs=FILTERABLE),
    )
    occurred_at = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        input_formats=[LOCAL_DATETIME, "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(format=LOCAL_DATETIME, attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )
    note = forms.CharField(
        label=_("Short note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, **_NO_AUTOFILL}),
        help_text=NO_NAMES,
    )
    # One id per form shown, so that a Save sent twice (double tap, retry on a bad network, two requests at
    # once) logs one contact: it becomes the contact's submission id (outreach.services.contact_log_once).
    form_token = forms.CharField(
        required=False,
        max_length=SUBMISSION_ID_MAX,
        validators=[submission_id_validator],
        widget=forms.HiddenInput,
    )

    # What goes to contact_log / contact_update; the person block and the time are handled apart.
    VALUE_FIELDS = (
        "venue",
        "gender",
        "age_band",
        "first_time_met",
        "indicators",
        "group_size",
        "nationality",
        "language",
        "city",
        "region",
        "services_offered",
        "client_code",
        "note",
    )

    def __init__(self, *args, cases, contact: Contact | None = None, **kwargs):
        """`cases`: the cases the user may link the contact to (a queryset from cases.selectors)."""
        self.contact = contact
        if contact is not None:
            kwargs.setdefault("initial", self.initial_from(contact))
        else:
            initial = {"gender": Gender.UNKNOWN, "age_band": AgeBand.UNKNOWN, "group_size": 1}
            initial.update(kwargs.get("initial") or {})
            initial.setdefault("form_token", secrets.token_hex(16))
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["venue"].choices = _venue_choices()
        self.fields["nationality"].choices = country_choices()
        current_language = [contact.language] if contact is not None and contact.language else []
        self.fields["language"].choices = [("", "—"), *language_choices(current_language)]
        self.fields["region"].choices = _region_choices(contact.region if contact is not None else "")
        # Rendering and checking a picked case reads the numbers only.
        self.fields["case"].queryset = cases.prefetch_related(None).order_by("number")
        if contact is not None and contact.case_id and not cases.filter(pk=contact.case_id).exists():
            # Linked to a case the user can no longer see: keep the link, never offer to change it here.
            del self.fields["case"]

    @staticmethod
    def initial_from(contact: Contact) -> dict:
        initial = {name: getattr(contact, name) for name in ContactForm.VALUE_FIELDS}
        initial["nationality"] = contact.nationality.code if contact.nationality else ""
        initial["case"] = contact.case_id
        initial["occurred_at"] = contact.occurred_at
        return initial

    # --- What the template needs ---------------------------------------------------------------------

    def venue_options(self) -> tuple[list, list]:
        """The venue chips shown at once and those behind "More places". A chosen rare venue (e.g. the one
        used last) is shown at once, so that it is visible and costs no tap."""
        chosen = str(self["venue"].value() or "")
        shown, more = [], []
        for option in self["venue"]:
            value = option.data["value"]
            (shown if value in COMMON_VENUES or value == chosen else more).append(option)
        return shown, more

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(label, element id, first message) of each field in error, for the list above the form: on a
        phone the marked field may be a long way down."""
        return [
            (str(self[name].label), self[name].auto_id, errors[0])
            for name, errors in self.errors.items()
            if name in self.fields
        ]

    def person_open(self) -> bool:
        """Open the "Known person" block when it holds something or something in it is wrong."""
        names = ("client_code", "case")
        return any(self[name].value() for name in names if name in self.fields) or any(
            name in self.errors for name in names
        )

    def services_open(self) -> bool:
        return bool(self["services_offered"].value()) or "services_offered" in self.errors

    def time_open(self) -> bool:
        return self.contact is not None or bool(self.data.get("occurred_at")) or "occurred_at" in self.errors

    def details_open(self) -> bool:
        names = ("nationality", "language", "group_size")
        return any(name in self.errors for name in names)

    # --- What the services get -----------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        # What a quick entry leaves out takes the field's default.
        if not data.get("gender"):
            data["gender"] = Gender.UNKNOWN
        if not data.get("age_band"):
            data["age_band"] = AgeBand.UNKNOWN
        if data.get("group_size") is None and "group_size" not in self.errors:
            data["group_size"] = 1
        return data

    def service_values(self) -> dict:
        """Keyword arguments for contact_log / contact_update. An empty time means "now" on a new contact
        and "unchanged" on an existing one."""
        data = self.cleaned_data
        values = {name: data[name] for name in self.VALUE_FIELDS}
        values["client_code"] = values["client_code"].strip()
        if data.get("occurred_at") is not None:
            values["occurred_at"] = data["occurred_at"]
        if "case" in self.fields:
            values["case"] = data.get("case")
        return values


class ContactLinkForm(InputForm):
    """Link a contact to a case: pick its number, or give a client code the case carries."""

    case = CaseNumberChoiceField(
        label=_("Case"),
        required=False,
        queryset=Case.objects.none(),
        empty_label="—",
        widget=forms.Select(attrs=FILTERABLE),
    )
    client_code = forms.CharField(
        label=_("Or the client code of the case"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={**_NO_AUTOFILL, "autocapitalize": "characters"}),
        help_text=_("The case that carries this anonymous client code."),
    )

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases.prefetch_related(None).order_by("number")

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("case") and not (data.get("client_code") or "").strip():
            raise forms.ValidationError(_("Choose a case, or give its client code."), code="required")
        if data.get("case") and (data.get("client_code") or "").strip():
            raise forms.ValidationError(_("Choose a case or give a client code, not both."), code="both")
        return data
