"""The case referral API under /api/referrals/referrals/: list and send referrals, read one, and answer or
end it (accept, decline, withdraw, revoke, close).

Referrals come through the selectors (404 for "missing" and "not yours" alike), and so does the case a new
referral is about; a write needs the role's permission (403, asked before any lookup so the answer tells
nothing about which ids exist). The rules (consent or a coordinator's override, one open referral per
receiver, which side may do what, the access that follows) are the services'; a broken one is a 400 naming
the field.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from cases.apis.case import NeverCachedMixin, UserRefSerializer
from cases.apis.common import LONG, MAX_ID, NamedChoiceField, require, service_errors, validated
from cases.selectors import case_get_for_user
from cmm.permissions import active_membership
from cmm.selectors import organisation_list_for_user
from identification.apis.serializers import OrganisationRefSerializer
from outreach.apis.common import CaseRefSerializer
from referrals.choices import ConsentScope, ReferralKind, ReferralReason, ReferralStatus
from referrals.models import Referral
from referrals.selectors.referrals import referral_get_for_user, referral_list_for_user
from referrals.services.referrals import (
    referral_accept,
    referral_close,
    referral_decline,
    referral_revoke,
    referral_send,
    referral_withdraw,
)
from reflection.apis import DayField, IdFilter

VIEW = "referrals.view_referral"
ADD = "referrals.add_referral"
CHANGE = "referrals.change_referral"


def _organisation_id(user) -> int | None:
    membership = active_membership(user)
    return membership.organisation_id if membership else None


# --- What the API answers -------------------------------------------------------------------------------


class ReferralSerializer(serializers.ModelSerializer):
    """A referral in a list: the case by number, the two organisations, what is asked and where it stands.
    The context's `organisation_id` (the caller's organisation) gives the direction."""

    case = CaseRefSerializer(read_only=True)
    kind = NamedChoiceField(ReferralKind, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    from_organisation = OrganisationRefSerializer(read_only=True)
    to_organisation = OrganisationRefSerializer(read_only=True)
    direction = serializers.SerializerMethodField(
        help_text='"incoming": sent to the caller\'s organisation; "outgoing": sent by it.'
    )
    reason = NamedChoiceField(ReferralReason, read_only=True)
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)
    consent_scope = NamedChoiceField(ConsentScope, read_only=True)
    status = NamedChoiceField(ReferralStatus, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    sent_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "kind",
            "kind_label",
            "from_organisation",
            "to_organisation",
            "direction",
            "reason",
            "reason_label",
            "consent_given",
            "consent_on",
            "consent_scope",
            "status",
            "status_label",
            "sent_at",
            "sent_by",
            "responded_at",
            "ended_at",
        ]
        read_only_fields = fields

    def get_direction(self, referral) -> str:
        return (
            "incoming" if referral.to_organisation_id == self.context.get("organisation_id") else "outgoing"
        )


class ReferralDetailSerializer(ReferralSerializer):
    """A referral with its free texts (which must not identify the person) and who did what."""

    consent_recorded_by = UserRefSerializer(read_only=True, allow_null=True)
    overridden_by = UserRefSerializer(read_only=True, allow_null=True)
    responded_by = UserRefSerializer(read_only=True, allow_null=True)
    ended_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta(ReferralSerializer.Meta):
        fields = [
            *ReferralSerializer.Meta.fields,
            "request_note",
            "consent_recorded_by",
            "override_reason",
            "overridden_by",
            "responded_by",
            "response_note",
            "ended_by",
            "end_reason",
        ]
        read_only_fields = fields


def referral_data(*, user, referral_id: int) -> dict:
    """The referral as the detail endpoint shows it to `user`, read fresh after a write."""
    referral = referral_get_for_user(user=user, referral_id=referral_id)
    return ReferralDetailSerializer(referral, context={"organisation_id": _organisation_id(user)}).data


# --- What the API takes ---------------------------------------------------------------------------------


class DirectoryOrganisationField(serializers.IntegerField):
    """The id of an organisation in the directory (the service checks that it is another, active one)."""

    default_error_messages = {"unknown": _("Choose an organisation from the directory.")}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def run_validation(self, data=serializers.empty):
        organisation_id = super().run_validation(data)
        organisation = (
            organisation_list_for_user(user=self.context["request"].user).filter(pk=organisation_id).first()
        )
        if organisation is None:
            self.fail("unknown")
        return organisation


class ReferralSendSerializer(serializers.Serializer):
    case = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of a case of the caller's organisation."
    )
    to_organisation = DirectoryOrganisationField(help_text="Id of another active organisation.")
    kind = NamedChoiceField(
        ReferralKind,
        required=False,
        default=ReferralKind.SHARE,
        help_text="share (the default) or transfer (the receiver becomes the owner).",
    )
    reason = NamedChoiceField(ReferralReason, help_text="The service requested.")
    request_note = serializers.CharField(
        max_length=LONG,
        allow_blank=True,
        required=False,
        default="",
        help_text="What is asked for; no names or other identifying details.",
    )
    consent_given = serializers.BooleanField(help_text="Whether the person consents to the referral.")
    consent_on = DayField(
        required=False, allow_null=True, default=None, help_text="Required with consent; not in the future."
    )
    consent_scope = NamedChoiceField(
        ConsentScope,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the person agreed may be shared; required with consent.",
    )
    override_reason = serializers.CharField(
        max_length=LONG,
        allow_blank=True,
        required=False,
        default="",
        help_text="Without consent: the coordinator's written reason (coordinators only).",
    )


class ReferralActionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=LONG, help_text="Why; no names or other identifying details.")


# --- Endpoints --------------------------------------------------------------------------------------------


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices, label=_("Status"))
    direction = django_filters.ChoiceFilter(
        choices=[("incoming", "incoming"), ("outgoing", "outgoing")],
        method="by_direction",
        label=_("incoming: sent to your organisation; outgoing: sent by it"),
    )
    case = IdFilter(field_name="case_id", min_value=1, max_value=MAX_ID, label=_("Case id"))

    class Meta:
        model = Referral
        fields = ["status", "direction", "case"]

    def by_direction(self, queryset, name, value):
        field = "to_organisation_id" if value == "incoming" else "from_organisation_id"
        return queryset.filter(**{field: _organisation_id(self.request.user)})


class ReferralListApi(generics.ListAPIView):
    """The referrals the caller's organisation sent or received, newest first; POST sends one."""

    serializer_class = ReferralSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReferralFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no database
            return Referral.objects.none()
        return referral_list_for_user(user=self.request.user).order_by("-sent_at", "-id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "organisation_id": _organisation_id(self.request.user)}

    def list(self, request, *args, **kwargs):
        require(request.user, VIEW, _("Your role cannot see referrals."))
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=ReferralSendSerializer,
        responses={201: ReferralDetailSerializer},
        description="Refer a case of the caller's organisation (404 if the caller cannot change the case) to "
        "another active organisation, to share it or to transfer it. The person's consent with its date and "
        "scope is needed; without it only a coordinator can send, with override_reason, and only the case "
        "facts are shared. At most one open referral per case and receiver (400 naming the field).",
    )
    def post(self, request):
        require(request.user, ADD, _("Your role cannot refer cases."))
        data = dict(validated(ReferralSendSerializer, request))
        case = case_get_for_user(user=request.user, case_id=data.pop("case"), perm="cases.change_case")
        with service_errors():
            referral = referral_send(case=case, by=request.user, **data)
        return Response(
            referral_data(user=request.user, referral_id=referral.pk), status=status.HTTP_201_CREATED
        )


class ReferralApi(NeverCachedMixin, generics.GenericAPIView):
    """Base of every endpoint under one referral."""

    filter_backends = []

    def get_referral(self, perm: str, message: str) -> Referral:
        require(self.request.user, perm, message)
        return referral_get_for_user(user=self.request.user, referral_id=self.kwargs["pk"])


class ReferralDetailApi(ReferralApi):
    """One referral with its notes, the consent and who answered."""

    @extend_schema(responses=ReferralDetailSerializer)
    def get(self, request, pk):
        referral = self.get_referral(VIEW, _("Your role cannot see referrals."))
        return Response(referral_data(user=request.user, referral_id=referral.pk))


CHANGE_REFUSED = _("Your role cannot answer or end referrals.")


class ReferralAcceptApi(ReferralApi):
    @extend_schema(
        request=None,
        responses=ReferralDetailSerializer,
        description="Accept a pending referral as the receiving organisation. A share gives it access to the "
        "case (the personal details only if the person agreed); a transfer makes it the case's owner.",
    )
    def post(self, request, pk):
        referral = self.get_referral(CHANGE, CHANGE_REFUSED)
        with service_errors():
            referral_accept(referral=referral, by=request.user)
        return Response(referral_data(user=request.user, referral_id=referral.pk))


class ReferralDeclineApi(ReferralApi):
    @extend_schema(
        request=ReferralActionReasonSerializer,
        responses=ReferralDetailSerializer,
        description="Decline a pending referral as the receiving organisation, with the reason.",
    )
    def post(self, request, pk):
        referral = self.get_referral(CHANGE, CHANGE_REFUSED)
        data = validated(ReferralActionReasonSerializer, request)
        with service_errors(response_note="reason"):
            referral_decline(referral=referral, by=request.user, response_note=data["reason"])
        return Response(referral_data(user=request.user, referral_id=referral.pk))


class ReferralWithdrawApi(ReferralApi):
    @extend_schema(
        request=None,
        responses=ReferralDetailSerializer,
        description="Withdraw a referral the caller's organisation sent, while it waits for an answer.",
    )
    def post(self, request, pk):
        referral = self.get_referral(CHANGE, CHANGE_REFUSED)
        with service_errors():
            referral_withdraw(referral=referral, by=request.user)
        return Response(referral_data(user=request.user, referral_id=referral.pk))


class ReferralRevokeApi(ReferralApi):
    @extend_schema(
        request=ReferralActionReasonSerializer,
        responses=ReferralDetailSerializer,
        description="Revoke an accepted share as the organisation that sent it, with the reason: the "
        "receiver's access to the case ends with its next request. An accepted transfer cannot be revoked.",
    )
    def post(self, request, pk):
        referral = self.get_referral(CHANGE, CHANGE_REFUSED)
        data = validated(ReferralActionReasonSerializer, request)
        with service_errors():
            referral_revoke(referral=referral, by=request.user, reason=data["reason"])
        return Response(referral_data(user=request.user, referral_id=referral.pk))


class ReferralCloseApi(ReferralApi):
    @extend_schema(
        request=ReferralActionReasonSerializer,
        responses=ReferralDetailSerializer,
        description="Close an accepted share from either side when the work is done, with the reason: the "
        "receiver's access to the case ends with its next request.",
    )
    def post(self, request, pk):
        referral = self.get_referral(CHANGE, CHANGE_REFUSED)
        data = validated(ReferralActionReasonSerializer, request)
        with service_errors():
            referral_close(referral=referral, by=request.user, reason=data["reason"])
        return Response(referral_data(user=request.user, referral_id=referral.pk))
