"""The request an audit event is written in.

The middleware opens a context per request; `cmm.services.audit_record` takes the client address from it
when the caller gives none, and notes which refusals the request already recorded, so that the refusal
middleware does not record the same refusal twice. Outside a request (tasks, commands) there is no context.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class AuditContext:
    ip_address: str | None = None
    # (content type id, object id) of every ACCESS_REFUSED event written during the request.
    refused: set[tuple[int | None, str]] = field(default_factory=set)


_current: ContextVar[AuditContext | None] = ContextVar("cmm_audit_context", default=None)


def current_audit_context() -> AuditContext | None:
    """Return the context of the request being answered, or None outside a request."""
    return _current.get()


@contextmanager
def audit_context(*, ip_address: str | None) -> Iterator[AuditContext]:
    """Open the audit context of one request; it ends (and is forgotten) with the block."""
    context = AuditContext(ip_address=ip_address)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
