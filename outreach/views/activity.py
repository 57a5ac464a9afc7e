"""Placeholder until the pages are written in this session."""

from django.views import View


class OutreachHomeView(View):
    pass


class MeetingSessionListView(View):
    pass


class MeetingSessionCreateView(View):
    pass


class MeetingSessionExportView(View):
    pass


class MeetingSessionUpdateView(View):
    pass


class ClinicConsultationListView(View):
    pass


class ClinicConsultationCreateView(View):
    pass


class ClinicConsultationExportView(View):
    pass


class ClinicConsultationUpdateView(View):
    pass


class HotlineCallListView(View):
    pass


class HotlineCallCreateView(View):
    pass


class HotlineCallExportView(View):
    pass


class HotlineCallUpdateView(View):
    pass


class PoliceRaidListView(View):
    pass


class PoliceRaidCreateView(View):
    pass


class PoliceRaidExportView(View):
    pass


class PoliceRaidUpdateView(View):
    pass
