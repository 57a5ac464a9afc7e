# ruff: noqa: F811 (the fixtures imported from return_fixtures are redefined as test arguments)
"""The follow-up scan: the follow-ups one and three months after a return are reminded exactly once to each
active member of the case team, in the app and by e-mail naming the case number only."""

import datetime
from collections import Counter

import pytest
from django.urls import reverse

from cases.services import case_soft_delete, case_team_add
from cmm.models import Membership, OutboundEmail, Role
from cmm.services import membership_change
from referrals.choices import FollowUpMilestone, ReturnStatus
from referrals.models import ReturnPlan
from referrals.services.return_follow_ups import follow_up_record, follow_up_scan
from referrals.services.returns import return_plan_create
from referrals.tasks import follow_up_scan_task
from referrals.tests.return_fixtures import PHONE, D, advance, at, login  # noqa: F401 (fixtures)
from reflection.models import Notification

pytestmark = pytest.mark.django_db

MARKER = "Quorvalda Zimmerbrant"  # the person's name in this module: must never leave the personal details
DEPARTED = D(2026, 1, 31)
ONE_MONTH = D(2026, 2, 28)  # 31 January + 1 month, clamped to the month's end
THREE_MONTHS = D(2026, 4, 30)


@pytest.fixture
def team(users_a, org_a, make_member, open_case):
    """A case with a contact person and a team: the opener, one more member, a deactivated user and a member
    who has left the organisation (the last two must not be reminded)."""
    opener = users_a[Role.CASEWORKER]
    contact = make_member(org_a, Role.CASEWORKER)
    extra = make_member(org_a, Role.CASEWORKER)
    gone = make_member(org_a, Role.CASEWORKER)
    left = make_member(org_a, Role.CASEWORKER)
    with at(D(2026, 1, 10)):
        case = open_case(
            by=opener,
            opened_on=D(2026, 1, 5),
            contact_person=contact,
            personal={"full_name": MARKER, "phone_numbers": PHONE},
        )
        for member in (extra, gone, left):
            case_team_add(case=case, user=member, by=opener)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    membership_change(
        membership=Membership.objects.get(user=left, organisation=org_a),
        role=Role.CASEWORKER,
        is_active=False,
        by=users_a[Role.ORG_ADMIN],
    )
    return {"case": case, "opener": opener, "recipients": {opener, contact, extra}, "left": {gone, left}}


@pytest.fixture
def departed(team):
    """The case's plan, departed on 31 January 2026."""
    with at(D(2026, 2, 1)):
        plan = return_plan_create(case=team["case"], by=team["opener"], destination_country="NG")
        return advance(plan, by=team["opener"], to=ReturnStatus.DEPARTED, on=DEPARTED)


def _reminded() -> Counter:
    return Counter(Notification.objects.values_list("return_follow_up__milestone", flat=True))


def test_each_follow_up_is_reminded_once_to_each_active_member_of_the_team(departed, team):
    assert dict(departed.follow_ups.values_list("milestone", "due_on")) == {
        FollowUpMilestone.ONE_MONTH: ONE_MONTH,
        FollowUpMilestone.THREE_MONTHS: THREE_MONTHS,
    }
    day = DEPARTED
    while day <= THREE_MONTHS + datetime.timedelta(days=3):
        with at(day):
            follow_up_scan()
            follow_up_scan()  # a second run the same day sends nothing more
        day += datetime.timedelta(days=1)

    assert _reminded() == {FollowUpMilestone.ONE_MONTH: 3, FollowUpMilestone.THREE_MONTHS: 3}
    reminded = set(Notification.objects.values_list("recipient", flat=True))
    assert reminded == {u.pk for u in team["recipients"]}
    assert not reminded & {u.pk for u in team["left"]}
    first = Notification.objects.filter(return_follow_up__milestone=FollowUpMilestone.ONE_MONTH)
    assert set(first.values_list("days_left", flat=True)) == {0}  # sent on the due date, not before
    assert set(first.values_list("case", flat=True)) == {team["case"].pk}
    assert OutboundEmail.objects.count() == 6


def test_nothing_is_reminded_before_the_due_date(departed):
    assert follow_up_scan(today=ONE_MONTH - datetime.timedelta(days=1)) == 0
    assert not Notification.objects.exists()


def test_a_case_erased_on_request_is_not_reminded(departed, team, cmm_coordinator):
    from cases.lifecycle import case_erase

    with at(D(2026, 2, 10)):
        case_erase(case=team["case"], by=cmm_coordinator, reason="Request by letter, journal 2026-114")
    assert follow_up_scan(today=ONE_MONTH) == 0
    assert not Notification.objects.exists()


def test_a_missed_due_date_is_caught_up_once(departed):
    assert follow_up_scan(today=ONE_MONTH + datetime.timedelta(days=4)) == 3
    assert set(Notification.objects.values_list("days_left", flat=True)) == {-4}
    assert follow_up_scan(today=ONE_MONTH + datetime.timedelta(days=5)) == 0


def test_a_follow_up_recorded_before_its_due_date_is_not_reminded(departed, team):
    one = departed.follow_ups.get(milestone=FollowUpMilestone.ONE_MONTH)
    with at(D(2026, 2, 22)):
        follow_up_record(follow_up=one, by=team["opener"], done_on=D(2026, 2, 22), note="Called the NGO.")
    assert follow_up_scan(today=ONE_MONTH) == 0
    assert follow_up_scan(today=THREE_MONTHS) == 3
    assert _reminded() == {FollowUpMilestone.THREE_MONTHS: 3}


def test_a_scan_after_the_follow_up_is_done_sends_nothing_more(departed, team):
    assert follow_up_scan(today=ONE_MONTH) == 3
    one = departed.follow_ups.get(milestone=FollowUpMilestone.ONE_MONTH)
    with at(D(2026, 3, 2)):
        follow_up_record(follow_up=one, by=team["opener"], done_on=D(2026, 3, 2), note="Fine.")
    assert follow_up_scan(today=D(2026, 3, 3)) == 0
    assert Notification.objects.count() == 3


def test_the_email_names_the_case_number_and_links_to_the_plan_without_identifying_details(departed, team):
    follow_up_scan(today=ONE_MONTH)
    emails = list(OutboundEmail.objects.all())
    assert len(emails) == 3
    link = reverse("return-plan-detail", args=[departed.pk])
    for email in emails:
        text = email.subject + email.body
        assert team["case"].number in email.subject
        assert team["case"].number in email.body
        assert link in email.body
        assert "Opfølgning" in email.subject and "Follow-up" in email.subject  # Danish and English
        assert MARKER not in text
        assert PHONE not in text
        assert "Nigeria" not in text
    assert {e.to for e in emails} == {u.email for u in team["recipients"]}


def test_a_soft_deleted_case_is_not_reminded(departed, team):
    case_soft_delete(case=team["case"], by=team["opener"], reason="Registered by mistake")
    assert follow_up_scan(today=THREE_MONTHS) == 0


def test_a_completed_plan_is_not_reminded_of_an_open_follow_up(departed, team):
    # Completing needs both follow-ups now; a plan completed under an earlier rule is still left alone.
    ReturnPlan.objects.filter(pk=departed.pk).update(status=ReturnStatus.COMPLETED)
    assert follow_up_scan(today=D(2026, 5, 1)) == 0
    assert not Notification.objects.exists()


def test_the_task_runs_the_scan(departed):
    with at(ONE_MONTH):
        assert follow_up_scan_task() == 3
        assert follow_up_scan_task() == 0


def test_the_reminder_shows_in_the_app_and_links_to_the_plan(departed, team, login):
    follow_up_scan(today=ONE_MONTH)
    client = login(team["opener"])
    with at(ONE_MONTH):
        response = client.get(reverse("notification-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("return-plan-detail", args=[departed.pk]) in html
    assert team["case"].number in html
    assert MARKER not in html
