"""A new deadline gets its own reminders: when an extension, a lift or a correction moves a period's
deadline, the milestones before the new deadline are reminded again, exactly once each per deadline (the
deadline is part of a reminder's key), and the e-mails still waiting about the old deadline are dropped."""

import datetime
from collections import Counter
from unittest import mock

import pytest
import time_machine
from django.core import mail

from cmm.models import EmailStatus, OutboundEmail, Role
from reflection.choices import ExtensionGround, PeriodKind
from reflection.models import Notification
from reflection.selectors import reminders_due
from reflection.services import (
    deadline_scan,
    period_correct,
    period_extend,
    period_lift_postponement,
    period_postpone,
    period_start,
)

pytestmark = pytest.mark.django_db

D = datetime.date
START = D(2026, 3, 1)
DEADLINE = D(2026, 3, 31)  # 30 days from 1 March


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9)).astimezone(datetime.UTC))


@pytest.fixture
def team(users_a, org_a, make_member, open_case):
    opener = users_a[Role.CASEWORKER]
    contact = make_member(org_a, Role.CASEWORKER)
    case = open_case(by=opener, contact_person=contact)
    return {"case": case, "opener": opener, "recipients": {opener.pk, contact.pk}}


@pytest.fixture
def period(team):
    with _at(START):
        return period_start(
            case=team["case"], by=team["opener"], kind=PeriodKind.ACTION_PLAN, starts_on=START
        )


def _scan_days(first: datetime.date, last: datetime.date) -> None:
    """Run the scan every day from `first` to `last`, twice a day: the second run sends nothing."""
    day = first
    while day <= last:
        deadline_scan(today=day)
        assert deadline_scan(today=day) == 0
        day += datetime.timedelta(days=1)


def _per_deadline() -> dict:
    """{deadline: Counter(milestone: how many reminders)}."""
    counted: dict = {}
    for deadline, milestone in Notification.objects.values_list("deadline", "milestone"):
        counted.setdefault(deadline, Counter())[milestone] += 1
    return counted


def _each(milestones: list[str], recipients: int = 2) -> Counter:
    return Counter(dict.fromkeys(milestones, recipients))


def _no_duplicates():
    keys = Counter(Notification.objects.values_list("period_id", "deadline", "milestone", "recipient_id"))
    assert set(keys.values()) == {1}


def test_an_extension_from_30_to_60_days_gets_the_new_deadlines_14_and_7_day_reminders(period, team):
    _scan_days(D(2026, 3, 10), D(2026, 3, 19))  # 14 days before 31 March: d14
    with _at(D(2026, 3, 20)):
        period_extend(
            period=period,
            by=team["opener"],
            new_total_days=60,
            ground=ExtensionGround.MEDICAL,
            decided_on=D(2026, 3, 20),
        )
    period.refresh_from_db()
    assert period.ends_on == D(2026, 4, 30)

    _scan_days(D(2026, 3, 20), D(2026, 4, 30))

    assert _per_deadline() == {
        DEADLINE: _each(["d14"]),
        # An extended period is not asked to consider an extension.
        D(2026, 4, 30): _each(["d14", "d7", "d3", "d1", "d0"]),
    }
    _no_duplicates()


@pytest.mark.parametrize(
    ("new_ends_on", "deadline", "expected"),
    [
        # A new deadline decided at the lift: every milestone before it, the consider-extension day as well.
        (D(2026, 4, 20), D(2026, 4, 20), ["d14", "d7", "consider_extension", "d3", "d1", "d0"]),
        # Without one the remaining days continue: 31 March + 7 postponed days; d14 was missed, d7 is due.
        (None, D(2026, 4, 7), ["d7", "consider_extension", "d3", "d1", "d0"]),
    ],
)
def test_a_lift_gets_the_new_deadlines_reminders(period, team, new_ends_on, deadline, expected):
    _scan_days(D(2026, 3, 10), D(2026, 3, 24))  # d14 and d7 of 31 March
    with _at(D(2026, 3, 25)):
        period_postpone(period=period, by=team["opener"], from_date=D(2026, 3, 25), reason="Assessment")
    _scan_days(D(2026, 3, 25), D(2026, 3, 31))  # postponed: no deadline runs, nothing is due
    with _at(D(2026, 4, 1)):
        period_lift_postponement(
            period=period, by=team["opener"], lifted_on=D(2026, 4, 1), new_ends_on=new_ends_on
        )
    period.refresh_from_db()
    assert period.ends_on == deadline

    _scan_days(D(2026, 4, 1), deadline)

    assert _per_deadline() == {DEADLINE: _each(["d14", "d7"]), deadline: _each(expected)}
    _no_duplicates()


def test_a_corrected_start_gets_the_new_deadlines_reminders(period, team):
    _scan_days(D(2026, 3, 10), D(2026, 3, 24))  # d14 and d7 of 31 March
    with _at(D(2026, 3, 25)):
        period_correct(period=period, by=team["opener"], starts_on=D(2026, 3, 5))
    period.refresh_from_db()
    assert period.ends_on == D(2026, 4, 4)

    _scan_days(D(2026, 3, 25), D(2026, 4, 4))

    assert _per_deadline() == {
        DEADLINE: _each(["d14", "d7"]),
        # 10 days left on the day of the correction: the 14-day milestone is caught up for the new deadline.
        D(2026, 4, 4): _each(["d14", "d7", "consider_extension", "d3", "d1", "d0"]),
    }
    _no_duplicates()


def test_a_deadline_moved_back_is_not_reminded_twice(period, team):
    _scan_days(D(2026, 3, 17), D(2026, 3, 17))  # d14 of 31 March
    with _at(D(2026, 3, 18)):
        period_correct(period=period, by=team["opener"], starts_on=D(2026, 3, 2))  # 1 April
        period_correct(period=period, by=team["opener"], starts_on=START)  # 31 March again
    _scan_days(D(2026, 3, 18), D(2026, 3, 23))
    assert _per_deadline() == {DEADLINE: _each(["d14"])}


def test_the_waiting_emails_about_the_old_deadline_are_dropped(
    period, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # sent at once
        assert deadline_scan(today=D(2026, 3, 17)) == 2
    assert deadline_scan(today=D(2026, 3, 24)) == 2  # the broker has not taken these yet: waiting
    sent = set(OutboundEmail.objects.filter(status=EmailStatus.SENT).values_list("pk", flat=True))
    assert len(sent) == 2
    assert OutboundEmail.objects.filter(status=EmailStatus.PENDING).count() == 2
    claimed = OutboundEmail.objects.filter(status=EmailStatus.PENDING).first()
    OutboundEmail.objects.filter(pk=claimed.pk).update(status=EmailStatus.SENDING)  # a worker has it

    with _at(D(2026, 3, 25)):
        period_extend(
            period=period,
            by=team["opener"],
            new_total_days=40,
            ground=ExtensionGround.MEDICAL,
            decided_on=D(2026, 3, 25),
        )

    # The one still waiting is gone; the one sent and the one a worker is sending could not be taken back.
    assert set(OutboundEmail.objects.values_list("pk", flat=True)) == {*sent, claimed.pk}
    # The reminders in the app stay, as the history of what was said; the dropped one has no e-mail.
    assert Notification.objects.count() == 4
    assert Notification.objects.filter(outbound_email__isnull=True).count() == 1

    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_scan(today=D(2026, 3, 29)) == 2  # 11 days before 10 April: d14 of the new deadline
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "10.04.2026" in message.body
        assert "31.03.2026" not in message.body


def test_a_postponement_drops_the_waiting_emails_too(period, team):
    assert deadline_scan(today=D(2026, 3, 24)) == 2
    with _at(D(2026, 3, 25)):
        period_postpone(period=period, by=team["opener"], from_date=D(2026, 3, 25), reason="Assessment")
    assert not OutboundEmail.objects.exists()
    assert Notification.objects.count() == 2


def test_a_scan_that_read_the_old_deadline_writes_nothing_about_it(period, team):
    """The scan read what was due, then the deadline moved before it wrote: it leaves those reminders out
    (under the period's lock), and the next scan reminds of the new deadline."""
    day = D(2026, 3, 24)
    stale = reminders_due(today=day)
    assert {r.ends_on for r in stale} == {DEADLINE}
    with _at(day):
        period_correct(period=period, by=team["opener"], starts_on=D(2026, 3, 2))

    with mock.patch("reflection.services.reminders_due", return_value=stale):
        assert deadline_scan(today=day) == 0
    assert not Notification.objects.exists()
    assert not OutboundEmail.objects.exists()

    assert deadline_scan(today=day) == 2
    assert set(Notification.objects.values_list("deadline", "milestone")) == {(D(2026, 4, 1), "d14")}


def test_the_row_by_row_fallback_also_leaves_out_a_moved_deadline(period, team):
    day = D(2026, 3, 24)
    stale = reminders_due(today=day)
    with _at(day):
        period_correct(period=period, by=team["opener"], starts_on=D(2026, 3, 2))
    with (
        mock.patch("reflection.services.reminders_due", return_value=stale),
        mock.patch("reflection.services.insert_rows", side_effect=RuntimeError("chunk failed")),
    ):
        assert deadline_scan(today=day) == 0
    assert not Notification.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_every_reminder_names_its_deadline_and_its_email(period, team):
    deadline_scan(today=D(2026, 3, 24))
    for notification in Notification.objects.select_related("outbound_email"):
        assert notification.deadline == DEADLINE
        assert notification.outbound_email.to == notification.recipient.email
        assert "31.03.2026" in notification.outbound_email.body
