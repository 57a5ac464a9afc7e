"""The GDPR erasure form: a typed confirmation of the case number and a reference to the request."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cmm.input_rules import InputForm


class CaseEraseForm(InputForm):
    confirm_number = forms.CharField(
        label=_("Type the case number to confirm"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    reason = forms.CharField(
        label=_("Reference to the person's request"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: request received by letter on 2 March, journal number 2026-114. It is kept in the "
            "audit log: no names or other identifying details."
        ),
    )
