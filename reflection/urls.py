"""Reflection-period pages. Ids and the calendar secret only in URLs."""

from django.urls import path

from reflection import views

urlpatterns = [
    path("", views.DeadlineDashboardView.as_view(), name="reflection-dashboard"),
    path("cases/<int:case_id>/", views.CasePeriodsView.as_view(), name="case-reflection"),
    path("cases/<int:case_id>/start/", views.PeriodStartView.as_view(), name="reflection-start"),
    path("<int:pk>/extend/", views.PeriodExtendView.as_view(), name="reflection-extend"),
    path("<int:pk>/correct/", views.PeriodCorrectView.as_view(), name="reflection-correct"),
    path("<int:pk>/postpone/", views.PeriodPostponeView.as_view(), name="reflection-postpone"),
    path("<int:pk>/lift/", views.PeriodLiftView.as_view(), name="reflection-lift"),
    path("<int:pk>/end/", views.PeriodEndView.as_view(), name="reflection-end"),
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path("calendar/", views.CalendarSettingsView.as_view(), name="calendar-settings"),
    path("calendar/<str:token>.ics", views.CalendarFeedView.as_view(), name="calendar-feed"),
]
