"""Forms of the return-plan pages.

They check shape only; the rules (responsible body and channel, the workflow, dates, one component of a kind,
schooling only for a minor, the representative's involvement) live in referrals.services.returns. Field names
match the keys of the ValidationErrors the services raise, so a refused value is shown next to its field.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cases.forms.support import DateInput
from cases.personal_texts import MASK
from cmm.input_rules import InputForm
from referrals.choices import (
    ComponentKind,
    ComponentStatus,
    Currency,
    EscortKind,
    ReturnBody,
    ReturnChannel,
    ReturnStatus,
    TravelDocumentStatus,
)
from referrals.routing import allowed_channels

NO_NAMES = _("No names or other details that could identify the person.")


def _date(label, *, required=True, help_text=""):
    return forms.DateField(label=label, widget=DateInput, required=required, help_text=help_text)


def _text(label, *, required=False, help_text=NO_NAMES, rows=3):
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
        max_length=4000,
    )


def _today_initial(kwargs: dict, *names: str) -> dict:
    initial = dict(kwargs.pop("initial", None) or {})
    for name in names:
        initial.setdefault(name, timezone.localdate())
    return initial


class ReturnPlanForm(InputForm):
    """The plan's details, when it is drafted and while it is in progress. `body` is the responsible body
    (which decides the channels offered); `departed` adds the actual departure date, which only a plan after
    departure has."""

    destination_country = forms.ChoiceField(
        label=_("Destination country"),
        widget=forms.Select(
            attrs={"data-filterable": "", "data-filter-placeholder": _("Type to filter the list")}
        ),
    )
    destination_city = forms.CharField(label=_("Destination city"), max_length=120, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=ReturnChannel.choices)
    iom_reference = forms.CharField(label=_("IOM reference"), max_length=60, required=False)
    planned_departure_on = _date(_("Planned departure"), required=False)
    actual_departure_on = _date(_("Actual departure"))
    travel_documents = forms.ChoiceField(label=_("Travel documents"), choices=TravelDocumentStatus.choices)
    escort = forms.ChoiceField(label=_("Escort"), choices=EscortKind.choices)
    escort_name = forms.CharField(
        label=_("Escort's name or role"),
        max_length=200,
        required=False,
        help_text=_("A professional's name or role, never the person's family."),
    )
    receiving_organisation = forms.CharField(
        label=_("Receiving organisation in the home country"), max_length=200, required=False
    )

    def __init__(self, *args, body: str, departed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination_country"].choices = [("", "—"), *((c.code, c.name) for c in countries)]
        names = dict(ReturnChannel.choices)
        self.fields["channel"].choices = [(value, names[value]) for value in allowed_channels(body)]
        self.fields["channel"].initial = allowed_channels(body)[0]
        if not departed:
            del self.fields["actual_departure_on"]

    @staticmethod
    def initial_from(plan) -> dict:
        return {
            "destination_country": plan.destination_country.code or "",
            "destination_city": plan.destination_city,
            "channel": plan.channel,
            "iom_reference": plan.iom_reference,
            "planned_departure_on": plan.planned_departure_on,
            "actual_departure_on": plan.actual_departure_on,
            "travel_documents": plan.travel_documents,
            "escort": plan.escort,
            "escort_name": plan.escort_name,
            "receiving_organisation": plan.receiving_organisation,
        }


class TransitionForm(InputForm):
    """One step of the workflow: which (the button pressed), on which date, with a note."""

    to_status = forms.ChoiceField(label=_("Next step"), choices=ReturnStatus.choices)
    on = _date(_("Date of this step"))
    note = _text(
        _("Note"),
        help_text=_(
            "Required when the person declines or the plan is cancelled. No names or other details "
            "that could identify the person."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs["initial"] = _today_initial(kwargs, "on")
        super().__init__(*args, **kwargs)


class ComponentForm(InputForm):
    kind = forms.ChoiceField(label=_("Component"), choices=ComponentKind.choices)
    budget_amount = forms.DecimalField(
        label=_("Budget"),
        max_digits=10,
        decimal_places=2,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial=Currency.DKK)
    status = forms.ChoiceField(
        label=_("Status"), choices=ComponentStatus.choices, initial=ComponentStatus.PLANNED
    )
    notes = _text(_("Notes"))

    @staticmethod
    def initial_from(component) -> dict:
        return {
            name: getattr(component, name)
            for name in ("kind", "budget_amount", "currency", "status", "notes")
        }


class FollowUpForm(InputForm):
    done_on = _date(_("Done on"))
    note = _text(_("What the follow-up found"), required=True, rows=5)

    def __init__(self, *args, **kwargs):
        kwargs["initial"] = _today_initial(kwargs, "done_on")
        super().__init__(*args, **kwargs)


class RepresentativeForm(InputForm):
    """The minor's personal representative who took part in the plan: one of the case's representatives."""

    representative = forms.ModelChoiceField(
        label=_("Personal representative"), queryset=None, empty_label="—"
    )
    involved_on = _date(_("Took part on"))
    involvement = _text(
        _("How the representative took part"),
        help_text=_("For example: planned the return with the child, will escort the child home."),
    )

    def __init__(self, *args, representatives, names_shown: bool = True, **kwargs):
        kwargs["initial"] = _today_initial(kwargs, "involved_on")
        super().__init__(*args, **kwargs)
        self.fields["representative"].queryset = representatives
        # The names are the case's personal texts (cases.personal_texts): the others choose by the date.
        self.fields["representative"].label_from_instance = (
            _representative_label if names_shown else _representative_label_without_name
        )

    @staticmethod
    def initial_from(plan) -> dict:
        initial = {"involvement": plan.representative_involvement}
        if plan.representative_id:
            initial["representative"] = plan.representative_id
        if plan.representative_involved_on:
            initial["involved_on"] = plan.representative_involved_on
        return initial


def _representative_label_without_name(representative) -> str:
    return f"{MASK} ({date_format(representative.appointed_on, 'SHORT_DATE_FORMAT')})"


def _representative_label(representative) -> str:
    parts = [representative.name]
    if representative.organisation_name:
        parts.append(representative.organisation_name)
    return ", ".join(parts)


class ReturnPlanFilterForm(InputForm):
    """The list's filters; a value it does not know is ignored."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    body = forms.ChoiceField(label=_("Responsible"), required=False)
    country = forms.ChoiceField(label=_("Destination country"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        anything = ("", _("Any"))
        self.fields["status"].choices = [anything, *ReturnStatus.choices]
        self.fields["body"].choices = [anything, *ReturnBody.choices]
        self.fields["country"].choices = [anything, *((c.code, c.name) for c in countries)]

    def values(self) -> dict:
        self.is_valid()  # an unknown value drops out of cleaned_data, and so out of the filter
        return {name: self.cleaned_data.get(name, "") for name in self.fields}
