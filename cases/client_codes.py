"""Anonymous client codes: the same person gives the same code, and the code gives nothing back.

The rule: from four stable facts the person tells (never their name)
  1. the first letter of their mother's first name,
  2. the first letter of their own first name,
  3. their year of birth (four digits),
  4. their country of birth (ISO 3166 alpha-2),
the facts are normalised (letters upper-cased and stripped of accents, so "é" and "E" agree), joined, and
passed through HMAC-SHA256 with a secret pepper (CLIENT_CODE_PEPPER, kept out of the database). The first 50
bits of the digest, in Crockford base-32, give a 10-character code shown as two groups of five. The same
facts always give the same code; without the pepper the facts cannot be tried against a code, and even with
it the hash does not run backwards. The facts themselves are never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")


def _initial(value: str, field: str) -> str:
    letters = [c for c in unicodedata.normalize("NFKD", (value or "").strip().upper()) if c.isalpha()]
    if not letters:
        raise ValidationError({field: _("Give the first letter.")})
    return letters[0]


def client_code_make(*, mother_initial: str, own_initial: str, birth_year: int, birth_country: str) -> str:
    """Return the anonymous client code for these facts (see the module docstring for the rule)."""
    errors = {}
    this_year = timezone.localdate().year
    try:
        year = int(birth_year)
    except (TypeError, ValueError):
        year = None
    if year is None or not (1900 <= year <= this_year):
        errors["birth_year"] = _("Give a year of birth between 1900 and %(year)s.") % {"year": this_year}
    country = (birth_country or "").strip().upper()
    if country not in dict(countries):
        errors["birth_country"] = _("Choose a country from the list.")
    initials = {}
    for field, value in (("mother_initial", mother_initial), ("own_initial", own_initial)):
        try:
            initials[field] = _initial(value, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    message = f"{initials['mother_initial']}|{initials['own_initial']}|{year:04d}|{country}".encode()
    digest = hmac.new(settings.CLIENT_CODE_PEPPER.encode(), message, hashlib.sha256).digest()
    bits = int.from_bytes(digest[:7], "big") >> 6  # 56 bits, keep the first 50
    chars = "".join(_CROCKFORD[(bits >> shift) & 31] for shift in range(45, -1, -5))
    return f"{chars[:5]}-{chars[5:]}"


def client_code_normalise(code: str) -> str:
    """Accept a code typed with or without the dash, in any case; raise ValidationError if malformed."""
    compact = re.sub(r"[\s-]", "", code or "").upper().replace("O", "0").replace("I", "1").replace("L", "1")
    candidate = f"{compact[:5]}-{compact[5:]}"
    if not CODE_PATTERN.match(candidate):
        raise ValidationError({"code": _("A client code has ten letters and digits, like 4K7QX-M2PA9.")})
    return candidate
