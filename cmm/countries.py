"""The list of countries for the nationality and country-of-birth selects."""

import functools

from django.utils.translation import get_language
from django_countries import countries


def country_choices() -> list[tuple[str, str]]:
    """Every country as (code, name) in the reader's language, sorted by name, after an empty choice."""
    return [("", "—"), *_countries_in(get_language())]


@functools.lru_cache(maxsize=8)
def _countries_in(language: str | None) -> tuple[tuple[str, str], ...]:
    # django-countries translates and sorts the ~250 names on every iteration: once per language is enough.
    return tuple((country.code, str(country.name)) for country in countries)
