"""Reads of reflection periods and reminders. A period is visible to whoever may see its case."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from cases.models import CaseTeamMember
from cases.selectors import case_list_for_user
from cmm.permissions import has_role_permission
from reflection.models import CalendarToken, Notification, ReflectionPeriod


def period_list_for_user(
    *, user, perm: str = "reflection.view_reflectionperiod"
) -> QuerySet[ReflectionPeriod]:
    if not has_role_permission(user, perm):
        return ReflectionPeriod.objects.none()
    return ReflectionPeriod.objects.filter(
        case__in=case_list_for_user(user=user).values("pk")
    ).select_related("case", "case__contact_person", "case__organisation")


def period_get_for_user(
    *, user, period_id: int, perm: str = "reflection.view_reflectionperiod"
) -> ReflectionPeriod:
    return get_object_or_404(period_list_for_user(user=user, perm=perm), pk=period_id)


def running_periods_for_user(*, user, mine: bool = False, kind: str = "") -> QuerySet[ReflectionPeriod]:
    """The running periods the user may see, the nearest deadline first (postponed ones last)."""
    periods = period_list_for_user(user=user).filter(outcome="")
    if mine:
        on_team = CaseTeamMember.objects.filter(case=OuterRef("case"), user=user)
        periods = periods.filter(Q(case__contact_person=user) | Q(Exists(on_team)))
    if kind:
        periods = periods.filter(kind=kind)
    return periods.order_by(F("ends_on").asc(nulls_last=True), "id")


def periods_of_case(*, user, case) -> QuerySet[ReflectionPeriod]:
    return period_list_for_user(user=user).filter(case=case).prefetch_related("extensions", "postponements")


def notification_list_for_user(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related(
        "case", "period", "return_follow_up", "group_action__meeting__group"
    )


def unread_notification_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def calendar_token_get(*, token: str) -> CalendarToken:
    """The calendar of an active user with an active membership; anything else is not found."""
    calendar = CalendarToken.objects.select_related("user").filter(token=token).first()
    if calendar is None or not calendar.user.is_active or not calendar.user.memberships.active().exists():
        raise Http404
    return calendar


def calendar_periods_for_user(*, user) -> QuerySet[ReflectionPeriod]:
    """Running periods with a deadline on the cases where the user is contact person or on the team."""
    on_team = CaseTeamMember.objects.filter(case=OuterRef("case"), user=user)
    return (
        ReflectionPeriod.objects.filter(outcome="", ends_on__isnull=False, case__deleted_at__isnull=True)
        .filter(Q(case__contact_person=user) | Q(Exists(on_team)))
        .select_related("case")
        .order_by("ends_on")
    )
