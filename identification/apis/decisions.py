"""Decisions on a presentation, and the tasks an identification sets off."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cases.apis.common import LONG, NamedChoiceField, service_errors, validated
from cases.choices import ExploitationType
from cmm.input_rules import DayField
from identification.apis.common import PresentationApi, require, visibility
from identification.apis.serializers import DecisionSerializer, TaskSerializer
from identification.choices import Outcome, TaskStatus
from identification.selectors import task_get_for_user, task_list_for_user
from identification.services import current_decision, decision_record, task_complete

# The `status` filter of the task list; "all" includes cancelled tasks.
TASK_FILTER = {"open": TaskStatus.OPEN, "done": TaskStatus.DONE, "all": None}


class DecisionCreateSerializer(serializers.Serializer):
    outcome = NamedChoiceField(Outcome)
    decided_on = DayField()
    exploitation_types = serializers.ListField(
        child=NamedChoiceField(ExploitationType),
        max_length=len(ExploitationType.values),
        required=False,
        default=list,
        help_text="The forms of exploitation established (required when identified).",
    )
    reasons = serializers.CharField(max_length=LONG, allow_blank=True, required=False, default="")
    correct = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True to correct the current decision: the new one supersedes it, and both stay in the "
        "history.",
    )


class DecisionsApi(PresentationApi):
    """Record the competent authority's decision, or correct the current one."""

    @extend_schema(
        request=DecisionCreateSerializer,
        responses={201: DecisionSerializer},
        description="Only a user of the competent authority may decide (Immigration Service liaison for the "
        "Immigration Service, CMM coordinator for CMM): anyone else gets 403 with the reason. While the "
        "residence status at presentation is unknown, the answer is 400 with the rule. A court verdict binds "
        "the outcome. A decision is never changed: `correct: true` records a new one that supersedes it.",
    )
    def post(self, request, pk):
        presentation = self.get_presentation(
            "identification.add_decision", _("Your role does not record decisions.")
        )
        data = dict(validated(DecisionCreateSerializer, request))
        corrects = None
        if data.pop("correct"):
            corrects = current_decision(presentation)
            if corrects is None:  # the service would take it for a first decision
                raise ValidationError({"correct": [_("There is no decision to correct.")]})
        with service_errors():
            decision = decision_record(presentation=presentation, by=request.user, corrects=corrects, **data)
        context = visibility(user=request.user, presentation=presentation)
        return Response(DecisionSerializer(decision, context=context).data, status=status.HTTP_201_CREATED)


class TaskListApi(generics.GenericAPIView):
    """The tasks the caller's organisation is responsible for, the most urgent first."""

    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", enum=list(TASK_FILTER), default="open", description="Which tasks to list."
            )
        ],
        responses=TaskSerializer(many=True),
    )
    def get(self, request):
        require(
            request.user, "identification.view_identificationtask", _("Your role does not see these tasks.")
        )
        wanted = request.query_params.get("status", "open")
        if wanted not in TASK_FILTER:
            raise ValidationError({"status": [_("Choose open, done or all.")]})
        tasks = task_list_for_user(user=request.user, status=TASK_FILTER[wanted])
        page = self.paginate_queryset(tasks)
        return self.get_paginated_response(TaskSerializer(page, many=True).data)


class TaskDoneApi(generics.GenericAPIView):
    """Mark a task done once what it asks for is in place (e.g. the case has a contact person)."""

    filter_backends = []

    @extend_schema(request=None, responses=TaskSerializer)
    def post(self, request, pk):
        task = task_get_for_user(user=request.user, task_id=pk)
        require(
            request.user,
            "identification.change_identificationtask",
            _("Your role cannot complete these tasks."),
        )
        with service_errors():
            task = task_complete(task=task, by=request.user)
        return Response(TaskSerializer(task).data)
