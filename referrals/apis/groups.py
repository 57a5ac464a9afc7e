"""The referral-group API under /api/referrals/, groups and members: the groups with their next meeting and
numbers of open and overdue actions, and their member organisations and representatives. Meetings, follow-up
actions and topics are referrals.apis.group_meetings, which takes require_manage from here.

Every object comes through referrals.selectors.groups: a group the caller cannot see, and everything in it,
is 404. What only CMM's coordinators may do (members, meetings, actions, escalation) is refused with 403
before any lookup, so the answer tells nothing about which ids exist; members may raise topics and mark their
own actions done. The rules are the services'; a broken one (a case number in the minutes, an attendee of
another group) is a 400 naming the field.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from cases.apis.case import NeverCachedMixin, UserRefSerializer
from cases.apis.common import MAX_ID, SHORT, NamedChoiceField, service_errors, validated
from cmm.input_rules import DayField
from cmm.selectors import organisation_list_for_user
from referrals.choices import GroupKind, GroupRegion, MemberSector
from referrals.models import GroupMember, ReferralGroup
from referrals.selectors.groups import (
    can_manage_groups,
    group_get_for_user,
    group_overview_for_user,
    member_get_for_user,
    members_of_group,
    representative_choices,
)
from referrals.services import groups as services

MANAGE_REFUSED = _("Only CMM's coordinators run the referral groups: members, meetings and actions.")


def require_manage(user) -> None:
    """Refuse with 403 unless the caller runs the referral groups (a CMM coordinator acting for CMM)."""
    if not can_manage_groups(user):
        raise PermissionDenied(MANAGE_REFUSED)


# --- What the API answers -------------------------------------------------------------------------------


class GroupOrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class GroupMemberSerializer(serializers.ModelSerializer):
    """A member organisation (in the app, or by name) and its representative (a user, or a name)."""

    organisation = GroupOrganisationRefSerializer(read_only=True, allow_null=True)
    user = UserRefSerializer(read_only=True, allow_null=True, help_text="The representative, if a user.")
    sector = NamedChoiceField(MemberSector, read_only=True)
    sector_label = serializers.CharField(source="get_sector_display", read_only=True)

    class Meta:
        model = GroupMember
        fields = [
            "id",
            "group",
            "organisation",
            "organisation_name",
            "user",
            "name",
            "sector",
            "sector_label",
            "is_active",
            "joined_on",
        ]
        read_only_fields = fields


class ReferralGroupSerializer(serializers.ModelSerializer):
    """A group with its next meeting and its numbers of open and overdue actions and active members."""

    kind = NamedChoiceField(GroupKind, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    region = serializers.SerializerMethodField()
    parent = serializers.IntegerField(
        source="parent_id",
        read_only=True,
        allow_null=True,
        help_text="The national group a regional one feeds.",
    )
    next_meeting_at = serializers.DateTimeField(read_only=True, allow_null=True)
    open_actions = serializers.IntegerField(read_only=True)
    overdue_actions = serializers.IntegerField(read_only=True)
    active_members = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReferralGroup
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "region",
            "parent",
            "is_active",
            "next_meeting_at",
            "open_actions",
            "overdue_actions",
            "active_members",
        ]
        read_only_fields = fields

    @extend_schema_field(NamedChoiceField(GroupRegion, allow_null=True))
    def get_region(self, group):
        return group.region or None


class ReferralGroupDetailSerializer(ReferralGroupSerializer):
    """A group with its members (active ones; a coordinator also sees former ones)."""

    members = GroupMemberSerializer(many=True, read_only=True, source="member_list")

    class Meta(ReferralGroupSerializer.Meta):
        fields = [*ReferralGroupSerializer.Meta.fields, "members"]
        read_only_fields = fields


def group_data(*, user, group_id: int) -> dict:
    group = group_overview_for_user(user=user).get(pk=group_id)
    group.member_list = list(
        members_of_group(user=user, group=group, active_only=not can_manage_groups(user))
    )
    return ReferralGroupDetailSerializer(group).data


# --- What the API takes ---------------------------------------------------------------------------------


class RepresentativeField(serializers.IntegerField):
    """A user id of an active user the coordinator may name (the service checks the organisation)."""

    default_error_messages = {"unknown": _("Choose an active user of the app.")}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def run_validation(self, data=serializers.empty):
        user_id = super().run_validation(data)
        if user_id is None:
            return None
        user = representative_choices(user=self.context["request"].user).filter(pk=user_id).first()
        if user is None:
            self.fail("unknown")
        return user


class OrganisationField(serializers.IntegerField):
    default_error_messages = {"unknown": _("Choose an organisation from the directory.")}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def run_validation(self, data=serializers.empty):
        organisation_id = super().run_validation(data)
        if organisation_id is None:
            return None
        user = self.context["request"].user
        organisation = organisation_list_for_user(user=user).filter(pk=organisation_id).first()
        if organisation is None:
            self.fail("unknown")
        return organisation


class GroupMemberWriteSerializer(serializers.Serializer):
    organisation = OrganisationField(
        required=False, allow_null=True, default=None, help_text="An organisation in the app, or null."
    )
    organisation_name = serializers.CharField(
        max_length=SHORT,
        allow_blank=True,
        required=False,
        default="",
        help_text="The organisation's name when it is not in the app.",
    )
    user = RepresentativeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The representative: an active member of that organisation.",
    )
    name = serializers.CharField(
        max_length=SHORT, allow_blank=True, required=False, default="", help_text="Or just their name."
    )
    sector = NamedChoiceField(MemberSector)
    joined_on = DayField(required=False, allow_null=True, default=None)


class GroupMemberPatchSerializer(GroupMemberWriteSerializer):
    """Read with partial=True: the fields left out keep their value."""

    sector = NamedChoiceField(MemberSector, required=False)
    is_active = serializers.BooleanField(required=False, help_text="false ends the membership.")


# --- Groups ---------------------------------------------------------------------------------------------


class GroupListApi(generics.ListAPIView):
    """The groups the caller sees (all of them for CMM's coordinators), with the next meeting and the
    numbers of open and overdue actions."""

    serializer_class = ReferralGroupSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no database
            return ReferralGroup.objects.none()
        return group_overview_for_user(user=self.request.user)


class GroupDetailApi(generics.GenericAPIView):
    """One group with its members."""

    filter_backends = []

    @extend_schema(responses=ReferralGroupDetailSerializer)
    def get(self, request, pk):
        group = group_get_for_user(user=request.user, group_id=pk)
        return Response(group_data(user=request.user, group_id=group.pk))


# --- Members --------------------------------------------------------------------------------------------


class GroupMemberListApi(generics.ListAPIView):
    """The group's members (active ones; a coordinator also sees former ones); POST adds one."""

    serializer_class = GroupMemberSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GroupMember.objects.none()
        user = self.request.user
        group = group_get_for_user(user=user, group_id=self.kwargs["pk"])
        return members_of_group(user=user, group=group, active_only=not can_manage_groups(user))

    @extend_schema(
        request=GroupMemberWriteSerializer,
        responses={201: GroupMemberSerializer},
        description="Add a member organisation (organisation id, or organisation_name when not in the app) "
        "and its representative (user id of an active member of that organisation, or a name). The same "
        "organisation and representative are an active member once at a time. CMM coordinators only.",
    )
    def post(self, request, pk):
        require_manage(request.user)
        group = group_get_for_user(user=request.user, group_id=pk)
        data = validated(GroupMemberWriteSerializer, request)
        with service_errors():
            member = services.member_add(group=group, by=request.user, **data)
        return Response(GroupMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class MemberDetailApi(NeverCachedMixin, generics.GenericAPIView):
    filter_backends = []

    @extend_schema(
        request=GroupMemberPatchSerializer,
        responses=GroupMemberSerializer,
        description="Change a member's organisation, representative or sector; is_active false ends the "
        "membership. CMM coordinators only.",
    )
    def patch(self, request, pk):
        require_manage(request.user)
        member = member_get_for_user(user=request.user, member_id=pk)
        data = validated(GroupMemberPatchSerializer, request, partial=True)
        is_active = data.pop("is_active", None)
        if is_active and not member.is_active:
            raise ValidationError(
                {"is_active": [_("An ended membership is not revived: add the member again.")]}
            )
        end = is_active is False
        fields = ("organisation", "organisation_name", "user", "name", "sector", "joined_on")
        values = {name: data.get(name, getattr(member, name)) for name in fields}
        with service_errors():
            if data:
                member = services.member_update(member=member, by=request.user, **values)
            if end:
                member = services.member_end(member=member, by=request.user)
        member = member_get_for_user(user=request.user, member_id=member.pk)
        return Response(GroupMemberSerializer(member).data)
