"""The one field of the second step: a code from the authenticator app, or a recovery code."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cmm.input_rules import InputForm


class CodeForm(InputForm):
    """Shape only: the service decides whether the code is right."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class SetupCodeForm(CodeForm):
    code = forms.CharField(
        label=_("6-digit code from the app"),
        max_length=12,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


class VerifyForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        )
