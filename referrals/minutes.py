"""The minutes rule: what a referral group writes down never names a case.

Minutes, agendas, follow-up actions and topics are read by every member organisation of a group, so a case
is never named in them, not even by its pseudonymous number. `case_numbers_in` finds anything shaped like a
case number (an organisation prefix of 2-8 letters, a year and a serial, e.g. CMM-2026-00042, also in lower
case or with spaces around the dashes); the group services refuse such text, and the meeting form warns while
typing with the very same pattern (CASE_NUMBER_PATTERN, given to the browser in a data attribute).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus and full-width hyphen (what a word
# processor makes of a typed "-"), and the underscore, slash and full stop people type instead.
_SEP = r"\s*[-\u2010\u2011\u2012\u2013\u2014\u2212\uff0d_/.]\s*"
# Written so that JavaScript's RegExp reads it the same way (no look-behind, no inline flags): the number
# is group 1, after the start of the text or a character that is neither a letter nor a digit.
# A letter or digit before the prefix (Danish and other accented letters included) means it is part of a
# longer word; a serial of at least three digits keeps "Referat-2026-03" (a month) out. Separated by spaces
# alone, only a prefix in capitals counts ("CMM 2026 00042", not "juni 2026 150 henvendelser").
_WORD = r"A-Za-z0-9\u00c0-\u024f"
_YEAR = r"(?:19|20)\d{2}"
CASE_NUMBER_PATTERN = (
    rf"(?:^|[^{_WORD}])((?:[A-Za-z]{{2,8}}{_SEP}{_YEAR}{_SEP}|[A-Z]{{2,8}}\s+{_YEAR}\s+)\d{{3,6}})(?![0-9])"
)
# Invisible characters that would split a number without showing: removed before looking.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_CASE_NUMBER = re.compile(CASE_NUMBER_PATTERN)


def case_numbers_in(text: str | None) -> list[str]:
    """Return what looks like a case number in `text`, as typed (spaces trimmed), each once, in order."""
    found: list[str] = []
    for match in _CASE_NUMBER.finditer(_INVISIBLE.sub("", text or "")):
        number = match.group(1).strip()
        if number not in found:
            found.append(number)
    return found


def _messages() -> dict[str, str]:
    return {
        "minutes": _(
            "Minutes must not name cases: remove %(numbers)s. Refer to cases only in the case file."
        ),
        "agenda": _(
            "The agenda must not name cases: remove %(numbers)s. Refer to cases only in the case file."
        ),
        "description": _("This text must not name cases: remove %(numbers)s."),
        "title": _("A topic must not name cases: remove %(numbers)s."),
        "place": _("The place must not name cases: remove %(numbers)s."),
    }


def case_number_errors(**texts: str | None) -> dict[str, str]:
    """Return a field error for each of the named texts that contains a case number (empty if none does).

    The keys are the field names given (minutes, agenda, description, title, place, ...), so the error is
    shown next to the field that holds the number.
    """
    messages = _messages()
    errors = {}
    for field, text in texts.items():
        numbers = case_numbers_in(text)
        if numbers:
            message = messages.get(field, messages["description"])
            errors[field] = message % {"numbers": ", ".join(numbers)}
    return errors
