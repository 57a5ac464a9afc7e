from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cmm.models import Designation, Organisation
from cmm.services import organisation_designate

OPTIONS = {Designation.IMMIGRATION_SERVICE: "immigration_service", Designation.CMM: "cmm"}


class Command(BaseCommand):
    help = (
        "Name the organisation that is the Immigration Service and the one that is CMM (by case prefix). "
        "Without options: show the designations. A platform admin's task: `manage.py check` reports what is "
        "missing. The designation moves from the organisation that had it; waiting presentations follow it."
    )
    # This is how an admin repairs what the system check reports: it must run while the check fails.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--immigration-service",
            metavar="PREFIX",
            help="Case prefix of the organisation that is the Immigration Service (an authority).",
        )
        parser.add_argument("--cmm", metavar="PREFIX", help="Case prefix of the organisation that is CMM.")

    def handle(self, *args, **options):
        for designation, option in OPTIONS.items():
            prefix = options.get(option)
            if not prefix:
                continue
            organisation = Organisation.objects.filter(case_prefix=prefix.strip().upper()).first()
            if organisation is None:
                raise CommandError(f"No organisation has the case prefix {prefix!r}.")
            if not organisation.is_active:
                raise CommandError(f"{organisation.case_prefix} is inactive: designate an active one.")
            try:
                organisation_designate(organisation=organisation, designation=designation, by=None)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        for designation in OPTIONS:
            organisation = Organisation.objects.filter(designation=designation).first()
            shown = (
                f"{organisation.case_prefix} ({organisation.name})"
                + ("" if organisation.is_active else ", INACTIVE")
                if organisation
                else "not designated"
            )
            self.stdout.write(f"{designation.label}: {shown}")
