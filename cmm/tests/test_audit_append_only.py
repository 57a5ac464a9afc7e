"""The audit log is append-only: the ORM refuses changes on every database, and on PostgreSQL the database
itself refuses them too (trigger and privileges, migration cmm 0004). Deleting a case never touches it."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from cases.models import Case
from cmm.models import AuditAction, AuditEvent, Role
from cmm.services import audit_record

pytestmark = pytest.mark.django_db


def test_orm_refuses_to_change_or_delete_an_event(users_a):
    event = audit_record(actor=users_a[Role.CASEWORKER], action=AuditAction.LOGIN)
    event.action = AuditAction.LOGOUT
    for attempt in (
        event.save,
        event.delete,
        lambda: AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.LOGOUT),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(PermissionError):
            attempt()
    assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.LOGIN


def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_database_refuses_raw_update_and_delete_on_postgresql(users_a):
    event = audit_record(actor=users_a[Role.CASEWORKER], action=AuditAction.LOGIN)
    update = "UPDATE cmm_auditevent SET action = %s WHERE id = %s"
    delete = "DELETE FROM cmm_auditevent WHERE id = %s"
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(update, [AuditAction.LOGOUT, event.pk])
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(delete, [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.LOGIN
    else:
        # SQLite has no roles: the migration leaves it alone and only the ORM guards the log.
        _raw(update, [AuditAction.LOGOUT, event.pk])
        assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.LOGOUT


def test_trigger_and_revoke_are_installed_only_on_postgresql():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger"
                " WHERE tgrelid = 'cmm_auditevent'::regclass AND NOT tgisinternal"
            )
            assert [row[0] for row in cursor.fetchall()] == ["cmm_auditevent_append_only"]
            cursor.execute("SELECT has_table_privilege('public', 'cmm_auditevent', 'UPDATE')")
            assert cursor.fetchone()[0] is False
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cmm_auditevent'"
            )
            assert cursor.fetchall() == []


def test_inserting_still_works_in_the_database(users_a):
    audit_record(actor=users_a[Role.CASEWORKER], action=AuditAction.LOGIN)
    audit_record(actor=users_a[Role.CASEWORKER], action=AuditAction.LOGOUT)
    assert AuditEvent.objects.count() >= 2


def test_deleting_a_case_leaves_its_audit_rows_alone(case_a):
    before = AuditEvent.objects.filter(target_id=str(case_a.pk), target_type__model="case").count()
    assert before > 0  # opening the case was audited

    Case._base_manager.filter(pk=case_a.pk).delete()  # as an erasure would: the row is gone for good

    assert not Case._base_manager.filter(pk=case_a.pk).exists()
    assert AuditEvent.objects.filter(target_id=str(case_a.pk), target_type__model="case").count() == before


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_database(users_a):
    # pytest-django and `manage.py flush` empty tables with TRUNCATE, which the trigger lets through.
    audit_record(actor=users_a[Role.CASEWORKER], action=AuditAction.LOGIN)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
