"""Country names where django-countries' Danish is English or out of date, reviewed against CLDR's Danish
(the names Danish authorities use): "Cambodja", not "Cambodia"; "Eswatini", not "Swaziland".

`COUNTRIES_OVERRIDE` (settings) gives django-countries these names, so every list, select, page, export and
PDF that names a country in Danish uses them. The module imports nothing of django-countries, so the settings
can import it.
"""

from django.utils.functional import lazy
from django.utils.translation import get_language

# code: (English, Danish)
REVIEWED_NAMES: dict[str, tuple[str, str]] = {
    "KH": ("Cambodia", "Cambodja"),
    "CM": ("Cameroon", "Cameroun"),
    "TD": ("Chad", "Tchad"),
    "CX": ("Christmas Island", "Juleøen"),
    "CG": ("Congo", "Congo-Brazzaville"),
    "CD": ("Congo (the Democratic Republic of the)", "Congo-Kinshasa"),
    "SZ": ("Eswatini", "Eswatini"),
    "NL": ("Netherlands", "Nederlandene"),
    "HK": ("Hong Kong", "Hongkong"),
    "CF": ("Central African Republic", "Den Centralafrikanske Republik"),
    "DO": ("Dominican Republic", "Den Dominikanske Republik"),
    "AE": ("United Arab Emirates", "De Forenede Arabiske Emirater"),
    "IO": ("British Indian Ocean Territory", "Det Britiske Territorium i Det Indiske Ocean"),
    "GS": ("South Georgia and the South Sandwich Islands", "South Georgia og De Sydlige Sandwichøer"),
}


def _name(english: str, danish: str) -> str:
    return danish if (get_language() or "").startswith("da") else english


_lazy_name = lazy(_name, str)


def countries_override() -> dict:
    """The reviewed names as django-countries' COUNTRIES_OVERRIDE: each one read in the active language."""
    return {code: _lazy_name(english, danish) for code, (english, danish) in REVIEWED_NAMES.items()}
