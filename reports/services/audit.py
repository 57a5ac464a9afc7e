"""The audit entry of everything that takes figures or a person's file out of the system."""

from __future__ import annotations

from cmm.models import AuditAction
from cmm.permissions import active_membership
from cmm.services import audit_record


def report_audit(
    *,
    user,
    target_label: str,
    detail: dict,
    action: str = AuditAction.EXPORTED,
    organisation=None,
    target=None,
) -> None:
    """Record an export, a report asked for or downloaded, under `organisation` (by default the one the user
    acts for). Call it inside the transaction of the work; `detail` names what went out, never its content."""
    if organisation is None:
        membership = active_membership(user)
        organisation = membership.organisation if membership else None
    audit_record(
        actor=user,
        action=action,
        organisation=organisation,
        target=target,
        target_label=target_label,
        detail=detail,
    )
