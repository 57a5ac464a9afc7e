"""Encryption at rest for identifying details: model fields on top of `cryptography`'s Fernet.

Keys come from the environment (FIELD_ENCRYPTION_KEYS, comma-separated Fernet keys). The first key encrypts;
every key decrypts, so a key is rotated by putting a new one first and running
`manage.py rotate_field_encryption`, then dropping the old key. A value that no key can decrypt raises
instead of being passed on as if it were plain text.

Why not a field library: those examined either derive the key from SECRET_KEY, swallow decryption errors,
or mark "already decrypted" on the shared field object, which races between threads. Fernet itself
(AES-128-CBC with HMAC-SHA256, from the well-kept `cryptography` package) does the cryptography here.
"""

from __future__ import annotations

import datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_cache: dict[tuple[str, ...], MultiFernet] = {}


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


def fernet() -> MultiFernet:
    """Return the MultiFernet for the configured keys (the first one encrypts)."""
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: set at least one Fernet key.")
    if keys not in _cache:
        try:
            _cache[keys] = MultiFernet([Fernet(key) for key in keys])
        except ValueError as exc:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS holds an invalid Fernet key: {exc}") from exc
    return _cache[keys]


def encrypt_text(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise DecryptionError("A stored value cannot be decrypted with the configured keys.") from exc


def rotate_token(token: str) -> str:
    """Re-encrypt a stored token with the first (newest) key.

    A token the first key already decrypts is returned unchanged, so that a rotation run twice changes
    nothing; a token no configured key decrypts raises DecryptionError.
    """
    multi = fernet()
    try:
        data = token.encode("ascii")
        newest = Fernet(settings.FIELD_ENCRYPTION_KEYS[0])
        try:
            newest.decrypt(data)
        except InvalidToken:
            return multi.rotate(data).decode("ascii")
        return token
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise DecryptionError("A stored value cannot be decrypted with the configured keys.") from exc


class EncryptedTextField(models.TextField):
    """A text stored encrypted. Not searchable or orderable in the database, by design."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)


class EncryptedDateField(models.DateField):
    """A date stored encrypted (as an encrypted ISO date in a text column)."""

    def get_internal_type(self):
        return "TextField"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return None
        return datetime.date.fromisoformat(decrypt_text(value))

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None:
            return None
        return encrypt_text(value.isoformat())

    def get_db_prep_value(self, value, connection, prepared=False):
        return value if prepared else self.get_prep_value(value)
