"""Support during the stay: services, housing, minors, the action plan, client codes."""

from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from cases.apis.case import (
    CaseApi,
)
from cases.apis.common import (
    CHANGE,
    LONG,
    SHORT,
    NamedChoiceField,
    PersonalTextField,
    ShelterField,
    service_errors,
    validated,
)
from cases.choices import (
    ActivityKind,
    ActivityStatus,
    DischargeReason,
    HousingType,
    TracingStatus,
)
from cases.client_codes import client_code_make
from cases.housing import bed_days
from cases.models import (
    ActionPlanReview,
    Case,
    CaseService,
    ClientCode,
    ParentTracing,
    PersonalRepresentative,
    PlannedActivity,
    ShelterStay,
)
from cases.personal_texts import personal_texts_for, personal_texts_visible
from cases.selectors import (
    case_activities,
    case_representatives,
    case_services,
    case_stays,
)
from cases.services import (
    action_plan_update,
    activity_save,
    client_code_link,
    parent_tracing_record,
    plan_review_add,
    representative_appoint,
    service_record,
    stay_save,
)
from cmm.input_rules import BoundedModelSerializer, DayField

# --- Support during the stay ----------------------------------------------------------------------------


class SupportApi(CaseApi):
    """An endpoint of the support records: their personal texts only for the case team, each read recorded."""

    purpose = "api"

    def texts_read(self, case, rows) -> dict:
        """The serializer context for an answer that shows `rows`; records the read of their texts."""
        shown = personal_texts_for(user=self.request.user, case=case, rows=rows, purpose=self.purpose)
        return {"personal_details_shown": shown}

    def texts_written(self, case) -> dict:
        """The context for echoing what the caller has just written (not a read of anyone else's text)."""
        return {"personal_details_shown": personal_texts_visible(user=self.request.user, case=case)}

    def paginated_texts(self, case, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        rows = list(queryset) if page is None else page
        data = serializer_class(rows, many=True, context=self.texts_read(case, rows)).data
        return Response(data) if page is None else self.get_paginated_response(data)


class CaseServiceSerializer(BoundedModelSerializer):
    provider = PersonalTextField(max_length=SHORT, allow_blank=True, required=False, default="")
    notes = PersonalTextField(max_length=LONG, allow_blank=True, required=False, default="")

    class Meta:
        model = CaseService
        fields = ["id", "service_type", "mode", "provided_on", "provider", "notes"]
        read_only_fields = ["id"]


class CaseServicesApi(SupportApi):
    """Services offered, referred, accompanied or received."""

    purpose = "api-services"

    @extend_schema(responses=CaseServiceSerializer(many=True))
    def get(self, request, pk):
        case = self.get_case()
        return self.paginated_texts(case, case_services(case=case), CaseServiceSerializer)

    @extend_schema(request=CaseServiceSerializer, responses={201: CaseServiceSerializer})
    def post(self, request, pk):
        case = self.get_case(CHANGE)
        data = validated(CaseServiceSerializer, request)
        with service_errors():
            service = service_record(case=case, by=request.user, **data)
        data = CaseServiceSerializer(service, context=self.texts_written(case)).data
        return Response(data, status=status.HTTP_201_CREATED)


class ShelterStaySerializer(BoundedModelSerializer):
    shelter = ShelterField(allow_null=True, required=False)
    shelter_name = serializers.CharField(source="shelter.name", read_only=True, allow_null=True)
    housing_type = serializers.ChoiceField(choices=HousingType.choices)
    housing_name = PersonalTextField(max_length=SHORT, allow_blank=True, required=False)
    discharged_on = DayField(allow_null=True, required=False)
    discharge_reason = serializers.ChoiceField(
        choices=DischargeReason.choices, allow_blank=True, required=False
    )
    nights_so_far = serializers.SerializerMethodField(
        help_text="Bed-days of the stay whose evening falls on or before today."
    )

    class Meta:
        model = ShelterStay
        fields = [
            "id",
            "shelter",
            "shelter_name",
            "housing_type",
            "housing_name",
            "admitted_on",
            "discharged_on",
            "discharge_reason",
            "nights_so_far",
        ]
        read_only_fields = ["id"]

    def get_nights_so_far(self, stay) -> int:
        return bed_days(
            admitted_on=stay.admitted_on,
            discharged_on=stay.discharged_on,
            start=stay.admitted_on,
            end=timezone.localdate(),
        )


class CaseStaysApi(SupportApi):
    """Stays in protected housing (never overlapping)."""

    purpose = "api-stays"

    @extend_schema(responses=ShelterStaySerializer(many=True))
    def get(self, request, pk):
        case = self.get_case()
        return self.paginated_texts(case, case_stays(case=case), ShelterStaySerializer)

    @extend_schema(request=ShelterStaySerializer, responses={201: ShelterStaySerializer})
    def post(self, request, pk):
        case = self.get_case(CHANGE)
        data = validated(ShelterStaySerializer, request)
        with service_errors():
            stay = stay_save(case=case, by=request.user, **data)
        data = ShelterStaySerializer(stay, context=self.texts_written(case)).data
        return Response(data, status=status.HTTP_201_CREATED)


class CaseStayApi(SupportApi):
    purpose = "api-stays"

    @extend_schema(request=ShelterStaySerializer, responses=ShelterStaySerializer)
    def patch(self, request, pk, stay_id):
        case = self.get_case(CHANGE)
        stay = get_object_or_404(case_stays(case=case), pk=stay_id)
        data = validated(ShelterStaySerializer, request, partial=True)
        with service_errors():
            stay = stay_save(case=case, by=request.user, stay=stay, **data)
        return Response(ShelterStaySerializer(stay, context=self.texts_read(case, [stay])).data)


class RepresentativeSerializer(BoundedModelSerializer):
    name = PersonalTextField(max_length=SHORT)
    organisation_name = PersonalTextField(max_length=SHORT, allow_blank=True, required=False, default="")
    is_professional = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = PersonalRepresentative
        fields = ["id", "name", "organisation_name", "is_professional", "appointed_on", "ended_on"]
        read_only_fields = ["id", "ended_on"]


class CaseRepresentativesApi(SupportApi):
    """The personal representatives of a minor; appointing one ends the previous one."""

    purpose = "api-representatives"

    @extend_schema(responses=RepresentativeSerializer(many=True))
    def get(self, request, pk):
        case = self.get_case()
        return self.paginated_texts(case, case_representatives(case=case), RepresentativeSerializer)

    @extend_schema(request=RepresentativeSerializer, responses={201: RepresentativeSerializer})
    def post(self, request, pk):
        case = self.get_case(CHANGE)
        data = validated(RepresentativeSerializer, request)
        with service_errors():
            representative = representative_appoint(case=case, by=request.user, **data)
        data = RepresentativeSerializer(representative, context=self.texts_written(case)).data
        return Response(data, status=status.HTTP_201_CREATED)


class ParentTracingSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(TracingStatus)
    requested_on = DayField(allow_null=True, required=False, default=None)
    with_whom = PersonalTextField(max_length=SHORT, allow_blank=True, required=False, default="")
    reason = PersonalTextField(max_length=LONG, allow_blank=True, required=False, default="")

    class Meta:
        model = ParentTracing
        fields = ["id", "status", "requested_on", "with_whom", "reason", "created_at"]
        read_only_fields = ["id", "created_at"]


class CaseParentTracingsApi(SupportApi):
    """Tracing the parents of an unaccompanied minor, or why it is not in the child's interest."""

    purpose = "api-parent-tracings"

    @extend_schema(responses=ParentTracingSerializer(many=True))
    def get(self, request, pk):
        case = self.get_case()
        return self.paginated_texts(case, case.parent_tracings.all(), ParentTracingSerializer)

    @extend_schema(request=ParentTracingSerializer, responses={201: ParentTracingSerializer})
    def post(self, request, pk):
        case = self.get_case(CHANGE)
        data = validated(ParentTracingSerializer, request)
        with service_errors():
            tracing = parent_tracing_record(case=case, by=request.user, **data)
        data = ParentTracingSerializer(tracing, context=self.texts_written(case)).data
        return Response(data, status=status.HTTP_201_CREATED)


class PlanReviewSerializer(BoundedModelSerializer):
    notes = PersonalTextField(max_length=LONG, allow_blank=True, required=False, default="")

    class Meta:
        model = ActionPlanReview
        fields = ["id", "review_on", "held", "notes"]
        read_only_fields = ["id", "held"]


class ActionPlanSerializer(serializers.Serializer):
    goals = PersonalTextField(max_length=10 * LONG, allow_blank=True)
    wishes_after_stay = PersonalTextField(max_length=10 * LONG, allow_blank=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reviews = PlanReviewSerializer(many=True, read_only=True)


class CaseActionPlanApi(SupportApi):
    """The individual action plan: goals, the person's wishes for after the stay, and review dates."""

    purpose = "api-action-plan"

    def plan_data(self, case: Case) -> dict:
        try:
            plan = case.action_plan
        except ObjectDoesNotExist:
            plan = None
        reviews = list(case.plan_reviews.all())
        return ActionPlanSerializer(
            {
                "goals": plan.goals if plan else "",
                "wishes_after_stay": plan.wishes_after_stay if plan else "",
                "updated_at": plan.updated_at if plan else None,
                "reviews": reviews,
            },
            context=self.texts_read(case, [plan, *reviews]),
        ).data

    @extend_schema(responses=ActionPlanSerializer)
    def get(self, request, pk):
        return Response(self.plan_data(self.get_case()))

    @extend_schema(request=ActionPlanSerializer, responses=ActionPlanSerializer)
    def put(self, request, pk):
        case = self.get_case(CHANGE)
        if not personal_texts_visible(user=request.user, case=case):
            # Rewriting the plan's texts without reading them would be blind: the case team's work.
            raise PermissionDenied(_("Only the case team can see the personal details."))
        data = validated(ActionPlanSerializer, request)
        with service_errors():
            action_plan_update(case=case, by=request.user, **data)
        return Response(self.plan_data(case))


class ActivitySerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(ActivityKind)
    status = NamedChoiceField(ActivityStatus, required=False, default=ActivityStatus.PLANNED)
    title = PersonalTextField(max_length=SHORT)
    provider = PersonalTextField(max_length=SHORT, allow_blank=True, required=False, default="")
    starts_on = DayField(allow_null=True, required=False, default=None)
    ends_on = DayField(allow_null=True, required=False, default=None)

    class Meta:
        model = PlannedActivity
        fields = ["id", "kind", "title", "provider", "starts_on", "ends_on", "status"]
        read_only_fields = ["id"]


class CaseActivitiesApi(SupportApi):
    """Courses, internships and other activities of the action plan."""

    purpose = "api-activities"

    @extend_schema(responses=ActivitySerializer(many=True))
    def get(self, request, pk):
        case = self.get_case()
        return self.paginated_texts(case, case_activities(case=case), ActivitySerializer)

    @extend_schema(request=ActivitySerializer, responses={201: ActivitySerializer})
    def post(self, request, pk):
        case = self.get_case(CHANGE)
        data = validated(ActivitySerializer, request)
        with service_errors():
            activity = activity_save(case=case, by=request.user, **data)
        data = ActivitySerializer(activity, context=self.texts_written(case)).data
        return Response(data, status=status.HTTP_201_CREATED)


class CaseActivityApi(SupportApi):
    purpose = "api-activities"

    @extend_schema(request=ActivitySerializer, responses=ActivitySerializer)
    def patch(self, request, pk, activity_id):
        case = self.get_case(CHANGE)
        activity = get_object_or_404(case_activities(case=case), pk=activity_id)
        data = validated(ActivitySerializer, request, partial=True)
        with service_errors():
            activity = activity_save(case=case, by=request.user, activity=activity, **data)
        return Response(ActivitySerializer(activity, context=self.texts_read(case, [activity])).data)


class CasePlanReviewsApi(SupportApi):
    @extend_schema(request=PlanReviewSerializer, responses={201: PlanReviewSerializer})
    def post(self, request, pk):
        case = self.get_case(CHANGE)
        data = validated(PlanReviewSerializer, request)
        with service_errors():
            review = plan_review_add(case=case, by=request.user, **data)
        data = PlanReviewSerializer(review, context=self.texts_written(case)).data
        return Response(data, status=status.HTTP_201_CREATED)


# --- Anonymous client codes -----------------------------------------------------------------------------


class ClientCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClientCode
        fields = ["code", "linked_at"]
        read_only_fields = fields


class ClientCodeLinkSerializer(serializers.Serializer):
    """Either a code, or the four facts the code is made from (used once, never stored or echoed)."""

    FACTS = ("mother_initial", "own_initial", "birth_year", "birth_country")

    # Plain fields whose error messages never repeat the input: the facts must not come back.
    code = serializers.CharField(max_length=20, required=False)
    mother_initial = serializers.CharField(max_length=3, required=False, write_only=True)
    own_initial = serializers.CharField(max_length=3, required=False, write_only=True)
    birth_year = serializers.IntegerField(min_value=0, max_value=9999, required=False, write_only=True)
    birth_country = serializers.CharField(max_length=3, required=False, write_only=True)

    def validate(self, attrs):
        given = [fact for fact in self.FACTS if fact in attrs]
        if "code" in attrs and given:
            raise ValidationError(_("Give either the client code or the four facts, not both."))
        if "code" not in attrs:
            missing = {fact: _("This field is required.") for fact in self.FACTS if fact not in attrs}
            if len(missing) == len(self.FACTS):
                raise ValidationError(_("Give the client code or the four facts it is made from."))
            if missing:
                raise ValidationError(missing)
        return attrs


class ClientCodeOutSerializer(serializers.Serializer):
    code = serializers.CharField()


class CaseClientCodesApi(CaseApi):
    """Anonymous client codes linked to the case, so earlier anonymous contacts count as this person."""

    @extend_schema(responses=ClientCodeSerializer(many=True))
    def get(self, request, pk):
        return self.paginated(self.get_case().client_codes.order_by("linked_at", "pk"), ClientCodeSerializer)

    @extend_schema(request=ClientCodeLinkSerializer, responses={201: ClientCodeOutSerializer})
    @sensitive_variables()
    def post(self, request, pk):
        case = self.get_case(CHANGE)
        data = validated(ClientCodeLinkSerializer, request)
        with service_errors():
            code = data.get("code") or client_code_make(**{fact: data[fact] for fact in data})
            client_code = client_code_link(case=case, code=code, by=request.user)
        return Response({"code": client_code.code}, status=status.HTTP_201_CREATED)
