"""The outreach API under /api/outreach/. Only record ids appear in these URLs."""

from django.urls import path

from outreach import apis

urlpatterns = [
    path("contacts/", apis.ContactListApi.as_view(), name="api-outreach-contact-list"),
    path("contacts/<int:pk>/", apis.ContactDetailApi.as_view(), name="api-outreach-contact-detail"),
    path("contacts/<int:pk>/link/", apis.ContactLinkApi.as_view(), name="api-outreach-contact-link"),
    path(
        "contacts/<int:pk>/open-case/",
        apis.ContactOpenCaseApi.as_view(),
        name="api-outreach-contact-open-case",
    ),
    path("meeting-sessions/", apis.MeetingSessionListApi.as_view(), name="api-outreach-meeting-session-list"),
    path(
        "meeting-sessions/<int:pk>/",
        apis.MeetingSessionDetailApi.as_view(),
        name="api-outreach-meeting-session-detail",
    ),
    path(
        "clinic-consultations/",
        apis.ClinicConsultationListApi.as_view(),
        name="api-outreach-clinic-consultation-list",
    ),
    path(
        "clinic-consultations/<int:pk>/",
        apis.ClinicConsultationDetailApi.as_view(),
        name="api-outreach-clinic-consultation-detail",
    ),
    path("hotline-calls/", apis.HotlineCallListApi.as_view(), name="api-outreach-hotline-call-list"),
    path(
        "hotline-calls/<int:pk>/",
        apis.HotlineCallDetailApi.as_view(),
        name="api-outreach-hotline-call-detail",
    ),
    path("police-raids/", apis.PoliceRaidListApi.as_view(), name="api-outreach-police-raid-list"),
    path(
        "police-raids/<int:pk>/", apis.PoliceRaidDetailApi.as_view(), name="api-outreach-police-raid-detail"
    ),
]
