"""The reports pages under /reports/."""

from django.urls import path

from reports.views import case_export, jobs, statistics

urlpatterns = [
    path("statistics/", statistics.StatisticsView.as_view(), name="reports-statistics"),
    path("statistics/export/", statistics.StatisticsExportView.as_view(), name="reports-statistics-export"),
    path("jobs/", jobs.ReportJobListView.as_view(), name="reports-job-list"),
    path("jobs/new/", jobs.ReportJobCreateView.as_view(), name="reports-job-create"),
    path("jobs/<int:pk>/", jobs.ReportJobDetailView.as_view(), name="reports-job-detail"),
    path("jobs/<int:pk>/download/", jobs.ReportJobDownloadView.as_view(), name="reports-job-download"),
    path("jobs/<int:pk>/regenerate/", jobs.ReportJobRegenerateView.as_view(), name="reports-job-regenerate"),
    path(
        "cases/<int:case_pk>/status-report/", jobs.CaseReportCreateView.as_view(), name="reports-case-report"
    ),
    path("exports/cases/", case_export.CaseExportView.as_view(), name="reports-case-export"),
]
