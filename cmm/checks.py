"""System checks of the platform's data that the app cannot run without (`manage.py check`, and every
management command and `runserver` at start-up; in docker-compose.yml the `migrate` service runs them before
any web replica starts).

The Immigration Service and CMM decide on identification (identification.rules): a platform admin must have
designated which organisation is which (`manage.py designate_organisation`), never left to the kind. An empty
or not yet migrated database has nothing to check.
"""

from __future__ import annotations

from pathlib import Path

from django.core.checks import Error, register
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

HINT = (
    "A platform admin designates it: manage.py designate_organisation --immigration-service PREFIX "
    "--cmm PREFIX (or the Django admin, as a superuser). See docs/operations.md."
)


def _database_ready() -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    name = str(connection.settings_dict.get("NAME") or "")
    in_memory = name == ":memory:" or "mode=memory" in name
    if connection.vendor == "sqlite" and not in_memory and not Path(name).exists():
        return False  # connecting would create an empty file: no file, no data
    return "cmm_organisation" in connection.introspection.table_names()


@register("cmm")
def check_designated_organisations(app_configs=None, **kwargs) -> list[Error]:
    """Error when organisations exist but the Immigration Service or CMM is not designated, or is inactive."""
    from cmm.models import Designation, Organisation

    if app_configs is not None and not any(config.label == "cmm" for config in app_configs):
        return []
    try:
        if not _database_ready() or not Organisation.objects.exists():
            return []
        designated = {
            row["designation"]: row
            for row in Organisation.objects.exclude(designation="").values(
                "designation", "case_prefix", "is_active"
            )
        }
    except DatabaseError:
        # Unreachable, or migrated only up to before the designation: nothing to check yet (migrate runs
        # the checks before it migrates).
        return []
    errors = []
    for designation, name, missing_id in (
        (Designation.IMMIGRATION_SERVICE, "the Immigration Service", "cmm.E001"),
        (Designation.CMM, "CMM", "cmm.E002"),
    ):
        row = designated.get(designation)
        if row is None:
            errors.append(
                Error(
                    f"No organisation is designated as {name}: the cases it decides on cannot be presented.",
                    hint=HINT,
                    id=missing_id,
                )
            )
        elif not row["is_active"]:
            errors.append(
                Error(
                    f"The organisation designated as {name} ({row['case_prefix']}) is inactive.",
                    hint="Reactivate it or designate an active organisation. " + HINT,
                    id="cmm.E003",
                )
            )
    return errors
