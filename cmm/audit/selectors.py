"""Reads of the audit log: only a role that carries cmm.view_auditevent (the CMM coordinator), acting for
CMM itself, reads it, and then all of it (CMM oversees every organisation's access to the people's files).
An organisation admin elsewhere can hand out the coordinator role in their own organisation; that role does
not open the whole log."""

from __future__ import annotations

from django.db.models import QuerySet

from cmm.models import AuditEvent
from cmm.permissions import active_membership, has_role_permission
from cmm.selectors import is_cmm

VIEW_PERM = "cmm.view_auditevent"


def can_view_audit_log(*, user) -> bool:
    """Tell whether `user` may read the audit log: the role's permission, acting for the designated CMM."""
    membership = active_membership(user)
    return membership is not None and is_cmm(membership.organisation) and has_role_permission(user, VIEW_PERM)


def audit_event_list_for_user(*, user) -> QuerySet[AuditEvent]:
    """The audit events `user` may read, newest first, with what a row shows joined in one query."""
    if not can_view_audit_log(user=user):
        return AuditEvent.objects.none()
    return AuditEvent.objects.select_related("actor", "organisation", "target_type").order_by("-at", "-id")
