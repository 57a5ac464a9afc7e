"""Reads of the referral groups, and the one place that decides who sees and who runs them.

CMM's coordinators run the national referral mechanism: a user whose role carries
`referrals.manage_referralgroup` while acting for the designated CMM sees and manages every group. Everyone
else whose role carries `referrals.view_referralgroup` sees only the active groups they belong to: their
active organisation, or they personally, is an active member of the group. A regional group's members do not
see the national group it feeds unless they are members of that too. What a user cannot see is "not found".
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cmm.models import Membership, User
from cmm.permissions import active_membership, has_role_permission
from cmm.selectors import is_cmm
from referrals.choices import TopicStatus
from referrals.models import GroupMeeting, GroupMember, GroupTopic, MeetingAction, ReferralGroup

VIEW = "referrals.view_referralgroup"
MANAGE = "referrals.manage_referralgroup"


# --- Who may do what ------------------------------------------------------------------------------------


def can_manage_groups(user) -> bool:
    """Tell whether the user runs the referral groups: a CMM coordinator acting for CMM."""
    membership = active_membership(user)
    return membership is not None and is_cmm(membership.organisation) and has_role_permission(user, MANAGE)


def may_complete_action(*, user, action: MeetingAction) -> bool:
    """Tell whether the user may mark the action done: the group's runner, or its owner (the owner member's
    representative, or a user acting for the owner member's organisation)."""
    if can_manage_groups(user):
        return True
    owner = action.owner
    if owner is None or not owner.is_active:
        return False
    membership = active_membership(user)
    if membership is None:
        return False
    if not has_role_permission(user, VIEW):
        return False
    # The representative only while acting for the organisation they represent (if it is in the app).
    acts_for_owner = owner.organisation_id is None or owner.organisation_id == membership.organisation_id
    return acts_for_owner and (owner.user_id == user.pk or owner.organisation_id is not None)


def _member_of(user) -> Q | None:
    """The active member rows that make `user` (acting for their active organisation) a member."""
    membership = active_membership(user)
    if membership is None:
        return None
    # A representative is a member personally only while acting for the organisation they represent: one
    # who has left it (or acts for another) sees what that organisation's other members see, nothing more.
    personally = Q(user_id=user.pk) & (
        Q(organisation__isnull=True) | Q(organisation_id=membership.organisation_id)
    )
    return Q(is_active=True) & (Q(organisation_id=membership.organisation_id) | personally)


# --- Groups ---------------------------------------------------------------------------------------------


def group_list_for_user(*, user) -> QuerySet[ReferralGroup]:
    """Return the groups the user sees: all for the runner, else the active groups the user belongs to."""
    if can_manage_groups(user):
        groups = ReferralGroup.objects.all()
    else:
        rows = _member_of(user)
        if rows is None or not has_role_permission(user, VIEW):
            return ReferralGroup.objects.none()
        member = GroupMember.objects.filter(rows, group=OuterRef("pk"))
        groups = ReferralGroup.objects.filter(Exists(member), is_active=True)
    return groups.select_related("parent").order_by("kind", "name")


def group_get_for_user(*, user, group_id: int) -> ReferralGroup:
    """Return one group the user sees, or raise Http404."""
    return get_object_or_404(group_list_for_user(user=user), pk=group_id)


def _count(queryset: QuerySet, group_field: str) -> Coalesce:
    """Count the rows of `queryset` belonging to the outer group, in a subquery (no row multiplication)."""
    counted = (
        queryset.filter(**{group_field: OuterRef("pk")})
        .order_by()
        .values(group_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def group_overview_for_user(*, user, now: datetime.datetime | None = None) -> QuerySet[ReferralGroup]:
    """Return the user's groups with, worked out in the database, the next meeting's time and the numbers
    of open and overdue follow-up actions and of active members."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    open_actions = MeetingAction.objects.filter(done_on__isnull=True)
    return group_list_for_user(user=user).annotate(
        next_meeting_at=Min("meetings__starts_at", filter=Q(meetings__starts_at__gte=now)),
        open_actions=_count(open_actions, "meeting__group"),
        overdue_actions=_count(open_actions.filter(due_on__lt=today), "meeting__group"),
        active_members=_count(GroupMember.objects.filter(is_active=True), "group"),
    )


def visible_group_ids(*, user) -> set[int]:
    """Return the ids of the groups the user sees (to link a topic's other end only when it is visible)."""
    return set(group_list_for_user(user=user).values_list("pk", flat=True))


# --- Members --------------------------------------------------------------------------------------------


def member_list_for_user(*, user) -> QuerySet[GroupMember]:
    """Return the member rows of the groups the user sees, with their organisation and representative."""
    return (
        GroupMember.objects.filter(group__in=group_list_for_user(user=user).values("pk"))
        .select_related("group", "organisation", "user")
        .order_by("group_id", "-is_active", "sector", "id")
    )


def member_get_for_user(*, user, member_id: int) -> GroupMember:
    """Return one member row of a group the user sees, or raise Http404."""
    return get_object_or_404(member_list_for_user(user=user), pk=member_id)


def members_of_group(*, user, group: ReferralGroup, active_only: bool = True) -> QuerySet[GroupMember]:
    """Return the group's active members (or all, ended ones after them), by sector."""
    members = member_list_for_user(user=user).filter(group=group)
    return members.filter(is_active=True) if active_only else members


def representative_choices(*, user) -> QuerySet[User]:
    """Return the users the group runner may name as a representative: active users with an active
    membership of an active organisation (the service checks it is the member organisation's)."""
    if not can_manage_groups(user):
        return User.objects.none()
    memberships = Membership.objects.active().filter(user=OuterRef("pk"), organisation__is_active=True)
    return User.objects.filter(Exists(memberships), is_active=True).order_by(
        "first_name", "last_name", "username"
    )


# --- Meetings -------------------------------------------------------------------------------------------


def meeting_list_for_user(*, user) -> QuerySet[GroupMeeting]:
    """Return the meetings of the groups the user sees."""
    return GroupMeeting.objects.filter(group__in=group_list_for_user(user=user).values("pk")).select_related(
        "group", "created_by"
    )


def meeting_get_for_user(*, user, meeting_id: int) -> GroupMeeting:
    """Return one meeting of a group the user sees, or raise Http404."""
    return get_object_or_404(meeting_list_for_user(user=user), pk=meeting_id)


def meetings_of_group(*, user, group: ReferralGroup) -> QuerySet[GroupMeeting]:
    """Return all the group's meetings, the latest first, with their numbers of attendees and actions."""
    return (
        meeting_list_for_user(user=user)
        .filter(group=group)
        .annotate(
            action_count=Count("actions", distinct=True), attendee_count=Count("attendees", distinct=True)
        )
        .order_by("-starts_at", "-id")
    )


def upcoming_meetings(*, user, group: ReferralGroup, now: datetime.datetime | None = None):
    """Return the group's meetings from the start of today on, the nearest first."""
    start_of_today = _start_of_today(now)
    return (
        meeting_list_for_user(user=user)
        .filter(group=group, starts_at__gte=start_of_today)
        .annotate(action_count=Count("actions"))
        .order_by("starts_at", "id")
    )


def past_meetings(*, user, group: ReferralGroup, now: datetime.datetime | None = None):
    """Return the group's meetings before today, the latest first, with their number of actions."""
    start_of_today = _start_of_today(now)
    return (
        meeting_list_for_user(user=user)
        .filter(group=group, starts_at__lt=start_of_today)
        .annotate(
            action_count=Count("actions", distinct=True), attendee_count=Count("attendees", distinct=True)
        )
        .order_by("-starts_at", "-id")
    )


def _start_of_today(now: datetime.datetime | None) -> datetime.datetime:
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


# --- Actions --------------------------------------------------------------------------------------------


def action_list_for_user(*, user) -> QuerySet[MeetingAction]:
    """Return the follow-up actions of the groups the user sees, with their owner and meeting."""
    return MeetingAction.objects.filter(
        meeting__group__in=group_list_for_user(user=user).values("pk")
    ).select_related("meeting", "meeting__group", "owner", "owner__organisation", "owner__user")


def action_get_for_user(*, user, action_id: int) -> MeetingAction:
    """Return one follow-up action of a group the user sees, or raise Http404."""
    return get_object_or_404(action_list_for_user(user=user), pk=action_id)


def open_actions_of_group(*, user, group: ReferralGroup) -> QuerySet[MeetingAction]:
    """Return the group's actions not done yet, the earliest due first."""
    return (
        action_list_for_user(user=user)
        .filter(meeting__group=group, done_on__isnull=True)
        .order_by("due_on", "id")
    )


# --- Topics ---------------------------------------------------------------------------------------------


def topic_list_for_user(*, user) -> QuerySet[GroupTopic]:
    """Return the topics of the groups the user sees, each with where it came from and where it went."""
    return GroupTopic.objects.filter(group__in=group_list_for_user(user=user).values("pk")).select_related(
        "group", "group__parent", "meeting", "escalated_from__group", "escalated_to__group"
    )


def topic_get_for_user(*, user, topic_id: int) -> GroupTopic:
    """Return one topic of a group the user sees, or raise Http404."""
    return get_object_or_404(topic_list_for_user(user=user), pk=topic_id)


def topics_of_group(*, user, group: ReferralGroup, closed: bool = False) -> QuerySet[GroupTopic]:
    """Return the group's open and escalated topics (or its closed ones), the newest first."""
    topics = topic_list_for_user(user=user).filter(group=group)
    if closed:
        return topics.filter(status=TopicStatus.CLOSED)
    return topics.exclude(status=TopicStatus.CLOSED)
