"""The second step of logging in (set-up and verification), the user's two-factor settings and recovery
codes, and an organisation admin's reset of a member's authenticator."""

from functools import partial

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django_otp.plugins.otp_static.models import StaticDevice

from cmm.forms import attach_service_errors
from cmm.permissions import has_role_permission
from cmm.two_factor import services
from cmm.two_factor.forms import CodeForm, SetupCodeForm, VerifyForm
from cmm.two_factor.selectors import (
    has_confirmed_device,
    member_for_two_factor_reset,
    recovery_codes_left,
    totp_device_for_user,
    two_factor_fresh,
    two_factor_required,
    verified_at,
)
from cmm.views import client_ip


def _next_url(request, default: str = "home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


def _private(response):
    """Keys, codes and the second step never go into a cache."""
    add_never_cache_headers(response)
    return response


def _with_code(request, form, check):
    """Run `check(code=..., ip_address=...)` (a service) with the form's code when the form is valid; a
    refusal (ValidationError) goes next to the field. Returns the service's answer, or None when refused."""
    if not form.is_valid():
        return None
    try:
        return check(code=form.cleaned_data["code"], ip_address=client_ip(request))
    except ValidationError as error:
        attach_service_errors(form, error)
        return None


def _recovery_codes_page(request, codes, *, next_url: str, first_time: bool):
    """The new recovery codes, shown once."""
    context = {"codes": codes, "next": next_url, "first_time": first_time}
    return _private(render(request, "two_factor/recovery_codes.html", context))


def _qr_svg(device) -> str:
    # segno writes plain SVG markup (paths, no script, no style attribute) from the otpauth:// address.
    qr = segno.make(device.config_url, error="m")
    return mark_safe(qr.svg_inline(scale=4, border=2, dark="#000", light="#fff", omitsize=True))  # noqa: S308


class TwoFactorSetupView(LoginRequiredMixin, View):
    """Set up the authenticator app: scan the QR code (or type the key), enter the first code; then the
    recovery codes are shown, once."""

    template_name = "two_factor/setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and has_confirmed_device(user=request.user):
            # Already set up: a second device is never added this way (a lost phone is an admin reset).
            target = "two-factor-settings" if request.user.is_verified() else "two-factor-verify"
            return redirect(
                f"{reverse(target)}?{request.GET.urlencode()}" if request.GET else reverse(target)
            )
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form, status=200):
        device = services.totp_device_start(user=request.user)
        context = {
            "form": form,
            "qr_svg": _qr_svg(device),
            "secret": services.secret_for_display(device),
            "next": _next_url(request),
            "required": two_factor_required(request.user),
        }
        return _private(render(request, self.template_name, context, status=status))

    def get(self, request):
        return self._render(request, SetupCodeForm())

    def post(self, request):
        form = SetupCodeForm(request.POST)
        device = services.totp_device_start(user=request.user)
        codes = _with_code(
            request, form, partial(services.totp_device_confirm, request=request, device=device)
        )
        if codes is not None:
            return _recovery_codes_page(request, codes, next_url=_next_url(request), first_time=True)
        return self._render(request, form, status=400)


class TwoFactorVerifyView(LoginRequiredMixin, View):
    """The second step after the password, and again before an export when the last one is not fresh."""

    template_name = "two_factor/verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_confirmed_device(user=request.user):
            query = f"?{request.GET.urlencode()}" if request.GET else ""
            return redirect(f"{reverse('two-factor-setup')}{query}")
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form, status=200):
        context = {
            "form": form,
            "next": _next_url(request),
            "fresh": bool(request.GET.get("fresh") or request.POST.get("fresh")),
            "verified": request.user.is_verified(),
        }
        return _private(render(request, self.template_name, context, status=status))

    def get(self, request):
        return self._render(request, VerifyForm())

    def post(self, request):
        form = VerifyForm(request.POST)
        device = _with_code(request, form, partial(services.second_factor_verify, request=request))
        if device is not None:
            if isinstance(device, StaticDevice):
                left = recovery_codes_left(user=request.user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code. %(count)d is left: make new ones in your two-factor "
                        "settings.",
                        "You used a recovery code. %(count)d are left: make new ones in your two-factor "
                        "settings.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(_next_url(request))
        return self._render(request, form, status=400)


class TwoFactorSettingsView(LoginRequiredMixin, View):
    """The user's two-factor status: since when the app is set up, recovery codes left, new recovery codes."""

    template_name = "two_factor/settings.html"

    def _render(self, request, form, status=200):
        device = totp_device_for_user(user=request.user)
        context = {
            "form": form,
            "device": device,
            "codes_left": recovery_codes_left(user=request.user) if device else 0,
            "verified_at": verified_at(request),
            "fresh": two_factor_fresh(request),
        }
        return _private(render(request, self.template_name, context, status=status))

    def get(self, request):
        return self._render(request, CodeForm())


class RecoveryCodesRegenerateView(LoginRequiredMixin, View):
    """New recovery codes (the old ones stop working), after a current code."""

    def get(self, request):
        return redirect("two-factor-settings")

    def post(self, request):
        form = CodeForm(request.POST)
        codes = _with_code(request, form, partial(services.recovery_codes_regenerate, request=request))
        if codes is not None:
            return _recovery_codes_page(
                request, codes, next_url=reverse("two-factor-settings"), first_time=False
            )
        return TwoFactorSettingsView()._render(request, form, status=400)


class TwoFactorResetView(LoginRequiredMixin, View):
    """An organisation admin (of the member's organisation) or a superuser removes a member's authenticator
    and recovery codes; the member sets up again at their next login. Anyone else gets 404."""

    template_name = "two_factor/reset_confirm.html"

    def _member(self, request, pk):
        return member_for_two_factor_reset(user=request.user, membership_id=pk)

    def get(self, request, pk):
        member = self._member(request, pk)
        context = {
            "member": member,
            "has_device": has_confirmed_device(user=member.user),
            "can_manage_members": has_role_permission(request.user, "cmm.change_membership"),
        }
        return _private(render(request, self.template_name, context))

    def post(self, request, pk):
        member = self._member(request, pk)
        own = member.user_id == request.user.pk
        services.two_factor_reset(
            membership=member,
            by=request.user,
            ip_address=client_ip(request),
            except_session_key=request.session.session_key if own else None,
        )
        messages.success(
            request,
            _("Two-factor authentication was reset. %(username)s sets it up again at the next login.")
            % {"username": member.user.username},
        )
        if has_role_permission(request.user, "cmm.change_membership"):
            return redirect("member-change", member.pk)
        return redirect("home")
