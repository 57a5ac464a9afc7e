"""Presentations: the list and presenting a case, one presentation, its residence status, the work queue."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from cases.apis.case import NeverCachedMixin
from cases.apis.common import MAX_ID, NamedChoiceField, service_errors, validated
from cases.choices import ResidenceStatus
from cmm.input_rules import DayField
from identification.apis.common import PresentationApi, detail_data, require
from identification.apis.serializers import PresentationDetailSerializer, PresentationSerializer
from identification.choices import Authority, PresentedBy
from identification.models import Presentation
from identification.selectors import presentation_list_for_user, work_queue_for_user
from identification.services import presentation_create, presentation_set_residence_status
from outreach.apis.common import ChangeableCaseField

VIEW = "identification.view_presentation"


class PresentationCreateSerializer(serializers.Serializer):
    case = ChangeableCaseField(help_text="Id of a case the caller works on (may change).")
    presented_on = DayField()
    presented_by = NamedChoiceField(PresentedBy)


class ResidenceStatusSerializer(serializers.Serializer):
    residence_status = NamedChoiceField(
        ResidenceStatus, help_text="The residence status at the time of presentation; picks the authority."
    )


class IdFilter(django_filters.NumberFilter):
    """A whole-number id (the plain NumberFilter would take 1.5)."""

    field_class = forms.IntegerField


class PresentationFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id", min_value=1, max_value=MAX_ID, label=_("Case id"))
    authority = django_filters.ChoiceFilter(choices=Authority.choices, label=_("Competent authority"))
    pending = django_filters.BooleanFilter(
        method="by_pending", label=_("true: waiting for a decision; false: decided")
    )

    class Meta:
        model = Presentation
        fields = ["case", "authority", "pending"]

    def by_pending(self, queryset, name, value):
        if value:
            return queryset.filter(decisions__isnull=True)
        return queryset.filter(decisions__isnull=False).distinct()


class PresentationListApi(generics.ListAPIView):
    """The presentations the caller may see (those of the cases they may see), newest first; POST presents a
    case for identification."""

    serializer_class = PresentationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PresentationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no database
            return Presentation.objects.none()
        return presentation_list_for_user(user=self.request.user).prefetch_related("decisions")

    def list(self, request, *args, **kwargs):
        require(request.user, VIEW, _("Your role cannot see presentations."))
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=PresentationCreateSerializer,
        responses={201: PresentationDetailSerializer},
        description="Present a case the caller can see. The case's residence status is copied to the "
        "presentation and picks the competent authority, which is given access to the case.",
    )
    def post(self, request):
        require(request.user, "identification.add_presentation", _("Your role cannot present cases."))
        data = validated(PresentationCreateSerializer, request)
        with service_errors():
            presentation = presentation_create(by=request.user, **data)
        data = detail_data(user=request.user, presentation=presentation)
        return Response(data, status=status.HTTP_201_CREATED)


class PresentationDetailApi(NeverCachedMixin, PresentationApi):
    """One presentation: who decides and why, the evidence, the decisions (corrected ones included) and the
    open tasks. Identifying text only for callers who may see the case's personal details."""

    @extend_schema(responses=PresentationDetailSerializer)
    def get(self, request, pk):
        return Response(detail_data(user=request.user, presentation=self.get_presentation()))


class PresentationResidenceStatusApi(NeverCachedMixin, PresentationApi):
    """Correct the residence status at presentation (e.g. resolve "unknown"), which routes it again; only
    while no decision is recorded. The case's own residence status is not touched."""

    @extend_schema(request=ResidenceStatusSerializer, responses=PresentationDetailSerializer)
    def patch(self, request, pk):
        presentation = self.get_presentation(
            "identification.change_presentation", _("Your role cannot change presentations.")
        )
        data = validated(ResidenceStatusSerializer, request)
        with service_errors():
            presentation = presentation_set_residence_status(
                presentation=presentation, by=request.user, **data
            )
        return Response(detail_data(user=request.user, presentation=presentation))


class WorkQueueApi(generics.GenericAPIView):
    """Presentations waiting for a decision by the caller's organisation, oldest first (the Immigration
    Service liaison's and the CMM coordinator's work queue)."""

    filter_backends = []

    @extend_schema(responses=PresentationSerializer(many=True))
    def get(self, request):
        require(request.user, "identification.add_decision", _("Your role does not record decisions."))
        queue = work_queue_for_user(user=request.user).prefetch_related("decisions")
        page = self.paginate_queryset(queue)
        return self.get_paginated_response(PresentationSerializer(page, many=True).data)
