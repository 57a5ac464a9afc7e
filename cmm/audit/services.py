"""Audit writes that other apps call with one line: a refused access to a case, a read of identifying data,
an export. Each is one `cmm.services.audit_record` under the organisation the user acts for."""

from __future__ import annotations

from django.db.models import Model

from cmm.models import AuditAction
from cmm.permissions import active_membership
from cmm.services import audit_record


def _acting_organisation(user):
    membership = active_membership(user)
    return membership.organisation if membership is not None else None


def access_refused_record(*, user, target: Model, target_label: str = "", detail: dict) -> None:
    """Record that `user` asked for `target` (a case, or the object a missing case was sought through) and
    was refused. `detail` names the route (url name, method, status), never the path or any value."""
    audit_record(
        actor=user,
        action=AuditAction.ACCESS_REFUSED,
        organisation=_acting_organisation(user),
        target=target,
        target_label=target_label or "—",
        detail=detail,
    )


def personal_data_read_record(*, user, case, what: str, fields: list[str], purpose: str) -> None:
    """Record that `user` was shown identifying data of `case`: `what` names the record ("personal_details",
    "identification_evidence"), `fields` the fields shown (names only), `purpose` the page or endpoint."""
    audit_record(
        actor=user,
        action=AuditAction.VIEWED,
        organisation=_acting_organisation(user),
        target=case,
        target_label=case.number,
        detail={"what": what, "fields": list(fields), "purpose": purpose},
    )


def _is_set(value) -> bool:
    if isinstance(value, list | tuple | set | dict):
        return bool(value)
    return value is not None and value != "" and value is not False


def export_record(*, user, what: str, fmt: str, filters: dict | None = None) -> None:
    """Record that `user` took `what` out of the system as a file of format `fmt`. `filters` names the
    filters applied (their keys, never free-text values that may identify someone)."""
    detail = {"what": what, "format": fmt}
    applied = sorted(key for key, value in (filters or {}).items() if _is_set(value))
    if applied:
        detail["filters"] = applied
    audit_record(
        actor=user,
        action=AuditAction.EXPORTED,
        organisation=_acting_organisation(user),
        target_label=what,
        detail=detail,
    )


def audit_log_view_record(*, user, filters: dict, page: int, purpose: str) -> None:
    """Record that `user` read a page of the audit log: reading who looked at whose file is itself looked at.
    `filters` holds the filters in use (user names, case numbers, addresses: no one's identifying details)."""
    audit_record(
        actor=user,
        action=AuditAction.VIEWED,
        organisation=_acting_organisation(user),
        target_label="audit log",
        detail={"what": "audit_log", "filters": filters, "page": page, "purpose": purpose},
    )


# The identifying text of a presentation's evidence and decisions (identification.models, encrypted at rest).
EVIDENCE_FIELDS = [
    "police_assessment.text",
    "identification_form.narrative",
    "attachment.name",
    "court_verdict.court",
    "decision.reasons",
]


def evidence_read_record(*, user, presentation, shown: bool, purpose: str) -> None:
    """Record that a presentation's identifying evidence (the police's reasons, the interview narratives and
    the documents' original names) was shown to `user`; nothing is recorded when it was hidden."""
    if shown:
        personal_data_read_record(
            user=user,
            case=presentation.case,
            what="identification_evidence",
            fields=EVIDENCE_FIELDS,
            purpose=purpose,
        )
