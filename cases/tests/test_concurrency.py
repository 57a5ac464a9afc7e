"""Case numbers under concurrent openings: each opening runs in its own thread with its own connection.

The run that matters is PostgreSQL's, where the counter row is locked with SELECT ... FOR UPDATE (without
the lock this test fails there with duplicate numbers). On SQLite the writers are serialised by
BEGIN IMMEDIATE (cmm.settings.base), so the same promise is checked but not the lock; the test runs there
too rather than being skipped, because CI fails every skipped test (conftest.py).
"""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from cases.choices import Gender, ResidenceStatus
from cases.models import Case, CaseNumberSequence
from cases.services import case_open
from cmm.models import Role, User

OPENINGS = 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_openings_get_distinct_consecutive_numbers(users_a, org_a):
    opener_id = users_a[Role.CASEWORKER].pk
    start = threading.Barrier(OPENINGS)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def open_one():
        try:
            opener = User.objects.get(pk=opener_id)
            start.wait(timeout=30)
            case = case_open(
                by=opener,
                organisation=org_a,
                opened_on=datetime.date(2026, 3, 1),
                gender=Gender.FEMALE,
                residence_status=ResidenceStatus.NO_LEGAL_RESIDENCE,
                estimated_age=30,
                personal={"full_name": "Concurrent Person"},
            )
            with lock:
                numbers.append(case.number)
        except BaseException as exc:  # reported by the main thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))):
        threads = [threading.Thread(target=open_one) for _ in range(OPENINGS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert sorted(numbers) == [f"RTA-2026-{n:05d}" for n in range(1, OPENINGS + 1)]
    assert Case.objects.filter(organisation=org_a).count() == OPENINGS
    assert CaseNumberSequence.objects.get(organisation=org_a, year=2026).last_value == OPENINGS
