"""The report pages: the PDF reports a user may see (with their progress), asking for one, downloading it.

Access is decided by reports.selectors.jobs (a job one may not see is "not found"); asking is decided by
reports.services.jobs.report_job_request, which applies the statistics scope and the case access rules.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View

from cmm.forms import attach_service_errors
from cmm.permissions import has_role_permission
from cmm.two_factor.access import FreshSecondFactorRequiredMixin
from reports.forms import CaseReportForm, ReportJobFilterForm, ReportRequestForm
from reports.models import ReportKind
from reports.selectors.jobs import report_job_get_for_user, report_job_list_for_user
from reports.selectors.organisations import statistics_organisation_choices
from reports.selectors.statistics import VIEW, statistics_organisation_asked
from reports.services import jobs as services
from reports.suppression import should_suppress
from reports.views.common import StatisticsRequiredMixin, download_response

PAGE_SIZE = 25


def _request_form(request, data=None):
    user = request.user
    return ReportRequestForm(
        data,
        organisations=statistics_organisation_choices(user=user),
        may_choose_external=not should_suppress(user=user, external=False),
        initial={"language": get_language()},
    )


def job_download(request, pk: int):
    """The finished PDF of a job the user may see, as a download, audited; 404 for anything else (another's
    job, one not generated yet, a file deleted after its retention period)."""
    job = report_job_get_for_user(user=request.user, job_id=pk)
    try:
        opened = services.report_job_file_open(job=job)
    except FileNotFoundError:
        raise Http404 from None
    services.report_job_downloaded(job=job, user=request.user)
    filename = f"cmm-{job.kind.replace('_', '-')}-report-{job.pk}.pdf"
    return download_response(opened, filename=filename, content_type="application/pdf")


class ReportJobListView(LoginRequiredMixin, View):
    """The reports the user may see, newest first, with filters; refreshes itself while any is pending."""

    def get(self, request):
        form = ReportJobFilterForm(request.GET or None)
        jobs = report_job_list_for_user(user=request.user)
        if form.is_bound and form.is_valid():
            jobs = form.filter(jobs)
        page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "reports/job_list.html",
            {
                "page": page,
                "filter_form": form,
                "query_string": query.urlencode(),
                "refresh": any(job.is_pending for job in page),
                "may_request": has_role_permission(request.user, VIEW),
            },
            status=400 if form.is_bound and form.errors else 200,
        )


class ReportJobCreateView(StatisticsRequiredMixin, View):
    """Ask for a quarterly statistics or organisation activity report; the period and scope may come in the
    query string (the statistics page links here with what it shows)."""

    def get(self, request):
        initial_data = request.GET.copy() if request.GET else None
        form = _request_form(request)
        if initial_data:
            form.initial.update(
                {key: initial_data.get(key) for key in ("period", "start", "end", "organisation")}
            )
        return render(request, "reports/job_form.html", {"form": form})

    def post(self, request):
        form = _request_form(request, request.POST)
        if form.is_valid():
            default = statistics_organisation_asked(user=request.user, organisation_id=None)
            try:
                job = services.report_job_request(
                    user=request.user,
                    kind=form.cleaned_data["kind"],
                    language=form.cleaned_data["language"],
                    period=form.cleaned_data["period_range"],
                    organisation_id=form.organisation_id(default),
                    external=form.cleaned_data.get("external", False),
                )
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                messages.success(
                    request, _("The report is being generated. This page shows when it is ready.")
                )
                return redirect("reports-job-detail", job.pk)
        return render(request, "reports/job_form.html", {"form": form}, status=400)


class ReportJobDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        job = report_job_get_for_user(user=request.user, job_id=pk)
        return render(request, "reports/job_detail.html", {"job": job, "refresh": job.is_pending})


class ReportJobDownloadView(FreshSecondFactorRequiredMixin, LoginRequiredMixin, View):
    def get(self, request, pk):
        return job_download(request, pk)


class ReportJobRegenerateView(LoginRequiredMixin, View):
    def post(self, request, pk):
        job = report_job_get_for_user(user=request.user, job_id=pk)
        try:
            fresh = services.report_job_regenerate(job=job, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("reports-job-detail", job.pk)
        messages.success(request, _("A new copy of the report is being generated."))
        return redirect("reports-job-detail", fresh.pk)


class CaseReportCreateView(LoginRequiredMixin, View):
    """Ask for the status report of one case (from the case page); for the requester only."""

    def post(self, request, case_pk):
        form = CaseReportForm(request.POST or {"language": get_language()})
        language = form.cleaned_data["language"] if form.is_valid() else get_language()
        job = services.report_job_request(
            user=request.user, kind=ReportKind.CASE_STATUS, language=language, case_id=case_pk
        )
        messages.success(request, _("The case status report is being generated."))
        return redirect("reports-job-detail", job.pk)
