"""Compile the .po files to .mo without GNU gettext, so that a fresh machine needs only Python."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po of the project into .mo files (pure Python)."

    def handle(self, *args, **options):
        count = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                po = polib.pofile(str(po_path))
                po.save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
                self.stdout.write(
                    f"{po_path.relative_to(settings.BASE_DIR)}: {po.percent_translated()}% translated"
                )
        self.stdout.write(self.style.SUCCESS(f"Compiled {count} catalogue(s)."))
