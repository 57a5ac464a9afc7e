"""Writes of two-factor authentication: setting up the authenticator, checking codes, recovery codes and the
admin's reset. Codes are never logged or audited; failures are audited as failed logins at the "otp" step."""

from __future__ import annotations

import re
from base64 import b32encode
from datetime import timedelta

import django_otp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cmm.models import AuditAction, Membership, User
from cmm.security import sessions_end_for_user
from cmm.services import audit_record
from cmm.two_factor.selectors import SESSION_VERIFIED_AT, second_factor_devices

AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"

_TOTP_SHAPE = re.compile(r"^\d{6}$")


def secret_for_display(device: TOTPDevice) -> str:
    """The device's key as the Base32 text authenticator apps accept, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    """Drop what people type around a code (spaces, dashes) and ignore case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def is_totp_shaped(code: str) -> bool:
    return bool(_TOTP_SHAPE.match(code))


def totp_device_start(*, user: User) -> TOTPDevice:
    """Return the user's authenticator waiting to be confirmed, creating it (with a new random key) if needed.

    The same key is shown until the first code confirms it, so reloading the page does not break a scan."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def _throttled_error(data: dict | None) -> ValidationError:
    if data and data.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        until = data.get("locked_until")
        if until is not None:
            return ValidationError(
                {
                    "code": _("Too many wrong codes. Try again after %(time)s.")
                    % {"time": date_format(timezone.localtime(until), "TIME_FORMAT")}
                },
                code="throttled",
            )
    return ValidationError(
        {"code": _("Too many wrong codes. Wait a moment and try again.")}, code="throttled"
    )


def _record_failure(
    *, user: User, ip_address: str | None, organisation=None, throttled: bool = False
) -> None:
    # Never the code itself: only that the second step failed (or was refused unchecked while throttled).
    audit_record(
        actor=user,
        action=AuditAction.LOGIN_FAILED,
        organisation=organisation,
        detail={"step": "otp", "throttled": True} if throttled else {"step": "otp"},
        ip_address=ip_address,
    )


def _wrong_code() -> ValidationError:
    return ValidationError(
        {
            "code": _(
                "This code is not right. Enter the current 6-digit code from your app, or a recovery code."
            )
        },
        code="invalid",
    )


def second_factor_check(*, user: User, code: str, ip_address: str | None = None, organisation=None):
    """Check a TOTP code (6 digits) or a recovery code for the user and return the device it matched.

    A TOTP code is accepted once (django-otp refuses a time step it has already seen); a recovery code is
    used up. Wrong codes slow further tries down exponentially (django-otp's throttling, per device) and are
    audited. Raises ValidationError on the field "code"."""
    code = normalise_code(code)
    if not code:
        raise ValidationError({"code": _("Enter the code.")}, code="required")
    recovery = not is_totp_shaped(code)
    devices = second_factor_devices(user=user, recovery=recovery)
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if not allowed:
            _record_failure(user=user, ip_address=ip_address, organisation=organisation, throttled=True)
            raise _throttled_error(data)
    for device in devices:
        if device.verify_token(code):
            return device
    _record_failure(user=user, ip_address=ip_address, organisation=organisation)
    raise _wrong_code()


def second_factor_login(*, request, device) -> None:
    """Mark this session as verified by `device`, now (the time makes the second factor "fresh"), under a new
    session id: the session gains trust here as at the password, so an id seen before this step (a planted
    or observed cookie) must not carry it. The old id is deleted on the server."""
    django_otp.login(request, device)
    request.session[SESSION_VERIFIED_AT] = int(timezone.now().timestamp())
    request.session.cycle_key()  # cmm.security.SessionLifetimeMiddleware records the new key as the user's


def second_factor_verify(*, request, code: str, ip_address: str | None = None):
    """Check a code for the logged-in user and, if it is right, verify the session. Returns the device."""
    membership = getattr(request, "membership", None)
    device = second_factor_check(
        user=request.user,
        code=code,
        ip_address=ip_address,
        organisation=membership.organisation if membership else None,
    )
    second_factor_login(request=request, device=device)
    return device


def recovery_codes_create(*, user: User) -> list[str]:
    """Replace the user's recovery codes with TWO_FACTOR_RECOVERY_CODES new one-time codes and return them
    (the only time they are shown). The device itself is kept, so a session verified by it stays verified."""
    with transaction.atomic():
        device = StaticDevice.objects.filter(user=user).order_by("pk").first()
        if device is None:
            device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        elif not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        device.token_set.all().delete()
        codes: list[str] = []
        while len(codes) < settings.TWO_FACTOR_RECOVERY_CODES:
            candidate = StaticToken.random_token()
            if candidate not in codes:
                codes.append(candidate)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
        device.throttle_reset()
    return codes


def recovery_codes_regenerate(*, request, code: str, ip_address: str | None = None) -> list[str]:
    """Check a current code, then replace the user's recovery codes (the old ones stop working)."""
    second_factor_verify(request=request, code=code, ip_address=ip_address)
    return recovery_codes_create(user=request.user)


def totp_device_confirm(
    *, request, device: TOTPDevice, code: str, ip_address: str | None = None
) -> list[str]:
    """Confirm a new authenticator with its first code: the device becomes the user's only one, the session is
    verified, and new recovery codes are made and returned. Audited (never the key or the codes)."""
    user = request.user
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError({"code": _("Start the set-up again.")}, code="invalid")
    membership = getattr(request, "membership", None)
    organisation = membership.organisation if membership else None
    allowed, data = device.verify_is_allowed()
    if not allowed:
        _record_failure(user=user, ip_address=ip_address, organisation=organisation, throttled=True)
        raise _throttled_error(data)
    if not is_totp_shaped(normalise_code(code)) or not device.verify_token(normalise_code(code)):
        _record_failure(user=user, ip_address=ip_address, organisation=organisation)
        raise ValidationError(
            {"code": _("This code is not right. Enter the 6-digit code your app shows now.")}, code="invalid"
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_create(user=user)
        audit_record(
            actor=user,
            action=AuditAction.TWO_FACTOR_ENABLED,
            organisation=organisation,
            ip_address=ip_address,
        )
    second_factor_login(request=request, device=device)
    return codes


def two_factor_reset(
    *, membership: Membership, by: User, ip_address: str | None = None, except_session_key: str | None = None
) -> None:
    """Delete the member's authenticator and recovery codes, so that they set up again at their next login,
    and end their other sessions. Audited in the member's organisation."""
    user = membership.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit_record(
            actor=by,
            action=AuditAction.TWO_FACTOR_RESET,
            organisation=membership.organisation,
            target=membership,
            target_label=user.username,
            ip_address=ip_address,
        )
        # Sessions that passed the second step with the removed devices end at once, not only at their next
        # request (where the middleware would find no device and ask for a set-up).
        transaction.on_commit(lambda: sessions_end_for_user(user=user, except_session_key=except_session_key))


def api_token_issue(*, user: User):
    """Return the user's API token, marked as issued now: an export with it needs a second factor entered
    within TWO_FACTOR_FRESH_MINUTES of this moment, and it ends API_TOKEN_MAX_AGE_DAYS after it. The key is
    kept while the token lives; an expired one is replaced by a new key, never brought back to life."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(
        user=user, created__lte=timezone.now() - timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)
    ).delete()
    token, created = Token.objects.get_or_create(user=user)
    if not created:
        token.created = timezone.now()
        Token.objects.filter(pk=token.pk).update(created=token.created)
    return token
