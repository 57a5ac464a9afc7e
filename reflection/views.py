"""Placeholder until the pages are written in this session."""

from django.views import View


class DeadlineDashboardView(View):
    pass


class CasePeriodsView(View):
    pass


class PeriodStartView(View):
    pass


class PeriodExtendView(View):
    pass


class PeriodPostponeView(View):
    pass


class PeriodLiftView(View):
    pass


class PeriodEndView(View):
    pass


class NotificationListView(View):
    pass


class CalendarSettingsView(View):
    pass


class CalendarFeedView(View):
    pass
