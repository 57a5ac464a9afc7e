"""The return-plan API under /api/referrals/returns/: plans, their workflow, reintegration components,
follow-ups after departure and the personal representative's involvement.

A write needs the role's permission (403, asked before any lookup so the answer tells nothing about which ids
exist); every plan and case comes through the selectors (404 for "missing" and "not yours" alike). The rules
are the services': a broken one is a 400 naming the field. Nothing here identifies the person: plans are known
by the case number.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from cases.apis.case import NeverCachedMixin, UserRefSerializer
from cases.apis.common import (
    LONG,
    MAX_ID,
    SHORT,
    NamedChoiceField,
    PersonalTextField,
    require,
    service_errors,
    validated,
)
from cases.personal_texts import personal_texts_for
from cases.selectors import case_get_for_user
from outreach.apis.common import CaseRefSerializer
from referrals.choices import (
    ComponentKind,
    ComponentStatus,
    Currency,
    EscortKind,
    FollowUpMilestone,
    ReturnBody,
    ReturnChannel,
    ReturnStatus,
    TravelDocumentStatus,
)
from referrals.models import ReintegrationComponent, ReturnFollowUp, ReturnPlan, ReturnStatusChange
from referrals.routing import return_responsible_body
from referrals.selectors.returns import (
    component_get_for_user,
    component_totals,
    follow_up_get_for_user,
    representatives_of_plan,
    return_plan_detail,
    return_plan_get_for_user,
    return_plan_overview_for_user,
)
from referrals.services.return_follow_ups import follow_up_record
from referrals.services.returns import (
    component_add,
    component_remove,
    component_update,
    next_statuses,
    return_plan_create,
    return_plan_record_representative,
    return_plan_transition,
    return_plan_update,
)
from reflection.apis import DayField

VIEW = "referrals.view_returnplan"
ADD = "referrals.add_returnplan"
CHANGE = "referrals.change_returnplan"
VIEW_REFUSED = _("Your role cannot see return plans.")
CHANGE_REFUSED = _("Your role cannot change return plans.")
# Earlier dates are typing errors.


@extend_schema_field({"type": "string", "pattern": "^[A-Z]{2}$", "example": "NG"})
class CountryCodeField(serializers.ChoiceField):
    """An ISO 3166-1 alpha-2 country code known to django-countries (e.g. "NG")."""

    def __init__(self, **kwargs):
        super().__init__(choices=[code for code, _name in countries], **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data.strip().upper() if isinstance(data, str) else data)


# --- What the API answers -------------------------------------------------------------------------------


class StatusChangeSerializer(serializers.ModelSerializer):
    from_status = serializers.CharField(read_only=True, help_text='"" for the draft that started the plan.')
    to_status = NamedChoiceField(ReturnStatus, read_only=True)
    changed_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ReturnStatusChange
        fields = ["from_status", "to_status", "changed_on", "note", "changed_by"]
        read_only_fields = fields


class ComponentSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(ComponentKind, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    currency = NamedChoiceField(Currency, read_only=True)
    status = NamedChoiceField(ComponentStatus, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ReintegrationComponent
        fields = ["id", "kind", "kind_label", "budget_amount", "currency", "status", "status_label", "notes"]
        read_only_fields = fields


class FollowUpSerializer(serializers.ModelSerializer):
    milestone = NamedChoiceField(FollowUpMilestone, read_only=True)
    milestone_label = serializers.CharField(source="get_milestone_display", read_only=True)
    recorded_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ReturnFollowUp
        fields = ["id", "milestone", "milestone_label", "due_on", "done_on", "note", "recorded_by"]
        read_only_fields = fields


class TotalSerializer(serializers.Serializer):
    currency = NamedChoiceField(Currency, read_only=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)


class RepresentativeRefSerializer(serializers.Serializer):
    """The minor's personal representative (a professional), never the person."""

    id = serializers.IntegerField(read_only=True)
    name = PersonalTextField(read_only=True)
    organisation_name = PersonalTextField(read_only=True)
    is_professional = serializers.BooleanField(read_only=True)


class ReturnPlanSerializer(serializers.ModelSerializer):
    """A plan in a list: the case number and the plan's facts, never identifying details."""

    case = CaseRefSerializer(read_only=True)
    responsible_body = NamedChoiceField(ReturnBody, read_only=True)
    responsible_body_label = serializers.CharField(source="get_responsible_body_display", read_only=True)
    channel = NamedChoiceField(ReturnChannel, read_only=True)
    status = NamedChoiceField(ReturnStatus, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    destination_country = serializers.CharField(source="destination_country.code", read_only=True)
    travel_documents = NamedChoiceField(TravelDocumentStatus, read_only=True)
    escort = NamedChoiceField(EscortKind, read_only=True)
    next_follow_up_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="The due date of the next follow-up not yet recorded."
    )

    class Meta:
        model = ReturnPlan
        fields = [
            "id",
            "case",
            "responsible_body",
            "responsible_body_label",
            "channel",
            "status",
            "status_label",
            "iom_reference",
            "destination_country",
            "destination_city",
            "planned_departure_on",
            "actual_departure_on",
            "travel_documents",
            "escort",
            "escort_name",
            "receiving_organisation",
            "next_follow_up_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReturnPlanDetailSerializer(ReturnPlanSerializer):
    """A plan with its components, budget totals, follow-ups, dated history and the steps allowed next
    (expects them prefetched and `totals` in the context)."""

    routing = serializers.SerializerMethodField(help_text="Why this body is responsible, in plain words.")
    next_steps = serializers.SerializerMethodField(help_text="The statuses the plan may move to next.")
    representative = RepresentativeRefSerializer(read_only=True, allow_null=True)
    components = ComponentSerializer(many=True, read_only=True)
    totals = serializers.SerializerMethodField(
        help_text="Budget per currency, cancelled components left out."
    )
    follow_ups = FollowUpSerializer(many=True, read_only=True)
    history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta(ReturnPlanSerializer.Meta):
        fields = [
            *ReturnPlanSerializer.Meta.fields,
            "routing",
            "next_steps",
            "representative",
            "representative_involved_on",
            "representative_involvement",
            "components",
            "totals",
            "follow_ups",
            "history",
        ]
        read_only_fields = fields

    def get_routing(self, plan) -> str:
        return return_responsible_body(plan.case.residence_status).explanation

    @extend_schema_field(serializers.ListField(child=NamedChoiceField(ReturnStatus)))
    def get_next_steps(self, plan):
        return next_statuses(plan.status)

    @extend_schema_field(TotalSerializer(many=True))
    def get_totals(self, plan):
        return TotalSerializer(self.context["totals"], many=True).data


def plan_data(*, user, plan_id: int) -> dict:
    """The plan as the detail endpoint shows it to `user`, read fresh after a write."""
    plan = get_object_or_404(return_plan_overview_for_user(user=user), pk=plan_id)
    return_plan_detail(plan=plan)
    # The representative's name is a personal text of the case (cases.personal_texts).
    shown = personal_texts_for(
        user=user, case=plan.case, rows=[plan.representative], purpose="api-return-plan"
    )
    context = {"totals": component_totals(plan=plan), "personal_details_shown": shown}
    return ReturnPlanDetailSerializer(plan, context=context).data


# --- What the API takes ---------------------------------------------------------------------------------


def _text(max_length: int = SHORT, **kwargs):
    return serializers.CharField(max_length=max_length, allow_blank=True, required=False, **kwargs)


class ReturnPlanCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of a case the caller can see (404 otherwise)."
    )
    destination_country = CountryCodeField(help_text="ISO 3166-1 alpha-2 code, e.g. NG.")
    destination_city = _text(120)
    channel = NamedChoiceField(
        ReturnChannel,
        required=False,
        help_text="Defaults to IOM for the Immigration Service and CMM for CMM; an NGO or an embassy may "
        "carry out the return instead.",
    )
    iom_reference = _text(60)
    planned_departure_on = DayField(required=False, allow_null=True)
    travel_documents = NamedChoiceField(TravelDocumentStatus, required=False)
    escort = NamedChoiceField(
        EscortKind, required=False, help_text="The personal representative only for minors."
    )
    escort_name = _text(help_text="A professional's name or role, never the person's family.")
    receiving_organisation = _text()


class ReturnPlanUpdateSerializer(serializers.Serializer):
    """Any of the plan's details; absent fields stay as they are."""

    destination_country = CountryCodeField(required=False)
    destination_city = _text(120)
    channel = NamedChoiceField(ReturnChannel, required=False)
    iom_reference = _text(60)
    planned_departure_on = DayField(required=False, allow_null=True)
    actual_departure_on = DayField(
        required=False,
        help_text='Recorded by the step "departed"; only a plan after departure can correct it (its open '
        "follow-ups move with it).",
    )
    travel_documents = NamedChoiceField(TravelDocumentStatus, required=False)
    escort = NamedChoiceField(EscortKind, required=False)
    escort_name = _text()
    receiving_organisation = _text()


class TransitionSerializer(serializers.Serializer):
    to_status = NamedChoiceField(ReturnStatus, help_text="One of the plan's next_steps; a skip is refused.")
    on = DayField(help_text="The date of the step (for departed: the actual departure); not in the future.")
    note = serializers.CharField(
        max_length=LONG,
        allow_blank=True,
        required=False,
        default="",
        help_text="Required for declined and cancelled. No names.",
    )


class ComponentWriteSerializer(serializers.Serializer):
    kind = NamedChoiceField(ComponentKind, help_text="One of each kind per plan; schooling only for a minor.")
    budget_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, default=0, help_text="Not negative."
    )
    currency = NamedChoiceField(Currency, required=False, default=Currency.DKK)
    status = NamedChoiceField(ComponentStatus, required=False, default=ComponentStatus.PLANNED)
    notes = serializers.CharField(max_length=LONG, allow_blank=True, required=False, default="")


class FollowUpRecordSerializer(serializers.Serializer):
    done_on = DayField(help_text="Not before the departure and not in the future.")
    note = serializers.CharField(max_length=LONG, help_text="What the follow-up found. No names.")


class RepresentativeWriteSerializer(serializers.Serializer):
    representative = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of one of the case's personal representatives."
    )
    involved_on = DayField()
    involvement = serializers.CharField(max_length=LONG, allow_blank=True, required=False, default="")


# --- Plans ----------------------------------------------------------------------------------------------


class IdFilter(django_filters.NumberFilter):
    """A whole-number id (the plain NumberFilter would take 1.5)."""

    field_class = forms.IntegerField


class ReturnPlanFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReturnStatus.choices, label=_("Status"))
    responsible_body = django_filters.ChoiceFilter(choices=ReturnBody.choices, label=_("Responsible"))
    channel = django_filters.ChoiceFilter(choices=ReturnChannel.choices, label=_("Channel"))
    destination_country = django_filters.ChoiceFilter(choices=countries, label=_("Destination country"))
    case = IdFilter(field_name="case_id", min_value=1, max_value=MAX_ID, label=_("Case id"))

    class Meta:
        model = ReturnPlan
        fields = ["status", "responsible_body", "channel", "destination_country", "case"]


class ReturnPlanListApi(NeverCachedMixin, generics.ListAPIView):
    """The return plans of the cases the caller may see, newest first; POST drafts a plan."""

    serializer_class = ReturnPlanSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReturnPlanFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no database
            return ReturnPlan.objects.none()
        return return_plan_overview_for_user(user=self.request.user)

    def list(self, request, *args, **kwargs):
        require(request.user, VIEW, VIEW_REFUSED)
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=ReturnPlanCreateSerializer,
        responses={201: ReturnPlanDetailSerializer},
        description="Draft a return plan for a case the caller can see (404 otherwise). The responsible body "
        "and the default channel follow from the case's residence status (Immigration Service with IOM "
        "without legal residence, CMM with legal residence); an unknown status is refused, and a case has "
        "one plan in progress at a time.",
    )
    def post(self, request):
        require(request.user, ADD, _("Your role cannot plan returns."))
        data = dict(validated(ReturnPlanCreateSerializer, request))
        case = case_get_for_user(user=request.user, case_id=data.pop("case"))
        with service_errors():
            plan = return_plan_create(case=case, by=request.user, **data)
        return Response(plan_data(user=request.user, plan_id=plan.pk), status=status.HTTP_201_CREATED)


class PlanApi(NeverCachedMixin, generics.GenericAPIView):
    """Base of every endpoint under one plan."""

    filter_backends = []
    pagination_class = None

    def get_plan(self, perm: str, message) -> ReturnPlan:
        require(self.request.user, perm, message)
        return return_plan_get_for_user(user=self.request.user, plan_id=self.kwargs["pk"])


class ReturnPlanDetailApi(PlanApi):
    """One plan with its components, totals, follow-ups, history and next steps."""

    @extend_schema(responses=ReturnPlanDetailSerializer)
    def get(self, request, pk):
        plan = self.get_plan(VIEW, VIEW_REFUSED)
        return Response(plan_data(user=request.user, plan_id=plan.pk))

    @extend_schema(
        request=ReturnPlanUpdateSerializer,
        responses=ReturnPlanDetailSerializer,
        description="Change the plan's details while it is in progress (not completed, declined or "
        "cancelled).",
    )
    def patch(self, request, pk):
        plan = self.get_plan(CHANGE, CHANGE_REFUSED)
        data = validated(ReturnPlanUpdateSerializer, request, partial=True)
        with service_errors():
            return_plan_update(plan=plan, by=request.user, **data)
        return Response(plan_data(user=request.user, plan_id=plan.pk))


class ReturnPlanTransitionApi(PlanApi):
    @extend_schema(
        request=TransitionSerializer,
        responses=ReturnPlanDetailSerializer,
        description="Move the plan one step: draft → sent_to_iom → approved → departed → follow_up → "
        "completed; before departure also declined (by the person; the police then handle departure) or "
        "cancelled, both with a note. A skip is refused (400 on to_status naming the allowed steps). "
        "A minor's plan is sent only after the representative's involvement is recorded; departed records "
        "the actual departure, creates the follow-ups at one and three months and ends the running "
        "reflection period (prepared return); completed needs the three-month follow-up done.",
    )
    def post(self, request, pk):
        plan = self.get_plan(CHANGE, CHANGE_REFUSED)
        data = validated(TransitionSerializer, request)
        with service_errors():
            return_plan_transition(plan=plan, by=request.user, **data)
        return Response(plan_data(user=request.user, plan_id=plan.pk))


class ReturnPlanRepresentativeApi(PlanApi):
    @extend_schema(
        request=RepresentativeWriteSerializer,
        responses=ReturnPlanDetailSerializer,
        description="Record that one of the case's personal representatives took part in the plan, and when.",
    )
    def post(self, request, pk):
        plan = self.get_plan(CHANGE, CHANGE_REFUSED)
        data = dict(validated(RepresentativeWriteSerializer, request))
        data["representative"] = representatives_of_plan(plan=plan).filter(pk=data["representative"]).first()
        with service_errors():
            return_plan_record_representative(plan=plan, by=request.user, **data)
        return Response(plan_data(user=request.user, plan_id=plan.pk))


# --- Components -----------------------------------------------------------------------------------------


class ComponentListApi(PlanApi):
    @extend_schema(responses=ComponentSerializer(many=True))
    def get(self, request, pk):
        plan = self.get_plan(VIEW, VIEW_REFUSED)
        return Response(ComponentSerializer(plan.components.order_by("kind"), many=True).data)

    @extend_schema(
        request=ComponentWriteSerializer,
        responses={201: ComponentSerializer},
        description="Add a reintegration component for the first three months: one of each kind, a budget "
        "that is not negative, schooling only for a minor.",
    )
    def post(self, request, pk):
        plan = self.get_plan(CHANGE, CHANGE_REFUSED)
        data = validated(ComponentWriteSerializer, request)
        with service_errors():
            component = component_add(plan=plan, by=request.user, **data)
        return Response(ComponentSerializer(component).data, status=status.HTTP_201_CREATED)


class ComponentDetailApi(PlanApi):
    def get_component(self, perm: str, message) -> ReintegrationComponent:
        require(self.request.user, perm, message)
        return component_get_for_user(
            user=self.request.user, plan_id=self.kwargs["pk"], component_id=self.kwargs["component_id"]
        )

    @extend_schema(responses=ComponentSerializer)
    def get(self, request, pk, component_id):
        return Response(ComponentSerializer(self.get_component(VIEW, VIEW_REFUSED)).data)

    @extend_schema(request=ComponentWriteSerializer, responses=ComponentSerializer)
    def patch(self, request, pk, component_id):
        component = self.get_component(CHANGE, CHANGE_REFUSED)
        data = validated(ComponentWriteSerializer, request, partial=True)
        with service_errors():
            component = component_update(component=component, by=request.user, **data)
        return Response(ComponentSerializer(component).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk, component_id):
        component = self.get_component(CHANGE, CHANGE_REFUSED)
        with service_errors():
            component_remove(component=component, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Follow-ups -----------------------------------------------------------------------------------------


class FollowUpRecordApi(PlanApi):
    """Record (POST) or correct (PATCH) a follow-up after the return."""

    def record(self, request, partial: bool):
        require(request.user, CHANGE, CHANGE_REFUSED)
        follow_up = follow_up_get_for_user(
            user=request.user, plan_id=self.kwargs["pk"], follow_up_id=self.kwargs["follow_up_id"]
        )
        data = dict(validated(FollowUpRecordSerializer, request, partial=partial))
        values = {"done_on": follow_up.done_on, "note": follow_up.note, **data}
        with service_errors():
            follow_up = follow_up_record(follow_up=follow_up, by=request.user, **values)
        return Response(FollowUpSerializer(follow_up).data)

    @extend_schema(
        request=FollowUpRecordSerializer,
        responses=FollowUpSerializer,
        description="Record the follow-up: when it was done and what it found.",
    )
    def post(self, request, pk, follow_up_id):
        return self.record(request, partial=False)

    @extend_schema(
        request=FollowUpRecordSerializer,
        responses=FollowUpSerializer,
        description="Correct a follow-up's date or note; absent fields stay as they are.",
    )
    def patch(self, request, pk, follow_up_id):
        return self.record(request, partial=True)
