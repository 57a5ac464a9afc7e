"""The audit viewer: the log, newest first, filtered and paged, for roles that carry cmm.view_auditevent.

Other roles get 403, as on the other role-gated pages (members). Each page view is itself audited.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.decorators.cache import never_cache

from cmm.audit.filters import AuditEventFilter
from cmm.audit.selectors import audit_event_list_for_user, can_view_audit_log
from cmm.audit.services import audit_log_view_record

PAGE_SIZE = 50


def type_label(content_type) -> str:
    """The translated name of an event's object type ("Case", "Sag"), or "" for none."""
    model = content_type.model_class() if content_type is not None else None
    return capfirst(model._meta.verbose_name) if model is not None else ""


# The keys the services write into an event's detail, named for the reader; an unknown key shows as is.
DETAIL_LABELS = {
    "what": _lazy("What"),
    "fields": _lazy("Fields"),
    "purpose": _lazy("Purpose"),
    "path_name": _lazy("Page"),
    "method": _lazy("Method"),
    "status": _lazy("Answer"),
    "reason": _lazy("Reason"),
    "counts": _lazy("Counts"),
    "filters": _lazy("Filters"),
    "page": _lazy("Page number"),
    "step": _lazy("Step"),
    "role": _lazy("Role"),
    "is_active": _lazy("Active"),
    "emails_cancelled": _lazy("E-mails cancelled"),
    "report": _lazy("Report"),
    "job": _lazy("Job"),
    "language": _lazy("Language"),
    "medium": _lazy("Medium"),
    "referral": _lazy("Referral"),
    "import": _lazy("Import"),
    "rows": _lazy("Rows"),
    "scheduled": _lazy("Scheduled"),
    "throttled": _lazy("Throttled"),
    "request": _lazy("Request"),
    "format": _lazy("Format"),
    "organisation": _lazy("Organisation"),
    "designation": _lazy("Designation"),
    "period": _lazy("Period"),
    "records": _lazy("Records"),
    "dropped": _lazy("Left out"),
    "k": _lazy("Smallest group (k)"),
    "suppressed": _lazy("Suppressed"),
}


def detail_items(detail: dict) -> list[tuple[str, str]]:
    """An event's detail as (label, text) pairs for a key: value list; lists are joined, dicts flattened."""
    items = []
    for key, value in (detail or {}).items():
        if isinstance(value, list | tuple):
            text = ", ".join(str(v) for v in value) or "—"
        elif isinstance(value, dict):
            text = "; ".join(f"{k}: {v}" for k, v in value.items()) or "—"
        else:
            text = str(value)
        items.append((str(DETAIL_LABELS.get(key, key)), text))
    return items


@method_decorator(never_cache, name="dispatch")
class AuditEventListView(LoginRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_view_audit_log(user=request.user):
            raise PermissionDenied(_("Only a CMM coordinator can read the audit log."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        filterset = AuditEventFilter(request.GET, queryset=audit_event_list_for_user(user=request.user))
        valid = filterset.is_valid()
        events = filterset.qs if valid else filterset.queryset.none()
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        audit_log_view_record(
            user=request.user, filters=filterset.applied(), page=page.number, purpose="page"
        )
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "cmm/audit_event_list.html",
            {
                "page": page,
                "rows": [
                    (event, type_label(event.target_type), detail_items(event.detail)) for event in page
                ],
                "filter": filterset,
                "query_string": query.urlencode(),
                "filters_invalid": not valid,
            },
            status=200 if valid else 400,
        )
