"""The reports API under /api/reports/."""

from django.urls import path

from reports import apis

urlpatterns = [
    path("statistics/", apis.StatisticsApi.as_view(), name="api-reports-statistics"),
]
