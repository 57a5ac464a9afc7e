"""GET /api/audit/: the audit log with the page's filters, paged, for roles that carry cmm.view_auditevent
(403 for the others, as the members API). Each page read is itself audited."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied

from cmm.audit.filters import AuditEventFilter
from cmm.audit.selectors import audit_event_list_for_user, can_view_audit_log
from cmm.audit.services import audit_log_view_record
from cmm.models import AuditAction, AuditEvent


class AuditOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", read_only=True, allow_null=True, help_text="Username; null if nobody."
    )
    organisation = AuditOrganisationSerializer(read_only=True, allow_null=True)
    action = serializers.ChoiceField(choices=AuditAction.choices, read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    target_type = serializers.SerializerMethodField(help_text='"app_label.model" of the object, or null.')
    detail = serializers.DictField(
        read_only=True, help_text="What was shown, changed or refused: field names and ids, never values."
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "organisation",
            "action",
            "action_label",
            "target_type",
            "target_id",
            "target_label",
            "detail",
            "ip_address",
        ]
        read_only_fields = fields

    def get_target_type(self, event) -> str | None:
        if event.target_type is None:
            return None
        return f"{event.target_type.app_label}.{event.target_type.model}"


class AuditEventListApi(generics.ListAPIView):
    """The audit log, newest first (CMM coordinators only). Dates are Copenhagen dates, both included."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter

    def get_queryset(self):
        return audit_event_list_for_user(user=self.request.user)

    @extend_schema(responses=AuditEventSerializer(many=True))
    def get(self, request, *args, **kwargs):
        if not can_view_audit_log(user=request.user):
            raise PermissionDenied("Only a CMM coordinator can read the audit log.")
        response = self.list(request, *args, **kwargs)
        filterset = self.filterset_class(request.query_params, queryset=self.get_queryset())
        page = getattr(self.paginator, "page", None)
        audit_log_view_record(
            user=request.user,
            filters=filterset.applied(),
            page=page.number if page is not None else 1,
            purpose="api",
        )
        return response
