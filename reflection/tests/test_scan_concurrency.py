"""Two deadline scans at once: still exactly one reminder per (period, deadline, milestone, recipient).

On PostgreSQL each scan runs in its own thread with its own connection, released together by a barrier: the
unique constraint on the notification row decides who reminds whom, and the loser sends nothing. SQLite
serialises writers, so there the two scans run one after the other and the same promise is checked; the test
runs rather than being skipped, because CI fails every skipped test (conftest.py).
"""

import datetime
import threading
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.db import connection

from cmm.models import EmailStatus, OutboundEmail, Role
from reflection.choices import ExtensionGround, PeriodKind
from reflection.models import Notification
from reflection.services import deadline_scan, period_extend, period_start

pytestmark = pytest.mark.django_db(transaction=True)

CASES = 6
START = datetime.date(2026, 3, 1)  # deadline 31 March


@pytest.fixture
def periods(users_a, org_a, make_member, open_case):
    opener = users_a[Role.CASEWORKER]
    contact = make_member(org_a, Role.CASEWORKER)
    made = []
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)):
        for _ in range(CASES):
            case = open_case(by=opener, contact_person=contact)
            made.append(period_start(case=case, by=opener, kind=PeriodKind.ACTION_PLAN, starts_on=START))
    return {"periods": made, "recipients": {opener.pk, contact.pk}}


def _two_scans_at_once(today: datetime.date) -> list[int]:
    """Run two scans of `today`; return how many notifications each created."""
    if connection.vendor != "postgresql":
        return [deadline_scan(today=today), deadline_scan(today=today)]

    start = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def scan():
        try:
            start.wait(timeout=30)
            created = deadline_scan(today=today)
            with lock:
                results.append(created)
        except BaseException as exc:  # reported by the main thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    return results


@pytest.mark.parametrize(
    ("today", "milestone"),
    [
        (datetime.date(2026, 3, 24), "d7"),
        (datetime.date(2026, 3, 26), "consider_extension"),
        (datetime.date(2026, 4, 2), "expired:2026-04-02"),
    ],
)
def test_two_scans_at_once_remind_each_person_once(periods, today, milestone):
    mail.outbox = []
    expected = CASES * len(periods["recipients"])

    results = _two_scans_at_once(today)

    assert sum(results) == expected
    rows = Counter(Notification.objects.values_list("period_id", "recipient_id", "milestone"))
    assert len(rows) == expected
    assert set(rows.values()) == {1}
    assert {milestone for _p, _r, milestone in rows} == {milestone}
    assert {recipient for _p, recipient, _m in rows} == periods["recipients"]
    assert OutboundEmail.objects.count() == expected
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}
    assert len(mail.outbox) == expected

    # A third scan afterwards sends nothing either.
    assert deadline_scan(today=today) == 0
    assert len(mail.outbox) == expected


def test_two_scans_at_once_after_an_extension_remind_each_person_once_of_the_new_deadline(periods):
    # The 7-day reminders of 31 March went out; then every period is extended to 40 days (10 April).
    deadline_scan(today=datetime.date(2026, 3, 24))
    opener = periods["periods"][0].created_by
    with time_machine.travel(datetime.datetime(2026, 3, 25, 9, tzinfo=datetime.UTC)):
        for period in periods["periods"]:
            period_extend(
                period=period,
                by=opener,
                new_total_days=40,
                ground=ExtensionGround.MEDICAL,
                decided_on=datetime.date(2026, 3, 25),
            )
    mail.outbox = []
    expected = CASES * len(periods["recipients"])

    results = _two_scans_at_once(datetime.date(2026, 3, 27))  # 14 days before 10 April

    assert sum(results) == expected
    rows = Counter(Notification.objects.values_list("period_id", "deadline", "recipient_id", "milestone"))
    assert set(rows.values()) == {1}
    assert Counter((deadline, milestone) for _p, deadline, _r, milestone in rows) == {
        (datetime.date(2026, 3, 31), "d7"): expected,
        (datetime.date(2026, 4, 10), "d14"): expected,
    }
    assert len(mail.outbox) == expected
    assert deadline_scan(today=datetime.date(2026, 3, 27)) == 0
