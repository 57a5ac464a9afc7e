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
from django import forms
from django.conf import settings
from django.core import validators
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


class EncryptedCharField(EncryptedTextField):
    """A one-line text stored encrypted (a text column: the ciphertext is longer than the text).

    `max_length` stays a rule of the value, not of the column: model validation (full_clean) checks it, and
    forms get a one-line input with that limit, as for a CharField.
    """

    def __init__(self, *args, max_length: int | None = None, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        if max_length is not None:
            self.validators.append(validators.MaxLengthValidator(max_length))

    def formfield(self, **kwargs):
        return models.Field.formfield(
            self, **{"form_class": forms.CharField, "max_length": self.max_length, **kwargs}
        )


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


# --- Migrations: encrypting columns that were plain text ----------------------------------------------


def _raw_rows(model, names: list[str]):
    """(pk, raw stored values...) of every row, read as plain text (never through the field's decryption)."""
    from django.db.models.functions import Cast

    raw = {f"_raw_{name}": Cast(name, output_field=models.TextField()) for name in names}
    pk_name = model._meta.pk.name
    return model._base_manager.order_by(pk_name).annotate(**raw).values_list(pk_name, *raw).iterator()


def _is_token(value: str) -> bool:
    try:
        decrypt_text(value)
    except DecryptionError:
        return False
    return True


def _rewrite(apps, model_fields: dict[str, list[str]], change) -> None:
    """Rewrite the stored values of `model_fields` ({"app_label.Model": [field names]}) row by row with
    `change(value) -> new value or None (leave it)`; written as plain text values, bypassing the field."""
    for label, names in model_fields.items():
        model = apps.get_model(label)
        manager = model._base_manager
        updates = []
        for pk, *values in _raw_rows(model, names):
            changes = {}
            for name, value in zip(names, values, strict=True):
                if value in (None, ""):
                    continue
                new = change(value)
                if new is not None and new != value:
                    changes[name] = models.Value(new, output_field=models.TextField())
            if changes:
                updates.append((pk, changes))
        for pk, changes in updates:
            manager.filter(pk=pk).update(**changes)


def encrypt_plain_columns(model_fields: dict[str, list[str]]):
    """A RunPython pair that encrypts the plain values of columns that became encrypted fields, and (in
    reverse) decrypts them again. Values already encrypted are left alone, so running it twice is harmless.

    The forward step must run after the AlterField that made the column an encrypted text; the reverse step
    runs before the AlterField is undone, so the plain values fit the old column again.
    """

    def forward(apps, schema_editor):
        _rewrite(apps, model_fields, lambda value: None if _is_token(value) else encrypt_text(value))

    def backward(apps, schema_editor):
        _rewrite(apps, model_fields, lambda value: decrypt_text(value) if _is_token(value) else None)

    return forward, backward
