"""The analyst's agenda (cmm.agenda): the status of the national quarterly report of the current and the last
quarter, and the data problems that would change published figures (reflection periods past their deadline
without an outcome, cases without gender or nationality), counted in the database, never listed by case."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from cases.choices import Gender
from cases.models import Case
from cmm.agenda import AgendaItem, AgendaScope, Urgency
from cmm.models import Role
from cmm.permissions import active_membership, has_role_permission
from cmm.selectors import is_cmm
from reflection.models import ReflectionPeriod
from reports.models import JobStatus, ReportKind
from reports.periods import quarter_containing
from reports.selectors.jobs import report_job_list_for_user
from reports.selectors.statistics import VIEW_NATIONAL


def _is_cmm_analyst(user) -> bool:
    membership = active_membership(user)
    return (
        membership is not None
        and membership.role == Role.ANALYST
        and is_cmm(membership.organisation)
        and has_role_permission(user, VIEW_NATIONAL)
    )


def report_items(*, user, scope: AgendaScope) -> list[AgendaItem]:
    """The newest national quarterly report of the last and of the current quarter: ready, being made, failed
    or not asked for yet (the last quarter's then needs attention)."""
    if scope.case is not None or not _is_cmm_analyst(user):
        return []
    current = quarter_containing(scope.today)
    last = current.previous()
    jobs = report_job_list_for_user(user=user).filter(
        kind=ReportKind.QUARTERLY, organisation__isnull=True, period_start__in=[last.start, current.start]
    )
    newest = {}
    for job in jobs.order_by("-created_at", "-pk"):
        newest.setdefault(job.period_start, job)
    items = []
    for quarter, is_last in ((last, True), (current, False)):
        job = newest.get(quarter.start)
        if job is None:
            status = gettext("not asked for yet")
            url = reverse("reports-job-create")
            urgency = Urgency.ATTENTION if is_last else Urgency.LATER
        else:
            status = job.get_status_display()
            url = reverse("reports-job-detail", args=[job.pk])
            done = job.status == JobStatus.DONE
            urgency = Urgency.ATTENTION if (is_last and not done and not job.is_pending) else Urgency.LATER
        items.append(
            AgendaItem(
                kind="quarterly_report",
                title=gettext("Quarterly report %(quarter)s: %(status)s")
                % {"quarter": quarter.label(), "status": status},
                url=url,
                urgency=urgency,
            )
        )
    return items


def data_problem_items(*, user, scope: AgendaScope) -> list[AgendaItem]:
    """Counts of what would change published figures: running periods past their deadline without an outcome,
    and cases without gender or without nationality (cases not deleted), all organisations."""
    if scope.case is not None or not _is_cmm_analyst(user):
        return []
    expired = ReflectionPeriod.objects.filter(
        outcome="", ends_on__lt=scope.today, case__deleted_at__isnull=True, case__anonymised_at__isnull=True
    ).count()
    cases = Case.objects.active().aggregate(
        no_gender=Count("pk", filter=Q(gender=Gender.UNKNOWN)),
        no_nationality=Count("pk", filter=Q(nationality="")),
    )
    url = reverse("reports-statistics")
    problems = [
        (
            "data_expired_periods",
            expired,
            ngettext(
                "%(count)s reflection period past its deadline without an outcome",
                "%(count)s reflection periods past their deadline without an outcome",
                expired,
            ),
        ),
        (
            "data_no_gender",
            cases["no_gender"],
            ngettext(
                "%(count)s case without a gender", "%(count)s cases without a gender", cases["no_gender"]
            ),
        ),
        (
            "data_no_nationality",
            cases["no_nationality"],
            ngettext(
                "%(count)s case without a nationality",
                "%(count)s cases without a nationality",
                cases["no_nationality"],
            ),
        ),
    ]
    return [
        AgendaItem(kind=kind, title=text % {"count": count}, url=url, count=count)
        for kind, count, text in problems
        if count
    ]
