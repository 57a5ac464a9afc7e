"""Two-factor authentication (TOTP with recovery codes) on top of django-otp."""
