"""Exports need a fresh second factor: the page mixin, the view decorator and the API permission."""

from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token
from rest_framework.permissions import BasePermission

from cmm.two_factor.selectors import token_fresh, two_factor_fresh

FRESH_CODE = "fresh_otp_required"


def fresh_verify_url(request) -> str:
    """The verification page, asking for a new code and coming back here (a GET of this page) afterwards."""
    back = request.get_full_path() if request.method == "GET" else request.path
    return f"{reverse('two-factor-verify')}?{urlencode({'next': back, 'fresh': '1'})}"


class FreshSecondFactorRequiredMixin:
    """For pages that export data: the second factor must have been entered within TWO_FACTOR_FRESH_MINUTES;
    otherwise the user is sent to enter a new code and brought back. Put it first among the bases."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not two_factor_fresh(request):
            return redirect(fresh_verify_url(request))
        return super().dispatch(request, *args, **kwargs)


def fresh_second_factor_required(view):
    """The decorator form of FreshSecondFactorRequiredMixin, for function views."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated and not two_factor_fresh(request):
            return redirect(fresh_verify_url(request))
        return view(request, *args, **kwargs)

    return wrapped


class FreshSecondFactor(BasePermission):
    """API exports: a session must have entered its second factor within TWO_FACTOR_FRESH_MINUTES; a token
    must have been issued (which needs a code) within as long. Else 403 with code "fresh_otp_required"."""

    message = {
        "detail": _(
            "Exports need a second factor entered in the last few minutes: enter a new code, or get a new "
            "API token with a code."
        ),
        "code": FRESH_CODE,
    }

    def has_permission(self, request, view):
        if isinstance(request.auth, Token):
            return token_fresh(request.auth)
        return two_factor_fresh(request._request)
