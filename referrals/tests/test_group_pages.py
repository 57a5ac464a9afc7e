"""The referral-group pages: who sees which group, what only CMM's coordinators may do, the case-number rule
on every text, escalation, and query counts that do not grow with rows.

Pages answer in Danish by default, so the tests look at status codes, context and form errors (which name
the refused case number) rather than at English text.
"""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cmm.models import Role
from cmm.services import membership_add
from referrals.choices import MemberSector, TopicStatus
from referrals.models import GroupMeeting, GroupTopic, MeetingAction
from referrals.services.groups import (
    action_add,
    meeting_create,
    member_add,
    member_end,
    topic_add,
)
from referrals.tests.group_fixtures import *  # noqa: F403 (the fixtures)
from referrals.tests.group_fixtures import CASE_NUMBER, at, populate

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 4, 10)


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(datetime.datetime(2026, 4, 10, 9, tzinfo=datetime.UTC), tick=False):
        yield


def url(name, *args):
    return reverse(name, args=args)


@pytest.fixture
def action(meeting, member_a, coordinator):
    return action_add(
        meeting=meeting, by=coordinator, description="Send the routine", due_on=D(2026, 5, 1), owner=member_a
    )


def meeting_body(**overrides):
    return {
        "starts_at": "2026-05-20T13:30",
        "place": "Aalborg rådhus",
        "agenda": "1. Routines",
        "minutes": "",
        **overrides,
    }


# --- Who sees what --------------------------------------------------------------------------------------


def test_a_member_organisations_user_sees_its_group_and_its_meetings(web, caseworker_a, nordjylland, meeting):
    client = web(caseworker_a)

    listed = client.get(url("referral-group-list"))
    assert listed.status_code == 200
    assert [group.pk for group in listed.context["groups"]] == [nordjylland.pk]

    page = client.get(url("referral-group-detail", nordjylland.pk))
    assert page.status_code == 200
    assert [m.pk for m in page.context["upcoming"]] == [meeting.pk]
    assert not page.context["can_manage"]
    assert client.get(url("referral-group-meeting-detail", meeting.pk)).status_code == 200


def test_a_regional_member_does_not_see_the_national_group_or_other_regions(
    web, caseworker_a, national, syddanmark, member_a
):
    client = web(caseworker_a)
    assert client.get(url("referral-group-detail", national.pk)).status_code == 404
    assert client.get(url("referral-group-detail", syddanmark.pk)).status_code == 404


def test_a_user_of_a_non_member_organisation_gets_404_everywhere_in_the_group(
    web, users_b, nordjylland, meeting, action
):
    client = web(users_b[Role.CASEWORKER])
    assert list(client.get(url("referral-group-list")).context["groups"]) == []
    for address in (
        url("referral-group-detail", nordjylland.pk),
        url("referral-group-meeting-list", nordjylland.pk),
        url("referral-group-meeting-detail", meeting.pk),
        url("referral-group-topic-add", nordjylland.pk),
        url("referral-group-action-complete", action.pk),
    ):
        assert client.get(address).status_code == 404, address
    refused = client.post(url("referral-group-topic-add", nordjylland.pk), {"title": "Let me in"})
    assert refused.status_code == 404
    assert not GroupTopic.objects.exists()


def test_an_ended_membership_removes_access_at_once(
    web, caseworker_a, coordinator, nordjylland, member_a, meeting
):
    client = web(caseworker_a)
    assert client.get(url("referral-group-detail", nordjylland.pk)).status_code == 200

    member_end(member=member_a, by=coordinator)

    assert client.get(url("referral-group-detail", nordjylland.pk)).status_code == 404
    assert client.get(url("referral-group-meeting-detail", meeting.pk)).status_code == 404


def test_a_representative_named_personally_sees_the_group(web, users_b, nordjylland, coordinator):
    outsider = users_b[Role.CASEWORKER]
    member_add(
        group=nordjylland,
        by=coordinator,
        organisation_name="Frivillignetværket",
        user=outsider,
        sector=MemberSector.NGO,
    )
    client = web(outsider)
    assert client.get(url("referral-group-detail", nordjylland.pk)).status_code == 200


def test_a_representative_who_left_the_member_organisation_loses_access(
    web, caseworker_a, coordinator, nordjylland, org_a, org_b, meeting
):
    # A's caseworker represents A in the group personally; then leaves A for B.
    member_add(
        group=nordjylland, by=coordinator, organisation=org_a, user=caseworker_a, sector=MemberSector.NGO
    )
    client = web(caseworker_a)
    assert client.get(url("referral-group-meeting-detail", meeting.pk)).status_code == 200
    membership = caseworker_a.memberships.get(organisation=org_a)
    membership.is_active = False
    membership.save()
    membership_add(user=caseworker_a, organisation=org_b, role=Role.CASEWORKER)

    client = web(caseworker_a)
    assert client.get(url("referral-group-detail", nordjylland.pk)).status_code == 404
    assert client.get(url("referral-group-meeting-detail", meeting.pk)).status_code == 404


def test_cmm_coordinator_sees_and_runs_all_seven_groups(web, coordinator, national):
    client = web(coordinator)
    listed = client.get(url("referral-group-list"))
    assert len(listed.context["groups"]) == 7
    page = client.get(url("referral-group-detail", national.pk))
    assert page.status_code == 200
    assert page.context["can_manage"]
    assert len(page.context["regional_groups"]) == 6


def test_an_ngo_coordinator_who_is_a_member_does_not_run_the_group(
    web, users_a, nordjylland, member_a, meeting
):
    client = web(users_a[Role.COORDINATOR])
    assert client.get(url("referral-group-detail", nordjylland.pk)).status_code == 200
    for address in (
        url("referral-group-meeting-create", nordjylland.pk),
        url("referral-group-meeting-edit", meeting.pk),
        url("referral-group-member-add", nordjylland.pk),
        url("referral-group-member-edit", member_a.pk),
        url("referral-group-action-add", meeting.pk),
    ):
        assert client.get(address).status_code == 403, address
    refused = client.post(url("referral-group-meeting-create", nordjylland.pk), meeting_body())
    assert refused.status_code == 403
    assert GroupMeeting.objects.count() == 1


# --- Meetings and the case-number rule ------------------------------------------------------------------


def test_the_coordinator_plans_a_meeting_with_attendance(web, coordinator, nordjylland, member_a):
    client = web(coordinator)
    form = client.get(url("referral-group-meeting-create", nordjylland.pk))
    assert form.status_code == 200
    assert 'type="datetime-local"' in form.content.decode()
    assert "data-case-check" in form.content.decode()

    response = client.post(
        url("referral-group-meeting-create", nordjylland.pk), meeting_body(attendees=[member_a.pk])
    )

    meeting = GroupMeeting.objects.get()
    assert response.status_code == 302
    assert response.url == url("referral-group-meeting-detail", meeting.pk)
    assert meeting.starts_at == datetime.datetime(2026, 5, 20, 11, 30, tzinfo=datetime.UTC)
    assert list(meeting.attendees.all()) == [member_a]
    assert meeting.created_by == coordinator


@pytest.mark.parametrize("number", [CASE_NUMBER, CASE_NUMBER.lower()])
def test_minutes_naming_a_case_are_refused_next_to_the_field_and_nothing_typed_is_lost(
    web, coordinator, meeting, member_a, number
):
    client = web(coordinator)
    body = meeting_body(
        place="Hjørring", minutes=f"Agreed routines. Also {number} was discussed.", attendees=[member_a.pk]
    )

    response = client.post(url("referral-group-meeting-edit", meeting.pk), body)

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"minutes"}
    assert number in form.errors["minutes"][0]
    assert form["place"].value() == "Hjørring"
    assert form["minutes"].value() == body["minutes"]
    assert number in response.content.decode()  # shown in the message next to the field
    meeting.refresh_from_db()
    assert (meeting.place, meeting.minutes) == ("Aalborg", "")


def test_an_agenda_naming_a_case_is_refused_on_a_new_meeting(web, coordinator, nordjylland):
    client = web(coordinator)
    response = client.post(
        url("referral-group-meeting-create", nordjylland.pk), meeting_body(agenda=f"Case {CASE_NUMBER}")
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"agenda"}
    assert not GroupMeeting.objects.exists()


def test_a_bad_date_is_shown_next_to_the_field(web, coordinator, nordjylland):
    client = web(coordinator)
    response = client.post(
        url("referral-group-meeting-create", nordjylland.pk), meeting_body(starts_at="soon")
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"starts_at"}


def test_an_action_naming_a_case_is_refused_and_a_good_one_is_added(web, coordinator, meeting, member_a):
    client = web(coordinator)
    address = url("referral-group-action-add", meeting.pk)
    body = {"description": f"Follow up {CASE_NUMBER.lower()}", "owner": member_a.pk, "due_on": "2026-05-01"}

    refused = client.post(address, body)
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"description"}
    assert refused.context["form"]["due_on"].value() == "2026-05-01"

    added = client.post(address, {**body, "description": "Send the new routine to all members"})
    assert added.status_code == 302
    assert MeetingAction.objects.get().owner == member_a


# --- Actions --------------------------------------------------------------------------------------------


def test_the_owner_organisation_marks_its_action_done(web, caseworker_a, nordjylland, action):
    client = web(caseworker_a)
    page = client.get(url("referral-group-detail", nordjylland.pk))
    assert [(a.pk, a.can_complete) for a in page.context["actions"]] == [(action.pk, True)]

    response = client.post(url("referral-group-action-complete", action.pk), {"done_on": ""})

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == TODAY
    assert list(client.get(url("referral-group-detail", nordjylland.pk)).context["actions"]) == []


def test_another_member_cannot_mark_an_action_it_does_not_own(
    web, users_b, org_b, nordjylland, coordinator, action
):
    member_add(group=nordjylland, by=coordinator, organisation=org_b, sector=MemberSector.NGO)
    client = web(users_b[Role.CASEWORKER])
    assert client.get(url("referral-group-detail", nordjylland.pk)).status_code == 200
    assert client.post(url("referral-group-action-complete", action.pk)).status_code == 403
    action.refresh_from_db()
    assert action.done_on is None


def test_overdue_actions_are_flagged_on_the_group_page(web, coordinator, nordjylland, meeting, member_a):
    with time_machine.travel(datetime.datetime(2026, 4, 20, 9, tzinfo=datetime.UTC), tick=False):
        client = web(coordinator)
        action_add(
            meeting=meeting, by=coordinator, description="Late one", due_on=D(2026, 4, 16), owner=member_a
        )
        page = client.get(url("referral-group-detail", nordjylland.pk))
    assert [a.overdue for a in page.context["actions"]] == [True]
    assert "graction--overdue" in page.content.decode()


# --- Topics ---------------------------------------------------------------------------------------------


def test_a_member_raises_a_topic_but_not_one_naming_a_case(web, caseworker_a, nordjylland, member_a, meeting):
    client = web(caseworker_a)
    address = url("referral-group-topic-add", nordjylland.pk)

    refused = client.post(
        address, {"title": "Housing", "description": f"See {CASE_NUMBER}", "meeting": meeting.pk}
    )
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"description"}
    assert refused.context["form"]["title"].value() == "Housing"

    added = client.post(address, {"title": "Housing", "description": "Too few places for men"})
    assert added.status_code == 302
    assert GroupTopic.objects.get().created_by == caseworker_a


def test_escalation_shows_on_both_groups_and_only_the_coordinator_escalates(
    web, coordinator, caseworker_a, nordjylland, national, member_a
):
    topic = topic_add(group=nordjylland, by=caseworker_a, title="Interpreters")
    assert web(caseworker_a).post(url("referral-group-topic-escalate", topic.pk)).status_code == 403

    client = web(coordinator)
    assert client.post(url("referral-group-topic-escalate", topic.pk)).status_code == 302
    assert client.post(url("referral-group-topic-escalate", topic.pk)).status_code == 302
    national_topic = GroupTopic.objects.get(group=national)

    national_page = client.get(url("referral-group-detail", national.pk))
    [shown] = national_page.context["topics"]
    assert (shown.pk, shown.source_group, shown.source_visible) == (national_topic.pk, nordjylland, True)
    regional_page = web(caseworker_a).get(url("referral-group-detail", nordjylland.pk))
    [regional] = regional_page.context["topics"]
    assert (regional.status, regional.target_group, regional.target_visible) == (
        TopicStatus.ESCALATED,
        national,
        False,  # the regional member does not see the national group: named, not linked
    )


def test_escalating_a_national_topic_is_refused_with_a_message(web, coordinator, national):
    topic = topic_add(group=national, by=coordinator, title="Statistics")
    response = web(coordinator).post(url("referral-group-topic-escalate", topic.pk))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert GroupTopic.objects.count() == 1


# --- Query counts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["referral-group-list", "referral-group-detail", "referral-group-meeting-list", "national-detail"]
)
def test_list_pages_do_not_query_more_with_more_rows(
    web, coordinator, nordjylland, national, make_member, django_assert_max_num_queries, page
):
    client = web(coordinator)
    if page == "referral-group-list":
        address = url(page)
    elif page == "national-detail":
        address = url("referral-group-detail", national.pk)
    else:
        address = url(page, nordjylland.pk)
    populate(nordjylland, coordinator, make_member, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(address).status_code == 200

    populate(nordjylland, coordinator, make_member, 6)
    with django_assert_max_num_queries(len(few)):
        assert client.get(address).status_code == 200


def test_the_meeting_page_does_not_query_more_with_more_attendees_and_actions(
    web, coordinator, nordjylland, make_member, django_assert_max_num_queries
):
    from cmm.tests.factories import OrganisationFactory

    meeting = meeting_create(group=nordjylland, by=coordinator, starts_at=at(D(2026, 4, 1)))
    client = web(coordinator)

    def add_member():
        organisation = OrganisationFactory()
        member = member_add(group=nordjylland, by=coordinator, organisation=organisation, sector="ngo")
        meeting.attendees.add(member)
        action_add(meeting=meeting, by=coordinator, description="Do it", due_on=D(2026, 5, 1), owner=member)
        topic_add(group=nordjylland, by=coordinator, title="Raised", meeting=meeting)

    add_member()
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("referral-group-meeting-detail", meeting.pk)).status_code == 200
    for _ in range(5):
        add_member()
    with django_assert_max_num_queries(len(few)):
        page = client.get(url("referral-group-meeting-detail", meeting.pk))
    assert len(page.context["actions"]) == 6


# --- Members and closing topics through the pages -------------------------------------------------------


def test_the_coordinator_adds_changes_and_ends_a_member_through_the_pages(
    web, coordinator, nordjylland, org_a, caseworker_a, users_b
):
    client = web(coordinator)
    address = url("referral-group-member-add", nordjylland.pk)
    assert client.get(address).status_code == 200

    refused = client.post(
        address,
        {"organisation": org_a.pk, "user": users_b[Role.CASEWORKER].pk, "sector": "ngo", "name": "Kim"},
    )
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"user"}
    assert refused.context["form"]["name"].value() == "Kim"

    added = client.post(address, {"organisation": org_a.pk, "user": caseworker_a.pk, "sector": "ngo"})
    assert added.status_code == 302
    member = nordjylland.members.get()

    edit = url("referral-group-member-edit", member.pk)
    assert client.get(edit).context["form"]["user"].value() == caseworker_a.pk
    changed = client.post(edit, {"organisation": org_a.pk, "user": caseworker_a.pk, "sector": "health"})
    assert changed.status_code == 302
    member.refresh_from_db()
    assert member.sector == "health"

    assert client.post(url("referral-group-member-end", member.pk)).status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    page = client.get(url("referral-group-detail", nordjylland.pk))
    assert (page.context["members"], [m.pk for m in page.context["former_members"]]) == ([], [member.pk])


def test_the_coordinator_closes_a_topic_and_it_moves_to_the_closed_ones(web, coordinator, nordjylland):
    topic = topic_add(group=nordjylland, by=coordinator, title="Interpreters")
    client = web(coordinator)
    assert client.get(url("referral-group-topic-close", topic.pk)).status_code == 200
    assert client.post(url("referral-group-topic-close", topic.pk)).status_code == 302
    page = client.get(url("referral-group-detail", nordjylland.pk))
    assert (page.context["topics"], [t.pk for t in page.context["closed_topics"]]) == ([], [topic.pk])
