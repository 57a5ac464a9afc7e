from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cmm.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo


class Command(BaseCommand):
    help = "Create the demo organisations and one demo user per role (idempotent). Refused in production."
    # It designates the demo's Immigration Service and CMM, which the system check asks for: it must run
    # while that check fails (a demo database from before the designation existed).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Seed even though DEBUG is off (e.g. a demo container). Never on real data.",
        )

    def handle(self, *args, allow_without_debug=False, **options):
        if (settings.SETTINGS_MODULE or "").endswith(".production") or not (
            settings.DEBUG or allow_without_debug
        ):
            raise CommandError("Demo data is only for development: set DEBUG=true (never in production).")
        created = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready ({organisations} organisations, {users} users, {memberships} memberships, "
                "{cases} cases created now).".format(**created)
            )
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _first, _last, roles in DEMO_USERS:
            self.stdout.write(
                f"  {username:<12} " + ", ".join(f"{role.label} @ {prefix}" for prefix, role in roles)
            )
        self.stdout.write("  admin        Django admin (/admin/)")
