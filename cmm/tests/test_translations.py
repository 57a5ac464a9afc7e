"""Every visible string has a Danish translation, and the catalogue compiles."""

from pathlib import Path

import polib
from django.conf import settings


def test_every_danish_string_is_translated():
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / "da" / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def test_placeholders_survive_translation():
    import re

    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / "da" / "LC_MESSAGES" / "django.po"))
    pattern = re.compile(r"%\(\w+\)s")
    for entry in po.translated_entries():
        wanted = set(pattern.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert set(pattern.findall(text)) == wanted, entry.msgid
