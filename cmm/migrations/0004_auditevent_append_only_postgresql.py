"""Make the audit log append-only in the database itself (PostgreSQL; a no-op on SQLite).

1. A trigger refuses every UPDATE and DELETE of a cmm_auditevent row, whoever asks: the app's role, the
   table's owner and a superuser alike (only disabling triggers, a superuser's act, gets past it).
2. UPDATE, DELETE and TRUNCATE are revoked from PUBLIC and from the role named by AUDIT_DB_APP_ROLE (the
   role the app connects as in production, which should not own the tables; see the README). A superuser or
   the table's owner is not bound by REVOKE, hence the trigger.

TRUNCATE is not refused by a trigger: `manage.py flush` and the test databases of pytest-django empty the
tables with TRUNCATE. The ORM refuses it all as well (AuditEvent.save/delete, AuditEventQuerySet).
"""

from django.conf import settings
from django.db import migrations

FUNCTION = "cmm_auditevent_append_only"
TRIGGER = "cmm_auditevent_append_only"

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cmm_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER IF EXISTS {TRIGGER} ON cmm_auditevent;
CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON cmm_auditevent
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
REVOKE UPDATE, DELETE, TRUNCATE ON cmm_auditevent FROM PUBLIC;
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON cmm_auditevent;
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def protect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE, params=None)
    role = getattr(settings, "AUDIT_DB_APP_ROLE", "")
    if role:
        quoted = schema_editor.quote_name(role)
        schema_editor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON cmm_auditevent FROM {quoted}")
        schema_editor.execute(f"GRANT SELECT, INSERT ON cmm_auditevent TO {quoted}")


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cmm", "0003_usersession"),
    ]

    operations = [migrations.RunPython(protect, unprotect, elidable=False)]
