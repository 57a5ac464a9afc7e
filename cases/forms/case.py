"""Forms of the case-file pages. They check shape only; the rules (dates, who may be contact person...) live
in cases.services, whose ValidationError the views attach to these forms."""

from __future__ import annotations

from django import forms
from django.conf.locale import LANG_INFO
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    CloseReason,
    ControlMeans,
    ExploitationType,
    ForcedLabourSector,
    Gender,
    ResidenceStatus,
)
from cases.models import Case, PersonalDetails
from cmm.countries import country_choices
from cmm.input_rules import BIRTH_DATE, InputForm
from cmm.widgets import QuickSelect

# Languages the people CMM meets speak most often (Django's LANG_INFO codes); Danish and English first.
COMMON_LANGUAGES = [
    "da",
    "en",
    "ar",
    "bg",
    "ckb",
    "de",
    "es",
    "fa",
    "fr",
    "hu",
    "ig",
    "lt",
    "lv",
    "pl",
    "pt",
    "ro",
    "ru",
    "sq",
    "sw",
    "th",
    "tr",
    "uk",
    "vi",
    "zh-hans",
]

# <input type="date"> takes ISO dates only, whatever the reader's language.
ISO_DATE = "%Y-%m-%d"
# Identifying inputs must never be kept by the browser's form history.
_NO_AUTOFILL = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}


def language_name(code: str) -> str:
    """The language's name in the reader's language (Django's own catalogue), or the code if unknown."""
    info = LANG_INFO.get(code, {})
    if "name" not in info:
        return code
    return capfirst(gettext(info["name"]))


def language_choices(extra: list[str] = ()) -> list[tuple[str, str]]:
    """The common languages, plus any code already on the case (so that saving never drops one)."""
    codes = COMMON_LANGUAGES + [code for code in extra if code not in COMMON_LANGUAGES]
    head, rest = codes[:2], codes[2:]
    named = [(code, language_name(code)) for code in rest]
    return [(code, language_name(code)) for code in head] + sorted(named, key=lambda c: c[1].casefold())


def member_choices(members) -> list[tuple[int, str]]:
    """Choices of user ids from memberships (with the user selected), labelled as the case filter does."""
    return [(m.user_id, m.user.get_full_name() or m.user.username) for m in members]


class CaseForm(InputForm):
    """The non-identifying facts of a case; on create also the first personal details."""

    opened_on = forms.DateField(
        label=_("Opened on"), widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"})
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        validators=[BIRTH_DATE],
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date", **_NO_AUTOFILL}),
        help_text=_("Only if known exactly. It is kept encrypted with the personal details."),
    )
    estimated_age = forms.IntegerField(
        label=_("Estimated age when opened"),
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("If the exact date of birth is not known."),
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"),
        required=False,
        widget=QuickSelect(
            attrs={"data-filterable": "", "data-filter-placeholder": _("Type to filter the list")}
        ),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), required=False, widget=forms.CheckboxSelectMultiple
    )
    residence_status = forms.ChoiceField(label=_("Residence status"), choices=ResidenceStatus.choices)
    exploitation_types = forms.MultipleChoiceField(
        label=_("Forms of exploitation"),
        required=False,
        choices=ExploitationType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    forced_labour_sector = forms.ChoiceField(
        label=_("Forced-labour sector"),
        required=False,
        choices=[("", "—"), *ForcedLabourSector.choices],
        help_text=_("Required when forced labour is ticked."),
    )
    control_means = forms.MultipleChoiceField(
        label=_("Means of control"),
        required=False,
        choices=ControlMeans.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    unaccompanied_minor = forms.BooleanField(label=_("Unaccompanied minor"), required=False)
    contact_person = forms.TypedChoiceField(label=_("Contact person"), required=False, coerce=int)
    full_name = forms.CharField(
        label=_("Name"), required=False, max_length=300, widget=forms.TextInput(attrs=_NO_AUTOFILL)
    )
    phone_numbers = forms.CharField(
        label=_("Phone numbers"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"type": "tel", **_NO_AUTOFILL}),
    )

    # Fields that only exist when a case is opened: afterwards they live in the personal details.
    CREATE_ONLY = ("date_of_birth", "full_name", "phone_numbers")
    IDENTIFYING = ("date_of_birth", "full_name", "phone_numbers")

    def __init__(self, *args, members, case: Case | None = None, **kwargs):
        self.case = case
        self.members = {m.user_id: m.user for m in members}
        if case is not None:
            kwargs.setdefault("initial", self.initial_from(case))
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = country_choices()
        self.fields["languages"].choices = language_choices(case.languages if case else [])
        contact_choices = member_choices(members)
        if case is not None and case.contact_person and case.contact_person_id not in self.members:
            # A former member stays selectable, so that saving other facts does not drop the contact.
            self.members[case.contact_person_id] = case.contact_person
            label = gettext("%(name)s (no longer a member)") % {
                "name": case.contact_person.get_full_name() or case.contact_person.username
            }
            contact_choices.append((case.contact_person_id, label))
        self.fields["contact_person"].choices = [("", "—"), *contact_choices]
        if case is None:
            self.fields["opened_on"].initial = timezone.localdate()
            self.fields["gender"].initial = Gender.UNKNOWN
            self.fields["residence_status"].initial = ResidenceStatus.UNKNOWN
        else:
            for name in self.CREATE_ONLY:
                del self.fields[name]
            if not case.age_is_estimate:
                age = self.fields["estimated_age"]
                age.disabled = True
                age.label = _("Age when opened")
                age.help_text = _(
                    "Calculated from the exact date of birth. Change the date of birth in the personal "
                    "details instead."
                )

    @staticmethod
    def initial_from(case: Case) -> dict:
        exploitations = list(case.exploitations.all())
        sector = next((e.sector for e in exploitations if e.type == ExploitationType.FORCED_LABOUR), "")
        return {
            "opened_on": case.opened_on,
            "gender": case.gender,
            "estimated_age": case.age_at_opening,
            "nationality": case.nationality.code or "",
            "languages": list(case.languages or []),
            "residence_status": case.residence_status,
            "exploitation_types": [e.type for e in exploitations],
            "forced_labour_sector": sector,
            "control_means": [means.type for means in case.control_means.all()],
            "unaccompanied_minor": case.unaccompanied_minor,
            "contact_person": case.contact_person_id or "",
        }

    def clean(self):
        cleaned = super().clean()
        types = cleaned.get("exploitation_types") or []
        if ExploitationType.FORCED_LABOUR in types and not cleaned.get("forced_labour_sector"):
            self.add_error("forced_labour_sector", _("Choose the sector of the forced labour."))
        contact = cleaned.get("contact_person")
        cleaned["contact_person"] = self.members.get(contact) if contact not in (None, "") else None
        return cleaned

    def exploitations(self) -> list[tuple[str, str]]:
        sector = self.cleaned_data.get("forced_labour_sector") or ""
        return [
            (kind, sector if kind == ExploitationType.FORCED_LABOUR else "")
            for kind in self.cleaned_data.get("exploitation_types") or []
        ]

    def open_kwargs(self) -> dict:
        """Keyword arguments for cases.services.case_open."""
        data = self.cleaned_data
        personal = {name: data[name] for name in ("full_name", "phone_numbers") if data.get(name)}
        return {
            "opened_on": data["opened_on"],
            "gender": data["gender"],
            "residence_status": data["residence_status"],
            "nationality": data["nationality"],
            "languages": data["languages"],
            "unaccompanied_minor": data["unaccompanied_minor"],
            "exploitations": self.exploitations(),
            "control_means": data["control_means"],
            "contact_person": data["contact_person"],
            "date_of_birth": data["date_of_birth"],
            "estimated_age": data["estimated_age"],
            "personal": personal or None,
        }

    def update_kwargs(self) -> dict:
        """Keyword arguments for cases.services.case_update (facts in cases.services.CASE_FIELDS)."""
        data, case = self.cleaned_data, self.case
        changes = {
            "opened_on": data["opened_on"],
            "gender": data["gender"],
            "nationality": data["nationality"],
            "languages": data["languages"],
            "residence_status": data["residence_status"],
            "unaccompanied_minor": data["unaccompanied_minor"],
        }
        # Only a changed contact person is checked again: a former member may stay on an old case.
        if data["contact_person"] != case.contact_person:
            changes["contact_person"] = data["contact_person"]
        if case.age_is_estimate:
            changes["age_at_opening"] = data["estimated_age"]
            changes["age_is_estimate"] = True
        return {
            **changes,
            "exploitations": self.exploitations(),
            "control_means": self.cleaned_data["control_means"],
        }


class CaseCloseForm(InputForm):
    closed_on = forms.DateField(
        label=_("Closed on"), widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"})
    )
    reason = forms.ChoiceField(
        label=_("Reason for closing"), choices=CloseReason.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()


class CaseDeleteForm(InputForm):
    reason = forms.CharField(
        label=_("Reason for deleting"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: registered twice by mistake. Do not write names or other identifying details."
        ),
    )


class PersonalDetailsForm(InputForm):
    """The identifying details, labelled as the model labels them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in PersonalDetails.FIELDS:
            model_field = PersonalDetails._meta.get_field(name)
            if name == "date_of_birth":
                field = forms.DateField(
                    widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date", **_NO_AUTOFILL}),
                    validators=[BIRTH_DATE],
                )
            elif name == "full_name":
                field = forms.CharField(widget=forms.TextInput(attrs=_NO_AUTOFILL))
            else:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, **_NO_AUTOFILL}))
            field.required = False
            field.label = capfirst(model_field.verbose_name)
            self.fields[name] = field


class TeamAddForm(InputForm):
    user = forms.TypedChoiceField(label=_("Member to add"), coerce=int)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {m.user_id: m.user for m in members}
        self.fields["user"].choices = [("", "—"), *member_choices(members)]

    def clean_user(self):
        return self.members[self.cleaned_data["user"]]


class TeamRemoveForm(InputForm):
    user = forms.TypedChoiceField(coerce=int)

    def __init__(self, *args, team_users, **kwargs):
        super().__init__(*args, **kwargs)
        self.team_users = {user.pk: user for user in team_users}
        self.fields["user"].choices = [(pk, str(pk)) for pk in self.team_users]

    def clean_user(self):
        return self.team_users[self.cleaned_data["user"]]
