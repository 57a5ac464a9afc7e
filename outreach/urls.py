"""Outreach pages. URLs carry record ids only, never anything about a person."""

from django.urls import path

from outreach.views import activity, contacts, imports

urlpatterns = [
    path("", activity.OutreachHomeView.as_view(), name="outreach-home"),
    # Contacts (outreach/views/contacts.py)
    path("contacts/", contacts.ContactListView.as_view(), name="contact-list"),
    path("contacts/new/", contacts.ContactCreateView.as_view(), name="contact-create"),
    path("contacts/export.csv", contacts.ContactExportView.as_view(), name="contact-export"),
    path("contacts/<int:pk>/", contacts.ContactUpdateView.as_view(), name="contact-update"),
    path("contacts/<int:pk>/link/", contacts.ContactLinkView.as_view(), name="contact-link"),
    path("contacts/<int:pk>/open-case/", contacts.ContactOpenCaseView.as_view(), name="contact-open-case"),
    # Meeting place, clinics, hotline, police raids (outreach/views/activity.py)
    path("meeting-place/", activity.MeetingSessionListView.as_view(), name="meeting-session-list"),
    path("meeting-place/new/", activity.MeetingSessionCreateView.as_view(), name="meeting-session-create"),
    path(
        "meeting-place/export.csv", activity.MeetingSessionExportView.as_view(), name="meeting-session-export"
    ),
    path(
        "meeting-place/<int:pk>/", activity.MeetingSessionUpdateView.as_view(), name="meeting-session-update"
    ),
    path("clinics/", activity.ClinicConsultationListView.as_view(), name="clinic-list"),
    path("clinics/new/", activity.ClinicConsultationCreateView.as_view(), name="clinic-create"),
    path("clinics/export.csv", activity.ClinicConsultationExportView.as_view(), name="clinic-export"),
    path("clinics/<int:pk>/", activity.ClinicConsultationUpdateView.as_view(), name="clinic-update"),
    path("hotline/", activity.HotlineCallListView.as_view(), name="hotline-list"),
    path("hotline/new/", activity.HotlineCallCreateView.as_view(), name="hotline-create"),
    path("hotline/export.csv", activity.HotlineCallExportView.as_view(), name="hotline-export"),
    path("hotline/<int:pk>/", activity.HotlineCallUpdateView.as_view(), name="hotline-update"),
    path("raids/", activity.PoliceRaidListView.as_view(), name="raid-list"),
    path("raids/new/", activity.PoliceRaidCreateView.as_view(), name="raid-create"),
    path("raids/export.csv", activity.PoliceRaidExportView.as_view(), name="raid-export"),
    path("raids/<int:pk>/", activity.PoliceRaidUpdateView.as_view(), name="raid-update"),
    # Import of historical registrations (outreach/views/imports.py)
    path("import/", imports.ActivityImportView.as_view(), name="activity-import"),
]
