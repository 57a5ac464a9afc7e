"""The follow-up action scan: 7, 1 and 0 days before the due date and daily once overdue, exactly once per
milestone and recipient, to the owner's representative (else the meeting's creator), never after the action
is done, in e-mails that name the group and never a case."""

import datetime
from collections import Counter

import pytest
import time_machine
from django.core import mail

from cmm.models import OutboundEmail, Role
from cmm.services import membership_change
from referrals.choices import MemberSector
from referrals.models import ReferralGroup
from referrals.services.group_reminders import action_scan
from referrals.services.groups import action_add, action_complete, member_add, member_end
from referrals.tasks import action_scan_task
from referrals.tests.group_fixtures import *  # noqa: F403 (the fixtures)
from referrals.tests.group_fixtures import CASE_NUMBER
from reflection.models import Notification
from reflection.views import notification_link, notification_message

pytestmark = pytest.mark.django_db
D = datetime.date
DUE = D(2026, 5, 1)


def _on(day: datetime.date):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(7)).astimezone(datetime.UTC), tick=False
    )


@pytest.fixture(autouse=True)
def fixed_today():
    with _on(D(2026, 4, 10)):
        yield


@pytest.fixture
def representative(nordjylland, org_a, caseworker_a, coordinator):
    """Organisation A's representative in the Nordjylland group: its caseworker."""
    return member_add(
        group=nordjylland, by=coordinator, organisation=org_a, user=caseworker_a, sector=MemberSector.NGO
    )


@pytest.fixture
def owned_action(meeting, representative, coordinator):
    return action_add(
        meeting=meeting, by=coordinator, description="Send the new routine", due_on=DUE, owner=representative
    )


def _sent(action=None) -> Counter:
    rows = Notification.objects.all() if action is None else Notification.objects.filter(group_action=action)
    return Counter(rows.values_list("milestone", flat=True))


def _scan_every_day(first: datetime.date, last: datetime.date, *, times: int = 2) -> None:
    day = first
    while day <= last:
        for _ in range(times):  # a second run the same day sends nothing more
            action_scan(today=day)
        day += datetime.timedelta(days=1)


def test_the_owner_is_reminded_once_at_7_1_and_0_days_and_daily_when_overdue(owned_action, caseworker_a):
    _scan_every_day(D(2026, 4, 10), D(2026, 5, 3))

    assert _sent() == Counter({"d7": 1, "d1": 1, "d0": 1, "overdue:2026-05-02": 1, "overdue:2026-05-03": 1})
    assert set(Notification.objects.values_list("recipient", flat=True)) == {caseworker_a.pk}
    days_left = dict(Notification.objects.values_list("milestone", "days_left"))
    assert days_left == {"d7": 7, "d1": 1, "d0": 0, "overdue:2026-05-02": -1, "overdue:2026-05-03": -2}
    notification = Notification.objects.get(milestone="d7")
    assert (notification.case, notification.period, notification.group_action) == (None, None, owned_action)
    assert OutboundEmail.objects.filter(to=caseworker_a.email).count() == 5


@pytest.mark.parametrize(
    ("day", "milestone"),
    [
        (D(2026, 4, 23), None),
        (D(2026, 4, 24), "d7"),
        (D(2026, 4, 27), "d7"),  # a missed 7-day reminder is caught up, once
        (D(2026, 4, 30), "d1"),
        (D(2026, 5, 1), "d0"),
        (D(2026, 5, 5), "overdue:2026-05-05"),
    ],
)
def test_a_single_scan_sends_the_milestone_reached_that_day(owned_action, day, milestone):
    assert action_scan(today=day) == (1 if milestone else 0)
    assert set(_sent()) == ({milestone} if milestone else set())


def test_the_task_scans_with_todays_date_in_copenhagen(owned_action):
    # 22:30 UTC on 23 April is already 24 April in Copenhagen: 7 days before the due date.
    with time_machine.travel(datetime.datetime(2026, 4, 23, 22, 30, tzinfo=datetime.UTC), tick=False):
        assert action_scan_task.delay().get() == 1
    assert set(_sent()) == {"d7"}


def test_nothing_is_sent_once_the_action_is_done(owned_action, caseworker_a):
    action_scan(today=D(2026, 4, 24))
    with _on(D(2026, 4, 25)):
        action_complete(action=owned_action, by=caseworker_a)

    _scan_every_day(D(2026, 4, 25), D(2026, 5, 10), times=1)

    assert _sent() == Counter({"d7": 1})


def test_an_owner_without_a_user_makes_the_meetings_creator_the_recipient(meeting, member_a, coordinator):
    action = action_add(
        meeting=meeting, by=coordinator, description="Call the police", due_on=DUE, owner=member_a
    )
    action_scan(today=D(2026, 5, 1))
    assert list(Notification.objects.values_list("recipient", "group_action", "milestone")) == [
        (coordinator.pk, action.pk, "d0")
    ]


def test_an_ended_member_or_a_representative_who_left_is_not_reminded(
    owned_action, representative, caseworker_a, coordinator, org_a
):
    membership_change(
        membership=caseworker_a.memberships.get(organisation=org_a),
        role=Role.CASEWORKER,
        is_active=False,
        by=coordinator,
    )
    action_scan(today=D(2026, 4, 24))
    assert list(Notification.objects.values_list("recipient", flat=True)) == [coordinator.pk]

    member_end(member=representative, by=coordinator)
    action_scan(today=D(2026, 4, 30))
    assert set(Notification.objects.values_list("recipient", flat=True)) == {coordinator.pk}
    assert _sent() == Counter({"d7": 1, "d1": 1})


def test_actions_of_an_inactive_group_are_not_reminded(owned_action, nordjylland):
    ReferralGroup.objects.filter(pk=nordjylland.pk).update(is_active=False)
    assert action_scan(today=D(2026, 5, 1)) == 0
    assert not Notification.objects.exists()


def test_the_email_names_the_group_and_links_to_it_but_never_a_case(
    owned_action, nordjylland, caseworker_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action_scan(today=D(2026, 4, 24))
        action_scan(today=D(2026, 5, 2))

    assert len(mail.outbox) == 2
    for email in mail.outbox:
        assert email.to == [caseworker_a.email]
        assert nordjylland.name in email.subject
        assert f"http://testserver/referrals/groups/{nordjylland.pk}/" in email.body
        assert CASE_NUMBER not in email.body and "Send the new routine" not in email.body
    assert "overskredet" in mail.outbox[1].subject and "overdue" in mail.outbox[1].subject


def test_the_reminder_shows_in_the_app_linking_to_the_group(owned_action, nordjylland, caseworker_a):
    action_scan(today=D(2026, 4, 24))
    notification = Notification.objects.select_related("group_action__meeting__group").get()
    assert nordjylland.name in notification_message(notification)
    assert notification_link(notification) == f"/referrals/groups/{nordjylland.pk}/"


def test_an_action_added_after_its_milestones_is_reminded_once_of_the_nearest(
    meeting, representative, coordinator
):
    with _on(D(2026, 4, 28)):
        action = action_add(
            meeting=meeting,
            by=coordinator,
            description="Short notice",
            due_on=D(2026, 4, 29),
            owner=representative,
        )
    _scan_every_day(D(2026, 4, 28), D(2026, 4, 29))
    assert _sent(action) == Counter({"d1": 1, "d0": 1})
