"""The deadline scan: each milestone reminded exactly once per person, in the app and by e-mail."""

import datetime
from collections import Counter
from unittest import mock

import pytest
import time_machine
from django.core import mail

from cases.services import case_soft_delete, case_team_add
from cmm.models import EmailStatus, OutboundEmail, Role
from cmm.services import email_send
from reflection.choices import ExtensionGround, PeriodKind, PeriodOutcome
from reflection.models import Notification
from reflection.services import (
    deadline_scan,
    period_end,
    period_extend,
    period_lift_postponement,
    period_postpone,
    period_start,
)

pytestmark = pytest.mark.django_db

D = datetime.date
MARKER = "Quorvalda Zimmerbrant"  # the person's name: must never leave the personal details
DEADLINE = D(2026, 3, 31)  # 30 days from 1 March


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9)).astimezone(datetime.UTC))


@pytest.fixture
def team(users_a, org_a, make_member, open_case):
    """A case with a contact person, the opener, one more member and one deactivated member on its team."""
    opener = users_a[Role.CASEWORKER]
    contact = make_member(org_a, Role.CASEWORKER)
    extra = make_member(org_a, Role.CASEWORKER)
    gone = make_member(org_a, Role.CASEWORKER)
    case = open_case(
        by=opener, contact_person=contact, personal={"full_name": MARKER, "phone_numbers": "+45 99 88 77 66"}
    )
    case_team_add(case=case, user=extra, by=opener)
    case_team_add(case=case, user=gone, by=opener)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    return {"case": case, "opener": opener, "recipients": {opener, contact, extra}, "gone": gone}


@pytest.fixture
def period(team):
    with _at(D(2026, 3, 1)):
        return period_start(
            case=team["case"], by=team["opener"], kind=PeriodKind.ACTION_PLAN, starts_on=D(2026, 3, 1)
        )


def _sent() -> Counter:
    return Counter(Notification.objects.values_list("milestone", flat=True))


def _milestones_of(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("milestone", flat=True))


def test_the_contact_person_and_team_get_one_reminder_each_at_every_milestone(period, team):
    assert period.ends_on == DEADLINE
    day = D(2026, 3, 10)
    while day <= DEADLINE:
        deadline_scan(today=day)
        deadline_scan(today=day)  # a second run the same day sends nothing more
        day += datetime.timedelta(days=1)

    expected = ["consider_extension", "d0", "d1", "d14", "d3", "d7"]
    assert _sent() == Counter(dict.fromkeys(expected, 3))
    for user in team["recipients"]:
        assert _milestones_of(user) == expected
    assert _milestones_of(team["gone"]) == []
    days_left = dict(Notification.objects.values_list("milestone", "days_left").distinct())
    assert days_left == {"d14": 14, "d7": 7, "consider_extension": 5, "d3": 3, "d1": 1, "d0": 0}
    assert OutboundEmail.objects.count() == 6 * 3


@pytest.mark.parametrize(
    ("day", "milestone"),
    [
        (D(2026, 3, 16), None),
        (D(2026, 3, 17), "d14"),
        (D(2026, 3, 24), "d7"),
        (D(2026, 3, 25), "d7"),
        (D(2026, 3, 26), "consider_extension"),
        (D(2026, 3, 28), "d3"),
        (D(2026, 3, 30), "d1"),
        (D(2026, 3, 31), "d0"),
        (D(2026, 4, 1), "expired:2026-04-01"),
    ],
)
def test_a_single_scan_sends_the_milestone_reached_that_day(period, team, day, milestone):
    assert deadline_scan(today=day) == (3 if milestone else 0)
    assert set(_sent()) == ({milestone} if milestone else set())


def test_the_scan_uses_todays_date_in_copenhagen(period):
    # 23:30 UTC on 23 March is already 24 March in Copenhagen: 7 days left.
    with time_machine.travel(datetime.datetime(2026, 3, 23, 23, 30, tzinfo=datetime.UTC), tick=False):
        assert deadline_scan() == 3
    assert set(_sent()) == {"d7"}


def test_a_missed_milestone_is_caught_up_once_with_the_nearest_one(period, team):
    # The scan did not run for a while: at 2 days left only the 3-day reminder goes, not 14, 7 and 5.
    assert deadline_scan(today=D(2026, 3, 29)) == 3
    assert set(_sent()) == {"d3"}
    assert deadline_scan(today=D(2026, 3, 29)) == 0
    assert deadline_scan(today=D(2026, 3, 30)) == 3
    assert set(_sent()) == {"d3", "d1"}


def test_consider_extension_is_caught_up_when_the_scan_missed_it(period):
    deadline_scan(today=D(2026, 3, 24))
    deadline_scan(today=D(2026, 3, 27))  # 4 days left; the 5-day run was missed
    assert set(_sent()) == {"d7", "consider_extension"}


def test_consider_extension_is_only_for_an_unextended_30_day_period(period, team):
    with _at(D(2026, 3, 20)):
        period_extend(
            period=period,
            by=team["opener"],
            new_total_days=31,
            ground=ExtensionGround.MEDICAL,
            decided_on=D(2026, 3, 20),
        )
    deadline_scan(today=D(2026, 3, 25))  # 7 days before 1 April
    assert deadline_scan(today=D(2026, 3, 27)) == 0  # 5 days left
    assert set(_sent()) == {"d7"}


def test_an_extended_period_between_the_last_milestone_and_the_consider_day_has_nothing_due(
    period, team, settings
):
    # With no milestone as far out as the consider-extension day, an extended period 4 days from its
    # deadline has reached nothing, and an unextended one has reached "consider_extension".
    settings.REFLECTION_MILESTONES = [3, 1, 0]
    settings.REFLECTION_CONSIDER_EXTENSION_DAYS = 5
    with _at(D(2026, 3, 20)):
        period_extend(
            period=period,
            by=team["opener"],
            new_total_days=31,
            ground=ExtensionGround.MEDICAL,
            decided_on=D(2026, 3, 20),
        )
    assert deadline_scan(today=D(2026, 3, 28)) == 0  # 4 days before 1 April
    assert deadline_scan(today=D(2026, 3, 29)) == 3  # 3 days: the d3 milestone
    assert set(_sent()) == {"d3"}


def test_a_period_shorter_than_30_days_gets_no_consider_extension(team):
    with _at(D(2026, 3, 1)):
        period_start(
            case=team["case"],
            by=team["opener"],
            kind=PeriodKind.ACTION_PLAN,
            starts_on=D(2026, 3, 1),
            initial_days=20,
            short_reason="Special reasons",
        )
    assert deadline_scan(today=D(2026, 3, 16)) == 3  # 5 days before 21 March
    assert set(_sent()) == {"d7"}


def test_an_expired_period_without_outcome_is_flagged_once_a_day(period):
    assert deadline_scan(today=D(2026, 4, 1)) == 3
    assert deadline_scan(today=D(2026, 4, 1)) == 0
    assert deadline_scan(today=D(2026, 4, 2)) == 3
    assert _sent() == Counter({"expired:2026-04-01": 3, "expired:2026-04-02": 3})
    assert set(Notification.objects.values_list("days_left", flat=True)) == {-1, -2}
    subjects = set(OutboundEmail.objects.values_list("subject", flat=True))
    assert subjects == {
        f"Frist overskredet i sag {period.case.number} / Deadline passed in case {period.case.number}"
    }


def test_an_ended_period_is_not_reminded(period, team):
    with _at(D(2026, 3, 20)):
        period_end(
            period=period, by=team["opener"], outcome=PeriodOutcome.LEFT_ON_OWN, outcome_on=D(2026, 3, 20)
        )
    for day in (D(2026, 3, 24), D(2026, 3, 31), D(2026, 4, 5)):
        assert deadline_scan(today=day) == 0
    assert not Notification.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_a_postponed_period_is_not_reminded_until_the_lift(period, team):
    with _at(D(2026, 3, 20)):
        period_postpone(period=period, by=team["opener"], from_date=D(2026, 3, 20), reason="Assessment")
    for day in (D(2026, 3, 24), D(2026, 3, 31), D(2026, 4, 5)):
        assert deadline_scan(today=day) == 0
    with _at(D(2026, 4, 6)):
        period_lift_postponement(period=period, by=team["opener"], lifted_on=D(2026, 4, 6))
    period.refresh_from_db()
    assert period.ends_on == D(2026, 4, 17)
    assert deadline_scan(today=D(2026, 4, 10)) == 3
    assert set(_sent()) == {"d7"}


def test_a_deleted_case_is_not_reminded(period, team):
    case_soft_delete(case=team["case"], by=team["opener"], reason="Registered by mistake")
    assert deadline_scan(today=D(2026, 3, 24)) == 0
    assert not Notification.objects.exists()


def test_a_case_erased_on_request_is_neither_reminded_nor_listed_as_running(period, team, cmm_coordinator):
    from cases.lifecycle import case_erase
    from reflection.selectors import calendar_periods_for_user, running_periods_for_user

    contact = team["case"].contact_person
    assert list(running_periods_for_user(user=contact, mine=True)) == [period]
    case_erase(case=team["case"], by=cmm_coordinator, reason="Request by letter, journal 2026-114")

    assert deadline_scan(today=D(2026, 3, 24)) == 0
    assert not Notification.objects.exists()
    assert list(running_periods_for_user(user=contact, mine=True)) == []
    assert list(calendar_periods_for_user(user=contact)) == []


def test_reminders_are_mailed_through_the_outbox_with_the_case_number_and_never_the_name(
    period, team, django_capture_on_commit_callbacks
):
    number = team["case"].number
    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_scan(today=D(2026, 3, 24)) == 3

    emails = OutboundEmail.objects.all()
    assert sorted(e.to for e in emails) == sorted(u.email for u in team["recipients"])
    assert {e.status for e in emails} == {EmailStatus.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in team["recipients"])
    for message in mail.outbox:
        assert number in message.subject
        assert number in message.body
        assert "31.03.2026" in message.body
    texts = [m.subject + m.body for m in mail.outbox] + [e.subject + e.body for e in emails]
    texts += [f"{n} {n.milestone} {n.days_left}" for n in Notification.objects.all()]
    for text in texts:
        assert MARKER not in text
        assert "Quorvalda" not in text and "Zimmerbrant" not in text
        assert "99 88 77 66" not in text
    assert team["gone"].email not in [m.to[0] for m in mail.outbox]


def test_a_failing_mail_server_leaves_the_email_waiting_and_no_second_notification(
    period, team, django_capture_on_commit_callbacks
):
    with (
        mock.patch("cmm.services.send_mail", side_effect=ConnectionRefusedError("mail server down")) as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert deadline_scan(today=D(2026, 3, 24)) == 3
    assert send.called
    assert mail.outbox == []
    emails = list(OutboundEmail.objects.all())
    assert len(emails) == 3
    for email in emails:
        # Put back to wait for the retry (or the outbox sweep), with the error visible to admins: tried by
        # the batch, then once by the retrying task it was handed to (tasks run at once in the tests).
        assert (email.status, email.attempts) == (EmailStatus.PENDING, 2)
        assert "ConnectionRefusedError" in email.last_error

    # The scan runs again (e.g. after a crash): no second notification and no second e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_scan(today=D(2026, 3, 24)) == 0
        assert deadline_scan(today=D(2026, 3, 25)) == 0
    assert Notification.objects.count() == 3
    assert OutboundEmail.objects.count() == 3
    assert mail.outbox == []

    # The mail server is back: the retry delivers each e-mail once.
    for email in emails:
        assert email_send(email_id=email.pk) is True
        assert email_send(email_id=email.pk) is False
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in team["recipients"])
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}
    assert Notification.objects.count() == 3


def test_one_unusable_address_does_not_stop_the_other_reminders(period, team, org_a, make_member):
    broken = make_member(org_a, Role.CASEWORKER)
    case_team_add(case=team["case"], user=broken, by=team["opener"])
    broken.email = "not an address"
    broken.save(update_fields=["email"])

    assert deadline_scan(today=D(2026, 3, 24)) == 3
    assert {n.recipient for n in Notification.objects.all()} == team["recipients"]
    # The failed one is tried again by the next scan, and still only once for the others.
    assert deadline_scan(today=D(2026, 3, 24)) == 0


def test_a_scan_costs_the_same_few_queries_whatever_the_number_of_periods_and_reminders(
    team, users_a, open_case, django_assert_max_num_queries
):
    """Two queries find what is due and not yet sent (the milestone rule and the recipients are answered by
    the database; the active memberships are read once); the new reminders are written in one transaction
    per chunk of SCAN_CHUNK (the chunk's periods locked, the e-mails, the notifications); a re-run with
    nothing new is those two queries."""
    opener = users_a[Role.CASEWORKER]
    cases = [team["case"], *(open_case(by=opener) for _ in range(5))]
    with _at(D(2026, 3, 1)):
        for case in cases:
            period_start(case=case, by=opener, kind=PeriodKind.ACTION_PLAN, starts_on=D(2026, 3, 1))
    with _at(D(2026, 3, 17)):  # 14 days before every deadline
        # the two reads, then a savepoint, the periods locked, the e-mails, the notifications, the release
        with django_assert_max_num_queries(7):
            assert deadline_scan() == 3 + 5  # the team of the first case, the opener of the others
        with django_assert_max_num_queries(2):
            assert deadline_scan() == 0
    with _at(D(2026, 3, 2)), django_assert_max_num_queries(2):  # every deadline beyond the furthest milestone
        assert deadline_scan() == 0


def test_a_chunk_that_meets_a_concurrent_scan_falls_back_to_one_reminder_at_a_time(period, team):
    """Another scan wrote one of the reminders after this one read what was due: the chunk's insert fails on
    the unique constraint, and the reminders are then written one by one, skipping the one already there."""
    from reflection.selectors import reminders_due

    day = D(2026, 3, 24)
    due = reminders_due(today=day)
    first = due[0]
    Notification.objects.create(
        recipient_id=first.recipient_id,
        period_id=first.period_id,
        case_id=first.case_id,
        milestone=first.milestone,
        days_left=first.days_left,
        deadline=first.ends_on,
    )
    with mock.patch("reflection.services.reminders_due", return_value=due):
        assert deadline_scan(today=day) == len(due) - 1
    assert Notification.objects.count() == len(due) == 3
    assert OutboundEmail.objects.count() == 2  # the concurrent scan's own e-mail is its business
