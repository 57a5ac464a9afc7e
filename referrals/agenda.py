"""Referral and return agenda items (cmm.agenda): referrals waiting for the user's organisation's answer,
return follow-ups due on the user's cases, the next step of a case's return plan, and the referral-group
follow-up actions due (all of them for CMM's coordinators, who run the groups; their own for the others:
those they represent the owner in, and those of their organisation without a representative)."""

from __future__ import annotations

from django.db.models import OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from cases.agenda import mine
from cmm.agenda import AgendaItem, AgendaScope, due_item, waiting_item
from cmm.models import Role
from cmm.permissions import active_membership, has_role_permission
from referrals.choices import ACTIVE_RETURN_STATUSES, ReferralStatus, ReturnStatus
from referrals.models import ReturnFollowUp
from referrals.selectors.groups import action_list_for_user, can_manage_groups
from referrals.selectors.referrals import referrals_incoming_for_user, referrals_of_case
from referrals.selectors.returns import return_plan_list_for_user

VIEW_RETURN = "referrals.view_returnplan"


def referral_items(*, user, scope: AgendaScope) -> list[AgendaItem]:
    """Referrals sent to the user's organisation and waiting for its answer, the oldest first; on the case
    page, the case's pending referrals either way."""
    membership = active_membership(user)
    if membership is None:
        return []
    if scope.case is not None:
        referrals = referrals_of_case(user=user, case=scope.case).filter(status=ReferralStatus.PENDING)
    else:
        referrals = referrals_incoming_for_user(user=user, status=ReferralStatus.PENDING)
    items = []
    for referral in referrals:
        incoming = referral.to_organisation_id == membership.organisation_id
        if incoming:
            title = gettext("Referral from %(organisation)s waiting for your answer: %(reason)s")
            organisation = referral.from_organisation.name
        else:
            title = gettext("Referral to %(organisation)s waiting for an answer: %(reason)s")
            organisation = referral.to_organisation.name
        items.append(
            waiting_item(
                kind="referral_waiting",
                title=title % {"organisation": organisation, "reason": referral.get_reason_display()},
                url=reverse("referral-detail", args=[referral.pk]),
                since=timezone.localdate(referral.sent_at),
                today=scope.today,
                case_id=referral.case_id,
                case_number=referral.case.number,
            )
        )
    return items


def return_items(*, user, scope: AgendaScope) -> list[AgendaItem]:
    """Return follow-ups not done yet on the user's cases due by the horizon (overdue included); on the case
    page, also the next step of the plan in progress."""
    if not has_role_permission(user, VIEW_RETURN):
        return []
    plans = return_plan_list_for_user(user=user)
    plans = plans.filter(case=scope.case) if scope.case is not None else plans.filter(mine(user))
    follow_ups = ReturnFollowUp.objects.filter(
        plan__in=plans.values("pk"), done_on__isnull=True, plan__status__in=ACTIVE_RETURN_STATUSES
    ).select_related("plan__case")
    if scope.until is not None:
        follow_ups = follow_ups.filter(due_on__lte=scope.until)
    items = [
        due_item(
            kind="return_follow_up",
            title=gettext("Return follow-up: %(milestone)s")
            % {"milestone": follow_up.get_milestone_display()},
            url=reverse("return-plan-detail", args=[follow_up.plan_id]),
            due_on=follow_up.due_on,
            today=scope.today,
            case_id=follow_up.plan.case_id,
            case_number=follow_up.plan.case.number,
        )
        for follow_up in follow_ups.order_by("due_on", "id")
    ]
    if scope.case is not None:
        plan = plans.filter(
            status__in=[ReturnStatus.DRAFT, ReturnStatus.SENT_TO_IOM, ReturnStatus.APPROVED]
        ).first()
        if plan is not None:
            items.append(_next_step(plan, scope=scope))
    return items


def _next_step(plan, *, scope: AgendaScope) -> AgendaItem:
    """The return plan's next step before departure."""
    common = {
        "kind": "return_next_step",
        "url": reverse("return-plan-detail", args=[plan.pk]),
        "case_id": plan.case_id,
        "case_number": plan.case.number,
    }
    if plan.status == ReturnStatus.DRAFT:
        return AgendaItem(title=gettext("Return plan drafted: next step is sending it to IOM"), **common)
    if plan.status == ReturnStatus.SENT_TO_IOM:
        return AgendaItem(title=gettext("Return plan sent to IOM: waiting for approval"), **common)
    if plan.planned_departure_on:
        return due_item(
            title=gettext("Return approved: planned departure"),
            due_on=plan.planned_departure_on,
            today=scope.today,
            **common,
        )
    return AgendaItem(title=gettext("Return approved: set the planned departure"), **common)


def group_action_items(*, user, scope: AgendaScope) -> list[AgendaItem]:
    """Referral-group follow-up actions not done, due by the horizon (overdue included): all of the groups
    for CMM's coordinators, else those owned by the user's organisation or by the user as its
    representative."""
    membership = active_membership(user)
    if scope.case is not None or membership is None:
        return []
    actions = action_list_for_user(user=user).filter(done_on__isnull=True)
    if not can_manage_groups(user):
        # The owner's representative; an action owned by the organisation without one is the organisation's
        # caseworkers' and coordinators' (the other roles are told only of what is theirs by name).
        owners = Q(owner__user=user)
        if membership.role in (Role.CASEWORKER, Role.COORDINATOR):
            owners |= Q(owner__user__isnull=True, owner__organisation_id=membership.organisation_id)
        actions = actions.filter(owners, owner__is_active=True)
    if scope.until is not None:
        actions = actions.filter(due_on__lte=scope.until)
    return [
        due_item(
            kind="group_action",
            title=gettext("Follow-up action of %(group)s") % {"group": action.meeting.group.name},
            url=reverse("referral-group-meeting-detail", args=[action.meeting_id]),
            due_on=action.due_on,
            today=scope.today,
        )
        for action in actions.order_by("due_on", "id")
    ]


def follow_up_next_due(*, user):
    """The earliest open return follow-up of the outer case (a subquery for the case list)."""
    if not has_role_permission(user, VIEW_RETURN):
        return None
    return (
        ReturnFollowUp.objects.filter(
            plan__case=OuterRef("pk"), done_on__isnull=True, plan__status__in=ACTIVE_RETURN_STATUSES
        )
        .order_by("due_on")
        .values("due_on")[:1]
    )
