"""The case file endpoints: the case, personal details, team, timeline and history."""

import datetime

from django.db.models import Model
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from cases.apis.common import (
    CHANGE,
    DELETE,
    LONG,
    SHORT,
    VIEW,
    MemberField,
    NamedChoiceField,
    NationalityField,
    language_codes,
    service_errors,
    validated,
)
from cases.choices import (
    AgeBand,
    CaseStatus,
    CloseReason,
    ControlMeans,
    EventKind,
    ExploitationType,
    ForcedLabourSector,
    Gender,
    ResidenceStatus,
)
from cases.filters import CaseFilter
from cases.models import (
    Case,
    CaseEvent,
    PersonalDetails,
)
from cases.selectors import (
    case_get_for_user,
    case_history,
    case_list_for_user,
    case_team,
    case_timeline,
    case_warnings,
)
from cases.services import (
    can_view_personal_details,
    case_close,
    case_open,
    case_reopen,
    case_soft_delete,
    case_team_add,
    case_team_remove,
    case_update,
    personal_details_update,
    personal_details_view,
)
from cmm.input_rules import EARLIEST_BIRTH, DayField
from cmm.permissions import active_membership, has_role_permission

# --- The case -------------------------------------------------------------------------------------------


class ExploitationSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ExploitationType.choices)
    sector = serializers.ChoiceField(
        choices=ForcedLabourSector.choices, allow_blank=True, required=False, default=""
    )

    def validate(self, attrs):
        forced_labour = attrs["type"] == ExploitationType.FORCED_LABOUR
        if forced_labour and not attrs.get("sector"):
            raise ValidationError({"sector": _("Give the sector of the forced labour.")})
        if not forced_labour and attrs.get("sector"):
            raise ValidationError({"sector": _("Only forced labour has a sector.")})
        return attrs


def exploitation_pairs(value: list[dict]) -> list[tuple[str, str]]:
    """Each form of exploitation once, as the (type, sector) pairs the services take."""
    types = [item["type"] for item in value]
    if len(types) != len(set(types)):
        raise ValidationError(_("Give each form of exploitation once."))
    return [(item["type"], item.get("sector", "")) for item in value]


def control_means_field(**kwargs) -> serializers.ListField:
    """The means of control as a list of choice values, each once."""
    return serializers.ListField(
        child=NamedChoiceField(ControlMeans), max_length=len(ControlMeans.values), **kwargs
    )


def control_means_once(value: list[str]) -> list[str]:
    if len(value) != len(set(value)):
        raise ValidationError(_("Give each means of control once."))
    return value


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class CaseCountsSerializer(serializers.Serializer):
    services = serializers.IntegerField()
    stays = serializers.IntegerField()
    representatives = serializers.IntegerField()
    parent_tracings = serializers.IntegerField()
    activities = serializers.IntegerField()
    plan_reviews = serializers.IntegerField()
    client_codes = serializers.IntegerField()
    team = serializers.IntegerField()
    events = serializers.IntegerField()


class CaseSerializer(serializers.ModelSerializer):
    """A case in the list: pseudonymous facts only."""

    status = NamedChoiceField(CaseStatus, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    nationality = NationalityField(read_only=True)
    age_band = serializers.ChoiceField(choices=AgeBand.choices, read_only=True)
    exploitations = ExploitationSerializer(many=True, read_only=True)
    control_means = serializers.SerializerMethodField()
    contact_person = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "opened_on",
            "closed_on",
            "gender",
            "age_band",
            "nationality",
            "residence_status",
            "unaccompanied_minor",
            "exploitations",
            "control_means",
            "contact_person",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=NamedChoiceField(ControlMeans)))
    def get_control_means(self, case) -> list[str]:
        return [means.type for means in case.control_means.all()]


class CaseListItemSerializer(CaseSerializer):
    """A case in the list, with its next deadline (cases.agenda: the earliest of the deadlines the caller's
    role sees; null when there is none)."""

    next_deadline = serializers.DateField(read_only=True, allow_null=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "next_deadline"]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    """A case with what needs attention now and how much its file holds."""

    close_reason = NamedChoiceField(CloseReason, allow_blank=True, read_only=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_minor = serializers.BooleanField(read_only=True)
    warnings = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "close_reason",
            "age_at_opening",
            "age_is_estimate",
            "is_minor",
            "languages",
            "created_at",
            "updated_at",
            "warnings",
            "counts",
        ]
        read_only_fields = fields

    @extend_schema_field(WarningSerializer(many=True))
    def get_warnings(self, case):
        return WarningSerializer(case_warnings(case=case), many=True).data

    @extend_schema_field(CaseCountsSerializer)
    def get_counts(self, case):
        return {
            "services": case.services.count(),
            "stays": case.stays.count(),
            "representatives": case.representatives.count(),
            "parent_tracings": case.parent_tracings.count(),
            "activities": case.activities.count(),
            "plan_reviews": case.plan_reviews.count(),
            "client_codes": case.client_codes.count(),
            "team": case.team.count(),
            "events": case.events.count(),
        }


class PersonalTextSerializer(serializers.Serializer):
    """The identifying details that are free text (all optional)."""

    full_name = serializers.CharField(max_length=SHORT, allow_blank=True, required=False)
    aliases = serializers.CharField(max_length=LONG, allow_blank=True, required=False)
    id_documents = serializers.CharField(max_length=LONG, allow_blank=True, required=False)
    phone_numbers = serializers.CharField(max_length=LONG, allow_blank=True, required=False)
    addresses = serializers.CharField(max_length=LONG, allow_blank=True, required=False)
    shelter_location = serializers.CharField(max_length=LONG, allow_blank=True, required=False)
    identity_notes = serializers.CharField(max_length=LONG, allow_blank=True, required=False)


class PersonalDetailsSerializer(PersonalTextSerializer):
    """The person's identifying details: for the case team only, every read audited."""

    date_of_birth = DayField(earliest=EARLIEST_BIRTH, allow_null=True, required=False)


class CaseOpenSerializer(serializers.Serializer):
    opened_on = DayField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    residence_status = serializers.ChoiceField(choices=ResidenceStatus.choices)
    nationality = NationalityField(required=False, default="")
    languages = language_codes(required=False, default=list)
    unaccompanied_minor = serializers.BooleanField(required=False, default=False)
    exploitations = ExploitationSerializer(
        many=True, max_length=len(ExploitationType.values), required=False, default=list
    )
    control_means = control_means_field(required=False, default=list)
    contact_person = MemberField(required=False, allow_null=True, default=None)
    date_of_birth = DayField(earliest=EARLIEST_BIRTH, required=False, allow_null=True, default=None)
    estimated_age = serializers.IntegerField(
        min_value=0, max_value=120, required=False, allow_null=True, default=None
    )
    personal = PersonalTextSerializer(required=False)

    def validate_exploitations(self, value):
        return exploitation_pairs(value)

    def validate_control_means(self, value):
        return control_means_once(value)


class CaseUpdateSerializer(serializers.Serializer):
    """The case facts that can change (send only those that do)."""

    opened_on = DayField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    residence_status = serializers.ChoiceField(choices=ResidenceStatus.choices)
    nationality = NationalityField()
    languages = language_codes()
    unaccompanied_minor = serializers.BooleanField()
    exploitations = ExploitationSerializer(many=True, max_length=len(ExploitationType.values))
    control_means = control_means_field()
    contact_person = MemberField(allow_null=True)
    estimated_age = serializers.IntegerField(min_value=0, max_value=120, allow_null=True)

    def validate_exploitations(self, value):
        return exploitation_pairs(value)

    def validate_control_means(self, value):
        return control_means_once(value)

    def validate(self, attrs):
        if "estimated_age" in attrs:
            attrs["age_at_opening"], attrs["age_is_estimate"] = attrs.pop("estimated_age"), True
        return attrs


class CaseCloseSerializer(serializers.Serializer):
    closed_on = DayField()
    reason = NamedChoiceField(CloseReason)


class CaseDeleteSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=LONG)


class CaseFilterBackend(DjangoFilterBackend):
    """The page's CaseFilter, told who is asking (for "my cases" and the contact persons to choose from)."""

    def get_filterset_kwargs(self, request, queryset, view):
        membership = active_membership(request.user)
        return {
            **super().get_filterset_kwargs(request, queryset, view),
            "user": request.user,
            "organisation": membership.organisation if membership else None,
        }


class CaseApi(generics.GenericAPIView):
    """Base of every endpoint under one case: the case comes through the selector, never straight by id."""

    filter_backends = []

    def get_case(self, perm: str = VIEW) -> Case:
        return case_get_for_user(user=self.request.user, case_id=self.kwargs["pk"], perm=perm)

    def paginated(self, queryset, serializer_class, **context):
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True, context=context).data)


class CaseListApi(generics.ListAPIView):
    """The cases the caller may see: open ones unless `status` says otherwise; POST opens a case."""

    serializer_class = CaseListItemSerializer
    filter_backends = [CaseFilterBackend]
    filterset_class = CaseFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no database
            return Case.objects.none()
        return case_list_for_user(user=self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "contact_person", int, description="Id of a member of the caller's organisation."
            ),
            OpenApiParameter(
                "due_within",
                int,
                description="Cases whose next deadline is within this many days (0-365), overdue included.",
            ),
        ]
    )
    def get(self, request, *args, **kwargs):
        # As the case list page: a role without case files (analyst, organisation admin) is refused, not shown
        # an empty list (found by the permission matrix, issue 11).
        if not has_role_permission(request.user, "cases.view_case"):
            raise PermissionDenied(_("Your role does not give access to case files."))
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=CaseOpenSerializer,
        responses={201: CaseDetailSerializer},
        description="Open a case in the caller's organisation (roles that may add cases). The identifying "
        "details in `personal` and `date_of_birth` go to the encrypted personal details.",
    )
    @sensitive_variables()
    def post(self, request):
        if not has_role_permission(request.user, "cases.add_case"):
            raise PermissionDenied(_("Your role cannot open cases."))
        organisation = active_membership(request.user).organisation
        data = dict(validated(CaseOpenSerializer, request, organisation=organisation))
        personal = {field: value for field, value in data.pop("personal", {}).items() if value}
        age_field = "date_of_birth" if data["date_of_birth"] else "estimated_age"
        with service_errors(age_at_opening=age_field):
            case = case_open(by=request.user, organisation=organisation, personal=personal or None, **data)
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseDetailApi(CaseApi):
    """One case's facts; PATCH changes them."""

    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, pk):
        return Response(CaseDetailSerializer(self.get_case()).data)

    @extend_schema(request=CaseUpdateSerializer, responses=CaseDetailSerializer)
    def patch(self, request, pk):
        case = self.get_case(CHANGE)
        data = validated(CaseUpdateSerializer, request, partial=True, organisation=case.organisation)
        with service_errors(age_at_opening="estimated_age"):
            case = case_update(case=case, by=request.user, **data)
        return Response(CaseDetailSerializer(case).data)


class CaseCloseApi(CaseApi):
    @extend_schema(request=CaseCloseSerializer, responses=CaseDetailSerializer)
    def post(self, request, pk):
        case = self.get_case(CHANGE)
        data = validated(CaseCloseSerializer, request)
        with service_errors():
            case = case_close(case=case, by=request.user, **data)
        return Response(CaseDetailSerializer(case).data)


class CaseReopenApi(CaseApi):
    @extend_schema(request=None, responses=CaseDetailSerializer)
    def post(self, request, pk):
        with service_errors():
            case = case_reopen(case=self.get_case(CHANGE), by=request.user)
        return Response(CaseDetailSerializer(case).data)


class CaseDeleteApi(CaseApi):
    """Soft-delete a case registered by mistake; afterwards it is 404 everywhere."""

    @extend_schema(request=CaseDeleteSerializer, responses={204: None})
    def post(self, request, pk):
        case = self.get_case(DELETE)
        data = validated(CaseDeleteSerializer, request)
        with service_errors():
            case_soft_delete(case=case, by=request.user, **data)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Personal details, team, timeline, history ----------------------------------------------------------


class NeverCachedMixin:
    """Identifying values must not stay in any cache on the way."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response


def personal_details_data(details: PersonalDetails | None) -> dict:
    if details is None:
        return {**dict.fromkeys(PersonalTextSerializer().fields, ""), "date_of_birth": None}
    return PersonalDetailsSerializer(details).data


class PersonalDetailsApi(NeverCachedMixin, CaseApi):
    """The identifying details: the case team only, and every read and change is audited by the service."""

    @extend_schema(responses=PersonalDetailsSerializer)
    @sensitive_variables()
    def get(self, request, pk):
        case = self.get_case()
        with service_errors():
            details = personal_details_view(case=case, by=request.user, purpose="api")
        return Response(personal_details_data(details))

    @extend_schema(request=PersonalDetailsSerializer, responses=PersonalDetailsSerializer)
    @sensitive_variables()
    def patch(self, request, pk):
        case = self.get_case(CHANGE)
        data = validated(PersonalDetailsSerializer, request, partial=True)
        with service_errors():
            personal_details_update(case=case, by=request.user, **data)
            details = personal_details_view(case=case, by=request.user, purpose="api-update")
        return Response(personal_details_data(details))


class TeamMemberSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    name = serializers.SerializerMethodField()
    added_at = serializers.DateTimeField()
    is_contact_person = serializers.SerializerMethodField()

    def get_name(self, member) -> str:
        return member.user.get_full_name() or member.user.username

    def get_is_contact_person(self, member) -> bool:
        return member.user_id == self.context["case"].contact_person_id


class TeamAddSerializer(serializers.Serializer):
    user = MemberField()


class CaseTeamApi(CaseApi):
    """The case team: they get the reminders and (if their role allows) see the personal details."""

    @extend_schema(responses=TeamMemberSerializer(many=True))
    def get(self, request, pk):
        case = self.get_case()
        return self.paginated(case_team(case=case), TeamMemberSerializer, case=case)

    @extend_schema(request=TeamAddSerializer, responses={201: TeamMemberSerializer})
    def post(self, request, pk):
        case = self.get_case(CHANGE)
        data = validated(TeamAddSerializer, request, organisation=case.organisation)
        with service_errors():
            case_team_add(case=case, user=data["user"], by=request.user)
        member = get_object_or_404(case_team(case=case), user=data["user"])
        data = TeamMemberSerializer(member, context={"case": case}).data
        return Response(data, status=status.HTTP_201_CREATED)


class CaseTeamMemberApi(CaseApi):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk, user_id):
        case = self.get_case(CHANGE)
        member = get_object_or_404(case_team(case=case), user_id=user_id)
        with service_errors():
            case_team_remove(case=case, user=member.user, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaseEventSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(EventKind, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    data = serializers.DictField(
        read_only=True, help_text="Choice values and dates of the event, never identifying."
    )
    actor = serializers.CharField(
        source="actor.username", read_only=True, allow_null=True, help_text="Username."
    )

    class Meta:
        model = CaseEvent
        fields = ["id", "occurred_on", "kind", "kind_label", "data", "actor"]
        read_only_fields = fields


class CaseTimelineApi(CaseApi):
    """Everything that happened to the case, newest first."""

    @extend_schema(responses=CaseEventSerializer(many=True))
    def get(self, request, pk):
        return self.paginated(case_timeline(case=self.get_case()), CaseEventSerializer)


def plain(value):
    """A value from the history as JSON: dates as ISO strings, rows and countries by their id or code."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return str(getattr(value, "code", value))


@extend_schema_field({"description": "The value (masked as ••• when not shown)."})
class HistoryValueField(serializers.Field):
    def to_representation(self, value):
        return plain(value)


class HistoryChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(source="user.username", allow_null=True, help_text="Username.")
    what = serializers.CharField(help_text='"case" or "personal_details".')
    field = serializers.CharField()
    old = HistoryValueField(allow_null=True)
    new = HistoryValueField(allow_null=True)


class CaseHistorySerializer(serializers.Serializer):
    identifying_shown = serializers.BooleanField(
        help_text="False when the personal details' values are masked (caller not on the case team)."
    )
    changes = HistoryChangeSerializer(many=True)


class CaseHistoryApi(NeverCachedMixin, CaseApi):
    """Every recorded change; personal details' values only for the case team (and then audited)."""

    @extend_schema(responses=CaseHistorySerializer)
    @sensitive_variables()
    def get(self, request, pk):
        case = self.get_case()
        shown = can_view_personal_details(user=request.user, case=case)
        if shown:
            with service_errors():
                personal_details_view(case=case, by=request.user, purpose="api-history")
        changes = case_history(case=case, show_identifying=shown)
        return Response(CaseHistorySerializer({"identifying_shown": shown, "changes": changes}).data)
