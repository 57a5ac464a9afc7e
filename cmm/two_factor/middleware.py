"""Every page needs a verified second factor for users who must use one (cmm.two_factor.selectors)."""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from cmm.two_factor.selectors import has_confirmed_device, two_factor_required

# What a logged-in user reaches before the second step: logging in and out, the second step itself, the
# language switch, the health check and the API's token endpoint (which asks for a code of its own).
EXEMPT_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "two-factor-setup",
        "two-factor-verify",
        "set_language",
        "healthz",
        "api-token",
    }
)
EXEMPT_PREFIXES = ("/static/",)


def _exempt(request) -> bool:
    if request.path_info.startswith(EXEMPT_PREFIXES):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return True  # nothing there: the 404 page shows nothing
    return match.url_name in EXEMPT_URL_NAMES and not match.namespace


def second_step_url(request, *, user=None) -> str:
    """Where the user enters their second factor: the set-up page if they have no authenticator yet, else the
    verification page, with ?next= back to what they asked for."""
    user = user or request.user
    name = "two-factor-verify" if has_confirmed_device(user=user) else "two-factor-setup"
    return f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"


class TwoFactorRequiredMiddleware:
    """Send a logged-in user whose session has not passed the second step to it.

    Pages redirect (to set-up or verification, with ?next=); API requests made with the session get 403 JSON.
    Token-authenticated API requests carry no session user here: the token endpoint asked for the code.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not _exempt(request)
            and two_factor_required(user)
        ):
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": _("Enter your second factor (two-factor authentication) first."),
                        "code": "otp_required",
                    },
                    status=403,
                )
            return redirect(second_step_url(request))
        return self.get_response(request)
