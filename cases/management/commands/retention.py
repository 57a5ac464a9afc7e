"""Anonymise the cases past the retention period (cases.lifecycle), or list them with --dry-run.

Prints case numbers, closing dates and counts of what goes, never a name or any other identifying value.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.lifecycle import retention_cutoff, retention_run


class Command(BaseCommand):
    help = (
        "Remove the personal data of cases closed RETENTION_YEARS ago (the facts for statistics stay). "
        "--dry-run lists what would go: case numbers, closing dates and counts only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would go; change nothing.")
        parser.add_argument("--today", help="Count from this date (YYYY-MM-DD) instead of today.")

    def handle(self, *args, dry_run=False, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--today must be a date as YYYY-MM-DD.") from exc
        removals = retention_run(today=day, dry_run=dry_run)
        cutoff = retention_cutoff(today=day)
        self.stdout.write(f"Cases closed on or before {cutoff.isoformat()} are due on {day.isoformat()}.")
        for removal in removals:
            counts = ", ".join(f"{key} {value}" for key, value in sorted(removal.counts.items())) or "nothing"
            closed = removal.closed_on.isoformat() if removal.closed_on else "not closed (deleted)"
            self.stdout.write(f"{removal.number}  closed {closed}  {counts}")
        verb = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(f"{len(removals)} cases {verb}.")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
