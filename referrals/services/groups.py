"""Every write of the referral groups: the standard regional and national groups (referral_groups_ensure),
members, meetings, follow-up actions and topics. The reminder scan of the follow-up actions is
referrals.services.group_reminders.

Who may call what is the selectors' answer (referrals.selectors.groups): CMM's coordinators run the groups,
members add topics and mark their own actions done. The rules here hold whoever calls: members and
attendees belong to the group, nothing written names a case (referrals.minutes), dates are plausible, and
every write is audited in its own transaction. Nothing identifying goes into the audit detail: field names,
never their content.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cmm.models import AuditAction, Membership, Organisation, User
from cmm.permissions import active_membership
from cmm.services import audit_record
from referrals.choices import GroupKind, GroupRegion, TopicStatus
from referrals.minutes import case_number_errors
from referrals.models import GroupMeeting, GroupMember, GroupTopic, MeetingAction, ReferralGroup

# Dates before this are typing errors; so are dates this far ahead.
EARLIEST = datetime.date(2000, 1, 1)
YEARS_AHEAD = 5


# The national referral mechanism (DESIGN.md §2). The data migration 0002 creates these from a frozen copy.
NATIONAL_GROUP_NAME = "Den nationale henvisningsgruppe"
REGIONAL_GROUP_NAMES = {
    GroupRegion.NORDJYLLAND: "Henvisningsgruppe Nordjylland",
    GroupRegion.MIDTJYLLAND: "Henvisningsgruppe Midtjylland",
    GroupRegion.SYDDANMARK: "Henvisningsgruppe Syddanmark",
    GroupRegion.NORDSJAELLAND: "Henvisningsgruppe Nordsjælland",
    GroupRegion.SYDSJAELLAND: "Henvisningsgruppe Sydsjælland",
    GroupRegion.KOBENHAVN: "Henvisningsgruppe København",
}


@transaction.atomic
def referral_groups_ensure() -> int:
    """Create whichever of the six regional groups and the national group they feed is missing (a database
    emptied by a test or a restore); running it again changes nothing. Returns the number created."""
    national, created = ReferralGroup.objects.get_or_create(
        kind=GroupKind.NATIONAL, region="", defaults={"name": NATIONAL_GROUP_NAME}
    )
    count = int(created)
    for region, name in REGIONAL_GROUP_NAMES.items():
        _group, created = ReferralGroup.objects.get_or_create(
            region=region, defaults={"name": name, "kind": GroupKind.REGIONAL, "parent": national}
        )
        count += int(created)
    return count


def _audit(*, by: User | None, action: str, target, what: str, label: str, **detail) -> None:
    membership = active_membership(by) if by is not None else None
    audit_record(
        actor=by,
        action=action,
        organisation=membership.organisation if membership else None,
        target=target,
        target_label=label,
        detail={"what": what, **detail},
    )


def _latest_allowed() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=366 * YEARS_AHEAD)


def _check_date(value: datetime.date | None, field: str, errors: dict) -> None:
    if value is None:
        return
    if value < EARLIEST:
        errors[field] = _("Give a date in 2000 or later.")
    elif value > _latest_allowed():
        errors[field] = _("Give a date at most five years ahead.")


def _changed(instance, values: dict) -> list[str]:
    return sorted(name for name, value in values.items() if getattr(instance, name) != value)


# --- Members --------------------------------------------------------------------------------------------


def _member_errors(
    *,
    group: ReferralGroup,
    organisation: Organisation | None,
    organisation_name: str,
    user: User | None,
    name: str,
    joined_on: datetime.date | None,
    current: GroupMember | None = None,
) -> dict:
    errors: dict = {}
    # What a member already has is not checked again, so that a member whose representative has since left
    # can still be changed in other ways.
    new_organisation = current is None or organisation != current.organisation
    new_user = new_organisation or user != current.user
    if organisation is None and not organisation_name:
        errors["organisation"] = _("Choose the organisation, or give its name if it does not use the app.")
    elif organisation is not None and organisation_name:
        errors["organisation_name"] = _("Leave this empty when the organisation is chosen from the list.")
    elif organisation is not None and new_organisation and not organisation.is_active:
        errors["organisation"] = _("This organisation is no longer active.")
    if user is not None and new_user:
        if not user.is_active:
            errors["user"] = _("This user account is no longer active.")
        elif (
            organisation is not None
            and not Membership.objects.active().filter(user=user, organisation=organisation).exists()
        ):
            errors["user"] = _("The representative must be an active member of the organisation chosen.")
    _check_date(joined_on, "joined_on", errors)
    if errors:
        return errors
    same = GroupMember.objects.filter(group=group, is_active=True)
    if organisation is not None:
        same = same.filter(organisation=organisation)
    else:
        same = same.filter(organisation__isnull=True, organisation_name__iexact=organisation_name)
    same = same.filter(user=user) if user is not None else same.filter(user__isnull=True, name__iexact=name)
    if current is not None:
        same = same.exclude(pk=current.pk)
    if same.exists():
        errors["user" if user is not None else "name"] = _(
            "This organisation and representative are already an active member of the group."
        )
    return errors


@transaction.atomic
def member_add(
    *,
    group: ReferralGroup,
    by: User,
    sector: str,
    organisation: Organisation | None = None,
    organisation_name: str = "",
    user: User | None = None,
    name: str = "",
    joined_on: datetime.date | None = None,
) -> GroupMember:
    """Add a member organisation (in the app, or by name) and its representative (a user of that
    organisation, or just a name) to a group; the same organisation and representative once at a time."""
    group = ReferralGroup.objects.select_for_update().get(pk=group.pk)
    organisation_name, name = organisation_name.strip(), name.strip()
    errors = _member_errors(
        group=group,
        organisation=organisation,
        organisation_name=organisation_name,
        user=user,
        name=name,
        joined_on=joined_on,
    )
    if errors:
        raise ValidationError(errors)
    member = GroupMember(
        group=group,
        organisation=organisation,
        organisation_name=organisation_name,
        user=user,
        name=name,
        sector=sector,
        joined_on=joined_on or timezone.localdate(),
    )
    member.full_clean()
    member.save()
    _audit(by=by, action=AuditAction.CREATED, target=member, what="group_member", label=group.name)
    return member


@transaction.atomic
def member_update(
    *,
    member: GroupMember,
    by: User,
    sector: str,
    organisation: Organisation | None,
    organisation_name: str,
    user: User | None,
    name: str,
    joined_on: datetime.date | None,
) -> GroupMember:
    """Change an active member's organisation, representative or sector, under the rules of member_add."""
    member = GroupMember.objects.select_for_update().select_related("group").get(pk=member.pk)
    if not member.is_active:
        raise ValidationError(_("This membership has ended: add the member again instead."))
    organisation_name, name = organisation_name.strip(), name.strip()
    errors = _member_errors(
        group=member.group,
        organisation=organisation,
        organisation_name=organisation_name,
        user=user,
        name=name,
        joined_on=joined_on,
        current=member,
    )
    if errors:
        raise ValidationError(errors)
    values = {
        "organisation": organisation,
        "organisation_name": organisation_name,
        "user": user,
        "name": name,
        "sector": sector,
        "joined_on": joined_on,
    }
    changed = _changed(member, values)
    if not changed:
        return member
    for field, value in values.items():
        setattr(member, field, value)
    member.full_clean()
    member.save()
    _audit(
        by=by,
        action=AuditAction.CHANGED,
        target=member,
        what="group_member",
        label=member.group.name,
        fields=changed,
    )
    return member


@transaction.atomic
def member_end(*, member: GroupMember, by: User) -> GroupMember:
    """End a membership: the organisation and its representative lose access to the group (their past
    attendance and actions stay). Ending it twice changes nothing."""
    member = GroupMember.objects.select_for_update().select_related("group").get(pk=member.pk)
    if not member.is_active:
        return member
    member.is_active = False
    member.save(update_fields=["is_active"])
    _audit(
        by=by,
        action=AuditAction.CHANGED,
        target=member,
        what="group_member",
        label=member.group.name,
        step="ended",
    )
    return member


# --- Meetings -------------------------------------------------------------------------------------------


def _meeting_errors(
    *,
    group: ReferralGroup,
    starts_at: datetime.datetime | None,
    place: str,
    agenda: str,
    minutes: str,
    attendees: list[GroupMember],
) -> dict:
    errors: dict = {}
    if starts_at is None:
        errors["starts_at"] = _("Give the date and time of the meeting.")
    else:
        _check_date(timezone.localdate(starts_at), "starts_at", errors)
    if any(member.group_id != group.pk for member in attendees):
        errors["attendees"] = _("Choose members of this group only.")
    errors.update(case_number_errors(place=place, agenda=agenda, minutes=minutes))
    return errors


def _aware(value: datetime.datetime | None) -> datetime.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)  # a naive time is Copenhagen's wall clock
    return value


@transaction.atomic
def meeting_create(
    *,
    group: ReferralGroup,
    by: User,
    starts_at: datetime.datetime,
    place: str = "",
    agenda: str = "",
    minutes: str = "",
    attendees: Iterable[GroupMember] = (),
) -> GroupMeeting:
    """Plan (or record) a meeting of a group: its time (stored in UTC), place, agenda, who of the group's
    members attended and the minutes, none of which may name a case."""
    attendees = list(attendees)
    starts_at = _aware(starts_at)
    place, agenda, minutes = place.strip(), agenda.strip(), minutes.strip()
    errors = _meeting_errors(
        group=group, starts_at=starts_at, place=place, agenda=agenda, minutes=minutes, attendees=attendees
    )
    if errors:
        raise ValidationError(errors)
    meeting = GroupMeeting(
        group=group, starts_at=starts_at, place=place, agenda=agenda, minutes=minutes, created_by=by
    )
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    _audit(by=by, action=AuditAction.CREATED, target=meeting, what="group_meeting", label=group.name)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: GroupMeeting,
    by: User,
    starts_at: datetime.datetime,
    place: str,
    agenda: str,
    minutes: str,
    attendees: Iterable[GroupMember],
) -> GroupMeeting:
    """Change a meeting's time, place, agenda, attendance or minutes under the rules of meeting_create."""
    meeting = GroupMeeting.objects.select_for_update().select_related("group").get(pk=meeting.pk)
    attendees = list(attendees)
    starts_at = _aware(starts_at)
    place, agenda, minutes = place.strip(), agenda.strip(), minutes.strip()
    errors = _meeting_errors(
        group=meeting.group,
        starts_at=starts_at,
        place=place,
        agenda=agenda,
        minutes=minutes,
        attendees=attendees,
    )
    if errors:
        raise ValidationError(errors)
    values = {"starts_at": starts_at, "place": place, "agenda": agenda, "minutes": minutes}
    changed = _changed(meeting, values)
    if {m.pk for m in meeting.attendees.all()} != {m.pk for m in attendees}:
        changed.append("attendees")
        meeting.attendees.set(attendees)
    if not changed:
        return meeting
    for field, value in values.items():
        setattr(meeting, field, value)
    meeting.full_clean()
    meeting.save()
    _audit(
        by=by,
        action=AuditAction.CHANGED,
        target=meeting,
        what="group_meeting",
        label=meeting.group.name,
        fields=sorted(changed),
    )
    return meeting


# --- Follow-up actions ----------------------------------------------------------------------------------


@transaction.atomic
def action_add(
    *,
    meeting: GroupMeeting,
    by: User,
    description: str,
    due_on: datetime.date,
    owner: GroupMember | None,
) -> MeetingAction:
    """Agree a follow-up action at a meeting: owned by an active member of the meeting's group, due on a
    date not before the meeting, described without naming a case."""
    description = description.strip()
    errors: dict = {}
    if owner is None:
        errors["owner"] = _("Choose the member who owns the action.")
    elif owner.group_id != meeting.group_id or not owner.is_active:
        errors["owner"] = _("Choose an active member of this group.")
    if not description:
        errors["description"] = _("Describe the action.")
    if due_on is None:
        errors["due_on"] = _("Give the due date.")
    elif due_on < timezone.localdate(meeting.starts_at):
        errors["due_on"] = _("The due date cannot be before the meeting.")
    else:
        _check_date(due_on, "due_on", errors)
    errors.update(case_number_errors(description=description))
    if errors:
        raise ValidationError(errors)
    action = MeetingAction(
        meeting=meeting, description=description, owner=owner, due_on=due_on, created_by=by
    )
    action.full_clean()
    action.save()
    _audit(by=by, action=AuditAction.CREATED, target=action, what="group_action", label=meeting.group.name)
    return action


@transaction.atomic
def action_complete(
    *, action: MeetingAction, by: User, done_on: datetime.date | None = None
) -> MeetingAction:
    """Mark a follow-up action done (today unless a date is given); its reminders stop. Done twice = once."""
    action = MeetingAction.objects.select_for_update().select_related("meeting__group").get(pk=action.pk)
    if action.done_on is not None:
        return action
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date cannot be in the future.")})
    if done_on < EARLIEST:
        raise ValidationError({"done_on": _("Give a date in 2000 or later.")})
    action.done_on = done_on
    action.save(update_fields=["done_on"])
    _audit(
        by=by,
        action=AuditAction.CHANGED,
        target=action,
        what="group_action",
        label=action.meeting.group.name,
        step="done",
    )
    return action


# --- Topics ---------------------------------------------------------------------------------------------


@transaction.atomic
def topic_add(
    *,
    group: ReferralGroup,
    by: User,
    title: str,
    description: str = "",
    meeting: GroupMeeting | None = None,
) -> GroupTopic:
    """Raise a topic in a group (at one of its meetings, if given); the text never names a case."""
    title, description = title.strip(), description.strip()
    errors: dict = {}
    if not title:
        errors["title"] = _("Give the topic a title.")
    if meeting is not None and meeting.group_id != group.pk:
        errors["meeting"] = _("Choose a meeting of this group.")
    errors.update(case_number_errors(title=title, description=description))
    if errors:
        raise ValidationError(errors)
    topic = GroupTopic(group=group, title=title, description=description, meeting=meeting, created_by=by)
    topic.full_clean()
    topic.save()
    _audit(by=by, action=AuditAction.CREATED, target=topic, what="group_topic", label=group.name)
    return topic


@transaction.atomic
def topic_escalate(*, topic: GroupTopic, by: User) -> GroupTopic:
    """Take a regional group's topic to the national group it feeds: a linked topic opens there and the
    regional one is marked escalated. Escalating it again returns the same national topic."""
    topic = (
        GroupTopic.objects.select_for_update(of=("self",)).select_related("group__parent").get(pk=topic.pk)
    )
    existing = GroupTopic.objects.filter(escalated_from=topic).first()
    if existing is not None:
        return existing
    group = topic.group
    if group.kind != GroupKind.REGIONAL or group.parent is None:
        raise ValidationError(_("Only a regional group's topic can be escalated to the national group."))
    if topic.status == TopicStatus.CLOSED:
        raise ValidationError(_("The topic is closed: it cannot be escalated."))
    national = GroupTopic(
        group=group.parent,
        title=topic.title,
        description=topic.description,
        escalated_from=topic,
        created_by=by,
    )
    national.full_clean()
    national.save()
    topic.status = TopicStatus.ESCALATED
    topic.save(update_fields=["status"])
    _audit(
        by=by,
        action=AuditAction.CHANGED,
        target=topic,
        what="group_topic",
        label=group.name,
        step="escalated",
        to_group=group.parent_id,
    )
    return national


@transaction.atomic
def topic_close(*, topic: GroupTopic, by: User) -> GroupTopic:
    """Close a topic (it stays on record, and where it was escalated to is kept). Closing twice = once."""
    topic = GroupTopic.objects.select_for_update().select_related("group").get(pk=topic.pk)
    if topic.status == TopicStatus.CLOSED:
        return topic
    topic.status = TopicStatus.CLOSED
    topic.save(update_fields=["status"])
    _audit(
        by=by,
        action=AuditAction.CHANGED,
        target=topic,
        what="group_topic",
        label=topic.group.name,
        step="closed",
    )
    return topic
