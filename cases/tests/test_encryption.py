"""Encryption at rest of the personal details (cmm.encryption) and key rotation
(manage.py rotate_field_encryption).

"Today" is fixed at 15 June 2026 (Copenhagen) for every test in this module: cases are opened through the
service, which refuses dates in the future.
"""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from cases.models import PersonalDetails
from cases.services import personal_details_update
from cmm.encryption import DecryptionError, decrypt_text, encrypt_text, rotate_token
from cmm.models import Role

pytestmark = pytest.mark.django_db

COLUMNS = [
    "full_name",
    "aliases",
    "date_of_birth",
    "id_documents",
    "phone_numbers",
    "addresses",
    "shelter_location",
    "identity_notes",
]
TABLES = ["cases_personaldetails", "cases_historicalpersonaldetails"]
NAME = "Yolanda Rotationtest"


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))):
        yield datetime.date(2026, 6, 15)


@pytest.fixture
def old_key():
    return Fernet.generate_key().decode()


@pytest.fixture
def new_key():
    return Fernet.generate_key().decode()


@pytest.fixture
def caseworker(users_a):
    return users_a[Role.CASEWORKER]


def raw_values(table: str = "cases_personaldetails") -> dict[tuple[int, str], str]:
    """Every non-empty encrypted value of the table as stored, keyed by (row id, column)."""
    key = "history_id" if "historical" in table else "id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, {', '.join(COLUMNS)} FROM {table}")  # noqa: S608 - constants only
        rows = cursor.fetchall()
    return {
        (row[0], column): value
        for row in rows
        for column, value in zip(COLUMNS, row[1:], strict=True)
        if value
    }


def all_raw_values() -> dict[tuple[str, int, str], str]:
    return {(table, *key): value for table in TABLES for key, value in raw_values(table).items()}


def set_raw(details: PersonalDetails, column: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE cases_personaldetails SET {column} = %s WHERE id = %s", [value, details.pk])  # noqa: S608


def read_everything() -> list:
    """Decrypt every encrypted value of the table and its history, as the application would."""
    values = []
    for row in PersonalDetails.objects.order_by("pk"):
        values += [getattr(row, column) for column in COLUMNS]
    for row in PersonalDetails.history.order_by("history_id"):
        values += [getattr(row, column) for column in COLUMNS]
    return values


@pytest.fixture
def cases_under_old_key(settings, old_key, open_case, caseworker):
    """Three cases whose details (and their history) were written while `old_key` was the only key."""
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    cases = [
        open_case(
            by=caseworker,
            date_of_birth=datetime.date(1990, 1, n + 1),
            estimated_age=None,
            personal={"full_name": f"{NAME} {n}", "phone_numbers": f"+45 1234 00{n}", "aliases": ""},
        )
        for n in range(3)
    ]
    personal_details_update(case=cases[0], by=caseworker, identity_notes="A note that was changed later")
    return cases


# --- Reading and writing ------------------------------------------------------------------------------


def test_a_value_no_key_can_decrypt_raises_instead_of_being_returned(case_a):
    details = PersonalDetails.objects.get(case=case_a)
    stranger = Fernet(Fernet.generate_key()).encrypt(b"Written elsewhere").decode()
    set_raw(details, "full_name", stranger)
    with pytest.raises(DecryptionError):
        PersonalDetails.objects.get(case=case_a)


@pytest.mark.parametrize("stored", ["Plain Text Name", "gAAAAAnot-a-token", "æøå"])
def test_a_value_that_is_not_a_token_raises(case_a, stored):
    details = PersonalDetails.objects.get(case=case_a)
    set_raw(details, "full_name", stored)
    with pytest.raises(DecryptionError):
        PersonalDetails.objects.get(case=case_a)


def test_an_undecryptable_date_raises(case_a, caseworker):
    personal_details_update(case=case_a, by=caseworker, date_of_birth=datetime.date(2000, 5, 5))
    details = PersonalDetails.objects.get(case=case_a)
    set_raw(details, "date_of_birth", "2000-05-05")  # plain text where a token belongs
    with pytest.raises(DecryptionError):
        PersonalDetails.objects.get(case=case_a)


def test_values_written_under_the_old_key_stay_readable_after_a_new_key_is_put_first(
    settings, cases_under_old_key, old_key, new_key, caseworker
):
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    first = PersonalDetails.objects.get(case=cases_under_old_key[0])
    assert (first.full_name, first.date_of_birth) == (f"{NAME} 0", datetime.date(1990, 1, 1))

    # New writes use the new key only.
    personal_details_update(case=cases_under_old_key[1], by=caseworker, full_name="Written Under New")
    token = raw_values()[(PersonalDetails.objects.get(case=cases_under_old_key[1]).pk, "full_name")]
    assert Fernet(new_key).decrypt(token.encode()) == b"Written Under New"

    # Without the old key, the old values are refused, not passed on.
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    with pytest.raises(DecryptionError):
        PersonalDetails.objects.get(case=cases_under_old_key[0])


def test_rotate_token_moves_a_token_to_the_first_key_and_leaves_current_ones_alone(
    settings, old_key, new_key
):
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    old_token = encrypt_text("secret")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    rotated = rotate_token(old_token)
    assert rotated != old_token
    assert Fernet(new_key).decrypt(rotated.encode()) == b"secret"
    assert rotate_token(rotated) == rotated
    with pytest.raises(DecryptionError):
        rotate_token(Fernet(Fernet.generate_key()).encrypt(b"x").decode())
    with pytest.raises(DecryptionError):
        rotate_token("not a token")
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert decrypt_text(rotated) == "secret"


# --- rotate_field_encryption --------------------------------------------------------------------------


def run_rotation(*args) -> str:
    out = StringIO()
    call_command("rotate_field_encryption", *args, stdout=out)
    return out.getvalue()


def test_rotation_reencrypts_the_table_and_its_history_under_the_first_key(
    settings, cases_under_old_key, old_key, new_key
):
    before = all_raw_values()
    assert {table for table, _id, _column in before} == set(TABLES)
    expected_reads = read_everything()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    output = run_rotation("--batch-size", "2")  # several batches

    after = all_raw_values()
    assert after.keys() == before.keys()
    assert all(after[key] != before[key] for key in before)
    counts = {line.split(":")[0]: line for line in output.splitlines()}
    details_rows = PersonalDetails.objects.count()
    details_values = len([key for key in before if key[0] == "cases_personaldetails"])
    assert f"{details_rows} rows, {details_values} values re-encrypted" in counts["cases_personaldetails"]
    history_values = len(before) - details_values
    assert f"{history_values} values re-encrypted" in counts["cases_historicalpersonaldetails"]

    # The old key can go now.
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert read_everything() == expected_reads
    assert f"{NAME} 2" in expected_reads


def test_rotation_run_twice_changes_nothing_the_second_time(settings, cases_under_old_key, old_key, new_key):
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    run_rotation()
    after_first = all_raw_values()

    output = run_rotation()

    assert all_raw_values() == after_first
    for line in output.splitlines():
        assert " 0 values re-encrypted" in line
    assert "already under the first key" in output


def test_dry_run_counts_but_changes_nothing(settings, cases_under_old_key, old_key, new_key):
    before = all_raw_values()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    output = run_rotation("--dry-run")

    assert all_raw_values() == before
    details_values = len([key for key in before if key[0] == "cases_personaldetails"])
    assert f"{details_values} values to re-encrypt" in output
    assert "Dry run: nothing was written." in output
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    with pytest.raises(DecryptionError):
        read_everything()


def test_rotation_prints_counts_never_values(settings, cases_under_old_key, old_key, new_key):
    before = all_raw_values()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    output = run_rotation() + run_rotation("--dry-run")
    after = all_raw_values()
    assert NAME not in output and "1990" not in output and "+45" not in output
    for token in [*before.values(), *after.values()]:
        assert token not in output


def test_rotation_reports_undecryptable_values_and_rotates_the_rest(
    settings, cases_under_old_key, old_key, new_key
):
    broken = PersonalDetails.objects.get(case=cases_under_old_key[2])
    set_raw(broken, "full_name", "Plain Leftover Name")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = StringIO()

    with pytest.raises(CommandError, match="1 stored values could not be decrypted"):
        call_command("rotate_field_encryption", stdout=out)

    assert "Plain Leftover" not in out.getvalue()
    assert "1 not decryptable" in out.getvalue()
    assert raw_values()[(broken.pk, "full_name")] == "Plain Leftover Name"
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert PersonalDetails.objects.get(case=cases_under_old_key[0]).full_name == f"{NAME} 0"
    assert PersonalDetails.objects.get(case=cases_under_old_key[1]).full_name == f"{NAME} 1"
