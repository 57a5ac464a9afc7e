"""Reads of identification. A presentation is visible to whoever may see its case (the deciding authority
is given access to the case when it is presented)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from cases.selectors import case_list_for_user
from cmm.permissions import active_membership, has_role_permission
from identification.choices import TaskStatus
from identification.models import Attachment, Decision, IdentificationForm, IdentificationTask, Presentation


def presentation_list_for_user(
    *, user, perm: str = "identification.view_presentation"
) -> QuerySet[Presentation]:
    if not has_role_permission(user, perm):
        return Presentation.objects.none()
    return Presentation.objects.filter(case__in=case_list_for_user(user=user).values("pk")).select_related(
        "case", "case__organisation", "authority_organisation"
    )


def presentation_get_for_user(
    *, user, presentation_id: int, perm: str = "identification.view_presentation"
) -> Presentation:
    return get_object_or_404(presentation_list_for_user(user=user, perm=perm), pk=presentation_id)


def presentations_of_case(*, user, case) -> QuerySet[Presentation]:
    return presentation_list_for_user(user=user).filter(case=case).prefetch_related("decisions")


def work_queue_for_user(*, user) -> QuerySet[Presentation]:
    """Presentations waiting for a decision by the user's organisation, oldest first."""
    membership = active_membership(user)
    if membership is None:
        return Presentation.objects.none()
    decided = Decision.objects.filter(presentation=OuterRef("pk"))
    return (
        presentation_list_for_user(user=user)
        .filter(authority_organisation_id=membership.organisation_id)
        .filter(~Exists(decided))
        .order_by("presented_on", "id")
    )


def decisions_of_presentation(*, presentation) -> QuerySet[Decision]:
    """All decisions, the corrected ones included, newest first."""
    return presentation.decisions.select_related("decided_by", "organisation", "corrects")


def documents_visible_to(*, user, presentation: Presentation) -> bool:
    """The case team (who may see the personal details) and the deciding organisation, which needs the
    evidence, open a presentation's documents; the presentation came through a selector."""
    from cases.services import can_view_personal_details

    if not has_role_permission(user, "identification.view_attachment"):
        return False
    membership = active_membership(user)
    deciding = presentation.authority_organisation_id
    if membership is not None and deciding is not None and membership.organisation_id == deciding:
        return True
    return can_view_personal_details(user=user, case=presentation.case)


def attachment_get_for_user(*, user, presentation, attachment_id: int) -> Attachment:
    return get_object_or_404(presentation.attachments.all(), pk=attachment_id)


def task_list_for_user(*, user, status: str | None = TaskStatus.OPEN) -> QuerySet[IdentificationTask]:
    """Tasks the user's organisation is responsible for (open ones by default), the most urgent first."""
    membership = active_membership(user)
    if membership is None or not has_role_permission(user, "identification.view_identificationtask"):
        return IdentificationTask.objects.none()
    tasks = IdentificationTask.objects.filter(
        responsible_organisation_id=membership.organisation_id, case__deleted_at__isnull=True
    )
    if status:
        tasks = tasks.filter(status=status)
    if status == TaskStatus.OPEN:  # a case whose personal data was erased is not followed any more
        tasks = tasks.filter(case__anonymised_at__isnull=True)
    return tasks.select_related("case", "presentation", "done_by").order_by("due_on", "id")


def task_get_for_user(*, user, task_id: int) -> IdentificationTask:
    return get_object_or_404(task_list_for_user(user=user, status=None), pk=task_id)


def identification_counts(*, start: datetime.date, end: datetime.date) -> dict:
    """Presentations by presentation date and current decisions by decision date, per authority, in the
    period start..end (both included). The query the statistics build on; counted in the database.

    A case deleted as registered by mistake counts nowhere, as it shows nowhere."""
    presentations = dict(
        Presentation.objects.filter(presented_on__range=(start, end), case__deleted_at__isnull=True)
        .values_list("authority")
        .annotate(n=Count("id"))
        .values_list("authority", "n")
    )
    decisions = {}
    rows = (
        Decision.objects.current()
        .filter(decided_on__range=(start, end), presentation__case__deleted_at__isnull=True)
        .values("authority")
        .annotate(
            total=Count("id"),
            identified=Count("id", filter=Q(outcome="identified")),
            not_identified=Count("id", filter=Q(outcome="not_identified")),
            withdrawn=Count("id", filter=Q(outcome="withdrawn")),
        )
    )
    for row in rows:
        decisions[row.pop("authority")] = row
    return {"presentations": presentations, "decisions": decisions}


class RecordedIndicators:
    """Where each indicator of trafficking was already recorded for a case (identification form prefill)."""

    CASE = "case"
    CONTACT = "contact"
    FORM = "form"


def indicators_recorded_for_case(*, case) -> dict[str, set[str]]:
    """Return the indicators already recorded for `case`, each with where: the case's means of control (the
    same list), its outreach contacts and earlier identification forms of its presentations. Three queries;
    values only, nothing identifying."""
    from outreach.models import Contact  # outreach's rows, read for the case they were linked to

    found: dict[str, set[str]] = {}

    def add(values, source):
        for value in values or []:
            if isinstance(value, str):
                found.setdefault(value, set()).add(source)

    add(case.control_means.values_list("type", flat=True), RecordedIndicators.CASE)
    for indicators in Contact.objects.filter(case=case).values_list("indicators", flat=True):
        add(indicators, RecordedIndicators.CONTACT)
    for indicators in IdentificationForm.objects.filter(presentation__case=case).values_list(
        "indicators", flat=True
    ):
        add(indicators, RecordedIndicators.FORM)
    return found
