"""The referral-group API: visibility answered as 404, running the groups as 403, the rules as 400 with field
errors (the case-number rule included), and list endpoints whose query count does not grow with rows."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmm.models import Role
from referrals.choices import MemberSector
from referrals.models import GroupMeeting, GroupMember, GroupTopic, MeetingAction
from referrals.services.groups import action_add, member_add, topic_add
from referrals.tests.group_fixtures import *  # noqa: F403 (the fixtures)
from referrals.tests.group_fixtures import CASE_NUMBER, populate

pytestmark = pytest.mark.django_db
D = datetime.date
BASE = "/api/referrals/"


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(datetime.datetime(2026, 4, 10, 9, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def action(meeting, member_a, coordinator):
    return action_add(
        meeting=meeting, by=coordinator, description="Send the routine", due_on=D(2026, 5, 1), owner=member_a
    )


def meeting_body(**overrides):
    return {"starts_at": "2026-05-20T13:30:00", "place": "Aalborg", "agenda": "Routines", **overrides}


# --- Who sees what --------------------------------------------------------------------------------------


def test_a_member_sees_its_group_with_members_and_its_meetings(
    api, caseworker_a, nordjylland, meeting, member_a
):
    client = api(caseworker_a)

    listed = client.get(f"{BASE}groups/")
    assert listed.status_code == 200
    [group] = listed.json()["results"]
    assert (group["id"], group["kind"], group["region"], group["active_members"]) == (
        nordjylland.pk,
        "regional",
        "nordjylland",
        1,
    )
    assert group["next_meeting_at"] == "2026-04-15T10:00:00+02:00"

    detail = client.get(f"{BASE}groups/{nordjylland.pk}/").json()
    assert [m["id"] for m in detail["members"]] == [member_a.pk]
    assert detail["members"][0]["organisation"]["id"] == member_a.organisation_id

    meetings = client.get(f"{BASE}groups/{nordjylland.pk}/meetings/").json()["results"]
    assert [m["id"] for m in meetings] == [meeting.pk]
    shown = client.get(f"{BASE}meetings/{meeting.pk}/").json()
    assert (shown["place"], shown["attendees"], shown["agenda"]) == ("Aalborg", [member_a.pk], meeting.agenda)


def test_a_non_member_gets_404_on_the_group_and_everything_in_it(
    api, users_b, nordjylland, national, meeting, action, member_a
):
    client = api(users_b[Role.CASEWORKER])
    assert client.get(f"{BASE}groups/").json()["results"] == []
    for address in (
        f"groups/{nordjylland.pk}/",
        f"groups/{nordjylland.pk}/members/",
        f"groups/{nordjylland.pk}/meetings/",
        f"groups/{nordjylland.pk}/topics/",
        f"meetings/{meeting.pk}/",
    ):
        assert client.get(f"{BASE}{address}").status_code == 404, address
    assert (
        client.post(f"{BASE}groups/{nordjylland.pk}/topics/", {"title": "x"}, format="json").status_code
        == 404
    )
    assert client.post(f"{BASE}actions/{action.pk}/complete/", {}, format="json").status_code == 404
    assert not GroupTopic.objects.exists()


def test_an_ended_membership_removes_api_access(
    api, caseworker_a, coordinator, nordjylland, member_a, meeting
):
    client = api(caseworker_a)
    assert client.get(f"{BASE}groups/{nordjylland.pk}/").status_code == 200

    ended = api(coordinator).patch(f"{BASE}members/{member_a.pk}/", {"is_active": False}, format="json")

    assert ended.status_code == 200
    assert ended.json()["is_active"] is False
    assert client.get(f"{BASE}groups/{nordjylland.pk}/").status_code == 404
    assert client.get(f"{BASE}meetings/{meeting.pk}/").status_code == 404


def test_the_cmm_coordinator_sees_all_groups(api, coordinator, national):
    listed = api(coordinator).get(f"{BASE}groups/").json()
    assert listed["count"] == 7
    assert api(coordinator).get(f"{BASE}groups/{national.pk}/").status_code == 200


def test_an_ngo_coordinator_member_may_not_run_the_group(api, users_a, nordjylland, member_a, meeting):
    client = api(users_a[Role.COORDINATOR])
    assert client.get(f"{BASE}groups/{nordjylland.pk}/").status_code == 200
    body = {"organisation_name": "Politi", "sector": "police"}
    assert client.post(f"{BASE}groups/{nordjylland.pk}/members/", body, format="json").status_code == 403
    assert (
        client.post(f"{BASE}groups/{nordjylland.pk}/meetings/", meeting_body(), format="json").status_code
        == 403
    )
    assert client.patch(f"{BASE}meetings/{meeting.pk}/", {"minutes": "x"}, format="json").status_code == 403
    assert (
        client.patch(f"{BASE}members/{member_a.pk}/", {"sector": "police"}, format="json").status_code == 403
    )
    action_body = {"description": "x", "owner": member_a.pk, "due_on": "2026-05-01"}
    assert client.post(f"{BASE}meetings/{meeting.pk}/actions/", action_body, format="json").status_code == 403
    assert GroupMember.objects.count() == 1
    assert GroupMeeting.objects.get().minutes == ""


# --- Members --------------------------------------------------------------------------------------------


def test_the_coordinator_adds_a_member_and_a_representative_of_another_organisation_is_refused(
    api, coordinator, nordjylland, org_a, caseworker_a, users_b
):
    client = api(coordinator)
    address = f"{BASE}groups/{nordjylland.pk}/members/"

    refused = client.post(
        address,
        {"organisation": org_a.pk, "user": users_b[Role.CASEWORKER].pk, "sector": "ngo"},
        format="json",
    )
    assert refused.status_code == 400
    assert set(refused.json()) == {"user"}

    added = client.post(
        address, {"organisation": org_a.pk, "user": caseworker_a.pk, "sector": "ngo"}, format="json"
    )
    assert added.status_code == 201, added.json()
    assert (added.json()["user"]["id"], added.json()["sector"]) == (caseworker_a.pk, "ngo")

    twice = client.post(
        address, {"organisation": org_a.pk, "user": caseworker_a.pk, "sector": "ngo"}, format="json"
    )
    assert twice.status_code == 400
    assert GroupMember.objects.count() == 1


def test_bad_member_input_is_a_400_naming_the_field(api, coordinator, nordjylland):
    client = api(coordinator)
    address = f"{BASE}groups/{nordjylland.pk}/members/"
    assert set(client.post(address, {"sector": "army"}, format="json").json()) == {"sector"}
    assert set(client.post(address, {"sector": "ngo"}, format="json").json()) == {"organisation"}
    unknown = client.post(address, {"organisation": 999999, "sector": "ngo"}, format="json")
    assert set(unknown.json()) == {"organisation"}
    assert not GroupMember.objects.exists()


# --- Meetings and the case-number rule ------------------------------------------------------------------


def test_the_coordinator_creates_a_meeting_stored_in_utc(api, coordinator, nordjylland, member_a):
    response = api(coordinator).post(
        f"{BASE}groups/{nordjylland.pk}/meetings/", meeting_body(attendees=[member_a.pk]), format="json"
    )
    assert response.status_code == 201, response.json()
    meeting = GroupMeeting.objects.get()
    assert meeting.starts_at == datetime.datetime(2026, 5, 20, 11, 30, tzinfo=datetime.UTC)
    assert response.json()["starts_at"] == "2026-05-20T13:30:00+02:00"
    assert response.json()["attendees"] == [member_a.pk]


@pytest.mark.parametrize("number", [CASE_NUMBER, CASE_NUMBER.lower()])
def test_minutes_naming_a_case_are_a_400_on_the_field(api, coordinator, nordjylland, meeting, number):
    client = api(coordinator)
    created = client.post(
        f"{BASE}groups/{nordjylland.pk}/meetings/", meeting_body(minutes=f"About {number}"), format="json"
    )
    assert created.status_code == 400
    assert set(created.json()) == {"minutes"}
    assert number in created.json()["minutes"][0]

    changed = client.patch(f"{BASE}meetings/{meeting.pk}/", {"agenda": f"1. {number}"}, format="json")
    assert changed.status_code == 400
    assert set(changed.json()) == {"agenda"}
    assert GroupMeeting.objects.get().agenda == meeting.agenda


def test_patching_a_meeting_keeps_what_is_left_out(api, coordinator, meeting, member_a):
    response = api(coordinator).patch(
        f"{BASE}meetings/{meeting.pk}/", {"minutes": "Routines agreed."}, format="json"
    )
    assert response.status_code == 200, response.json()
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.place, list(meeting.attendees.all())) == (
        "Routines agreed.",
        "Aalborg",
        [member_a],
    )


def test_an_attendee_of_another_group_is_a_400(api, coordinator, nordjylland, syddanmark, org_b):
    stranger = member_add(group=syddanmark, by=coordinator, organisation=org_b, sector=MemberSector.NGO)
    response = api(coordinator).post(
        f"{BASE}groups/{nordjylland.pk}/meetings/", meeting_body(attendees=[stranger.pk]), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"attendees"}


# --- Actions --------------------------------------------------------------------------------------------


def test_an_action_naming_a_case_is_a_400_and_a_good_one_is_created(api, coordinator, meeting, member_a):
    client = api(coordinator)
    address = f"{BASE}meetings/{meeting.pk}/actions/"
    body = {"description": f"Check {CASE_NUMBER}", "owner": member_a.pk, "due_on": "2026-05-01"}

    refused = client.post(address, body, format="json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"description"}

    created = client.post(address, {**body, "description": "Send the routine"}, format="json")
    assert created.status_code == 201
    assert (created.json()["owner"], created.json()["due_on"], created.json()["overdue"]) == (
        member_a.pk,
        "2026-05-01",
        False,
    )


def test_the_owner_marks_its_action_done_once_and_another_member_may_not(
    api, caseworker_a, users_b, org_b, nordjylland, coordinator, action
):
    member_add(group=nordjylland, by=coordinator, organisation=org_b, sector=MemberSector.NGO)
    other = api(users_b[Role.CASEWORKER])
    assert other.post(f"{BASE}actions/{action.pk}/complete/", {}, format="json").status_code == 403

    client = api(caseworker_a)
    first = client.post(f"{BASE}actions/{action.pk}/complete/", {}, format="json")
    second = client.post(f"{BASE}actions/{action.pk}/complete/", {"done_on": "2026-04-01"}, format="json")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["done_on"] == second.json()["done_on"] == "2026-04-10"
    assert MeetingAction.objects.get().done_on == D(2026, 4, 10)


# --- Topics ---------------------------------------------------------------------------------------------


def test_a_member_raises_a_topic_but_not_one_naming_a_case(api, caseworker_a, nordjylland, member_a):
    client = api(caseworker_a)
    address = f"{BASE}groups/{nordjylland.pk}/topics/"

    refused = client.post(address, {"title": f"{CASE_NUMBER.lower()} again"}, format="json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"title"}

    created = client.post(address, {"title": "Housing", "description": "Too few places"}, format="json")
    assert created.status_code == 201
    assert created.json()["status"] == "open"
    assert [t["id"] for t in client.get(address).json()["results"]] == [created.json()["id"]]


def test_escalating_twice_gives_one_national_topic_and_a_national_topic_is_refused(
    api, coordinator, caseworker_a, nordjylland, national, member_a
):
    topic = topic_add(group=nordjylland, by=caseworker_a, title="Interpreters")
    assert api(caseworker_a).post(f"{BASE}topics/{topic.pk}/escalate/").status_code == 403

    client = api(coordinator)
    first = client.post(f"{BASE}topics/{topic.pk}/escalate/")
    second = client.post(f"{BASE}topics/{topic.pk}/escalate/")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["group"] == national.pk
    assert first.json()["escalated_from"] == {"id": topic.pk, "group": nordjylland.pk}
    assert GroupTopic.objects.filter(group=national).count() == 1

    regional = client.get(f"{BASE}groups/{nordjylland.pk}/topics/").json()["results"]
    assert regional[0]["status"] == "escalated"
    assert regional[0]["escalated_to"] == {"id": first.json()["id"], "group": national.pk}

    refused = client.post(f"{BASE}topics/{first.json()['id']}/escalate/")
    assert refused.status_code == 400
    assert GroupTopic.objects.count() == 2


# --- The schema and query counts ------------------------------------------------------------------------


def test_the_group_endpoints_are_in_the_schema(api, coordinator):
    schema = api(coordinator).get("/api/schema/", {"format": "json"})
    paths = schema.json()["paths"]
    for path in (
        "/api/referrals/groups/",
        "/api/referrals/groups/{id}/",
        "/api/referrals/groups/{id}/members/",
        "/api/referrals/members/{id}/",
        "/api/referrals/groups/{id}/meetings/",
        "/api/referrals/meetings/{id}/",
        "/api/referrals/meetings/{id}/actions/",
        "/api/referrals/actions/{id}/complete/",
        "/api/referrals/groups/{id}/topics/",
        "/api/referrals/topics/{id}/escalate/",
    ):
        assert path in paths, path


@pytest.mark.parametrize("suffix", ["groups/", "members/", "meetings/", "topics/", "detail"])
def test_list_endpoints_do_not_query_more_with_more_rows(
    api, coordinator, nordjylland, make_member, django_assert_max_num_queries, suffix
):
    client = api(coordinator)
    if suffix == "groups/":
        address = f"{BASE}groups/"
    elif suffix == "detail":
        address = f"{BASE}groups/{nordjylland.pk}/"
    else:
        address = f"{BASE}groups/{nordjylland.pk}/{suffix}"
    populate(nordjylland, coordinator, make_member, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(address).status_code == 200

    populate(nordjylland, coordinator, make_member, 6)
    with django_assert_max_num_queries(len(few)):
        response = client.get(address)
    assert response.status_code == 200


def test_the_meeting_endpoint_does_not_query_more_with_more_actions_and_topics(
    api, coordinator, meeting, member_a, nordjylland, django_assert_max_num_queries
):
    client = api(coordinator)
    action_add(meeting=meeting, by=coordinator, description="One", due_on=D(2026, 5, 1), owner=member_a)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{BASE}meetings/{meeting.pk}/").status_code == 200
    for n in range(5):
        action_add(
            meeting=meeting, by=coordinator, description=f"More {n}", due_on=D(2026, 5, 1), owner=member_a
        )
        topic_add(group=nordjylland, by=coordinator, title=f"Topic {n}", meeting=meeting)
    with django_assert_max_num_queries(len(few)):
        response = client.get(f"{BASE}meetings/{meeting.pk}/")
    assert (len(response.json()["actions"]), len(response.json()["topics"])) == (6, 5)


def test_the_coordinator_closes_a_topic_and_a_member_may_not(
    api, coordinator, caseworker_a, nordjylland, member_a
):
    topic = topic_add(group=nordjylland, by=caseworker_a, title="Interpreters")
    assert api(caseworker_a).post(f"{BASE}topics/{topic.pk}/close/").status_code == 403
    closed = api(coordinator).post(f"{BASE}topics/{topic.pk}/close/")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert api(coordinator).post(f"{BASE}topics/{topic.pk}/escalate/").status_code == 400


def test_an_ended_membership_is_not_revived_through_the_api(api, coordinator, member_a):
    client = api(coordinator)
    client.patch(f"{BASE}members/{member_a.pk}/", {"is_active": False}, format="json")
    revived = client.patch(f"{BASE}members/{member_a.pk}/", {"is_active": True}, format="json")
    assert revived.status_code == 400
    assert set(revived.json()) == {"is_active"}
    member_a.refresh_from_db()
    assert not member_a.is_active


@pytest.mark.parametrize("starts_at", ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "soon"])
def test_a_meeting_time_at_the_ends_of_the_calendar_is_a_400_not_a_500(
    api, coordinator, nordjylland, starts_at
):
    response = api(coordinator).post(
        f"{BASE}groups/{nordjylland.pk}/meetings/", meeting_body(starts_at=starts_at), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"starts_at"}
    assert not GroupMeeting.objects.exists()
