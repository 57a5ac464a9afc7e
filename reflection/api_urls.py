"""The reflection API under /api/reflection/. Only ids appear in these URLs."""

from django.urls import path

from reflection import apis

period = "periods/<int:pk>/"

urlpatterns = [
    path("periods/", apis.PeriodListApi.as_view(), name="api-reflection-period-list"),
    path(period, apis.PeriodDetailApi.as_view(), name="api-reflection-period-detail"),
    path(f"{period}extensions/", apis.PeriodExtendApi.as_view(), name="api-reflection-extensions"),
    path(f"{period}correction/", apis.PeriodCorrectApi.as_view(), name="api-reflection-correction"),
    path(f"{period}postponements/", apis.PeriodPostponeApi.as_view(), name="api-reflection-postponements"),
    path(f"{period}lift/", apis.PeriodLiftApi.as_view(), name="api-reflection-lift"),
    path(f"{period}outcome/", apis.PeriodOutcomeApi.as_view(), name="api-reflection-outcome"),
    path("notifications/", apis.NotificationListApi.as_view(), name="api-reflection-notifications"),
    path("notifications/read/", apis.NotificationReadApi.as_view(), name="api-reflection-notifications-read"),
]
