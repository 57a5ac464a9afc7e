"""`GET /api/me/agenda/`: the caller's work items, the same as on the home page (cmm.agenda)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cmm.agenda import HORIZON_DAYS, Urgency, agenda_for_user
from cmm.input_rules import DayField

MAX_DAYS = 365


class AgendaQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=0, max_value=MAX_DAYS, required=False, default=HORIZON_DAYS)


class AgendaItemSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="What kind of work, e.g. reflection_deadline, referral_waiting.")
    title = serializers.CharField(help_text="What to do, in the caller's language.")
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    due_on = DayField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True, help_text="Negative when overdue.")
    since = DayField(allow_null=True, help_text="Waiting for an answer since.")
    age_days = serializers.IntegerField(allow_null=True, help_text="Days waited so far.")
    case_id = serializers.IntegerField(allow_null=True)
    case_number = serializers.CharField(allow_blank=True)
    detail = serializers.CharField(allow_blank=True)
    count = serializers.IntegerField(allow_null=True)
    url = serializers.SerializerMethodField(help_text="The page where the item is done.")

    def get_url(self, item) -> str:
        return self.context["request"].build_absolute_uri(item.url)


class AgendaResponseSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    items = AgendaItemSerializer(many=True)


class MeAgendaApi(APIView):
    """The caller's work for the organisation they act for: every overdue item and what is due within `days`
    (default 14), and what waits for their answer, most urgent first."""

    @extend_schema(
        parameters=[
            OpenApiParameter("days", int, description=f"Deadlines within this many days (0-{MAX_DAYS}).")
        ],
        responses=AgendaResponseSerializer,
    )
    def get(self, request):
        query = AgendaQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        days = query.validated_data["days"]
        items = agenda_for_user(user=request.user, horizon=days)
        data = {
            "days": days,
            "items": AgendaItemSerializer(items, many=True, context={"request": request}).data,
        }
        return Response(data)
