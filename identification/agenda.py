"""Identification agenda items (cmm.agenda): the open tasks of the user's organisation, the presentations
waiting for its decision (with their age in days) and, for CMM's coordinators, the overdue tasks of partners'
cases that CMM can see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext

from cases.selectors import case_list_for_user
from cmm.agenda import AgendaItem, AgendaScope, due_item, waiting_item
from cmm.models import Role
from cmm.permissions import active_membership, has_role_permission
from cmm.selectors import is_cmm
from identification.choices import TaskStatus
from identification.models import Decision, IdentificationTask
from identification.selectors import presentation_list_for_user, task_list_for_user, work_queue_for_user

VIEW_TASK = "identification.view_identificationtask"


def _task_item(task, *, scope: AgendaScope, kind: str, url: str, own: bool = False) -> AgendaItem:
    """A task; whose responsibility it is said unless it is the user's own organisation's."""
    return due_item(
        kind=kind,
        title=task.get_kind_display(),
        url=url,
        due_on=task.due_on,
        today=scope.today,
        case_id=task.case_id,
        case_number=task.case.number,
        detail="" if own else task.responsible_organisation.name,
    )


def task_items(*, user, scope: AgendaScope) -> list[AgendaItem]:
    """Open identification tasks of the user's organisation due by the horizon (overdue included); on the
    case page, every open task of the case, whoever is responsible."""
    if not has_role_permission(user, VIEW_TASK):
        return []
    if scope.case is not None:
        tasks = IdentificationTask.objects.filter(case=scope.case, status=TaskStatus.OPEN).select_related(
            "case", "responsible_organisation"
        )
    else:
        tasks = task_list_for_user(user=user).select_related("responsible_organisation")
        if scope.until is not None:
            tasks = tasks.filter(due_on__lte=scope.until)
    membership = active_membership(user)
    items = []
    for task in tasks.order_by("due_on", "id"):
        own = membership is not None and task.responsible_organisation_id == membership.organisation_id
        url = reverse("identification-tasks") if own else reverse("case-presentations", args=[task.case_id])
        items.append(_task_item(task, scope=scope, kind="identification_task", url=url, own=own))
    return items


def presentation_items(*, user, scope: AgendaScope) -> list[AgendaItem]:
    """Presentations waiting for a decision by the user's organisation, oldest first, with their age; on the
    case page, the case's presentations waiting for anyone's decision."""
    if scope.case is not None:
        decided = Decision.objects.filter(presentation=OuterRef("pk"))
        presentations = presentation_list_for_user(user=user).filter(case=scope.case).exclude(Exists(decided))
    else:
        presentations = work_queue_for_user(user=user)
    return [
        waiting_item(
            kind="presentation_waiting",
            title=gettext("Presentation waiting for a decision by %(authority)s")
            % {
                "authority": p.authority_organisation.name
                if p.authority_organisation
                else p.get_authority_display()
            },
            url=reverse("presentation-detail", args=[p.pk]),
            since=p.presented_on,
            today=scope.today,
            case_id=p.case_id,
            case_number=p.case.number,
        )
        for p in presentations
    ]


def partner_task_items(*, user, scope: AgendaScope) -> list[AgendaItem]:
    """For a CMM coordinator acting for CMM: the overdue open tasks of partners' cases that CMM can see (the
    partners' own responsibility; CMM's tasks are in task_items)."""
    membership = active_membership(user)
    if scope.case is not None or membership is None or membership.role != Role.COORDINATOR:
        return []
    if not is_cmm(membership.organisation) or not has_role_permission(user, VIEW_TASK):
        return []
    tasks = (
        IdentificationTask.objects.filter(
            case__in=case_list_for_user(user=user).values("pk"),
            status=TaskStatus.OPEN,
            due_on__lt=scope.today,
            case__anonymised_at__isnull=True,
        )
        .exclude(case__organisation_id=membership.organisation_id)
        .exclude(responsible_organisation_id=membership.organisation_id)
        .select_related("case", "responsible_organisation")
        .order_by("due_on", "id")
    )
    return [
        _task_item(
            task,
            scope=scope,
            kind="partner_task_overdue",
            url=reverse("case-presentations", args=[task.case_id]),
        )
        for task in tasks
    ]


def task_next_due(*, user):
    """The earliest open identification task of the outer case (a subquery for the case list)."""
    if not has_role_permission(user, VIEW_TASK):
        return None
    return (
        IdentificationTask.objects.filter(case=OuterRef("pk"), status=TaskStatus.OPEN)
        .order_by("due_on")
        .values("due_on")[:1]
    )
