"""Reflection-period agenda items (cmm.agenda): the running periods of the user's cases whose deadline is
within the horizon or past, with "consider an extension" when it is due; on the case page, the case's running
period whatever its date (or that it is postponed)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext

from cmm.agenda import AgendaItem, AgendaScope, due_item
from cmm.permissions import has_role_permission
from reflection.dates import MAX_DAYS, STANDARD_DAYS
from reflection.models import Extension, ReflectionPeriod
from reflection.selectors import running_periods_for_user

VIEW = "reflection.view_reflectionperiod"


def consider_extension(period, *, days_left: int) -> bool:
    """Tell whether to suggest an extension: an unextended standard period within
    REFLECTION_CONSIDER_EXTENSION_DAYS of its deadline (the reminders' "consider_extension" milestone)."""
    return (
        not period.extended
        and period.total_days == STANDARD_DAYS
        and period.total_days < MAX_DAYS
        and 0 <= days_left <= settings.REFLECTION_CONSIDER_EXTENSION_DAYS
    )


def deadline_items(*, user, scope: AgendaScope) -> list[AgendaItem]:
    """The running periods of the cases the user follows ending by the horizon (or past their deadline
    without an outcome), or the running period of the one case."""
    if not has_role_permission(user, VIEW):
        return []
    if scope.case is not None:
        periods = running_periods_for_user(user=user).filter(case=scope.case)
    else:
        periods = running_periods_for_user(user=user, mine=True).filter(ends_on__isnull=False)
        if scope.until is not None:
            periods = periods.filter(ends_on__lte=scope.until)
    periods = periods.annotate(extended=Exists(Extension.objects.filter(period=OuterRef("pk"))))
    items = []
    for period in periods:
        url = reverse("case-reflection", args=[period.case_id])
        common = {"case_id": period.case_id, "case_number": period.case.number, "url": url}
        if period.ends_on is None:
            items.append(
                AgendaItem(
                    kind="reflection_postponed",
                    title=gettext("Reflection period postponed: no deadline runs"),
                    **common,
                )
            )
            continue
        days_left = (period.ends_on - scope.today).days
        if days_left < 0:
            title = gettext("Reflection period ended without an outcome")
        else:
            title = gettext("Reflection period of %(days)s days ends") % {"days": period.total_days}
        detail = gettext("Consider an extension") if consider_extension(period, days_left=days_left) else ""
        items.append(
            due_item(
                kind="reflection_deadline",
                title=title,
                due_on=period.ends_on,
                today=scope.today,
                detail=detail,
                **common,
            )
        )
    return items


def deadline_next_due(*, user):
    """The running period's deadline of the outer case (a subquery for the case list), for roles that see
    reflection periods."""
    if not has_role_permission(user, VIEW):
        return None
    return ReflectionPeriod.objects.filter(case=OuterRef("pk"), outcome="", ends_on__isnull=False).values(
        "ends_on"
    )[:1]
