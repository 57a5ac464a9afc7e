"""The case file's agenda items (cmm.agenda): action-plan reviews due and unaccompanied minors without a
personal representative on the user's cases; on the case page, the case's warnings. Also the case list's
"next deadline": the earliest date of every kind of deadline the settings list (CASE_DEADLINE_SOURCES),
worked out in the database with one subquery per kind."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import DateField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Least, NullIf
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from cases.choices import CaseStatus
from cases.models import ActionPlanReview, Case, CaseTeamMember, PersonalRepresentative
from cases.selectors import case_list_for_user, case_warnings
from cmm.agenda import AgendaItem, AgendaScope, Urgency, due_item
from cmm.permissions import has_role_permission

# Where each case warning is put right.
_WARNING_PAGES = {
    "contact_person_left": "case-team",
    "minor_without_representative": "case-minor",
    "representative_not_professional": "case-minor",
}


def mine(user, case_field: str = "case") -> Q:
    """The rows of cases the user follows: they are the contact person or on the case team."""
    prefix = f"{case_field}__" if case_field else ""
    on_team = CaseTeamMember.objects.filter(case=OuterRef(case_field or "pk"), user=user)
    return Q(**{f"{prefix}contact_person": user}) | Q(Exists(on_team))


def my_open_cases(*, user) -> QuerySet[Case]:
    """The open cases the user may see and follows (contact person or on the team), not erased."""
    return (
        case_list_for_user(user=user)
        .filter(mine(user, case_field=""))
        .exclude(status=CaseStatus.CLOSED)
        .filter(anonymised_at__isnull=True)
    )


def plan_review_items(*, user, scope: AgendaScope) -> list[AgendaItem]:
    """Action-plan reviews not held yet, due by the horizon (overdue ones included), on the user's open cases
    (or on the one case)."""
    if not has_role_permission(user, "cases.view_case"):
        return []
    cases = Case.objects.filter(pk=scope.case.pk) if scope.case is not None else my_open_cases(user=user)
    reviews = ActionPlanReview.objects.filter(case__in=cases.values("pk"), held=False).select_related("case")
    if scope.until is not None:
        reviews = reviews.filter(review_on__lte=scope.until)
    return [
        due_item(
            kind="plan_review",
            title=gettext("Review of the action plan"),
            url=reverse("case-plan", args=[review.case_id]),
            due_on=review.review_on,
            today=scope.today,
            case_id=review.case_id,
            case_number=review.case.number,
        )
        for review in reviews.order_by("review_on", "id")
    ]


def minor_items(*, user, scope: AgendaScope) -> list[AgendaItem]:
    """Home: the user's unaccompanied minors without a personal representative. The case page: the case's
    warnings (the same rule for a minor, plus a contact person who left and a representative who must be a
    professional)."""
    if not has_role_permission(user, "cases.view_case"):
        return []
    if scope.case is not None:
        case = scope.case
        return [
            AgendaItem(
                kind=warning.code,
                title=warning.message,
                url=reverse(_WARNING_PAGES.get(warning.code, "case-detail"), args=[case.pk]),
                case_id=case.pk,
                case_number=case.number,
            )
            for warning in case_warnings(case=case)
        ]
    current = PersonalRepresentative.objects.filter(case=OuterRef("pk"), ended_on__isnull=True)
    cases = my_open_cases(user=user).filter(unaccompanied_minor=True).exclude(Exists(current))
    # The age is counted on from the age at opening (Case.is_minor): checked on the few rows found.
    return [
        AgendaItem(
            kind="minor_without_representative",
            title=gettext("Unaccompanied minor without a personal representative"),
            url=reverse("case-minor", args=[case.pk]),
            urgency=Urgency.ATTENTION,
            case_id=case.pk,
            case_number=case.number,
        )
        for case in cases.order_by("opened_on", "id")
        if case.is_minor
    ]


def plan_review_next_due(*, user):
    """The earliest action-plan review not held yet of the outer case (a subquery for the case list)."""
    return (
        ActionPlanReview.objects.filter(case=OuterRef("pk"), held=False)
        .order_by("review_on")
        .values("review_on")[:1]
    )


# A date after every real one: LEAST ignores NULLs on PostgreSQL but not on SQLite, so each part is
# coalesced to it and the result turned back into NULL.
_NEVER = datetime.date(9999, 12, 31)


def case_list_with_next_deadline(queryset: QuerySet[Case], *, user) -> QuerySet[Case]:
    """Annotate `next_deadline` on the cases: the earliest deadline of each kind that the user's role may
    see (CASE_DEADLINE_SOURCES, one subquery each), NULL when there is none."""
    parts = []
    for dotted in settings.CASE_DEADLINE_SOURCES:
        subquery = import_string(dotted)(user=user)
        if subquery is not None:
            parts.append(Coalesce(Subquery(subquery), Value(_NEVER), output_field=DateField()))
    if not parts:
        return queryset.annotate(next_deadline=Value(None, output_field=DateField()))
    earliest = parts[0] if len(parts) == 1 else Least(*parts, output_field=DateField())
    return queryset.annotate(next_deadline=NullIf(earliest, Value(_NEVER), output_field=DateField()))
