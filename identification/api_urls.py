"""The identification API under /api/identification/. Only ids appear in these URLs."""

from django.urls import path

from identification import apis

presentation = "presentations/<int:pk>/"

urlpatterns = [
    path("presentations/", apis.PresentationListApi.as_view(), name="api-identification-presentation-list"),
    path(presentation, apis.PresentationDetailApi.as_view(), name="api-identification-presentation-detail"),
    path(
        f"{presentation}residence-status/",
        apis.PresentationResidenceStatusApi.as_view(),
        name="api-identification-residence-status",
    ),
    path(
        f"{presentation}police-assessments/",
        apis.PoliceAssessmentsApi.as_view(),
        name="api-identification-police-assessments",
    ),
    path(
        f"{presentation}identification-forms/",
        apis.IdentificationFormsApi.as_view(),
        name="api-identification-forms",
    ),
    path(f"{presentation}attachments/", apis.AttachmentsApi.as_view(), name="api-identification-attachments"),
    path(
        f"{presentation}attachments/<int:attachment_id>/",
        apis.AttachmentDownloadApi.as_view(),
        name="api-identification-attachment",
    ),
    path(f"{presentation}verdicts/", apis.CourtVerdictsApi.as_view(), name="api-identification-verdicts"),
    path(f"{presentation}decisions/", apis.DecisionsApi.as_view(), name="api-identification-decisions"),
    path("queue/", apis.WorkQueueApi.as_view(), name="api-identification-queue"),
    path("tasks/", apis.TaskListApi.as_view(), name="api-identification-tasks"),
    path("tasks/<int:pk>/done/", apis.TaskDoneApi.as_view(), name="api-identification-task-done"),
]
