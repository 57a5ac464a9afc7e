"""Forms of the referral pages. They check shape only; the rules (consent or a coordinator's override, one
open referral per receiver, who may answer) live in referrals.services.referrals. Field names match the keys
of the services' ValidationErrors, so a refused value is shown next to its field."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms.support import DateInput
from cmm.input_rules import InputForm
from referrals.choices import ConsentScope, ReferralKind, ReferralReason, ReferralStatus

NO_IDENTIFYING = _("No names or other details that could identify the person.")
NO_NAMES = _(
    "No names or other details that could identify the person: the receiver sees the case once it accepts."
)

TEXT_LENGTH = 2000


def _text(label, *, required=True, help_text=NO_IDENTIFYING):
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


class ReferralSendForm(InputForm):
    to_organisation = forms.ModelChoiceField(
        label=_("Refer to"),
        queryset=None,
        empty_label="—",
        help_text=_("An active organisation other than yours."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of referral"),
        choices=ReferralKind.choices,
        initial=ReferralKind.SHARE,
        widget=forms.RadioSelect,
        help_text=_(
            "Share: the receiver works on the case with you and you keep it. Transfer: the receiver takes "
            "the case over and your organisation loses access to it."
        ),
    )
    reason = forms.ChoiceField(label=_("Service requested"), choices=[("", "—"), *ReferralReason.choices])
    request_note = _text(_("What is asked for"), required=False, help_text=NO_NAMES)
    consent_given = forms.TypedChoiceField(
        label=_("Does the person consent to the referral?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    consent_on = forms.DateField(label=_("Consent given on"), required=False, widget=DateInput)
    consent_scope = forms.ChoiceField(
        label=_("What the person agreed may be shared"),
        choices=ConsentScope.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    override_reason = _text(
        _("Reason for sending without consent"),
        required=False,
        help_text=_(
            "As a coordinator you may send a referral without the person's consent, with a written reason. "
            "It is audited, and only the case facts are shared, never the personal details. No names."
        ),
    )

    def __init__(self, *args, organisations, can_override: bool, **kwargs):
        initial = dict(kwargs.pop("initial", None) or {})
        initial.setdefault("consent_on", timezone.localdate())
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["to_organisation"].queryset = organisations
        if not can_override:
            del self.fields["override_reason"]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.setdefault("override_reason", "")
        data["consent_on"] = data.get("consent_on")
        data["consent_scope"] = data.get("consent_scope") or ""
        return data


class ReferralDeclineForm(InputForm):
    response_note = _text(_("Reason for declining"))


class ReferralEndForm(InputForm):
    reason = _text(_("Reason"))


class ReferralFilterForm(InputForm):
    """The filters of the referral lists; a value it does not know is ignored."""

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *ReferralStatus.choices], required=False
    )
    reason = forms.ChoiceField(
        label=_("Service requested"), choices=[("", _("All")), *ReferralReason.choices], required=False
    )
