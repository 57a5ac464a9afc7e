"""Identification pages. Ids only in URLs."""

from django.urls import path

from identification import views

urlpatterns = [
    path("", views.WorkQueueView.as_view(), name="identification-queue"),
    path("tasks/", views.TaskListView.as_view(), name="identification-tasks"),
    path("tasks/<int:pk>/done/", views.TaskCompleteView.as_view(), name="identification-task-done"),
    path("cases/<int:case_id>/", views.CasePresentationsView.as_view(), name="case-presentations"),
    path("cases/<int:case_id>/present/", views.PresentationCreateView.as_view(), name="presentation-create"),
    path("<int:pk>/", views.PresentationDetailView.as_view(), name="presentation-detail"),
    path("<int:pk>/residence/", views.ResidenceStatusView.as_view(), name="presentation-residence"),
    path("<int:pk>/police/", views.PoliceAssessmentCreateView.as_view(), name="police-assessment-create"),
    path("<int:pk>/form/", views.IdentificationFormCreateView.as_view(), name="identification-form-create"),
    path("<int:pk>/attachments/", views.AttachmentCreateView.as_view(), name="attachment-create"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
    path("<int:pk>/verdict/", views.CourtVerdictCreateView.as_view(), name="verdict-create"),
    path("<int:pk>/decision/", views.DecisionCreateView.as_view(), name="decision-create"),
]
