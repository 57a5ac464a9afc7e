"""Test helpers: give a user an authenticator and pass the second step with it, as a person would.

Used by the root conftest's `login` fixture, the browser tests' `log_in` and the benchmarks; never by the app.
"""

import time

from django.urls import reverse
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device_ensure(user, *, key: str | None = None) -> TOTPDevice:
    """Return the user's confirmed authenticator, creating one (with `key` if given) when there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        extra = {"key": key} if key else {}
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True, **extra)
    return device


def totp_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the current time step's, or (when that step was already used, as after
    logging in twice within 30 seconds) the next one inside the device's tolerance, as a phone a little ahead
    would show. If the whole window is used up, the replay marker is moved back: this is a test helper."""
    device.refresh_from_db()
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    clock.time = time.time()
    now = clock.t()
    for counter in range(now, now + device.tolerance + 1):
        if counter > device.last_t:
            return f"{hotp(device.bin_key, counter, digits=device.digits):0{device.digits}d}"
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=now - 1)
    return f"{hotp(device.bin_key, now, digits=device.digits):0{device.digits}d}"


def pass_second_factor(client, user):
    """Post a valid code to the verification page with `client` (logged in as `user` with the password)."""
    device = totp_device_ensure(user)
    response = client.post(reverse("two-factor-verify"), {"code": totp_code(device)})
    assert response.status_code == 302, response.content[:500]  # noqa: S101 - a test helper
    return response
