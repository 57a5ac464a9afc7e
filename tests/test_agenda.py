"""The user's day (issue 18): every agenda selector (what is in, what is out, the order, and that another
organisation's items never appear), the case page's alert strip, the home page and `GET /api/me/agenda/`,
with query counts that do not grow with the rows."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import ActionPlanReview, PersonalRepresentative
from cmm.agenda import AgendaScope, Urgency, agenda_for_user, case_alerts_for_user, urgency_of
from cmm.models import Role
from cmm.tests.test_api import token_client
from identification.choices import Outcome, TaskKind, TaskStatus
from identification.models import IdentificationTask
from identification.services import decision_record
from outreach.models import Contact, MeetingPlaceSession
from referrals.choices import ReferralReason, ReturnBody, ReturnChannel, ReturnStatus
from referrals.models import ReferralGroup, ReturnFollowUp, ReturnPlan
from referrals.services.groups import action_add, meeting_create, member_add
from referrals.services.referrals import referral_send
from reflection.choices import PeriodKind
from reflection.models import Extension, ReflectionPeriod
from reports.models import JobStatus, ReportJob, ReportKind

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 10)  # a Wednesday


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def kinds(items) -> list[str]:
    return [item.kind for item in items]


def of_kind(items, kind):
    return [item for item in items if item.kind == kind]


@pytest.fixture(autouse=True)
def frozen_today():
    # Ages (Case.is_minor) and "today" of the pages are read from the clock: a fixed day in every test.
    with time_machine.travel(datetime.datetime(2026, 6, 10, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def cw(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def cw_b(users_b):
    return users_b[Role.CASEWORKER]


@pytest.fixture
def case_b(cw_b, open_case):
    return open_case(by=cw_b)


def period(case, ends_on, *, total=30, outcome=""):
    return ReflectionPeriod.objects.create(
        case=case,
        kind=PeriodKind.ACTION_PLAN,
        starts_on=ends_on - datetime.timedelta(days=total),
        total_days=total,
        ends_on=ends_on,
        outcome=outcome,
        outcome_on=TODAY if outcome else None,
    )


# --- Urgency ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "urgency"),
    [(-1, "overdue"), (0, "3"), (3, "3"), (4, "7"), (7, "7"), (8, "14"), (14, "14"), (15, "later")],
)
def test_urgency_follows_the_days_left(days_left, urgency):
    assert urgency_of(days_left) == urgency


# --- Reflection deadlines -----------------------------------------------------------------------------------


def test_deadlines_of_my_cases_within_14_days_and_overdue_are_in_the_rest_out(cw, cw_b, case_b, open_case):
    soon = open_case(by=cw)
    late = open_case(by=cw)
    past = open_case(by=cw)
    ended = open_case(by=cw)
    period(soon, days(2))
    period(late, days(30))
    period(past, days(-3))
    period(ended, days(1), outcome="left_on_own")
    period(case_b, days(1))  # organisation B's

    items = of_kind(agenda_for_user(user=cw, today=TODAY), "reflection_deadline")

    assert [i.case_number for i in items] == [past.number, soon.number]
    assert [i.days_left for i in items] == [-3, 2]
    assert [i.urgency for i in items] == [Urgency.OVERDUE, Urgency.DAYS_3]
    assert items[0].url == reverse("case-reflection", args=[past.pk])
    assert case_b.number not in [i.case_number for i in agenda_for_user(user=cw, today=TODAY)]


def test_a_case_i_do_not_follow_is_not_my_deadline(cw, users_a, open_case):
    other = users_a[Role.COORDINATOR]
    case = open_case(by=other, organisation=cw.memberships.get().organisation)
    period(case, days(2))
    assert of_kind(agenda_for_user(user=cw, today=TODAY), "reflection_deadline") == []


def test_consider_extension_is_suggested_near_the_end_of_an_unextended_30_day_period(
    cw, open_case, in_english
):
    near, extended = open_case(by=cw), open_case(by=cw)
    period(near, days(4))
    stretched = period(extended, days(4), total=60)
    Extension.objects.create(period=stretched, new_total_days=60, ground="prepared_return", decided_on=TODAY)

    items = {i.case_number: i for i in agenda_for_user(user=cw, today=TODAY)}

    assert items[near.number].detail == "Consider an extension"
    assert items[extended.number].detail == ""


# --- Identification -----------------------------------------------------------------------------------------


@pytest.fixture
def presented_a(case_a, cw, present, deciders):
    return present(case_a, by=cw, presented_on=days(-6))


def task(case, presentation, organisation, due_on, status=TaskStatus.OPEN, kind=TaskKind.START_REFLECTION):
    return IdentificationTask.objects.create(
        case=case,
        presentation=presentation,
        kind=kind,
        responsible_organisation=organisation,
        due_on=due_on,
        status=status,
        done_on=TODAY if status == TaskStatus.DONE else None,
    )


def test_open_tasks_of_my_organisation_are_in_done_far_and_others_out(
    cw, cw_b, case_a, case_b, presented_a, present, org_a, org_b
):
    IdentificationTask.objects.all().delete()
    due = task(case_a, presented_a, org_a, days(5))
    task(case_a, presented_a, org_a, days(1), status=TaskStatus.DONE, kind=TaskKind.APPOINT_CONTACT_PERSON)
    task(case_a, presented_a, org_a, days(40), kind=TaskKind.PROFESSIONAL_REPRESENTATIVE)
    presented_b = present(case_b, by=cw_b)
    task(case_b, presented_b, org_b, days(1))

    items = of_kind(agenda_for_user(user=cw, today=TODAY), "identification_task")

    assert [(i.case_id, i.due_on) for i in items] == [(case_a.pk, due.due_on)]
    assert items[0].urgency == Urgency.DAYS_7
    assert items[0].url == reverse("identification-tasks")


def test_the_liaison_sees_presentations_waiting_with_their_age_oldest_first(
    liaison, cw, cw_b, case_a, case_b, present, deciders
):
    older = present(case_b, by=cw_b, presented_on=days(-9))
    newer = present(case_a, by=cw, presented_on=days(-2))

    items = of_kind(agenda_for_user(user=liaison, today=TODAY), "presentation_waiting")

    assert [(i.case_number, i.age_days) for i in items] == [(case_b.number, 9), (case_a.number, 2)]
    assert items[0].url == reverse("presentation-detail", args=[older.pk])
    decision_record(
        presentation=newer,
        by=liaison,
        outcome=Outcome.IDENTIFIED,
        decided_on=TODAY,
        exploitation_types=["sexual"],
    )
    assert [
        i.case_number for i in of_kind(agenda_for_user(user=liaison, today=TODAY), "presentation_waiting")
    ] == [case_b.number]
    # A caseworker decides nothing: no presentation waits for her organisation.
    assert of_kind(agenda_for_user(user=cw, today=TODAY), "presentation_waiting") == []


def test_cmm_coordinator_sees_overdue_tasks_of_partners_cases_cmm_can_see(
    cmm_coordinator, cw, case_a, presented_a, org_a, org_cmm, open_case, present
):
    IdentificationTask.objects.all().delete()
    # CMM sees A's case once it is shared with it (an accepted referral).
    from referrals.services.referrals import referral_accept

    referral = referral_send(
        case=case_a,
        by=cw,
        to_organisation=org_cmm,
        kind="share",
        reason=ReferralReason.IDENTIFICATION,
        consent_given=True,
        consent_on=TODAY,
        consent_scope="facts",
    )
    referral_accept(referral=referral, by=cmm_coordinator)
    overdue = task(case_a, presented_a, org_a, days(-2))
    # not overdue yet: the partner's own business
    task(case_a, presented_a, org_a, days(2), kind=TaskKind.APPOINT_CONTACT_PERSON)
    hidden = open_case(by=cw)  # never shared with CMM
    task(hidden, present(hidden, by=cw), org_a, days(-5))

    items = of_kind(agenda_for_user(user=cmm_coordinator, today=TODAY), "partner_task_overdue")

    assert [(i.case_id, i.due_on) for i in items] == [(case_a.pk, overdue.due_on)]
    assert of_kind(agenda_for_user(user=cw, today=TODAY), "partner_task_overdue") == []


# --- Referrals, returns, groups -----------------------------------------------------------------------------


def send(case, by, to, reason=ReferralReason.HOUSING):
    return referral_send(
        case=case,
        by=by,
        to_organisation=to,
        kind="share",
        reason=reason,
        consent_given=True,
        consent_on=TODAY,
        consent_scope="facts",
    )


def test_referrals_waiting_for_my_organisations_answer_are_in_answered_and_sent_ones_out(
    cw, cw_b, case_a, case_b, org_a, org_b, open_case, in_english
):
    waiting = send(case_b, cw_b, org_a)
    answered = send(open_case(by=cw_b), cw_b, org_a)
    from referrals.services.referrals import referral_decline

    referral_decline(referral=answered, by=cw, response_note="No room")
    send(case_a, cw, org_b)  # sent by A: waits for B, not for A

    items = of_kind(agenda_for_user(user=cw, today=TODAY), "referral_waiting")

    assert [i.url for i in items] == [reverse("referral-detail", args=[waiting.pk])]
    assert "Protected housing" in items[0].title
    assert items[0].age_days == 0
    # B sees the one A sent; never the ones B sent itself.
    assert [i.case_number for i in of_kind(agenda_for_user(user=cw_b, today=TODAY), "referral_waiting")] == [
        case_a.number
    ]


def plan(case, status=ReturnStatus.DEPARTED, **extra):
    return ReturnPlan.objects.create(
        case=case,
        responsible_body=ReturnBody.CMM,
        channel=ReturnChannel.IOM,
        status=status,
        destination_country="NG",
        actual_departure_on=days(-20) if status in (ReturnStatus.DEPARTED, ReturnStatus.FOLLOW_UP) else None,
        **extra,
    )


def test_return_follow_ups_due_on_my_cases_are_in_done_far_and_others_out(cw, case_a, case_b, open_case):
    mine = plan(case_a)
    due = ReturnFollowUp.objects.create(plan=mine, milestone="one_month", due_on=days(6))
    ReturnFollowUp.objects.create(plan=mine, milestone="three_months", due_on=days(70))
    other = plan(open_case(by=cw))
    ReturnFollowUp.objects.create(plan=other, milestone="one_month", due_on=days(-1), done_on=TODAY)
    ReturnFollowUp.objects.create(plan=plan(case_b), milestone="one_month", due_on=days(1))

    items = of_kind(agenda_for_user(user=cw, today=TODAY), "return_follow_up")

    assert [(i.case_number, i.due_on) for i in items] == [(case_a.number, due.due_on)]
    assert items[0].url == reverse("return-plan-detail", args=[mine.pk])


@pytest.fixture
def national_group(db):
    return ReferralGroup.objects.get(kind="national")


def test_group_actions_due_are_the_coordinators_and_the_owners_others_out(
    cmm_coordinator, cw, cw_b, org_a, national_group, users_a
):
    member = member_add(group=national_group, by=cmm_coordinator, organisation=org_a, sector="ngo")
    meeting = meeting_create(
        group=national_group,
        by=cmm_coordinator,
        starts_at=datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC),
    )
    due = action_add(
        meeting=meeting, by=cmm_coordinator, description="Call back", due_on=days(3), owner=member
    )
    action_add(meeting=meeting, by=cmm_coordinator, description="Later", due_on=days(30), owner=member)

    for user in (cmm_coordinator, cw):
        items = of_kind(agenda_for_user(user=user, today=TODAY), "group_action")
        assert [i.due_on for i in items] == [due.due_on]
        assert items[0].url == reverse("referral-group-meeting-detail", args=[meeting.pk])
    assert of_kind(agenda_for_user(user=cw_b, today=TODAY), "group_action") == []
    # The organisation's action without a representative is not the outreach worker's.
    assert of_kind(agenda_for_user(user=users_a[Role.OUTREACH_WORKER], today=TODAY), "group_action") == []


# --- The case file ------------------------------------------------------------------------------------------


def test_plan_reviews_due_on_my_open_cases_are_in_held_far_and_others_out(cw, case_a, case_b):
    ActionPlanReview.objects.create(case=case_a, review_on=days(-1))
    ActionPlanReview.objects.create(case=case_a, review_on=days(2), held=True)
    ActionPlanReview.objects.create(case=case_a, review_on=days(20))
    ActionPlanReview.objects.create(case=case_b, review_on=days(1))

    items = of_kind(agenda_for_user(user=cw, today=TODAY), "plan_review")

    assert [(i.case_number, i.days_left) for i in items] == [(case_a.number, -1)]
    assert items[0].url == reverse("case-plan", args=[case_a.pk])


def test_unaccompanied_minors_without_a_representative_are_in(cw, cw_b, open_case):
    alone = open_case(by=cw, unaccompanied_minor=True, estimated_age=15)
    represented = open_case(by=cw, unaccompanied_minor=True, estimated_age=15)
    PersonalRepresentative.objects.create(
        case=represented, name="Rep", appointed_on=TODAY, is_professional=True
    )
    open_case(by=cw, unaccompanied_minor=True, estimated_age=30)  # an adult now
    open_case(by=cw_b, unaccompanied_minor=True, estimated_age=15)  # organisation B's

    items = of_kind(agenda_for_user(user=cw, today=TODAY), "minor_without_representative")

    assert [i.case_number for i in items] == [alone.number]
    assert items[0].url == reverse("case-minor", args=[alone.pk])


# --- Outreach -----------------------------------------------------------------------------------------------


def test_the_outreach_worker_sees_the_next_meeting_place_day(users_a, users_b, org_a, org_b, cw, in_english):
    worker = users_a[Role.OUTREACH_WORKER]
    for weeks in (1, 2):
        # Open on Wednesdays (today) and Fridays.
        MeetingPlaceSession.objects.create(
            organisation=org_a, place="Café", date=days(-7 * weeks), visitors=5, returning_visitors=1
        )
        MeetingPlaceSession.objects.create(
            organisation=org_a, place="Café", date=days(-7 * weeks + 2), visitors=5, returning_visitors=1
        )
    MeetingPlaceSession.objects.create(
        organisation=org_b, place="B's place", date=days(-1), visitors=5, returning_visitors=1
    )

    items = of_kind(agenda_for_user(user=worker, today=TODAY), "meeting_place_day")
    assert [(i.title, i.due_on) for i in items] == [("Meeting-place day: Café", TODAY)]

    # Today's opening day recorded: the next one is Friday.
    MeetingPlaceSession.objects.create(
        organisation=org_a, place="Café", date=TODAY, visitors=5, returning_visitors=1
    )
    items = of_kind(agenda_for_user(user=worker, today=TODAY), "meeting_place_day")
    assert [i.due_on for i in items] == [days(2)]
    assert of_kind(agenda_for_user(user=users_b[Role.OUTREACH_WORKER], today=TODAY), "meeting_place_day")[
        0
    ].due_on
    # A caseworker's day is not the meeting place's.
    assert of_kind(agenda_for_user(user=cw, today=TODAY), "meeting_place_day") == []


# --- The analyst --------------------------------------------------------------------------------------------


@pytest.fixture
def analyst(org_cmm, make_member):
    return make_member(org_cmm, Role.ANALYST)


def test_the_analyst_sees_the_quarterly_reports_and_the_data_problems(
    analyst, cw, case_a, open_case, users_a, in_english
):
    period(case_a, days(-2))
    open_case(by=cw, gender="unknown", nationality="")
    ReportJob.objects.create(
        kind=ReportKind.QUARTERLY,
        status=JobStatus.DONE,
        language="da",
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 6, 30),
    )

    items = agenda_for_user(user=analyst, today=TODAY)
    reports = of_kind(items, "quarterly_report")

    assert [i.title for i in reports] == [
        "Quarterly report Q1 2026: not asked for yet",
        "Quarterly report Q2 2026: Ready",
    ]
    assert reports[0].urgency == Urgency.ATTENTION
    assert {i.kind: i.count for i in items if i.kind.startswith("data_")} == {
        "data_expired_periods": 1,
        "data_no_gender": 1,
        "data_no_nationality": 1,
    }
    # Counts only: never a case.
    assert all(i.case_id is None for i in items)
    assert of_kind(agenda_for_user(user=cw, today=TODAY), "quarterly_report") == []


# --- The organisation admin ---------------------------------------------------------------------------------


def test_the_admin_sees_pending_invitations_and_members_without_two_factor(
    users_a, users_b, otp_device, in_english
):
    from cmm.services import user_create_member

    admin = users_a[Role.ORG_ADMIN]
    organisation = admin.memberships.get().organisation
    invited = user_create_member(
        organisation=organisation,
        username="newcomer",
        first_name="New",
        last_name="Comer",
        email="new@example.org",
        role=Role.CASEWORKER,
        by=admin,
    )
    for user in users_a.values():
        otp_device(user)
    # An outreach worker without an authenticator (the role sees case facts, so it must have one).
    without = users_a[Role.OUTREACH_WORKER]
    without.totpdevice_set.all().delete()

    items = agenda_for_user(user=admin, today=TODAY)

    assert [i.title for i in of_kind(items, "invitation_pending")] == [
        "Invitation not yet accepted: New Comer"
    ]
    assert of_kind(items, "invitation_pending")[0].url == reverse("member-change", args=[invited.pk])
    missing = of_kind(items, "two_factor_missing")
    assert [i.title for i in missing] == [f"No two-factor authentication set up: {without.get_full_name()}"]
    assert of_kind(agenda_for_user(user=users_b[Role.CASEWORKER], today=TODAY), "invitation_pending") == []


# --- Order --------------------------------------------------------------------------------------------------


def test_the_most_urgent_comes_first(cw, cw_b, case_a, case_b, org_a, open_case):
    period(case_a, days(6))
    period(open_case(by=cw), days(-1))
    ActionPlanReview.objects.create(case=case_a, review_on=days(1))
    send(case_b, cw_b, org_a)
    ActionPlanReview.objects.create(case=case_a, review_on=days(12))

    items = agenda_for_user(user=cw, today=TODAY)

    assert [i.urgency for i in items] == ["overdue", "3", "attention", "7", "14"]
    assert kinds(items) == [
        "reflection_deadline",
        "plan_review",
        "referral_waiting",
        "reflection_deadline",
        "plan_review",
    ]


def test_nothing_due_is_an_empty_agenda(cw):
    assert agenda_for_user(user=cw, today=TODAY) == []


# --- The case page's alert strip ----------------------------------------------------------------------------


def test_the_alert_strip_shows_the_cases_state_whatever_the_date(
    cw, cw_b, case_a, org_b, presented_a, org_a, open_case, users_a
):
    IdentificationTask.objects.all().delete()
    period(case_a, days(45), total=60)  # far beyond the home page's 14 days
    send(case_a, cw, org_b)
    plan(case_a, status=ReturnStatus.DRAFT)
    task(case_a, presented_a, org_a, days(-1))
    case_a.unaccompanied_minor = True
    case_a.age_at_opening = 15
    case_a.save()
    # Another case's items never show here.
    other = open_case(by=cw)
    period(other, days(1))

    alerts = case_alerts_for_user(user=cw, case=case_a, today=TODAY)

    assert {i.case_id for i in alerts} == {case_a.pk}
    assert set(kinds(alerts)) >= {
        "reflection_deadline",
        "referral_waiting",
        "return_next_step",
        "identification_task",
        "minor_without_representative",
        "presentation_waiting",
    }
    assert alerts[0].urgency == Urgency.OVERDUE
    deadline = of_kind(alerts, "reflection_deadline")[0]
    assert (deadline.days_left, deadline.urgency) == (45, Urgency.LATER)


def test_a_role_without_reflection_sees_no_deadline_in_the_strip(users_a, case_a):
    period(case_a, days(2))
    worker = users_a[Role.OUTREACH_WORKER]
    assert of_kind(case_alerts_for_user(user=worker, case=case_a, today=TODAY), "reflection_deadline") == []


def test_the_scope_without_horizon_has_no_end():
    assert AgendaScope(today=TODAY, horizon=None).until is None
    assert AgendaScope(today=TODAY).until == days(14)


# --- The home page ------------------------------------------------------------------------------------------


def seed_work(cw, cw_b, org_a, open_case, n):
    """`n` cases of the caseworker, each with a deadline, a plan review, a follow-up and a referral from B."""
    for _index in range(n):
        case = open_case(by=cw, unaccompanied_minor=True, estimated_age=15)
        period(case, days(3))
        ActionPlanReview.objects.create(case=case, review_on=days(5))
        ReturnFollowUp.objects.create(plan=plan(case), milestone="one_month", due_on=days(8))
        send(open_case(by=cw_b), cw_b, org_a)


def test_the_home_page_lists_the_work_in_a_constant_number_of_queries(
    cw, cw_b, org_a, open_case, login, django_assert_max_num_queries
):
    client = login(cw)
    seed_work(cw, cw_b, org_a, open_case, 1)
    with django_assert_max_num_queries(60) as few:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    seed_work(cw, cw_b, org_a, open_case, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("home"))
    assert len(response.context["agenda"]) == 7 * 5
    html = response.content.decode()
    assert "agenda-item--3" in html and "referral_waiting" in html


def test_the_home_page_says_nothing_is_due(cw, login):
    response = login(cw).get(reverse("home"))
    assert response.context["agenda"] == []
    assert 'class="agenda__empty"' in response.content.decode()


def test_the_outreach_workers_home_starts_with_the_quick_contact(users_a, org_a, login):
    worker = users_a[Role.OUTREACH_WORKER]
    Contact.objects.create(
        organisation=org_a,
        worker=worker,
        occurred_at=datetime.datetime(2026, 6, 10, 8, 0, tzinfo=datetime.UTC),
        venue="street",
    )
    response = login(worker).get(reverse("home"))
    html = response.content.decode()
    assert html.index(reverse("contact-create")) < html.index('id="agenda"')
    assert len(response.context["top_panels"][0]["contacts"]) == 1


# --- The API ------------------------------------------------------------------------------------------------


def test_the_agenda_api_returns_the_same_items_as_the_home_page(cw, cw_b, org_a, open_case, login):
    seed_work(cw, cw_b, org_a, open_case, 2)
    api = token_client(APIClient(), cw)

    response = api.get("/api/me/agenda/")

    assert response.status_code == 200
    data = response.json()
    page = login(cw).get(reverse("home")).context["agenda"]
    assert data["days"] == 14
    assert [(i["kind"], i["case_number"], i["due_on"]) for i in data["items"]] == [
        (i.kind, i.case_number, i.due_on.isoformat() if i.due_on else None) for i in page
    ]
    first = data["items"][0]
    assert set(first) >= {"kind", "due_on", "days_left", "case_number", "url", "urgency", "title"}
    assert first["url"].startswith("http")


def test_the_agenda_api_takes_a_horizon_and_refuses_a_bad_one(cw, case_a):
    period(case_a, days(30))
    api = token_client(APIClient(), cw)
    assert api.get("/api/me/agenda/").json()["items"] == []
    assert [i["days_left"] for i in api.get("/api/me/agenda/?days=31").json()["items"]] == [30]
    for bad in ("abc", "-1", "366"):
        response = api.get(f"/api/me/agenda/?days={bad}")
        assert response.status_code == 400
        assert "days" in response.json()


def test_the_agenda_api_needs_a_login(client):
    assert APIClient().get("/api/me/agenda/").status_code in (401, 403)


def test_the_agenda_api_counts_constant_queries(cw, cw_b, org_a, open_case, django_assert_max_num_queries):
    api = token_client(APIClient(), cw)
    seed_work(cw, cw_b, org_a, open_case, 1)
    with django_assert_max_num_queries(60) as few:
        api.get("/api/me/agenda/")
    seed_work(cw, cw_b, org_a, open_case, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get("/api/me/agenda/")
    assert len(response.json()["items"]) == 35


def test_the_agenda_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    assert "/api/me/agenda/" in schema
    assert "days_left" in schema


def test_the_case_page_shows_the_alert_strip_above_the_tabs(cw, case_a, users_b, login, in_english):
    period(case_a, days(4))
    case_a.unaccompanied_minor = True
    case_a.age_at_opening = 15
    case_a.save()
    response = login(cw).get(reverse("case-detail", args=[case_a.pk]))
    html = response.content.decode()
    assert html.index('id="case-alerts"') < html.index('class="casenav"')
    assert 'data-kind="reflection_deadline"' in html
    assert 'data-code="minor_without_representative"' in html
    assert reverse("case-reflection", args=[case_a.pk]) in html
    # Text beside the colour.
    assert "Frist inden for 7 dage" in html  # the caseworker reads Danish
    # Another organisation's caseworker gets 404, never the strip.
    assert login(users_b[Role.CASEWORKER]).get(reverse("case-detail", args=[case_a.pk])).status_code == 404


def test_the_case_page_with_nothing_due_says_so(cw, case_a, login):
    response = login(cw).get(reverse("case-detail", args=[case_a.pk]))
    assert response.context["case_alerts"] == []
    assert 'id="case-alerts"' in response.content.decode()


def test_the_case_page_counts_constant_queries(cw, case_a, login, django_assert_max_num_queries):
    from cmm.tests.factories import OrganisationFactory

    client = login(cw)
    url = reverse("case-detail", args=[case_a.pk])
    period(case_a, days(4))
    with django_assert_max_num_queries(80) as few:
        client.get(url)
    for _index in range(5):
        ActionPlanReview.objects.create(case=case_a, review_on=days(3))
        send(case_a, cw, OrganisationFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["case_alerts"]) >= 11


# --- The case list's next deadline --------------------------------------------------------------------------


def test_the_case_list_shows_sorts_and_filters_by_the_next_deadline(cw, open_case, login, in_english):
    soon, later, none = open_case(by=cw), open_case(by=cw), open_case(by=cw)
    period(soon, days(20))
    ActionPlanReview.objects.create(case=soon, review_on=days(2))  # earlier than its period's end
    period(later, days(9))
    client = login(cw)

    response = client.get(reverse("case-list"), {"ordering": "next_deadline"})
    rows = list(response.context["page"])
    assert [c.number for c in rows] == [soon.number, later.number, none.number]
    assert [c.next_deadline for c in rows] == [days(2), days(9), None]
    assert rows[0].deadline_urgency == "3"
    assert "Næste frist" in response.content.decode()  # the caseworker reads Danish

    descending = [
        c.number for c in client.get(reverse("case-list"), {"ordering": "-next_deadline"}).context["page"]
    ]
    assert descending == [later.number, soon.number, none.number]  # no deadline last either way

    within = client.get(reverse("case-list"), {"due_within": "7"}).context["page"]
    assert [c.number for c in within] == [soon.number]


@pytest.mark.parametrize("bad", ["abc", "-1", "366", "1.5"])
def test_a_bad_due_within_is_a_field_error_not_a_500(cw, case_a, login, bad):
    response = login(cw).get(reverse("case-list"), {"due_within": bad})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["due_within"]
    assert list(response.context["page"]) == []


def test_the_case_api_has_the_next_deadline_and_its_filter(cw, case_a, open_case):
    period(case_a, days(5))
    open_case(by=cw)
    api = token_client(APIClient(), cw)
    body = api.get("/api/cases/", {"due_within": "7"}).json()
    assert [(c["number"], c["next_deadline"]) for c in body["results"]] == [
        (case_a.number, days(5).isoformat())
    ]
    bad = api.get("/api/cases/", {"due_within": "x"})
    assert bad.status_code == 400
    assert "due_within" in bad.json()
    ordered = api.get("/api/cases/", {"ordering": "next_deadline"}).json()["results"]
    assert ordered[0]["number"] == case_a.number


def test_the_case_list_counts_constant_queries_with_deadlines(
    cw, open_case, login, django_assert_max_num_queries
):
    client = login(cw)
    period(open_case(by=cw), days(3))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("case-list"), {"ordering": "next_deadline"})
    for _index in range(10):
        case = open_case(by=cw)
        period(case, days(4))
        ActionPlanReview.objects.create(case=case, review_on=days(1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("case-list"), {"ordering": "next_deadline"})
    assert len(response.context["page"]) == 11
