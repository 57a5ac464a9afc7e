"""Open the audit context of every request and record each refused access to a case.

A refusal is recorded here, in one place for pages and API alike (DRF turns Http404 and PermissionDenied
into responses, so only the status is common to both): an authenticated user's request that ends in 403 or
404 on a URL that names a case (``case_id``/``case_pk``, the ``pk`` of the case pages and endpoints) or an
object that belongs to one (a presentation, a reflection period, a referral, a return plan, a report job).
The selectors stay reads, success paths cost no query, and the refusal is committed although the answer is
an error (requests are not atomic; even with ATOMIC_REQUESTS the view's transaction ends before this runs).
A refusal the request's own service already recorded (personal details refused to a non-team member) is not
recorded twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from cmm.audit.context import AuditContext, audit_context
from cmm.audit.services import access_refused_record
from cmm.views import client_ip

REFUSED_STATUSES = frozenset({403, 404})
CASE_KWARGS = ("case_id", "case_pk")
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class CaseRoute:
    """URLs whose name matches `pattern` carry in ``pk`` the id of a `model` row that belongs to a case
    (through `case_field`); `model` None: ``pk`` is the case's own id."""

    pattern: re.Pattern
    model: str | None = None
    case_field: str = "case_id"


# The first match wins. A new app with case-bound URLs adds its line here.
CASE_ROUTES = (
    CaseRoute(re.compile(r"^(api-)?case-")),
    CaseRoute(re.compile(r"^(api-)?identification-task"), "identification.IdentificationTask"),
    CaseRoute(
        re.compile(
            r"^(presentation-|police-assessment-|identification-form-|attachment-|verdict-|decision-"
            r"|api-identification-)"
        ),
        "identification.Presentation",
    ),
    CaseRoute(re.compile(r"^(api-)?reflection-"), "reflection.ReflectionPeriod"),
    CaseRoute(re.compile(r"^(api-)?referral-(?!group)"), "referrals.Referral"),
    CaseRoute(re.compile(r"^(api-)?return-"), "referrals.ReturnPlan"),
    CaseRoute(re.compile(r"^(reports-job-|api-report-job-)"), "reports.ReportJob"),
)


@dataclass(frozen=True)
class Sought:
    target: object  # an unsaved stand-in with the pk: the case, or the object of a missing one
    label: str
    via: str = ""


def _valid_id(value) -> bool:
    return isinstance(value, int) and 0 <= value <= MAX_ID


def _case(case_id: int, via: str = "") -> Sought:
    case_model = apps.get_model("cases", "Case")
    numbers = list(case_model._base_manager.filter(pk=case_id).values_list("number", flat=True)[:1])
    return Sought(case_model(pk=case_id), numbers[0] if numbers else "", via)


def sought_case(url_name: str, kwargs: dict) -> Sought | None:
    """The case a URL asks for (one query, two for an object under a case), or None if it names none."""
    for name in CASE_KWARGS:
        if name in kwargs:
            return _case(kwargs[name]) if _valid_id(kwargs[name]) else None
    pk = kwargs.get("pk")
    if not _valid_id(pk):
        return None
    route = next((r for r in CASE_ROUTES if r.pattern.match(url_name)), None)
    if route is None:
        return None
    if route.model is None:
        return _case(pk)
    model = apps.get_model(route.model)
    via = f"{model._meta.label_lower}:{pk}"
    rows = list(model._base_manager.filter(pk=pk).values_list(route.case_field, flat=True)[:1])
    if not rows:
        return Sought(model(pk=pk), "", via)
    if rows[0] is None:  # e.g. a statistics report job: no case involved
        return None
    return _case(rows[0], via)


def _record_refusal(request, response, context: AuditContext) -> None:
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    if user is None or not user.is_authenticated or match is None or not match.url_name:
        return
    sought = sought_case(match.url_name, match.kwargs)
    if sought is None:
        return
    key = (ContentType.objects.get_for_model(sought.target).pk, str(sought.target.pk))
    if key in context.refused:
        return
    detail = {"path_name": match.url_name, "method": request.method, "status": response.status_code}
    if sought.via:
        detail["via"] = sought.via
    access_refused_record(user=user, target=sought.target, target_label=sought.label, detail=detail)


class AuditMiddleware:
    """Give the request's audit events its client address, and record a refused access to a case."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_context(ip_address=client_ip(request)) as context:
            response = self.get_response(request)
            if response.status_code in REFUSED_STATUSES:
                _record_refusal(request, response, context)
        return response
