"""Reads of prepared-return plans. A plan is visible to whoever may see its case and whose role carries the
permission; the detail getters are the list query plus the id, so "missing" and "not yours" are both 404."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Min, Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.shortcuts import get_object_or_404

from cases.models import Case, PersonalRepresentative
from cases.selectors import case_list_for_user
from cmm.permissions import has_role_permission
from referrals.choices import ACTIVE_RETURN_STATUSES, ComponentStatus
from referrals.models import ReintegrationComponent, ReturnFollowUp, ReturnPlan, ReturnStatusChange

VIEW = "referrals.view_returnplan"
CENTS = Decimal("0.01")


def return_plan_list_for_user(*, user, perm: str = VIEW) -> QuerySet[ReturnPlan]:
    """The plans of the cases the user may see, when the role they act under carries `perm`."""
    if not has_role_permission(user, perm):
        return ReturnPlan.objects.none()
    return ReturnPlan.objects.filter(case__in=case_list_for_user(user=user).values("pk")).select_related(
        "case", "case__organisation", "case__contact_person", "representative"
    )


def return_plan_get_for_user(*, user, plan_id: int, perm: str = VIEW) -> ReturnPlan:
    return get_object_or_404(return_plan_list_for_user(user=user, perm=perm), pk=plan_id)


def return_plan_overview_for_user(
    *, user, status: str = "", body: str = "", country: str = "", case_id: int | None = None
) -> QuerySet[ReturnPlan]:
    """The plans for a list, newest first, filtered, each with the due date of its next open follow-up
    (worked out in the database)."""
    plans = return_plan_list_for_user(user=user)
    if status:
        plans = plans.filter(status=status)
    if body:
        plans = plans.filter(responsible_body=body)
    if country:
        plans = plans.filter(destination_country=country)
    if case_id is not None:
        plans = plans.filter(case_id=case_id)
    return plans.annotate(
        next_follow_up_on=Min("follow_ups__due_on", filter=Q(follow_ups__done_on__isnull=True)),
    ).order_by("-created_at", "-id")


def return_plans_of_case(*, user, case: Case) -> QuerySet[ReturnPlan]:
    """A case's plans (the one in progress first, then the newest), with what the case page shows."""
    return (
        return_plan_list_for_user(user=user)
        .filter(case=case)
        .prefetch_related("components", "follow_ups")
        .order_by("-created_at", "-id")
    )


def return_plan_in_progress(*, user, case: Case) -> ReturnPlan | None:
    return return_plan_list_for_user(user=user).filter(case=case, status__in=ACTIVE_RETURN_STATUSES).first()


def return_plan_of_case_for_user(*, user, case: Case) -> ReturnPlan | None:
    """The case's plan in progress, else its newest plan (the reflection page links to it)."""
    plans = return_plan_list_for_user(user=user).filter(case=case)
    in_progress = plans.filter(status__in=ACTIVE_RETURN_STATUSES).first()
    return in_progress or plans.order_by("-created_at", "-id").first()


def return_plan_detail(*, plan: ReturnPlan) -> ReturnPlan:
    """Load what the plan's page and detail endpoint show, one query each."""
    prefetch_related_objects(
        [plan],
        Prefetch("components", queryset=ReintegrationComponent.objects.order_by("kind")),
        Prefetch("follow_ups", queryset=ReturnFollowUp.objects.select_related("recorded_by")),
        # In the order of the steps (a plan drafted late may record earlier-dated steps after its draft).
        Prefetch(
            "status_changes",
            queryset=ReturnStatusChange.objects.select_related("changed_by").order_by("recorded_at", "id"),
        ),
    )
    return plan


def component_totals(*, plan: ReturnPlan) -> list[dict]:
    """The budget of the plan's components per currency, cancelled components left out (summed in the
    database): [{"currency": "DKK", "total": Decimal(...)}, ...]."""
    rows = (
        plan.components.exclude(status=ComponentStatus.CANCELLED)
        .values("currency")
        .annotate(total=Sum("budget_amount"))
        .order_by("currency")
    )
    # SQLite's sum drops trailing zeros (2000.5); amounts are shown with their two decimals.
    return [{"currency": row["currency"], "total": Decimal(row["total"]).quantize(CENTS)} for row in rows]


def component_get_for_user(
    *, user, plan_id: int, component_id: int, perm: str = VIEW
) -> ReintegrationComponent:
    # By the plan's own primary key, not plan_id=: see follow_up_get_for_user.
    plans = return_plan_list_for_user(user=user, perm=perm).filter(pk=plan_id)
    return get_object_or_404(
        ReintegrationComponent.objects.select_related("plan__case"),
        plan__in=plans,
        pk=component_id,
    )


def follow_up_get_for_user(*, user, plan_id: int, follow_up_id: int, perm: str = VIEW) -> ReturnFollowUp:
    # The plan through its own primary key: Django turns an id beyond the column's range into "no match"
    # there, while `plan_id=<huge>` reached the database (OverflowError on SQLite, DataError on PostgreSQL).
    plans = return_plan_list_for_user(user=user, perm=perm).filter(pk=plan_id)
    return get_object_or_404(
        ReturnFollowUp.objects.select_related("plan__case"), plan__in=plans, pk=follow_up_id
    )


def representatives_of_plan(*, plan: ReturnPlan) -> QuerySet[PersonalRepresentative]:
    """The case's personal representatives, the current ones first (whose involvement can be recorded)."""
    return PersonalRepresentative.objects.filter(case_id=plan.case_id).order_by("-appointed_on", "-id")


def running_period_of_case(*, user, case: Case):
    """The case's running reflection period, if the user may see it (the plan page shows its deadline)."""
    from reflection.selectors import period_list_for_user

    return period_list_for_user(user=user).filter(case=case, outcome="").first()
