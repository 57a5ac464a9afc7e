"""The referral-group services: the seven groups, members, meetings, actions and topics, and their rules."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cmm.models import AuditEvent, Role
from referrals.choices import GroupKind, GroupRegion, MemberSector, TopicStatus
from referrals.models import GroupMeeting, GroupMember, GroupTopic, MeetingAction, ReferralGroup
from referrals.services.groups import (
    action_add,
    action_complete,
    meeting_create,
    meeting_update,
    member_add,
    member_end,
    member_update,
    topic_add,
    topic_close,
    topic_escalate,
)
from referrals.tests.group_fixtures import *  # noqa: F403 (the fixtures)
from referrals.tests.group_fixtures import CASE_NUMBER, at

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 4, 10, 9, tzinfo=datetime.UTC), tick=False):
        yield


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


# --- The groups -----------------------------------------------------------------------------------------


def test_the_data_migration_created_six_regional_groups_feeding_the_national_group():
    national = ReferralGroup.objects.get(kind=GroupKind.NATIONAL)
    regional = ReferralGroup.objects.filter(kind=GroupKind.REGIONAL)

    assert national.parent is None and national.region == ""
    assert sorted(regional.values_list("region", flat=True)) == sorted(GroupRegion.values)
    assert {group.parent_id for group in regional} == {national.pk}
    assert ReferralGroup.objects.count() == 7
    assert set(national.regional_groups.values_list("name", flat=True)) == {
        "Henvisningsgruppe Nordjylland",
        "Henvisningsgruppe Midtjylland",
        "Henvisningsgruppe Syddanmark",
        "Henvisningsgruppe Nordsjælland",
        "Henvisningsgruppe Sydsjælland",
        "Henvisningsgruppe København",
    }


# --- Members --------------------------------------------------------------------------------------------


def test_a_member_organisation_with_its_representative_user_is_added_and_audited(
    nordjylland, org_a, caseworker_a, coordinator
):
    member = member_add(
        group=nordjylland, by=coordinator, organisation=org_a, user=caseworker_a, sector=MemberSector.NGO
    )

    assert (member.group, member.organisation, member.user, member.is_active) == (
        nordjylland,
        org_a,
        caseworker_a,
        True,
    )
    assert member.joined_on == D(2026, 4, 10)
    event = AuditEvent.objects.get(target_id=str(member.pk), detail__what="group_member")
    assert (event.actor, event.action) == (coordinator, "created")


def test_an_organisation_outside_the_app_is_added_by_name_with_a_named_representative(
    nordjylland, coordinator
):
    member = member_add(
        group=nordjylland,
        by=coordinator,
        organisation_name="Nordjyllands Politi",
        name="Vicepolitiinspektør",
        sector=MemberSector.POLICE,
    )
    assert (member.organisation, member.organisation_name, member.name) == (
        None,
        "Nordjyllands Politi",
        "Vicepolitiinspektør",
    )


def test_a_member_needs_an_organisation_or_its_name(nordjylland, coordinator):
    with pytest.raises(ValidationError) as refused:
        member_add(group=nordjylland, by=coordinator, name="Someone", sector=MemberSector.OTHER)
    assert set(_errors(refused)) == {"organisation"}


def test_the_representative_must_be_an_active_member_of_the_organisation(
    nordjylland, org_a, users_b, coordinator
):
    with pytest.raises(ValidationError) as refused:
        member_add(
            group=nordjylland,
            by=coordinator,
            organisation=org_a,
            user=users_b[Role.CASEWORKER],
            sector=MemberSector.NGO,
        )
    assert set(_errors(refused)) == {"user"}
    assert not GroupMember.objects.exists()


def test_the_same_organisation_and_representative_are_an_active_member_once(
    nordjylland, org_a, caseworker_a, coordinator, users_a
):
    first = member_add(
        group=nordjylland, by=coordinator, organisation=org_a, user=caseworker_a, sector=MemberSector.NGO
    )
    with pytest.raises(ValidationError) as refused:
        member_add(
            group=nordjylland, by=coordinator, organisation=org_a, user=caseworker_a, sector=MemberSector.NGO
        )
    assert set(_errors(refused)) == {"user"}

    # Another representative of the same organisation is fine, and so is the same one after the first ended.
    member_add(
        group=nordjylland,
        by=coordinator,
        organisation=org_a,
        user=users_a[Role.COORDINATOR],
        sector=MemberSector.NGO,
    )
    member_end(member=first, by=coordinator)
    again = member_add(
        group=nordjylland, by=coordinator, organisation=org_a, user=caseworker_a, sector=MemberSector.NGO
    )
    assert again.pk != first.pk
    assert GroupMember.objects.filter(is_active=True).count() == 2


def test_a_member_is_changed_and_ended_once(nordjylland, member_a, caseworker_a, coordinator, org_a):
    member_update(
        member=member_a,
        by=coordinator,
        organisation=org_a,
        organisation_name="",
        user=caseworker_a,
        name="",
        sector=MemberSector.HEALTH,
        joined_on=D(2026, 1, 1),
    )
    member_a.refresh_from_db()
    assert (member_a.user, member_a.sector, member_a.joined_on) == (caseworker_a, "health", D(2026, 1, 1))
    changed = AuditEvent.objects.get(target_id=str(member_a.pk), action="changed")
    assert changed.detail == {"what": "group_member", "fields": ["joined_on", "sector", "user"]}

    member_end(member=member_a, by=coordinator)
    member_end(member=member_a, by=coordinator)
    member_a.refresh_from_db()
    assert not member_a.is_active
    assert AuditEvent.objects.filter(target_id=str(member_a.pk), detail__step="ended").count() == 1


# --- Meetings -------------------------------------------------------------------------------------------


def test_a_meeting_is_stored_in_utc_with_its_attendance(meeting, member_a):
    meeting.refresh_from_db()
    assert meeting.starts_at == datetime.datetime(2026, 4, 15, 8, tzinfo=datetime.UTC)  # 10:00 summer time
    assert list(meeting.attendees.all()) == [member_a]
    assert AuditEvent.objects.filter(target_id=str(meeting.pk), detail__what="group_meeting").exists()


def test_attendance_is_members_of_the_meetings_group_only(nordjylland, syddanmark, org_b, coordinator):
    stranger = member_add(group=syddanmark, by=coordinator, organisation=org_b, sector=MemberSector.NGO)
    with pytest.raises(ValidationError) as refused:
        meeting_create(group=nordjylland, by=coordinator, starts_at=at(D(2026, 5, 1)), attendees=[stranger])
    assert set(_errors(refused)) == {"attendees"}
    assert not GroupMeeting.objects.exists()


@pytest.mark.parametrize("number", [CASE_NUMBER, CASE_NUMBER.lower(), "CMM - 2026 - 00042"])
def test_minutes_and_agenda_naming_a_case_are_refused_with_the_number_in_the_message(
    nordjylland, coordinator, number
):
    with pytest.raises(ValidationError) as refused:
        meeting_create(
            group=nordjylland,
            by=coordinator,
            starts_at=at(D(2026, 5, 1)),
            agenda=f"Follow up {number}",
            minutes=f"We talked about {number}.",
        )
    errors = _errors(refused)
    assert set(errors) == {"agenda", "minutes"}
    assert number in errors["minutes"][0]
    assert not GroupMeeting.objects.exists()


def test_changing_the_minutes_to_name_a_case_is_refused_and_the_saved_minutes_stay(meeting, coordinator):
    meeting_update(
        meeting=meeting,
        by=coordinator,
        starts_at=meeting.starts_at,
        place=meeting.place,
        agenda=meeting.agenda,
        minutes="New routines were agreed.",
        attendees=list(meeting.attendees.all()),
    )
    with pytest.raises(ValidationError) as refused:
        meeting_update(
            meeting=meeting,
            by=coordinator,
            starts_at=meeting.starts_at,
            place=meeting.place,
            agenda=meeting.agenda,
            minutes=f"Also {CASE_NUMBER}.",
            attendees=[],
        )
    assert set(_errors(refused)) == {"minutes"}
    meeting.refresh_from_db()
    assert meeting.minutes == "New routines were agreed."
    assert meeting.attendees.count() == 1


def test_a_meeting_decades_away_is_refused(nordjylland, coordinator):
    with pytest.raises(ValidationError) as refused:
        meeting_create(group=nordjylland, by=coordinator, starts_at=at(D(1999, 12, 31)))
    assert set(_errors(refused)) == {"starts_at"}


# --- Actions --------------------------------------------------------------------------------------------


def test_an_action_is_owned_by_an_active_member_of_the_group(
    meeting, member_a, syddanmark, org_b, coordinator
):
    action = action_add(
        meeting=meeting,
        by=coordinator,
        description="Send the new routine",
        due_on=D(2026, 5, 1),
        owner=member_a,
    )
    assert (action.owner, action.done_on, action.created_by) == (member_a, None, coordinator)

    stranger = member_add(group=syddanmark, by=coordinator, organisation=org_b, sector=MemberSector.NGO)
    with pytest.raises(ValidationError) as refused:
        action_add(meeting=meeting, by=coordinator, description="x", due_on=D(2026, 5, 1), owner=stranger)
    assert set(_errors(refused)) == {"owner"}


def test_an_action_due_before_its_meeting_or_naming_a_case_is_refused(meeting, member_a, coordinator):
    with pytest.raises(ValidationError) as refused:
        action_add(
            meeting=meeting,
            by=coordinator,
            description=f"Check {CASE_NUMBER.lower()}",
            due_on=D(2026, 4, 14),
            owner=member_a,
        )
    assert set(_errors(refused)) == {"description", "due_on"}
    assert not MeetingAction.objects.exists()


def test_the_due_date_is_compared_with_the_meetings_date_in_copenhagen(nordjylland, member_a, coordinator):
    # Midnight in Copenhagen on 20 April is still 19 April in UTC: an action due on the 19th is before it.
    midnight = meeting_create(group=nordjylland, by=coordinator, starts_at=at(D(2026, 4, 20), hour=0))
    with pytest.raises(ValidationError) as refused:
        action_add(meeting=midnight, by=coordinator, description="x", due_on=D(2026, 4, 19), owner=member_a)
    assert set(_errors(refused)) == {"due_on"}
    action = action_add(
        meeting=midnight, by=coordinator, description="x", due_on=D(2026, 4, 20), owner=member_a
    )
    assert action.due_on == D(2026, 4, 20)


def test_completing_an_action_twice_does_no_harm(meeting, member_a, coordinator, caseworker_a):
    action = action_add(
        meeting=meeting, by=coordinator, description="Send it", due_on=D(2026, 5, 1), owner=member_a
    )
    action_complete(action=action, by=caseworker_a)
    action_complete(action=action, by=coordinator, done_on=D(2026, 4, 9))

    action.refresh_from_db()
    assert action.done_on == D(2026, 4, 10)
    assert AuditEvent.objects.filter(target_id=str(action.pk), detail__step="done").count() == 1


# --- Topics ---------------------------------------------------------------------------------------------


def test_a_topic_naming_a_case_is_refused(nordjylland, caseworker_a, member_a):
    with pytest.raises(ValidationError) as refused:
        topic_add(group=nordjylland, by=caseworker_a, title=f"About {CASE_NUMBER}", description=CASE_NUMBER)
    assert set(_errors(refused)) == {"title", "description"}


def test_escalating_a_regional_topic_creates_one_linked_national_topic(nordjylland, national, coordinator):
    topic = topic_add(
        group=nordjylland, by=coordinator, title="Housing for men", description="Too few places"
    )

    first = topic_escalate(topic=topic, by=coordinator)
    second = topic_escalate(topic=topic, by=coordinator)

    assert first == second
    assert (first.group, first.escalated_from, first.title, first.status) == (
        national,
        topic,
        "Housing for men",
        TopicStatus.OPEN,
    )
    topic.refresh_from_db()
    assert topic.status == TopicStatus.ESCALATED
    assert GroupTopic.objects.filter(group=national).count() == 1
    assert AuditEvent.objects.filter(target_id=str(topic.pk), detail__step="escalated").count() == 1


def test_a_national_topic_cannot_be_escalated(national, coordinator):
    topic = topic_add(group=national, by=coordinator, title="Statistics")
    with pytest.raises(ValidationError):
        topic_escalate(topic=topic, by=coordinator)
    assert GroupTopic.objects.count() == 1


def test_a_closed_topic_is_not_escalated_and_closing_twice_is_once(nordjylland, coordinator):
    topic = topic_add(group=nordjylland, by=coordinator, title="Interpreters")
    topic_close(topic=topic, by=coordinator)
    topic_close(topic=topic, by=coordinator)
    with pytest.raises(ValidationError):
        topic_escalate(topic=topic, by=coordinator)
    topic.refresh_from_db()
    assert topic.status == TopicStatus.CLOSED
    assert AuditEvent.objects.filter(target_id=str(topic.pk), detail__step="closed").count() == 1


def test_a_member_whose_representative_left_can_still_be_changed_but_an_ended_one_cannot(
    nordjylland, org_a, caseworker_a, coordinator
):
    member = member_add(
        group=nordjylland, by=coordinator, organisation=org_a, user=caseworker_a, sector=MemberSector.NGO
    )
    caseworker_a.is_active = False
    caseworker_a.save(update_fields=["is_active"])

    member_update(
        member=member,
        by=coordinator,
        organisation=org_a,
        organisation_name="",
        user=caseworker_a,
        name="",
        sector=MemberSector.HEALTH,
        joined_on=member.joined_on,
    )
    member.refresh_from_db()
    assert member.sector == MemberSector.HEALTH

    member_end(member=member, by=coordinator)
    with pytest.raises(ValidationError):
        member_update(
            member=member,
            by=coordinator,
            organisation=org_a,
            organisation_name="",
            user=None,
            name="",
            sector=MemberSector.NGO,
            joined_on=member.joined_on,
        )
    member.refresh_from_db()
    assert (member.sector, member.is_active) == (MemberSector.HEALTH, False)


def test_the_standard_groups_are_recreated_when_missing_and_never_doubled():
    from referrals.services.groups import referral_groups_ensure

    assert referral_groups_ensure() == 0  # the data migration made them
    ReferralGroup.objects.filter(region="nordjylland").delete()
    assert referral_groups_ensure() == 1
    assert referral_groups_ensure() == 0
    assert ReferralGroup.objects.get(region="nordjylland").parent.kind == "national"
    assert ReferralGroup.objects.count() == 7
