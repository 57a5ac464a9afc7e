"""Reads of reflection periods and reminders. A period is visible to whoever may see its case."""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.conf import settings
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404

from cases.models import CaseTeamMember
from cases.selectors import case_list_for_user
from cmm.models import Membership
from cmm.permissions import has_role_permission
from reflection.dates import STANDARD_DAYS
from reflection.models import CalendarToken, Extension, Notification, ReflectionPeriod


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
    """The running periods the user may see, the nearest deadline first (postponed ones last). A period of a
    case whose personal data was erased is not followed any more (nobody is reminded of it either)."""
    periods = period_list_for_user(user=user).filter(outcome="", case__anonymised_at__isnull=True)
    if mine:
        on_team = CaseTeamMember.objects.filter(case=OuterRef("case"), user=user)
        periods = periods.filter(Q(case__contact_person=user) | Q(Exists(on_team)))
    if kind:
        periods = periods.filter(kind=kind)
    return periods.order_by(F("ends_on").asc(nulls_last=True), "id")


def periods_of_case(*, user, case) -> QuerySet[ReflectionPeriod]:
    return period_list_for_user(user=user).filter(case=case).prefetch_related("extensions", "postponements")


def _of_active_organisations(user) -> Q:
    """Reminders about the work of an organisation the user is an active member of now (a subquery, not a
    list): a case's by the case's organisation; a referral-group action's by the organisation of the member
    that owns it, or the meeting's creator's when they were reminded in the owner's place. Someone who left
    an organisation no longer sees what they were reminded of about its cases."""
    organisations = Membership.objects.active().filter(user=user).values("organisation_id")
    return Q(case__isnull=False, case__organisation_id__in=organisations) | Q(case__isnull=True) & (
        Q(group_action__owner__organisation_id__in=organisations)
        | Q(group_action__owner__organisation__isnull=True)
        | Q(group_action__meeting__created_by=user)
    )


def notification_list_for_user(*, user) -> QuerySet[Notification]:
    """The user's reminders about the work of the organisations they are an active member of."""
    return (
        Notification.objects.filter(recipient=user)
        .filter(_of_active_organisations(user))
        .select_related("case", "period", "return_follow_up", "group_action__meeting__group")
    )


def unread_notification_count(*, user) -> int:
    """How many of notification_list_for_user are unread (the bell in the top bar)."""
    if not user.is_authenticated:
        return 0
    return (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .filter(_of_active_organisations(user))
        .count()
    )


def calendar_token_get(*, token: str) -> CalendarToken:
    """The calendar of an active user with an active membership; anything else is not found."""
    calendar = CalendarToken.objects.select_related("user").filter(token=token).first()
    if calendar is None or not calendar.user.is_active or not calendar.user.memberships.active().exists():
        raise Http404
    return calendar


def calendar_periods_for_user(*, user) -> QuerySet[ReflectionPeriod]:
    """Running periods with a deadline on the cases where the user is contact person or on the team, of the
    organisations they are an active member of (someone who left one no longer sees its deadlines)."""
    on_team = CaseTeamMember.objects.filter(case=OuterRef("case"), user=user)
    organisations = Membership.objects.active().filter(user=user).values("organisation_id")
    return (
        ReflectionPeriod.objects.filter(
            outcome="", ends_on__isnull=False, case__deleted_at__isnull=True, case__anonymised_at__isnull=True
        )
        .filter(case__organisation_id__in=organisations)
        .filter(Q(case__contact_person=user) | Q(Exists(on_team)))
        .select_related("case")
        .order_by("ends_on")
    )


# --- The deadline scan ---------------------------------------------------------------------------------


class DueReminder(NamedTuple):
    """One reminder the deadline scan owes today: one milestone of one period, to one person."""

    period_id: int
    case_id: int
    case_number: str
    ends_on: datetime.date
    milestone: str
    recipient_id: int
    email: str
    days_left: int


def milestone_reached(today: datetime.date) -> Case:
    """The milestone a running period has reached today, as an SQL expression over its deadline (NULL when
    none): the nearest of REFLECTION_MILESTONES days before the deadline (a missed one is caught up),
    "consider_extension" for an unextended 30-day period within REFLECTION_CONSIDER_EXTENSION_DAYS unless a
    nearer milestone is reached, and once a day "expired:<date>" after the deadline without an outcome."""
    consider = settings.REFLECTION_CONSIDER_EXTENSION_DAYS
    milestones = sorted(set(settings.REFLECTION_MILESTONES))

    def by(days: int) -> datetime.date:
        return today + datetime.timedelta(days=days)

    unextended = Q(total_days=STANDARD_DAYS) & ~Exists(Extension.objects.filter(period=OuterRef("pk")))
    whens = [When(ends_on__lt=today, then=Value(f"expired:{today.isoformat()}"))]
    whens += [When(ends_on__lte=by(m), then=Value(f"d{m}")) for m in milestones if m <= consider]
    whens.append(When(unextended & Q(ends_on__lte=by(consider)), then=Value("consider_extension")))
    whens += [When(ends_on__lte=by(m), then=Value(f"d{m}")) for m in milestones if m > consider]
    return Case(*whens, default=None, output_field=CharField())


def reminders_due(*, today: datetime.date) -> list[DueReminder]:
    """The reminders the deadline scan owes today and has not sent yet, in two queries: for each running
    period of a case not deleted whose deadline has reached a milestone, its contact person and case team
    who are active users and active members of the case's organisation (someone who has left it is not told
    about the case any more), less those already reminded of that milestone of that same deadline. A
    postponed period has no deadline and is not reminded; periods beyond the furthest milestone are never
    read.

    The memberships are read apart (all active ones: as many as there are users, whatever the number of
    cases): checked inside the query, they made PostgreSQL start from every case team member of the country
    instead of from the few thousand periods near a deadline (140 ms instead of 30 ms at national scale)."""
    furthest = max([*settings.REFLECTION_MILESTONES, settings.REFLECTION_CONSIDER_EXTENSION_DAYS])
    periods = ReflectionPeriod.objects.filter(
        outcome="",
        ends_on__isnull=False,
        ends_on__lte=today + datetime.timedelta(days=furthest),
        case__deleted_at__isnull=True,
        case__anonymised_at__isnull=True,  # erased on the person's request: nobody follows it any more
    ).annotate(milestone=milestone_reached(today))
    if max(settings.REFLECTION_MILESTONES, default=-1) < settings.REFLECTION_CONSIDER_EXTENSION_DAYS:
        # Only then can a period within the furthest milestone have none (an extended one between the
        # last milestone and the consider-extension day); the planner cannot estimate this condition.
        periods = periods.filter(milestone__isnull=False)

    def to(person: str):
        # Sent for this deadline: the deadline is part of a reminder's key, so one that moved (extension,
        # lift, correction) has its milestones reminded again.
        sent = Notification.objects.filter(
            period_id=OuterRef("pk"),
            deadline=OuterRef("ends_on"),
            milestone=OuterRef("milestone"),
            recipient_id=OuterRef("recipient_id"),
        )
        return (
            # Annotated, not filtered: a filter() across the team would join it a second time.
            periods.annotate(
                recipient_id=F(f"{person}_id"), email=F(f"{person}__email"), active=F(f"{person}__is_active")
            )
            .filter(active=True)
            .exclude(Exists(sent))
            .order_by()
            .values_list(
                "pk",
                "case_id",
                "case__number",
                "ends_on",
                "milestone",
                "recipient_id",
                "email",
                "case__organisation_id",
            )
        )

    members = set(Membership.objects.active().values_list("organisation_id", "user_id"))
    # UNION drops the contact person's second row when they are on the team as well.
    rows = to("case__team__user").union(to("case__contact_person"))
    return sorted(
        DueReminder(*row[:7], days_left=(row[3] - today).days) for row in rows if (row[7], row[5]) in members
    )
