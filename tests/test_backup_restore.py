"""Backups (ops/backup.sh, ops/restore.sh): a backup of the running database, restored into a fresh one,
holds the cases, the encrypted personal details (which decrypt with the app's key) and the audit rows.

The full test backs up the database the suite runs on: PostgreSQL (pg_dump -Fc / pg_restore) when
DATABASE_URL names one, else SQLite (Python's online backup API). The SQLite branch is also tested on its own
on every run, so both branches run wherever PostgreSQL is configured."""

import os
import sqlite3
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from cmm.encryption import decrypt_text
from cmm.models import AuditAction, AuditEvent, Role

ROOT = Path(settings.BASE_DIR)
BACKUP, RESTORE = str(ROOT / "ops" / "backup.sh"), str(ROOT / "ops" / "restore.sh")


def _run(script, *args, env=None):
    return subprocess.run(
        ["bash", script, *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _postgres_url(database: str) -> str:
    s = connection.settings_dict
    credentials = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        credentials += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgres://{credentials}@{host}:{port}/{database}"


@pytest.fixture
def fresh_target(tmp_path):
    """A URL for a new, empty database of the suite's engine; a PostgreSQL one is dropped afterwards."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg2

    name = f"cmm_restore_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(_postgres_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _postgres_url(name)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _query(url: str, sql: str, params=()):
    if url.startswith("sqlite:"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return db.execute(sql.replace("%s", "?"), params).fetchall()
        finally:
            db.close()
    import psycopg2

    db = psycopg2.connect(url)
    try:
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        db.close()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_cases_details_and_audit(
    users_a, open_case, fresh_target, tmp_path
):
    # Given committed data: a case with encrypted details, and its audit rows.
    caseworker = users_a[Role.CASEWORKER]
    name = f"Backup Person {uuid.uuid4().hex[:8]}"
    case = open_case(by=caseworker, personal={"full_name": name})
    audit_ids = sorted(AuditEvent.objects.filter(target_id=str(case.pk)).values_list("pk", flat=True))
    assert audit_ids
    source = (
        _postgres_url(connection.settings_dict["NAME"])
        if connection.vendor == "postgresql"
        else f"sqlite:///{connection.settings_dict['NAME']}"
    )

    # When it is backed up and restored into a new database.
    backup = _run(BACKUP, env={"DATABASE_URL": source, "BACKUP_DIR": str(tmp_path / "backups")})
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.exists() and dump.name.startswith("cmm-") and oct(dump.stat().st_mode)[-3:] == "600"
    assert dump.suffix == (".dump" if connection.vendor == "postgresql" else ".sqlite3")
    restore = _run(RESTORE, str(dump), fresh_target)
    assert restore.returncode == 0, restore.stderr

    # Then the case, the (decryptable) details and the audit rows are there.
    assert _query(fresh_target, "select number, gender from cases_case where id = %s", (case.pk,)) == [
        (case.number, case.gender)
    ]
    [(token,)] = _query(
        fresh_target, "select full_name from cases_personaldetails where case_id = %s", (case.pk,)
    )
    assert name not in token and decrypt_text(token) == name
    restored_audit = _query(
        fresh_target,
        "select id, action from cmm_auditevent where target_id = %s order by id",
        (str(case.pk),),
    )
    assert [row[0] for row in restored_audit] == audit_ids
    assert AuditAction.CREATED in {row[1] for row in restored_audit}

    # And a second restore into the now non-empty database is refused.
    again = _run(RESTORE, str(dump), fresh_target)
    assert again.returncode == 3 and "not empty" in again.stderr


def test_the_sqlite_branch_backs_up_and_restores_a_database_file(tmp_path):
    source = tmp_path / "source.sqlite3"
    db = sqlite3.connect(source)
    db.execute("create table cmm_auditevent (id integer primary key, action text)")
    db.executemany("insert into cmm_auditevent (action) values (?)", [("created",), ("viewed",)])
    db.commit()
    db.close()

    backup = _run(BACKUP, env={"DATABASE_URL": f"sqlite:///{source}", "BACKUP_DIR": str(tmp_path / "b")})
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.suffix == ".sqlite3" and not list(dump.parent.glob("*.partial"))
    target = f"sqlite:///{tmp_path / 'restored' / 'db.sqlite3'}"
    assert _run(RESTORE, str(dump), target).returncode == 0
    assert _query(target, "select action from cmm_auditevent order by id") == [("created",), ("viewed",)]
    refused = _run(RESTORE, str(dump), target)
    assert refused.returncode == 3 and "not empty" in refused.stderr


def test_the_scripts_refuse_what_they_do_not_know(tmp_path):
    assert _run(BACKUP, env={"DATABASE_URL": "mysql://x/y", "BACKUP_DIR": str(tmp_path)}).returncode == 2
    assert _run(RESTORE, str(tmp_path / "missing.dump"), "sqlite:///x.sqlite3").returncode == 2
    assert _run(RESTORE).returncode == 2
    assert not any(tmp_path.iterdir())


def test_old_backups_are_deleted_after_the_keep_days(tmp_path):
    source = tmp_path / "source.sqlite3"
    sqlite3.connect(source).close()
    backups = tmp_path / "b"
    backups.mkdir()
    old = backups / "cmm-20200101T000000Z.sqlite3"
    old.write_bytes(b"")
    os.utime(old, (0, 0))
    other = backups / "notes.txt"
    other.write_text("kept")
    os.utime(other, (0, 0))
    result = _run(
        BACKUP,
        env={"DATABASE_URL": f"sqlite:///{source}", "BACKUP_DIR": str(backups), "BACKUP_KEEP_DAYS": "35"},
    )
    assert result.returncode == 0, result.stderr
    assert not old.exists() and other.exists()
    assert len(list(backups.glob("cmm-*.sqlite3"))) == 1
