"""Leaving an organisation ends what came with it (issue 17): a member whose membership ends (or whose account
is deactivated) is taken off the organisation's case teams and contact-person roles (the organisation is
asked to appoint a new contact person), loses the personal grants that came through it, no longer sees its
cases in the calendar feed, the reminders list, the bell or the dashboard, and is not reminded of them: the
scans pass them over and the reminder e-mails still waiting in the outbox for them are taken back."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cases.models import Case, CaseEvent, CaseTeamMember, CaseUserObjectPermission
from cases.selectors import case_warnings
from cases.services import can_view_personal_details, case_team_add, case_update
from cmm.models import AuditAction, AuditEvent, EmailStatus, Membership, OutboundEmail, Role
from cmm.services import membership_add, membership_change, user_deactivate
from cmm.tests.factories import TEST_PASSWORD
from cmm.two_factor.services import api_token_issue
from cmm.two_factor.testing import pass_second_factor
from identification.choices import TaskKind, TaskStatus
from identification.models import IdentificationTask
from identification.services import task_complete
from referrals.choices import ConsentScope, MemberSector, ReferralKind, ReferralReason
from referrals.models import ReferralGroup
from referrals.services.group_reminders import action_scan
from referrals.services.groups import action_add, meeting_create, member_add
from referrals.services.referrals import referral_accept, referral_send
from reflection.choices import PeriodKind
from reflection.models import Notification
from reflection.selectors import calendar_periods_for_user, notification_list_for_user
from reflection.services import calendar_token_renew, deadline_scan, period_start

pytestmark = pytest.mark.django_db

D = datetime.date
CPH = ZoneInfo("Europe/Copenhagen")
START = D(2026, 3, 21)  # the day after the Immigration Service identified case A: deadline 2026-04-20
SCAN_DAY = D(2026, 4, 13)  # 7 days before the deadline
MARKER = "Marker Person Alpha"  # the name open_case stores in the personal details


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(datetime.datetime(2026, 4, 1, 12, tzinfo=CPH), tick=False):
        yield


def page_client(user) -> Client:
    """A browser logged in as `user` through the real login form and second step."""
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    pass_second_factor(client, user)
    return client


def api_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user).key}")


@pytest.fixture
def opener(users_a):
    """A's caseworker: opened case A and stays on its team."""
    return users_a[Role.CASEWORKER]


@pytest.fixture
def mover(org_a, make_member):
    """A caseworker of A who moves to B: contact person of case A, on the team of a second case of A."""
    return make_member(org_a, Role.CASEWORKER, email="mover@example.org")


@pytest.fixture
def work(identified_case, opener, mover, open_case, cmm_coordinator):
    """Case A (presented, identified) with `mover` as contact person (CMM's task to appoint one done), a
    second case of A never presented with `mover` on its team, a running period on each, the 7-day reminders
    of both sent (their e-mails still waiting in the outbox) and `mover`'s calendar address."""
    case_update(case=identified_case, by=opener, contact_person=mover)
    appoint = IdentificationTask.objects.get(case=identified_case, kind=TaskKind.APPOINT_CONTACT_PERSON)
    task_complete(task=appoint, by=cmm_coordinator)
    second = Case.objects.get(pk=identified_case.pk)
    other = open_case(by=opener)
    case_team_add(case=other, user=mover, by=opener)
    periods = [
        period_start(case=identified_case, by=opener, kind=PeriodKind.STATUTORY, starts_on=START),
        period_start(case=other, by=opener, kind=PeriodKind.ACTION_PLAN, starts_on=START),
    ]
    assert deadline_scan(today=SCAN_DAY) == 4  # two periods, two people
    feed = reverse("calendar-feed", args=[calendar_token_renew(user=mover).token])
    assert {p.pk for p in calendar_periods_for_user(user=mover)} == {p.pk for p in periods}
    assert OutboundEmail.objects.filter(to=mover.email, status=EmailStatus.PENDING).count() == 2
    return {"case": second, "other": other, "periods": periods, "feed": feed}


def end_membership_on_the_members_page(users_a, mover) -> None:
    """A's organisation admin ends `mover`'s membership on the members page, as in the app."""
    membership = mover.memberships.get(organisation=users_a[Role.ORG_ADMIN].memberships.get().organisation)
    response = page_client(users_a[Role.ORG_ADMIN]).post(
        f"/members/{membership.pk}/", {"role": Role.CASEWORKER, "is_active": ""}
    )
    assert response.status_code == 302


def test_leaving_takes_the_member_off_the_case_teams_and_the_contact_person_role(
    work, users_a, mover, opener, org_a
):
    case, other = work["case"], work["other"]
    end_membership_on_the_members_page(users_a, mover)

    case.refresh_from_db()
    assert case.contact_person is None
    assert not CaseTeamMember.objects.filter(user=mover).exists()
    assert not CaseUserObjectPermission.objects.filter(user=mover).exists()
    assert CaseTeamMember.objects.filter(user=opener, case__in=[case, other]).count() == 2  # others stay

    # The organisation is asked to appoint a new contact person: the identification task on case A, on the
    # home page (today's work) of A; the case never presented says so on its page (it has no identification
    # tasks).
    task = IdentificationTask.objects.get(
        case=case, kind=TaskKind.APPOINT_CONTACT_PERSON, status=TaskStatus.OPEN
    )
    assert (task.status, task.responsible_organisation) == (TaskStatus.OPEN, org_a)
    home = page_client(opener).get("/")
    assert any(
        item.kind == "identification_task" and item.case_id == task.case_id for item in home.context["agenda"]
    )
    assert [w.code for w in case_warnings(case=case)] == ["contact_person_left"]
    # The second case had no contact person to lose: its timeline says the member left its team.
    assert case_warnings(case=other) == []
    assert CaseEvent.objects.filter(
        case=other, data__left_organisation=True, data__contact_person=False
    ).exists()

    # On the timeline and in A's audit log, by username and field names, never the person's details.
    for which in (case, other):
        event = AuditEvent.objects.get(
            action=AuditAction.PERMISSION_REVOKED, target_id=str(which.pk), detail__reason="left_organisation"
        )
        assert event.organisation == org_a
        assert event.detail["user"] == mover.username
        assert MARKER not in str(event.detail) and MARKER not in event.target_label
    page = page_client(opener).get(reverse("case-timeline", args=[case.pk]))
    assert mover.username in page.content.decode().lower()


def test_a_case_that_never_had_a_presentation_shows_that_its_contact_person_left(
    users_a, mover, opener, open_case
):
    case = open_case(by=opener, contact_person=mover)
    assert case_warnings(case=case) == []
    end_membership_on_the_members_page(users_a, mover)
    case.refresh_from_db()
    assert [w.code for w in case_warnings(case=case)] == ["contact_person_left"]
    assert not IdentificationTask.objects.filter(case=case).exists()
    page = page_client(opener).get(reverse("case-detail", args=[case.pk]))
    assert 'data-code="contact_person_left"' in page.content.decode()

    case_update(case=case, by=opener, contact_person=users_a[Role.COORDINATOR])
    case.refresh_from_db()
    assert case_warnings(case=case) == []


def test_after_moving_to_another_organisation_none_of_the_former_cases_are_shown(
    work, users_a, mover, org_b, open_case, make_member
):
    end_membership_on_the_members_page(users_a, mover)
    membership_add(user=mover, organisation=org_b, role=Role.CASEWORKER)
    # B's own work is shown: a case of B with `mover` as contact person and a period ending the same day.
    case_b = open_case(by=make_member(org_b, Role.CASEWORKER), contact_person=mover)
    period_b = period_start(case=case_b, by=mover, kind=PeriodKind.ACTION_PLAN, starts_on=START)
    deadline_scan(today=SCAN_DAY)

    feed = Client().get(work["feed"]).content.decode()
    assert f"UID:period-{period_b.pk}@cmm" in feed
    for period in work["periods"]:
        assert f"UID:period-{period.pk}@cmm" not in feed
        assert period.case.number not in feed

    client = page_client(mover)
    page = client.get(reverse("notification-list"))
    assert [n.case_id for n in page.context["page"]] == [case_b.pk]
    assert page.context["unread_notifications"] == 1  # the bell
    api = api_client(mover).get("/api/reflection/notifications/").json()
    assert [n["case"]["id"] for n in api["results"]] == [case_b.pk]
    dashboard = client.get(reverse("reflection-dashboard"))
    assert [p.pk for p in dashboard.context["page"]] == [period_b.pk]
    home = client.get("/")
    assert work["case"].number not in home.content.decode()
    # B's own deadline, 19 days away, is on the agenda asked for 30 days (the home page shows 14); A's never.
    agenda = api_client(mover).get("/api/me/agenda/?days=30").json()["items"]
    assert [i["case_number"] for i in agenda if i["kind"] == "reflection_deadline"] == [case_b.number]


def test_the_read_side_shows_only_organisations_the_user_is_an_active_member_of(work, mover, org_a):
    # Even where a membership ended without the service (a data fix in the database), nothing of A shows.
    assert notification_list_for_user(user=mover).count() == 2
    Membership.objects.filter(user=mover, organisation=org_a).update(is_active=False)
    assert notification_list_for_user(user=mover).count() == 0
    assert not calendar_periods_for_user(user=mover).exists()
    assert Notification.objects.filter(recipient=mover).count() == 2  # kept as the history of what was said


def test_the_former_member_is_not_reminded_and_waiting_emails_are_taken_back(
    work, users_a, mover, opener, org_a
):
    end_membership_on_the_members_page(users_a, mover)

    assert not OutboundEmail.objects.filter(to=mover.email).exists()
    assert OutboundEmail.objects.filter(to=opener.email, status=EmailStatus.PENDING).count() == 2
    event = AuditEvent.objects.get(detail__what="reminder_emails")
    assert (event.organisation, event.detail["emails_cancelled"], event.target_label) == (
        org_a,
        2,
        mover.username,
    )

    deadline_scan(today=D(2026, 4, 17))  # 3 days before: the opener only
    assert set(Notification.objects.filter(milestone="d3").values_list("recipient", flat=True)) == {opener.pk}
    assert not OutboundEmail.objects.filter(to=mover.email).exists()


def test_deactivating_a_user_takes_them_out_of_every_organisation(work, mover, opener, users_a):
    key = api_token_issue(user=mover).key
    user_deactivate(user=mover, by=users_a[Role.ORG_ADMIN])

    work["case"].refresh_from_db()
    assert work["case"].contact_person is None
    assert not CaseTeamMember.objects.filter(user=mover).exists()
    assert not OutboundEmail.objects.filter(to=mover.email).exists()
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/cases/").status_code == 401
    ended = AuditEvent.objects.get(action=AuditAction.MEMBERSHIP_ENDED, target_label=mover.username)
    assert ended.detail == {"reason": "user_deactivated"}


def test_deactivating_a_user_in_the_django_admin_goes_through_the_service(work, mover, client):
    from cmm.tests.factories import UserFactory

    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    pass_second_factor(client, superuser)
    form = client.get(f"/admin/cmm/user/{mover.pk}/change/").context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name not in {"password", "is_active", "groups", "user_permissions", "last_login", "date_joined"}
        and value is not None
    }
    data.update(
        {
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    response = client.post(f"/admin/cmm/user/{mover.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    mover.refresh_from_db()
    assert not mover.is_active
    assert not CaseTeamMember.objects.filter(user=mover).exists()


def test_personal_details_given_to_the_acceptor_of_a_referral_end_when_they_leave(
    case_a, opener, org_b, org_cmm, make_member, users_b
):
    acceptor = make_member(org_b, Role.CASEWORKER)
    membership_add(user=acceptor, organisation=org_cmm, role=Role.CASEWORKER)
    referral = referral_send(
        case=case_a,
        by=opener,
        to_organisation=org_b,
        kind=ReferralKind.SHARE,
        reason=ReferralReason.HOUSING,
        consent_given=True,
        consent_on=D(2026, 3, 30),
        consent_scope=ConsentScope.FACTS_AND_DETAILS,
    )
    acting_for_b = acceptor.memberships.get(organisation=org_b)
    acceptor._cmm_active_membership = acting_for_b
    referral_accept(referral=referral, by=acceptor)
    acceptor._cmm_active_membership = acceptor.memberships.get(organisation=org_cmm)
    assert CaseUserObjectPermission.objects.filter(user=acceptor, content_object=case_a).exists()

    membership_change(
        membership=acting_for_b, role=Role.CASEWORKER, is_active=False, by=users_b[Role.ORG_ADMIN]
    )

    assert not CaseUserObjectPermission.objects.filter(user=acceptor, content_object=case_a).exists()
    assert not can_view_personal_details(user=acceptor, case=case_a)
    assert can_view_personal_details(user=opener, case=case_a)  # the owner's team keeps them
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_REVOKED, detail__step="acceptor_left")
    assert (event.detail["user"], event.target_label) == (acceptor.username, case_a.number)


def test_a_representative_who_moved_to_another_organisation_is_not_reminded_of_its_group_actions(
    org_a, org_b, cmm_coordinator, make_member
):
    group = ReferralGroup.objects.get(region="nordjylland")
    representative = make_member(org_a, Role.CASEWORKER)
    member = member_add(
        group=group, by=cmm_coordinator, organisation=org_a, user=representative, sector=MemberSector.NGO
    )
    meeting = meeting_create(
        group=group, by=cmm_coordinator, starts_at=datetime.datetime(2026, 4, 15, 10, tzinfo=CPH)
    )
    action = action_add(
        meeting=meeting, by=cmm_coordinator, description="Send it", due_on=D(2026, 5, 1), owner=member
    )
    assert action_scan(today=D(2026, 4, 24)) == 1  # the 7-day reminder, to the representative
    assert OutboundEmail.objects.filter(to=representative.email, status=EmailStatus.PENDING).exists()

    membership_change(
        membership=representative.memberships.get(organisation=org_a),
        role=Role.CASEWORKER,
        is_active=False,
        by=cmm_coordinator,
    )
    membership_add(user=representative, organisation=org_b, role=Role.CASEWORKER)

    assert not OutboundEmail.objects.filter(to=representative.email).exists()  # the waiting one taken back
    assert notification_list_for_user(user=representative).count() == 0
    action_scan(today=D(2026, 4, 30))  # 1 day before: the meeting's creator, in the representative's place
    reminded = Notification.objects.filter(group_action=action, milestone="d1")
    assert set(reminded.values_list("recipient", flat=True)) == {cmm_coordinator.pk}


def test_the_reminders_list_and_the_calendar_keep_their_query_count_with_more_organisations(
    work, mover, org_b, open_case, make_member, django_assert_max_num_queries
):
    membership_add(user=mover, organisation=org_b, role=Role.CASEWORKER)
    client = page_client(mover)
    feed = Client()
    chosen = mover.memberships.get(organisation=org_b).pk
    assert client.post(reverse("organisation-select"), {"membership": chosen}).status_code == 302
    client.get(reverse("notification-list"))  # warm the session and the caches
    with django_assert_max_num_queries(40) as few_page:
        client.get(reverse("notification-list"))
    with django_assert_max_num_queries(10) as few_feed:
        feed.get(work["feed"])

    colleague = make_member(org_b, Role.CASEWORKER)
    for _ in range(3):
        case = open_case(by=colleague, contact_person=mover)
        period_start(case=case, by=colleague, kind=PeriodKind.ACTION_PLAN, starts_on=START)
    deadline_scan(today=SCAN_DAY)

    with django_assert_max_num_queries(len(few_page.captured_queries)):
        page = client.get(reverse("notification-list"))
    assert len(page.context["page"]) == 5
    with django_assert_max_num_queries(len(few_feed.captured_queries)):
        assert Client().get(work["feed"]).content.decode().count("BEGIN:VEVENT") == 5
