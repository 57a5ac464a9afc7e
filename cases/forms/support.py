"""Forms of the support pages (services, housing, minors, action plan, client codes).

They check shape only; the rules live in cases.services and cases.client_codes. Field names match the keys
of the ValidationErrors those functions raise, so a refused value is shown next to the field it concerns.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    ActivityKind,
    ActivityStatus,
    DischargeReason,
    HousingType,
    ServiceMode,
    ServiceType,
    TracingStatus,
)
from cmm.countries import country_choices
from cmm.input_rules import InputForm
from cmm.models import Organisation, OrganisationKind
from cmm.widgets import QuickSelect

NO_NAMES = _("No names or other details that could identify the person.")


class DateInput(forms.DateInput):
    """The browser's own date picker; the value is always sent and shown as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(label, *, required=True, help_text=""):
    return forms.DateField(label=label, required=required, widget=DateInput, help_text=help_text)


def _text(label, *, max_length=200, required=False, help_text=""):
    return forms.CharField(label=label, max_length=max_length, required=required, help_text=help_text)


def _notes(label, *, help_text=NO_NAMES):
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=help_text
    )


def _choices_with_blank(choices):
    return [("", "—"), *choices]


# --- Services and housing -----------------------------------------------------------------------------


class ServiceForm(InputForm):
    service_type = forms.ChoiceField(label=_("Service"), choices=_choices_with_blank(ServiceType.choices))
    mode = forms.ChoiceField(label=_("How"), choices=ServiceMode.choices, widget=forms.RadioSelect)
    provider = _text(_("Provider"), help_text=_("The clinic, lawyer or organisation, if any."))
    provided_on = _date(_("Date"), help_text=_("Only an offer may lie in the future."))
    notes = _notes(_("Notes"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"provided_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ShelterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class StayForm(InputForm):
    housing_type = forms.ChoiceField(
        label=_("Type of housing"), choices=_choices_with_blank(HousingType.choices)
    )
    shelter = ShelterChoiceField(
        label=_("Shelter"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("Choose the shelter if it is a partner organisation."),
    )
    housing_name = _text(
        _("Name of the place"),
        help_text=_("The name only, never the address: the address belongs in the personal details."),
    )
    admitted_on = _date(_("Admitted on"))
    discharged_on = _date(
        _("Discharged on"), required=False, help_text=_("Leave empty while the stay lasts.")
    )
    discharge_reason = forms.ChoiceField(
        label=_("Reason for discharge"),
        choices=_choices_with_blank(DischargeReason.choices),
        required=False,
    )

    def __init__(self, *args, stay=None, **kwargs):
        if stay is None:
            kwargs.setdefault("initial", {"admitted_on": timezone.localdate()})
        else:
            kwargs.setdefault(
                "initial",
                {
                    "housing_type": stay.housing_type,
                    "shelter": stay.shelter_id,
                    "housing_name": stay.housing_name,
                    "admitted_on": stay.admitted_on,
                    "discharged_on": stay.discharged_on,
                    "discharge_reason": stay.discharge_reason,
                },
            )
        super().__init__(*args, **kwargs)
        shelters = Organisation.objects.filter(kind=OrganisationKind.SHELTER, is_active=True)
        if stay is not None and stay.shelter_id:
            # A shelter that has since been deactivated stays choosable on the stays it already has.
            shelters = shelters | Organisation.objects.filter(pk=stay.shelter_id)
        self.fields["shelter"].queryset = shelters.order_by("name")


# --- Minors -------------------------------------------------------------------------------------------


class RepresentativeForm(InputForm):
    name = _text(_("Name of the representative"), required=True)
    organisation_name = _text(_("Organisation"), help_text=_("For example the municipality."))
    is_professional = forms.BooleanField(
        label=_("Professional (e.g. social worker)"),
        required=False,
        help_text=_("A trafficked child must have a professional representative."),
    )
    appointed_on = _date(_("Appointed on"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"appointed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class TracingForm(InputForm):
    status = forms.ChoiceField(label=_("Status"), choices=_choices_with_blank(TracingStatus.choices))
    requested_on = _date(
        _("Requested on"),
        required=False,
        help_text=_("Not needed when tracing is not in the child's interest."),
    )
    with_whom = _text(
        _("With whom"),
        help_text=_("The organisation doing the tracing (e.g. the Red Cross), not the parents' names."),
    )
    reason = _notes(
        _("Reason"),
        help_text=_("Required when tracing is not in the child's interest. No names."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"requested_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


# --- Action plan --------------------------------------------------------------------------------------


class ActionPlanForm(InputForm):
    goals = _notes(_("Goals"), help_text=_("Goals agreed with the person for the stay."))
    wishes_after_stay = _notes(_("Wishes for life after the stay"), help_text="")


class ReviewForm(InputForm):
    review_on = _date(_("Review date"))
    notes = _notes(_("Notes"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"review_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ActivityForm(InputForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=_choices_with_blank(ActivityKind.choices))
    title = _text(_("Title"), required=True, help_text=_("For example the name of the course."))
    provider = _text(_("Provider"))
    starts_on = _date(_("Starts on"), required=False)
    ends_on = _date(_("Ends on"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)

    def __init__(self, *args, activity=None, **kwargs):
        if activity is None:
            initial = {"starts_on": timezone.localdate(), "status": ActivityStatus.PLANNED}
        else:
            initial = {field: getattr(activity, field) for field in self.base_fields}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)


# --- Anonymous client codes ---------------------------------------------------------------------------


def _fact_attrs(**extra):
    # The facts must not linger in the browser's form history.
    return {"autocomplete": "off", "spellcheck": "false", **extra}


class ClientCodeFactsForm(InputForm):
    """The four facts the person gives. They are used once to make the code and never stored."""

    mother_initial = forms.CharField(
        label=_("First letter of the mother's first name"),
        max_length=2,
        widget=forms.TextInput(attrs=_fact_attrs(maxlength=2, size=2, autocapitalize="characters")),
    )
    own_initial = forms.CharField(
        label=_("First letter of the person's own first name"),
        max_length=2,
        widget=forms.TextInput(attrs=_fact_attrs(maxlength=2, size=2, autocapitalize="characters")),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        widget=forms.NumberInput(attrs=_fact_attrs(inputmode="numeric")),
    )
    birth_country = forms.ChoiceField(
        label=_("Country of birth"), choices=country_choices, widget=QuickSelect(attrs=_fact_attrs())
    )


class ClientCodeLinkForm(InputForm):
    code = forms.CharField(
        label=_("Client code"),
        max_length=20,
        help_text=_("Ten letters and digits, like 4K7QX-M2PA9."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
