"""Forms of the identification pages.

They check shape only; the rules (who decides, dates, the court verdict, file types) live in
identification.services. Field names match the keys of the ValidationErrors the services raise, so a refused
value is shown next to the field it concerns.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import ExploitationType, ResidenceStatus
from cases.forms.case import language_choices
from cases.forms.support import DateInput
from cmm.input_rules import InputForm
from identification.choices import Finding, Outcome, PresentedBy
from outreach.choices import Indicator

NO_NAMES = _("No names or other details that could identify the person.")

# Where an indicator was recorded before (identification.selectors.RecordedIndicators).
SOURCES = {
    "case": _("case"),
    "contact": _("outreach contact"),
    "form": _("earlier identification form"),
}


def _date(label, *, help_text=""):
    return forms.DateField(label=label, widget=DateInput, help_text=help_text)


def _today_initial(kwargs: dict, *names: str) -> dict:
    initial = dict(kwargs.pop("initial", None) or {})
    for name in names:
        initial.setdefault(name, timezone.localdate())
    return initial


class PresentationForm(InputForm):
    presented_on = _date(_("Presented on"))
    presented_by = forms.ChoiceField(
        label=_("Presented by"), choices=PresentedBy.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        kwargs["initial"] = _today_initial(kwargs, "presented_on")
        super().__init__(*args, **kwargs)


class ResidenceStatusForm(InputForm):
    """Resolve (or correct) the residence status at the time of presentation."""

    residence_status = forms.ChoiceField(
        label=_("Residence status at presentation"),
        choices=[
            ("", "—"),
            *((v, lbl) for v, lbl in ResidenceStatus.choices if v != ResidenceStatus.UNKNOWN),
        ],
        help_text=_("The status the person had on the day the case was presented."),
    )


class PoliceAssessmentForm(InputForm):
    assessed_on = _date(_("Assessed on"))
    finding = forms.ChoiceField(
        label=_("Police assessment"), choices=Finding.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("The police's reasons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs):
        kwargs["initial"] = _today_initial(kwargs, "assessed_on")
        super().__init__(*args, **kwargs)


class InterviewForm(InputForm):
    """The identification form of a CMM or NGO social worker."""

    interviewed_on = _date(_("Interview date"))
    indicators = forms.MultipleChoiceField(
        label=_("Indicators found"),
        required=False,
        choices=Indicator.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    interpreter_used = forms.BooleanField(label=_("Interpreter used"), required=False)
    interpreter_language = forms.ChoiceField(label=_("Interpreter language"), required=False)
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Kept encrypted; shown only to those who may see the person's details."),
    )

    def __init__(self, *args, recorded: dict[str, set[str]] | None = None, **kwargs):
        """`recorded`: the indicators already recorded for the case and where
        (identification.selectors.indicators_recorded_for_case). They are ticked from the start and marked
        as such; the social worker unticks what the interview did not confirm."""
        kwargs["initial"] = _today_initial(kwargs, "interviewed_on")
        self.recorded = {value: sources for value, sources in (recorded or {}).items() if value in Indicator}
        if self.recorded:
            kwargs["initial"].setdefault("indicators", [v for v in Indicator.values if v in self.recorded])
        super().__init__(*args, **kwargs)
        self.fields["interpreter_language"].choices = [("", "—"), *language_choices()]
        if self.recorded:
            self.fields["indicators"].choices = [
                (
                    value,
                    _("%(indicator)s (already recorded: %(where)s)")
                    % {
                        "indicator": label,
                        "where": ", ".join(str(SOURCES[s]) for s in sorted(self.recorded[value])),
                    },
                )
                if value in self.recorded
                else (value, label)
                for value, label in Indicator.choices
            ]
            self.fields["indicators"].help_text = _(
                "Prefilled: the indicators already recorded on the case, its outreach contacts and earlier "
                "identification forms are ticked. Untick what the interview did not confirm."
            )


class AttachmentForm(InputForm):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("A PDF, an image (JPEG, PNG, HEIC), a Word document or a text file."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,.heic,.docx,.txt,application/pdf,image/*,text/plain"}
        ),
    )


class CourtVerdictForm(InputForm):
    court = forms.CharField(label=_("Court"), max_length=200)
    ruled_on = _date(_("Date of the verdict"))
    finding = forms.ChoiceField(
        label=_("The court found the person"),
        choices=[
            (Finding.TRAFFICKED, Finding.TRAFFICKED.label),
            (Finding.NOT_TRAFFICKED, Finding.NOT_TRAFFICKED.label),
        ],
        widget=forms.RadioSelect,
    )


class DecisionForm(InputForm):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices, widget=forms.RadioSelect)
    decided_on = _date(_("Decision date"))
    exploitation_types = forms.MultipleChoiceField(
        label=_("Forms of exploitation established"),
        required=False,
        choices=ExploitationType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Required when the person is identified as trafficked."),
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=NO_NAMES,
    )

    def __init__(self, *args, **kwargs):
        kwargs["initial"] = _today_initial(kwargs, "decided_on")
        super().__init__(*args, **kwargs)
