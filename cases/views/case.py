"""Placeholder until the pages are written in this session."""

from django.views import View


class CaseListView(View):
    pass


class CaseCreateView(View):
    pass


class CaseDetailView(View):
    pass


class CaseUpdateView(View):
    pass


class CaseCloseView(View):
    pass


class CaseReopenView(View):
    pass


class CaseDeleteView(View):
    pass


class PersonalDetailsView(View):
    pass


class PersonalDetailsUpdateView(View):
    pass


class CaseTeamView(View):
    pass


class CaseTimelineView(View):
    pass


class CaseHistoryView(View):
    pass
