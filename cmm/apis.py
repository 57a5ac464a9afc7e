"""REST endpoints of the platform: who am I, the organisation directory, and members for admins."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cmm import services
from cmm.filters import MemberFilter
from cmm.forms import clean_new_username
from cmm.models import Membership, Organisation, Role
from cmm.permissions import active_membership, has_role_permission
from cmm.selectors import (
    member_get_for_user,
    member_list_for_user,
    membership_choices_for_user,
    organisation_list_for_user,
)


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "region", "case_prefix"]


class MembershipOutSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "organisation", "role"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    language = serializers.CharField()
    active_membership = MembershipOutSerializer(allow_null=True)
    memberships = MembershipOutSerializer(many=True)


class MeApi(APIView):
    """The logged-in user, their memberships and the organisation they act for."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        data = {
            "username": user.username,
            "full_name": user.get_full_name(),
            "language": user.language,
            "active_membership": active_membership(user),
            "memberships": list(membership_choices_for_user(user=user)),
        }
        return Response(MeSerializer(data).data)


class OrganisationListApi(generics.ListAPIView):
    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return organisation_list_for_user(user=self.request.user)


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "first_name", "last_name", "role", "is_active", "created_at"]
        read_only_fields = ["id", "created_at"]


class MemberCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)

    def validate_username(self, value):
        return clean_new_username(value)  # the same check as the page's form


class MemberChangeSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    is_active = serializers.BooleanField()


def _require(request, perm):
    if not has_role_permission(request.user, perm):
        raise PermissionDenied("Only an organisation admin can manage members.")


class MemberListApi(generics.ListCreateAPIView):
    """Members of the organisation the caller acts for (organisation admins only)."""

    serializer_class = MemberSerializer
    filterset_class = MemberFilter

    def get_queryset(self):
        return member_list_for_user(user=self.request.user)

    def list(self, request, *args, **kwargs):
        _require(request, "cmm.view_membership")
        return super().list(request, *args, **kwargs)

    @extend_schema(request=MemberCreateSerializer, responses={201: MemberSerializer})
    def post(self, request, *args, **kwargs):
        _require(request, "cmm.add_membership")
        incoming = MemberCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with transaction.atomic():
            membership = services.user_create_member(
                organisation=active_membership(request.user).organisation,
                by=request.user,
                **incoming.validated_data,
            )
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)


class MemberDetailApi(APIView):
    """One member of the caller's organisation; PATCH changes the role or ends the membership."""

    @extend_schema(responses=MemberSerializer)
    def get(self, request, pk):
        member = member_get_for_user(user=request.user, membership_id=pk, perm="cmm.view_membership")
        return Response(MemberSerializer(member).data)

    @extend_schema(request=MemberChangeSerializer, responses=MemberSerializer)
    def patch(self, request, pk):
        member = member_get_for_user(user=request.user, membership_id=pk)
        incoming = MemberChangeSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        changes = {"role": member.role, "is_active": member.is_active, **incoming.validated_data}
        try:
            member = services.membership_change(membership=member, by=request.user, **changes)
        except PermissionError as exc:
            raise ValidationError({"is_active": [str(exc)]}) from exc
        return Response(MemberSerializer(member).data)


class ApiRootApi(APIView):
    """The entry points of the API."""

    @extend_schema(exclude=True)
    def get(self, request, format=None):
        from rest_framework.reverse import reverse

        names = {
            "me": "api-me",
            "organisations": "api-organisation-list",
            "members": "api-member-list",
            "token": "api-token",
            "schema": "api-schema",
            "docs": "api-docs",
        }
        return Response({key: reverse(name, request=request, format=format) for key, name in names.items()})
