"""Placeholder until the pages are written in this session."""

from django.views import View


class WorkQueueView(View):
    pass


class TaskListView(View):
    pass


class TaskCompleteView(View):
    pass


class CasePresentationsView(View):
    pass


class PresentationCreateView(View):
    pass


class PresentationDetailView(View):
    pass


class ResidenceStatusView(View):
    pass


class PoliceAssessmentCreateView(View):
    pass


class IdentificationFormCreateView(View):
    pass


class AttachmentCreateView(View):
    pass


class AttachmentDownloadView(View):
    pass


class CourtVerdictCreateView(View):
    pass


class DecisionCreateView(View):
    pass
