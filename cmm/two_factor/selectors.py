"""Reads of two-factor authentication: who must use it, what the user has set up, whether it is fresh."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cmm.roles import ROLE_PERMISSIONS
from cmm.selectors import membership_choices_for_user

# The session key holding when (Unix seconds) the second factor was last entered in this session.
SESSION_VERIFIED_AT = "cmm_otp_verified_at"

# A role carrying any of these sees personal details or can take data out of the system (the statistics and
# case-level exports, the PDF reports of a case or of statistics), so it must use a second factor.
SENSITIVE_PERMISSIONS = frozenset(
    {
        "cases.view_case",
        "cases.view_personal_details",
        "reports.view_statistics",
        "reports.view_national_statistics",
    }
)


def role_needs_two_factor(role: str) -> bool:
    """Tell whether a role's permissions include personal details or an export."""
    return not SENSITIVE_PERMISSIONS.isdisjoint(ROLE_PERMISSIONS.get(role, ()))


def two_factor_required(user) -> bool:
    """Tell whether the user must confirm a second factor: staff and superusers always, everyone else when
    one of their active memberships has a role that sees personal details or exports (the one rule)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(role_needs_two_factor(m.role) for m in membership_choices_for_user(user=user))


def totp_device_for_user(*, user) -> TOTPDevice | None:
    """Return the user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_confirmed_device(*, user) -> bool:
    """Tell whether the user has set up their authenticator app (recovery codes alone do not count)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(*, user) -> int:
    """Count the user's unused recovery codes."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_devices(*, user, recovery: bool) -> list:
    """Return the confirmed devices a code is checked against: authenticator apps, or recovery codes."""
    model = StaticDevice if recovery else TOTPDevice
    return list(model.objects.filter(user=user, confirmed=True).order_by("pk"))


def verified_at(request):
    """When the second factor was last entered in this session (aware datetime), or None."""
    stamp = request.session.get(SESSION_VERIFIED_AT)
    if stamp is None:
        return None
    return datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC)


def two_factor_fresh(request) -> bool:
    """Tell whether this session entered its second factor within the last TWO_FACTOR_FRESH_MINUTES."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is None or not is_verified():
        return False
    stamp = request.session.get(SESSION_VERIFIED_AT)
    if stamp is None:
        return False
    age = timezone.now().timestamp() - stamp
    return age <= settings.TWO_FACTOR_FRESH_MINUTES * 60


def token_fresh(token) -> bool:
    """Tell whether an API token was issued (with a second factor) in the last TWO_FACTOR_FRESH_MINUTES."""
    age = (timezone.now() - token.created).total_seconds()
    return age <= settings.TWO_FACTOR_FRESH_MINUTES * 60


def member_for_two_factor_reset(*, user, membership_id: int):
    """Return the membership whose user's second factor `user` may reset: a member of their own organisation
    for an organisation admin, anyone's for a superuser; Http404 otherwise."""
    from django.shortcuts import get_object_or_404

    from cmm.models import Membership
    from cmm.selectors import member_get_for_user

    if user.is_superuser:
        return get_object_or_404(Membership.objects.select_related("user", "organisation"), pk=membership_id)
    return member_get_for_user(user=user, membership_id=membership_id, perm="cmm.change_membership")
