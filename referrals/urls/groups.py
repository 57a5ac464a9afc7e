"""Referral-group pages under /referrals/groups/. Only ids appear in these URLs."""

from django.urls import path

from referrals.views import groups as views

urlpatterns = [
    path("groups/", views.GroupListView.as_view(), name="referral-group-list"),
    path("groups/<int:pk>/", views.GroupDetailView.as_view(), name="referral-group-detail"),
    path("groups/<int:pk>/members/add/", views.MemberAddView.as_view(), name="referral-group-member-add"),
    path("groups/members/<int:pk>/", views.MemberEditView.as_view(), name="referral-group-member-edit"),
    path("groups/members/<int:pk>/end/", views.MemberEndView.as_view(), name="referral-group-member-end"),
    path("groups/<int:pk>/meetings/", views.MeetingListView.as_view(), name="referral-group-meeting-list"),
    path(
        "groups/<int:pk>/meetings/new/",
        views.MeetingCreateView.as_view(),
        name="referral-group-meeting-create",
    ),
    path(
        "groups/meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="referral-group-meeting-detail"
    ),
    path(
        "groups/meetings/<int:pk>/edit/", views.MeetingEditView.as_view(), name="referral-group-meeting-edit"
    ),
    path(
        "groups/meetings/<int:pk>/actions/new/",
        views.ActionAddView.as_view(),
        name="referral-group-action-add",
    ),
    path(
        "groups/actions/<int:pk>/done/",
        views.ActionCompleteView.as_view(),
        name="referral-group-action-complete",
    ),
    path("groups/<int:pk>/topics/new/", views.TopicAddView.as_view(), name="referral-group-topic-add"),
    path(
        "groups/topics/<int:pk>/escalate/",
        views.TopicEscalateView.as_view(),
        name="referral-group-topic-escalate",
    ),
    path("groups/topics/<int:pk>/close/", views.TopicCloseView.as_view(), name="referral-group-topic-close"),
]
