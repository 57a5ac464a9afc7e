"""The reports API under /api/reports/."""

from django.urls import path

from reports.apis import case_export, jobs, statistics

urlpatterns = [
    path("statistics/", statistics.StatisticsApi.as_view(), name="api-reports-statistics"),
    path(
        "statistics/export/", statistics.StatisticsExportApi.as_view(), name="api-reports-statistics-export"
    ),
    path("jobs/", jobs.ReportJobListApi.as_view(), name="api-report-job-list"),
    path("jobs/<int:pk>/", jobs.ReportJobDetailApi.as_view(), name="api-report-job-detail"),
    path("jobs/<int:pk>/download/", jobs.ReportJobDownloadApi.as_view(), name="api-report-job-download"),
    path(
        "jobs/<int:pk>/regenerate/", jobs.ReportJobRegenerateApi.as_view(), name="api-report-job-regenerate"
    ),
    path("exports/cases/", case_export.CaseExportApi.as_view(), name="api-reports-case-export"),
]
