"""The reflection API under /api/reflection/: periods, their extensions, postponements and outcome, and the
caller's deadline reminders.

Every period comes through the selectors (404 for "missing" and "not yours" alike); a write needs the role's
permission (403, asked before any lookup so the answer tells nothing about which ids exist). The rules (30
days, at most 100, one running period, the Immigration Service's decision) are the services'; a broken one
is a 400 naming the field.
"""

import django_filters
from django import forms
from django.db.models import F, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from cases.apis.case import NeverCachedMixin, UserRefSerializer
from cases.apis.common import LONG, MAX_ID, NamedChoiceField, require, service_errors, validated
from cmm.input_rules import DayField
from outreach.apis.common import CaseRefSerializer, ChangeableCaseField
from reflection.choices import ExtensionGround, PeriodKind, PeriodOutcome
from reflection.dates import days_left
from reflection.models import Extension, Notification, Postponement, ReflectionPeriod
from reflection.selectors import notification_list_for_user, period_get_for_user, period_list_for_user
from reflection.services import (
    STANDARD_DAYS,
    notifications_mark_read,
    period_correct,
    period_end,
    period_extend,
    period_lift_postponement,
    period_postpone,
    period_start,
)

VIEW = "reflection.view_reflectionperiod"
ADD = "reflection.add_reflectionperiod"
CHANGE = "reflection.change_reflectionperiod"
# How many notification ids one request may mark as read.
MAX_MARKED = 1000


# --- What the API answers -------------------------------------------------------------------------------


class ExtensionSerializer(serializers.ModelSerializer):
    ground = NamedChoiceField(ExtensionGround, read_only=True)
    ground_label = serializers.CharField(source="get_ground_display", read_only=True)

    class Meta:
        model = Extension
        fields = [
            "id",
            "new_total_days",
            "ground",
            "ground_label",
            "ground_text",
            "decided_on",
            "recorded_at",
        ]
        read_only_fields = fields


class PostponementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Postponement
        fields = ["id", "from_date", "reason", "lifted_on", "new_ends_on"]
        read_only_fields = fields


class PeriodSerializer(serializers.ModelSerializer):
    """A period in a list: the case number and contact person, never identifying details. The context's
    `today` gives the days left."""

    case = CaseRefSerializer(read_only=True)
    contact_person = UserRefSerializer(source="case.contact_person", read_only=True, allow_null=True)
    kind = NamedChoiceField(PeriodKind, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    ends_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="The deadline; null while the period is postponed."
    )
    days_left = serializers.SerializerMethodField(
        help_text="Days from today to the deadline (negative when overdue); null while postponed."
    )
    running = serializers.BooleanField(source="is_running", read_only=True)
    postponed = serializers.SerializerMethodField(help_text="True while a postponement stops the clock.")
    outcome = serializers.SerializerMethodField(help_text="How the period ended; null while it runs.")
    outcome_label = serializers.SerializerMethodField()

    class Meta:
        model = ReflectionPeriod
        fields = [
            "id",
            "case",
            "contact_person",
            "kind",
            "kind_label",
            "starts_on",
            "initial_days",
            "total_days",
            "ends_on",
            "days_left",
            "running",
            "postponed",
            "outcome",
            "outcome_label",
            "outcome_on",
        ]
        read_only_fields = fields

    def get_days_left(self, period) -> int | None:
        return days_left(period.ends_on, self.context["today"])

    def get_postponed(self, period) -> bool:
        return period.is_running and period.ends_on is None

    @extend_schema_field(NamedChoiceField(PeriodOutcome, allow_null=True))
    def get_outcome(self, period):
        return period.outcome or None

    def get_outcome_label(self, period) -> str | None:
        return period.get_outcome_display() if period.outcome else None


class PeriodDetailSerializer(PeriodSerializer):
    """A period with its special reason, extensions and postponements (expects them prefetched)."""

    extensions = ExtensionSerializer(many=True, read_only=True)
    postponements = PostponementSerializer(many=True, read_only=True)

    class Meta(PeriodSerializer.Meta):
        fields = [*PeriodSerializer.Meta.fields, "short_reason", "created_at", "extensions", "postponements"]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    """A reminder: which case (by number), which milestone, the days left when it was sent."""

    case = CaseRefSerializer(read_only=True, allow_null=True, help_text="None for a referral-group action.")
    period = serializers.IntegerField(
        source="period_id", read_only=True, allow_null=True, help_text="The reflection period, if about one."
    )
    return_follow_up = serializers.IntegerField(
        source="return_follow_up_id",
        read_only=True,
        allow_null=True,
        help_text="The return follow-up, if any.",
    )
    group_action = serializers.IntegerField(
        source="group_action_id",
        read_only=True,
        allow_null=True,
        help_text="The referral-group follow-up action, if any.",
    )
    milestone = serializers.CharField(
        read_only=True,
        help_text='"d14", "d7", "d3", "d1", "d0" before the deadline, "consider_extension", or '
        '"expired:<date>" once a day after it.',
    )
    deadline = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The period's deadline the reminder was about (a moved deadline is reminded again); null "
        "for the other kinds.",
    )
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "case",
            "period",
            "return_follow_up",
            "group_action",
            "milestone",
            "days_left",
            "deadline",
            "created_at",
            "read",
            "read_at",
        ]
        read_only_fields = fields

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read now.")
    unread = serializers.IntegerField(help_text="How many of the caller's notifications are still unread.")


def period_data(*, user, period_id: int) -> dict:
    """The period as the detail endpoint shows it to `user`, read fresh after a write."""
    period = period_get_for_user(user=user, period_id=period_id)
    prefetch_related_objects([period], "extensions", "postponements")
    return PeriodDetailSerializer(period, context={"today": timezone.localdate()}).data


# --- What the API takes ---------------------------------------------------------------------------------


class PeriodStartSerializer(serializers.Serializer):
    case = ChangeableCaseField(help_text="Id of a case the caller works on (may change).")
    kind = NamedChoiceField(
        PeriodKind, help_text="Statutory needs the Immigration Service's decision identifying the person."
    )
    starts_on = DayField()
    initial_days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        default=STANDARD_DAYS,
        help_text="30, or fewer with the special reason recorded.",
    )
    short_reason = serializers.CharField(max_length=LONG, allow_blank=True, required=False, default="")


class ExtensionCreateSerializer(serializers.Serializer):
    new_total_days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="The new total length from the start: at most 100 days. Give this or new_ends_on.",
    )
    new_ends_on = DayField(
        required=False,
        help_text="The new deadline, turned into the total length that gives it (each day granted moves the "
        "deadline one day). Give this or new_total_days; not while the period is postponed.",
    )
    ground = NamedChoiceField(ExtensionGround)
    ground_text = serializers.CharField(
        max_length=LONG, allow_blank=True, required=False, default="", help_text="Required for other."
    )
    decided_on = DayField(help_text="No later than the current deadline.")

    def validate(self, attrs):
        given = [name for name in ("new_total_days", "new_ends_on") if attrs.get(name) is not None]
        if len(given) != 1:
            message = _("Give either the new deadline or the new total length, not both.")
            if not given:
                message = _("Give the new deadline or the new total length.")
            raise serializers.ValidationError({"new_total_days": [message], "new_ends_on": [message]})
        return attrs


class CorrectionSerializer(serializers.Serializer):
    starts_on = DayField(help_text="The right start date; the deadline moves with it.")


class PostponementCreateSerializer(serializers.Serializer):
    from_date = DayField()
    reason = serializers.CharField(max_length=LONG)


class LiftSerializer(serializers.Serializer):
    lifted_on = DayField()
    new_ends_on = DayField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A new deadline decided at the lift; without it the remaining days continue.",
    )


class OutcomeSerializer(serializers.Serializer):
    outcome = NamedChoiceField(PeriodOutcome)
    outcome_on = DayField()


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=MAX_MARKED,
        required=False,
        help_text="The notifications to mark read; without it, all the caller's unread ones.",
    )


# --- Periods --------------------------------------------------------------------------------------------


class IdFilter(django_filters.NumberFilter):
    """A whole-number id (the plain NumberFilter would take 1.5)."""

    field_class = forms.IntegerField


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """true or false, and anything else a 400 (the plain BooleanFilter ignores what it cannot read)."""

    def __init__(self, **kwargs):
        choices = [("true", "true"), ("false", "false")]
        super().__init__(choices=choices, coerce=lambda value: value == "true", **kwargs)


class PeriodFilter(django_filters.FilterSet):
    running = StrictBooleanFilter(
        method="by_running", label=_("true: still running; false: ended with an outcome")
    )
    case = IdFilter(field_name="case_id", min_value=1, max_value=MAX_ID, label=_("Case id"))
    kind = django_filters.ChoiceFilter(choices=PeriodKind.choices, label=_("Kind"))

    class Meta:
        model = ReflectionPeriod
        fields = ["running", "case", "kind"]

    def by_running(self, queryset, name, value):
        return queryset.filter(outcome="") if value else queryset.exclude(outcome="")


class PeriodListApi(generics.ListAPIView):
    """The reflection periods of the cases the caller may see, the nearest deadline first (postponed ones,
    which have none, after them); POST starts a period."""

    serializer_class = PeriodSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PeriodFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no database
            return ReflectionPeriod.objects.none()
        return period_list_for_user(user=self.request.user).order_by(F("ends_on").asc(nulls_last=True), "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def list(self, request, *args, **kwargs):
        require(request.user, VIEW, _("Your role cannot see reflection periods."))
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=PeriodStartSerializer,
        responses={201: PeriodDetailSerializer},
        description="Start a reflection period on a case the caller can see: 30 days unless a special "
        "reason for fewer is recorded. A statutory period needs the Immigration Service's decision "
        "identifying the person, and a case has one running period at a time (400 naming the field).",
    )
    def post(self, request):
        require(request.user, ADD, _("Your role cannot start reflection periods."))
        data = validated(PeriodStartSerializer, request)
        with service_errors():
            period = period_start(by=request.user, **data)
        return Response(period_data(user=request.user, period_id=period.pk), status=status.HTTP_201_CREATED)


class PeriodApi(NeverCachedMixin, generics.GenericAPIView):
    """Base of every endpoint under one period."""

    filter_backends = []

    def get_period(self, perm: str, message: str) -> ReflectionPeriod:
        require(self.request.user, perm, message)
        return period_get_for_user(user=self.request.user, period_id=self.kwargs["pk"], perm=perm)


class PeriodDetailApi(PeriodApi):
    """One period with its deadline, days left, extensions and postponements."""

    @extend_schema(responses=PeriodDetailSerializer)
    def get(self, request, pk):
        period = self.get_period(VIEW, _("Your role cannot see reflection periods."))
        return Response(period_data(user=request.user, period_id=period.pk))


CHANGE_REFUSED = _("Your role cannot change reflection periods.")


class PeriodExtendApi(PeriodApi):
    @extend_schema(
        request=ExtensionCreateSerializer,
        responses={201: PeriodDetailSerializer},
        description="Extend a running period to a new total length, decided no later than its deadline. "
        "At most 100 days run from the start to the new deadline, postponed days not counted (after a lift "
        "with a decided deadline the extra days are added to it). Answers with the period and its new "
        "deadline.",
    )
    def post(self, request, pk):
        period = self.get_period(CHANGE, CHANGE_REFUSED)
        data = validated(ExtensionCreateSerializer, request)
        with service_errors():
            period_extend(period=period, by=request.user, **data)
        return Response(period_data(user=request.user, period_id=period.pk), status=status.HTTP_201_CREATED)


class PeriodCorrectApi(PeriodApi):
    @extend_schema(
        request=CorrectionSerializer,
        responses=PeriodDetailSerializer,
        description="Correct the start date of a running period recorded wrongly: the deadline moves with "
        "it. The period still runs at most 100 days in total, postponed days not counted (400 naming "
        "starts_on).",
    )
    def post(self, request, pk):
        period = self.get_period(CHANGE, CHANGE_REFUSED)
        data = validated(CorrectionSerializer, request)
        with service_errors():
            period_correct(period=period, by=request.user, **data)
        return Response(period_data(user=request.user, period_id=period.pk))


class PeriodPostponeApi(PeriodApi):
    @extend_schema(
        request=PostponementCreateSerializer,
        responses={201: PeriodDetailSerializer},
        description="Postpone the deadline while the authorities examine conditions in the home country: "
        "no deadline runs (ends_on is null) until the postponement is lifted.",
    )
    def post(self, request, pk):
        period = self.get_period(CHANGE, CHANGE_REFUSED)
        data = validated(PostponementCreateSerializer, request)
        with service_errors():
            period_postpone(period=period, by=request.user, **data)
        return Response(period_data(user=request.user, period_id=period.pk), status=status.HTTP_201_CREATED)


class PeriodLiftApi(PeriodApi):
    @extend_schema(
        request=LiftSerializer,
        responses=PeriodDetailSerializer,
        description="Lift the open postponement: the remaining days continue after the lift, unless a new "
        "deadline decided at the lift is given, which makes at most 100 days from the start, postponed days "
        "not counted (400 naming new_ends_on).",
    )
    def post(self, request, pk):
        period = self.get_period(CHANGE, CHANGE_REFUSED)
        data = validated(LiftSerializer, request)
        with service_errors():
            period_lift_postponement(period=period, by=request.user, **data)
        return Response(period_data(user=request.user, period_id=period.pk))


class PeriodOutcomeApi(PeriodApi):
    @extend_schema(
        request=OutcomeSerializer,
        responses=PeriodDetailSerializer,
        description="Record how the period ended; it cannot change after that.",
    )
    def post(self, request, pk):
        period = self.get_period(CHANGE, CHANGE_REFUSED)
        data = validated(OutcomeSerializer, request)
        with service_errors():
            period_end(period=period, by=request.user, **data)
        return Response(period_data(user=request.user, period_id=period.pk))


# --- Notifications --------------------------------------------------------------------------------------


class NotificationFilter(django_filters.FilterSet):
    unread = StrictBooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("true: unread only"))

    class Meta:
        model = Notification
        fields = ["unread"]


class NotificationListApi(generics.ListAPIView):
    """The caller's deadline reminders, newest first."""

    serializer_class = NotificationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no database
            return Notification.objects.none()
        return notification_list_for_user(user=self.request.user)


class NotificationReadApi(generics.GenericAPIView):
    """Mark the caller's notifications read: the ids given (others' ids are ignored), or all unread."""

    filter_backends = []

    @extend_schema(request=MarkReadSerializer, responses=MarkedSerializer)
    def post(self, request):
        data = validated(MarkReadSerializer, request)
        marked = notifications_mark_read(user=request.user, ids=data.get("ids"))
        unread = notification_list_for_user(user=request.user).filter(read_at__isnull=True).count()
        return Response(MarkedSerializer({"marked": marked, "unread": unread}).data)
