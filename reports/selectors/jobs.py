"""Which PDF report jobs a user may see and download.

- A case status report is its requester's alone, and only while they can still see the case (and, when it
  holds identifying details, while they can still see those).
- A statistics or activity report is for everyone who may see its scope in the same form: CMM's analysts
  and coordinators (acting for CMM) see them all; anyone else with the statistics permission sees those of
  the organisation they act for, and only the suppressed ones unless they see exact counts themselves
  (reports.suppression.should_suppress).
Everything else is "not found", as a missing job.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from cases.selectors import case_ids_with_visible_details, case_list_for_user
from cmm.permissions import active_membership, has_role_permission
from cmm.selectors import is_cmm
from reports.models import ReportJob, ReportKind
from reports.selectors.statistics import VIEW, VIEW_NATIONAL
from reports.suppression import should_suppress


def _visible(user) -> Q:
    membership = active_membership(user)
    if membership is None:
        return Q(pk__in=[])
    own_cases = Q(
        kind=ReportKind.CASE_STATUS,
        requested_by=user,
        case__in=case_list_for_user(user=user).values("pk"),
    ) & (Q(identifying=False) | Q(case__in=case_ids_with_visible_details(user=user)))
    if not has_role_permission(user, VIEW):
        return own_cases
    statistics = ~Q(kind=ReportKind.CASE_STATUS)
    if is_cmm(membership.organisation) and has_role_permission(user, VIEW_NATIONAL):
        return own_cases | statistics
    statistics &= Q(organisation_id=membership.organisation_id)
    if should_suppress(user=user, external=False):
        statistics &= Q(suppressed=True)
    return own_cases | statistics


def report_job_list_for_user(*, user) -> QuerySet[ReportJob]:
    """The report jobs `user` may see, newest first."""
    return ReportJob.objects.filter(_visible(user)).select_related(
        "case", "organisation", "requested_by", "requested_for"
    )


def report_job_get_for_user(*, user, job_id: int) -> ReportJob:
    """One report job `user` may see; Http404 when it is missing or not theirs to see."""
    return get_object_or_404(report_job_list_for_user(user=user), pk=job_id)
