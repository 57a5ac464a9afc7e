"""The referral-group API under /api/referrals/, meetings and what comes of them: meetings with attendance
and minutes, follow-up actions and topics (escalated from regional groups to the national group). Groups and
members are referrals.apis.groups, whose require_manage guards the coordinators' writes here.

Every object comes through referrals.selectors.groups: a group the caller cannot see, and everything in it,
is 404. What only CMM's coordinators may do (meetings, actions, escalation) is refused with 403 before any
lookup, so the answer tells nothing about which ids exist; members may raise topics and mark their own
actions done. The rules are the services'; a broken one (a case number in the minutes, an attendee of
another group) is a 400 naming the field.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cases.apis.case import NeverCachedMixin
from cases.apis.common import LONG, MAX_ID, SHORT, NamedChoiceField, service_errors, validated
from cmm.input_rules import DayField, MomentField
from referrals.apis.groups import require_manage
from referrals.choices import TopicStatus
from referrals.models import GroupMeeting, GroupTopic, MeetingAction
from referrals.selectors.groups import (
    action_get_for_user,
    group_get_for_user,
    may_complete_action,
    meeting_get_for_user,
    meeting_list_for_user,
    meetings_of_group,
    member_list_for_user,
    topic_get_for_user,
    topic_list_for_user,
)
from referrals.services import groups as services

MINUTES_LENGTH = 50000


# --- What the API answers -------------------------------------------------------------------------------


class GroupActionSerializer(serializers.ModelSerializer):
    owner = serializers.IntegerField(
        source="owner_id", read_only=True, allow_null=True, help_text="The member who owns it."
    )
    overdue = serializers.SerializerMethodField(help_text="Not done and due before today.")

    class Meta:
        model = MeetingAction
        fields = ["id", "meeting", "description", "owner", "due_on", "done_on", "overdue"]
        read_only_fields = fields

    def get_overdue(self, action) -> bool:
        return action.done_on is None and action.due_on < timezone.localdate()


class GroupTopicRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    group = serializers.IntegerField(source="group_id", read_only=True)


class GroupTopicSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(TopicStatus, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    meeting = serializers.IntegerField(source="meeting_id", read_only=True, allow_null=True)
    escalated_from = GroupTopicRefSerializer(
        read_only=True, allow_null=True, help_text="The regional topic this national one came from."
    )
    escalated_to = serializers.SerializerMethodField(
        help_text="The national topic this one was escalated to."
    )

    class Meta:
        model = GroupTopic
        fields = [
            "id",
            "group",
            "title",
            "description",
            "meeting",
            "status",
            "status_label",
            "escalated_from",
            "escalated_to",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(GroupTopicRefSerializer(allow_null=True))
    def get_escalated_to(self, topic):
        target = getattr(topic, "escalated_to", None)
        return GroupTopicRefSerializer(target).data if target is not None else None


class GroupMeetingSerializer(serializers.ModelSerializer):
    attendee_count = serializers.IntegerField(read_only=True)
    action_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = GroupMeeting
        fields = ["id", "group", "starts_at", "place", "attendee_count", "action_count"]
        read_only_fields = fields


class GroupMeetingDetailSerializer(serializers.ModelSerializer):
    """A meeting with its agenda, attendance (member ids), minutes, actions and the topics raised."""

    attendees = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    actions = GroupActionSerializer(many=True, read_only=True)
    topics = GroupTopicSerializer(many=True, read_only=True)

    class Meta:
        model = GroupMeeting
        fields = [
            "id",
            "group",
            "starts_at",
            "place",
            "agenda",
            "attendees",
            "minutes",
            "actions",
            "topics",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def meeting_data(*, user, meeting_id: int) -> dict:
    """The meeting as the detail endpoint shows it to `user`, read fresh after a write."""
    meeting = (
        meeting_list_for_user(user=user)
        .prefetch_related(
            "attendees",
            Prefetch("actions", queryset=MeetingAction.objects.order_by("due_on", "id")),
            Prefetch(
                "topics",
                queryset=GroupTopic.objects.select_related("escalated_from", "escalated_to").order_by(
                    "-created_at", "-id"
                ),
            ),
        )
        .get(pk=meeting_id)
    )
    return GroupMeetingDetailSerializer(meeting).data


def topic_data(*, user, topic_id: int) -> dict:
    return GroupTopicSerializer(topic_list_for_user(user=user).get(pk=topic_id)).data


# --- What the API takes ---------------------------------------------------------------------------------


class VisibleMemberField(serializers.IntegerField):
    """A member id of a group the caller sees (the service checks that it is the right group's)."""

    default_error_messages = {"unknown": _("Choose a member of this group.")}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def run_validation(self, data=serializers.empty):
        member_id = super().run_validation(data)
        if member_id is None:
            return None
        member = member_list_for_user(user=self.context["request"].user).filter(pk=member_id).first()
        if member is None:
            self.fail("unknown")
        return member


class VisibleMembersField(serializers.ListField):
    """A list of member ids of a group the caller sees."""

    default_error_messages = {"unknown": _("Choose members of this group only.")}

    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=500, **kwargs
        )

    def run_validation(self, data=serializers.empty):
        ids = super().run_validation(data)
        if ids is None:
            return None
        members = list(member_list_for_user(user=self.context["request"].user).filter(pk__in=ids))
        if len(members) != len(set(ids)):
            self.fail("unknown")
        return members


class GroupMeetingField(serializers.IntegerField):
    default_error_messages = {"unknown": _("Choose a meeting of this group.")}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def run_validation(self, data=serializers.empty):
        meeting_id = super().run_validation(data)
        if meeting_id is None:
            return None
        meeting = meeting_list_for_user(user=self.context["request"].user).filter(pk=meeting_id).first()
        if meeting is None:
            self.fail("unknown")
        return meeting


class GroupMeetingWriteSerializer(serializers.Serializer):
    starts_at = MomentField(help_text="Date and time; without an offset, Danish time.")
    place = serializers.CharField(max_length=SHORT, allow_blank=True, required=False, default="")
    agenda = serializers.CharField(
        max_length=LONG * 2, allow_blank=True, required=False, default="", help_text="Never names a case."
    )
    minutes = serializers.CharField(
        max_length=MINUTES_LENGTH,
        allow_blank=True,
        required=False,
        default="",
        help_text="Never names a case: a case number is refused (400).",
    )
    attendees = VisibleMembersField(required=False, default=list, help_text="Member ids of this group.")


class GroupMeetingPatchSerializer(GroupMeetingWriteSerializer):
    """Read with partial=True: the fields left out keep their value."""

    starts_at = MomentField(required=False, help_text="Date and time; without an offset, Danish time.")


class GroupActionWriteSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=LONG, help_text="Never names a case.")
    owner = VisibleMemberField(help_text="An active member of the meeting's group.")
    due_on = DayField(help_text="Not before the meeting.")


class GroupActionCompleteSerializer(serializers.Serializer):
    done_on = DayField(required=False, allow_null=True, default=None, help_text="Today if left out.")


class GroupTopicWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=SHORT, help_text="Never names a case.")
    description = serializers.CharField(max_length=LONG, allow_blank=True, required=False, default="")
    meeting = GroupMeetingField(
        required=False, allow_null=True, default=None, help_text="The meeting where it was raised."
    )


# --- Meetings -------------------------------------------------------------------------------------------


class GroupMeetingListApi(generics.ListAPIView):
    """The group's meetings, the latest first; POST plans (or records) one."""

    serializer_class = GroupMeetingSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GroupMeeting.objects.none()
        group = group_get_for_user(user=self.request.user, group_id=self.kwargs["pk"])
        return meetings_of_group(user=self.request.user, group=group)

    @extend_schema(
        request=GroupMeetingWriteSerializer,
        responses={201: GroupMeetingDetailSerializer},
        description="Plan or record a meeting: time, place, agenda, attendance (member ids of this group) "
        "and minutes, which never name a case (a case number is a 400 on that field). CMM coordinators only.",
    )
    def post(self, request, pk):
        require_manage(request.user)
        group = group_get_for_user(user=request.user, group_id=pk)
        data = validated(GroupMeetingWriteSerializer, request)
        with service_errors():
            meeting = services.meeting_create(group=group, by=request.user, **data)
        return Response(
            meeting_data(user=request.user, meeting_id=meeting.pk), status=status.HTTP_201_CREATED
        )


class MeetingDetailApi(NeverCachedMixin, generics.GenericAPIView):
    """One meeting with its agenda, attendance, minutes, actions and topics."""

    filter_backends = []

    @extend_schema(responses=GroupMeetingDetailSerializer)
    def get(self, request, pk):
        meeting = meeting_get_for_user(user=request.user, meeting_id=pk)
        return Response(meeting_data(user=request.user, meeting_id=meeting.pk))

    @extend_schema(
        request=GroupMeetingPatchSerializer,
        responses=GroupMeetingDetailSerializer,
        description="Change the meeting; the fields left out keep their value, attendees replaces the "
        "attendance. Minutes never name a case. CMM coordinators only.",
    )
    def patch(self, request, pk):
        require_manage(request.user)
        meeting = meeting_get_for_user(user=request.user, meeting_id=pk)
        data = validated(GroupMeetingPatchSerializer, request, partial=True)
        values = {
            name: data.get(name, getattr(meeting, name))
            for name in ("starts_at", "place", "agenda", "minutes")
        }
        values["attendees"] = data["attendees"] if "attendees" in data else list(meeting.attendees.all())
        with service_errors():
            services.meeting_update(meeting=meeting, by=request.user, **values)
        return Response(meeting_data(user=request.user, meeting_id=meeting.pk))


# --- Follow-up actions ----------------------------------------------------------------------------------


class MeetingActionCreateApi(generics.GenericAPIView):
    filter_backends = []

    @extend_schema(
        request=GroupActionWriteSerializer,
        responses={201: GroupActionSerializer},
        description="Agree a follow-up action at the meeting: an owner member of the group, a due date not "
        "before the meeting, a description that never names a case. The owner is reminded before the due "
        "date and daily once it is overdue. CMM coordinators only.",
    )
    def post(self, request, pk):
        require_manage(request.user)
        meeting = meeting_get_for_user(user=request.user, meeting_id=pk)
        data = validated(GroupActionWriteSerializer, request)
        with service_errors():
            action = services.action_add(meeting=meeting, by=request.user, **data)
        return Response(GroupActionSerializer(action).data, status=status.HTTP_201_CREATED)


class ActionCompleteApi(generics.GenericAPIView):
    filter_backends = []

    @extend_schema(
        request=GroupActionCompleteSerializer,
        responses=GroupActionSerializer,
        description="Mark the action done (today unless done_on is given); doing it twice changes nothing. "
        "The owner (their user or their organisation) or a CMM coordinator.",
    )
    def post(self, request, pk):
        action = action_get_for_user(user=request.user, action_id=pk)
        if not may_complete_action(user=request.user, action=action):
            raise PermissionDenied(_("Only the action's owner or CMM's coordinators can mark it done."))
        data = validated(GroupActionCompleteSerializer, request)
        with service_errors():
            action = services.action_complete(action=action, by=request.user, done_on=data["done_on"])
        return Response(GroupActionSerializer(action).data)


# --- Topics ---------------------------------------------------------------------------------------------


class GroupTopicListApi(generics.ListAPIView):
    """The group's topics, the newest first, with where they came from and went; POST raises one (any
    member of the group)."""

    serializer_class = GroupTopicSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GroupTopic.objects.none()
        group = group_get_for_user(user=self.request.user, group_id=self.kwargs["pk"])
        return topic_list_for_user(user=self.request.user).filter(group=group).order_by("-created_at", "-id")

    @extend_schema(
        request=GroupTopicWriteSerializer,
        responses={201: GroupTopicSerializer},
        description="Raise a topic in the group (at one of its meetings, if given); any member may. The "
        "text never names a case.",
    )
    def post(self, request, pk):
        group = group_get_for_user(user=request.user, group_id=pk)
        data = validated(GroupTopicWriteSerializer, request)
        with service_errors():
            topic = services.topic_add(group=group, by=request.user, **data)
        return Response(topic_data(user=request.user, topic_id=topic.pk), status=status.HTTP_201_CREATED)


class TopicEscalateApi(generics.GenericAPIView):
    filter_backends = []

    @extend_schema(
        request=None,
        responses={201: GroupTopicSerializer},
        description="Escalate a regional group's topic to the national group: answers with the national "
        "topic, the same one if it was escalated before. A national topic cannot be escalated (400). "
        "CMM coordinators only.",
    )
    def post(self, request, pk):
        require_manage(request.user)
        topic = topic_get_for_user(user=request.user, topic_id=pk)
        with service_errors():
            national = services.topic_escalate(topic=topic, by=request.user)
        return Response(topic_data(user=request.user, topic_id=national.pk), status=status.HTTP_201_CREATED)


class TopicCloseApi(generics.GenericAPIView):
    filter_backends = []

    @extend_schema(
        request=None, responses=GroupTopicSerializer, description="Close a topic. CMM coordinators only."
    )
    def post(self, request, pk):
        require_manage(request.user)
        topic = topic_get_for_user(user=request.user, topic_id=pk)
        with service_errors():
            services.topic_close(topic=topic, by=request.user)
        return Response(topic_data(user=request.user, topic_id=topic.pk))
