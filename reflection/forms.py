"""Forms of the reflection-period pages.

They check shape only; the rules (30 and 100 days, dates, one running period, the Immigration Service's
decision) live in reflection.services. Field names match the keys of the ValidationErrors the services raise,
so a refused value is shown next to the field it concerns.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms.support import DateInput
from cmm.input_rules import InputForm
from reflection.choices import ExtensionGround, PeriodKind, PeriodOutcome

NO_NAMES = _("No names or other details that could identify the person.")


def _date(label, *, required=True, help_text=""):
    return forms.DateField(label=label, widget=DateInput, required=required, help_text=help_text)


def _today_initial(kwargs: dict, *names: str) -> dict:
    initial = dict(kwargs.pop("initial", None) or {})
    for name in names:
        initial.setdefault(name, timezone.localdate())
    return initial


def _text(label, *, required=True, help_text=NO_NAMES):
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
        max_length=2000,
    )


class PeriodStartForm(InputForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=PeriodKind.choices, widget=forms.RadioSelect)
    starts_on = _date(_("Starts on"))
    initial_days = forms.IntegerField(
        label=_("Initial length (days)"),
        initial=30,
        help_text=_("30 days unless special reasons speak against it."),
    )
    short_reason = _text(_("Special reason for a shorter period"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs["initial"] = _today_initial(kwargs, "starts_on")
        super().__init__(*args, **kwargs)


class ExtendBy:
    DAYS = "days"
    DATE = "date"


class PeriodExtendForm(InputForm):
    """The extension, given EITHER as the new total length in days OR as the new deadline (`extend_by` says
    which; the other field is ignored). The service turns a deadline into days and asks the 100-day rule."""

    extend_by = forms.ChoiceField(
        label=_("Extend by giving"),
        choices=[(ExtendBy.DAYS, _("the new total length in days")), (ExtendBy.DATE, _("the new deadline"))],
        initial=ExtendBy.DAYS,
        required=False,  # days, when a client leaves it out
        widget=forms.RadioSelect,
    )
    new_total_days = forms.IntegerField(
        label=_("New total length (days)"),
        min_value=1,
        max_value=10000,
        required=False,
        help_text=_("Counted from the start of the period; at most 100 days in total."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    new_ends_on = _date(_("New deadline"), required=False)
    ground = forms.ChoiceField(
        label=_("Ground"),
        choices=[("", "—"), *ExtensionGround.choices],
        help_text=_(
            "Cooperation on a prepared return needs the case's return plan being prepared (draft, sent to "
            "IOM or approved)."
        ),
    )
    ground_text = _text(_("Explanation"), required=False)
    decided_on = _date(_("Decided on"))

    def __init__(self, *args, **kwargs):
        kwargs["initial"] = _today_initial(kwargs, "decided_on")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        by = cleaned.get("extend_by") or ExtendBy.DAYS
        chosen, other = (
            ("new_ends_on", "new_total_days") if by == ExtendBy.DATE else ("new_total_days", "new_ends_on")
        )
        cleaned[other] = None
        self.errors.pop(other, None)
        if cleaned.get(chosen) is None and chosen not in self.errors:
            if by == ExtendBy.DATE:
                self.add_error(chosen, _("Give the new deadline."))
            else:
                self.add_error(chosen, _("Give the new total length in days."))
        return cleaned

    def extension_values(self) -> dict:
        """The length asked for, as the services take it (new_total_days or new_ends_on)."""
        data = self.cleaned_data
        return {"new_total_days": data.get("new_total_days"), "new_ends_on": data.get("new_ends_on")}

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            **self.extension_values(),
            "ground": data["ground"],
            "ground_text": data["ground_text"],
            "decided_on": data["decided_on"],
        }


class PeriodCorrectForm(InputForm):
    starts_on = _date(
        _("Correct start date"),
        help_text=_(
            "Only to correct a start date recorded wrongly: the deadline moves with it, within 100 days in "
            "total."
        ),
    )


class PeriodPostponeForm(InputForm):
    from_date = _date(_("Postponed from"))
    reason = _text(_("Reason"))

    def __init__(self, *args, **kwargs):
        kwargs["initial"] = _today_initial(kwargs, "from_date")
        super().__init__(*args, **kwargs)


class PeriodLiftForm(InputForm):
    lifted_on = _date(_("Lifted on"))
    new_ends_on = _date(
        _("New deadline"),
        required=False,
        help_text=_(
            "Only if a new deadline was decided; otherwise the remaining days continue after the lift."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs["initial"] = _today_initial(kwargs, "lifted_on")
        super().__init__(*args, **kwargs)


class PeriodEndForm(InputForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *PeriodOutcome.choices])
    outcome_on = _date(_("Date of the outcome"))

    def __init__(self, *args, **kwargs):
        kwargs["initial"] = _today_initial(kwargs, "outcome_on")
        super().__init__(*args, **kwargs)
