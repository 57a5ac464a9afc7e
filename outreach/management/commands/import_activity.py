"""Import historical outreach registrations from a CSV or XLSX file, all or nothing (outreach.imports).

    manage.py import_activity contacts contacts-2023.xlsx --organisation RED --user anna --dry-run

The command acts as the given user for the given organisation, with the same rights as on the import page.
It prints every problem as "line N: column: message" and exits with status 1 if there were any (nothing is
then saved); otherwise it prints the counts.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cmm.models import Organisation, User
from cmm.permissions import has_role_permission, set_active_membership
from cmm.selectors import membership_choices_for_user
from outreach.columns import KINDS
from outreach.imports import IMPORT_PERMISSION, import_activity, report_lines


class Command(BaseCommand):
    help = (
        "Import historical outreach registrations (contacts, hotline calls, meeting-place sessions, police "
        "raids) from a CSV or XLSX file, all or nothing. See docs/import-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS), help="What the file holds.")
        parser.add_argument("path", help="The .csv or .xlsx file.")
        parser.add_argument(
            "--organisation", required=True, help="Case-number prefix of the organisation to import for."
        )
        parser.add_argument("--user", required=True, help="Username of the coordinator who imports.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row; save nothing.")

    def handle(self, *args, kind, path, organisation, user, dry_run=False, **options):
        importer, org = self._act_as(username=user, prefix=organisation)
        file_path = Path(path)
        if not file_path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        with file_path.open("rb") as file:
            try:
                report = import_activity(
                    kind=kind,
                    file=file,
                    filename=file_path.name,
                    by=importer,
                    organisation=org,
                    dry_run=dry_run,
                )
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from None
        for line in report_lines(report):
            self.stdout.write(line)
        if report.errors:
            raise CommandError(
                ngettext(
                    "%(count)s problem in %(rows)s rows; nothing was saved.",
                    "%(count)s problems in %(rows)s rows; nothing was saved.",
                    len(report.errors),
                )
                % {"count": len(report.errors), "rows": report.rows_total}
            )
        if dry_run:
            self.stdout.write(
                _("Dry run: all %(rows)s rows can be imported; nothing was saved.")
                % {"rows": report.rows_total}
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Imported %(rows)s rows of %(kind)s.") % {"rows": report.rows_ok, "kind": kind}
                )
            )

    def _act_as(self, *, username: str, prefix: str) -> tuple[User, Organisation]:
        """The user, acting for the organisation, if they are an active member whose role may import."""
        importer = User.objects.filter(username=username, is_active=True).first()
        membership = (
            membership_choices_for_user(user=importer)
            .filter(organisation__case_prefix=prefix.upper())
            .first()
            if importer
            else None
        )
        if membership is None:
            raise CommandError(
                _("%(user)s is not an active member of an organisation with the prefix %(prefix)s.")
                % {"user": username, "prefix": prefix.upper()}
            )
        set_active_membership(importer, membership)
        if not has_role_permission(importer, IMPORT_PERMISSION):
            raise CommandError(
                _("The role of %(user)s does not allow importing activity.") % {"user": username}
            )
        return importer, membership.organisation
