"""The list of countries for the nationality and country-of-birth selects."""

import functools

from django.utils.translation import get_language
from django_countries import countries

# Danish sorts Æ, Ø and Å after Z (and "aa" as å is not needed for country names).
_DANISH_LAST = str.maketrans({"æ": "{", "ø": "|", "å": "}"})


def country_choices() -> list[tuple[str, str]]:
    """Every country as (code, name) in the reader's language, sorted by name, after an empty choice."""
    return [("", "—"), *_countries_in(get_language())]


def _danish_key(name: str) -> str:
    return name.lower().translate(_DANISH_LAST)


@functools.lru_cache(maxsize=8)
def _countries_in(language: str | None) -> tuple[tuple[str, str], ...]:
    # django-countries translates and sorts the ~250 names on every iteration: once per language is enough.
    # It sorts Å with A; a Danish reader looks for Ålandsøerne after Østrig.
    pairs = tuple((country.code, str(country.name)) for country in countries)
    if (language or "").startswith("da"):
        pairs = tuple(sorted(pairs, key=lambda pair: _danish_key(pair[1])))
    return pairs
