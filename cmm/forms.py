"""Forms of the platform pages. They check shape; the rules live in cmm.services."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from cmm.input_rules import InputForm
from cmm.models import Membership, Role, User
from cmm.services import email_queue


class LoginForm(AuthenticationForm):
    # One message for every failure, so the form never tells whether a username exists.
    error_messages = {
        "invalid_login": _("The username or password is not correct. Both fields are case-sensitive."),
        "inactive": _("The username or password is not correct. Both fields are case-sensitive."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending through the outbox so the mail survives a broker outage.

    A new member is created without a usable password and told to choose one through the reset page
    (cmm.services.user_create_member). Django's form skips accounts without a usable password, so such a
    member would never get a link: here an active account without one gets it too, when it is an active member
    of an active organisation (an account without membership keeps Django's rule)."""

    def get_users(self, email):
        from django.contrib.auth.forms import _unicode_ci_compare

        email_field = User.get_email_field_name()
        users = (
            User._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True})
            .annotate(has_membership=Exists(Membership.objects.active().filter(user=OuterRef("pk"))))
            .order_by("pk")
        )
        for user in users:
            if not _unicode_ci_compare(email, getattr(user, email_field)):
                continue
            if user.has_usable_password() or user.has_membership:
                yield user

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from django.template import loader

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_queue(to=to_email, subject=subject, body=body)


class OrganisationSelectForm(InputForm):
    membership = forms.TypedChoiceField(label=_("Organisation"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [
            (m.pk, f"{m.organisation.name} — {m.get_role_display()}") for m in memberships
        ]


class MemberCreateForm(InputForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("The new member gets a link here to choose their password.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_username(self):
        return clean_new_username(self.cleaned_data["username"])


def clean_new_username(value: str) -> str:
    """Check a username for a new account: valid characters and not taken in any letter case."""
    username = value.strip()
    User.username_validator(username)
    if User.objects.filter(username__iexact=username).exists():
        raise forms.ValidationError(_("This username is already taken."), code="taken")
    return username


class MemberChangeForm(InputForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_active = forms.BooleanField(
        label=_("Active member"),
        required=False,
        help_text=_("Untick to end the membership. The person keeps any memberships elsewhere."),
    )


def attach_service_errors(form, exc, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on a form: each field's errors next to that field (after renaming a
    service's name for it through `aliases`), anything the form has no field for above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        name = (aliases or {}).get(field, field)
        form.add_error(name if name in form.fields and name != NON_FIELD_ERRORS else None, errors)
