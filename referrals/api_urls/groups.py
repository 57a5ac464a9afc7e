"""The referral-group API under /api/referrals/. Only ids appear in these URLs."""

from django.urls import path

from referrals.apis import group_meetings as meeting_apis
from referrals.apis import groups as group_apis

urlpatterns = [
    path("groups/", group_apis.GroupListApi.as_view(), name="api-referral-group-list"),
    path("groups/<int:pk>/", group_apis.GroupDetailApi.as_view(), name="api-referral-group-detail"),
    path(
        "groups/<int:pk>/members/", group_apis.GroupMemberListApi.as_view(), name="api-referral-group-members"
    ),
    path("members/<int:pk>/", group_apis.MemberDetailApi.as_view(), name="api-referral-group-member-detail"),
    path(
        "groups/<int:pk>/meetings/",
        meeting_apis.GroupMeetingListApi.as_view(),
        name="api-referral-group-meetings",
    ),
    path(
        "meetings/<int:pk>/",
        meeting_apis.MeetingDetailApi.as_view(),
        name="api-referral-group-meeting-detail",
    ),
    path(
        "meetings/<int:pk>/actions/",
        meeting_apis.MeetingActionCreateApi.as_view(),
        name="api-referral-group-meeting-actions",
    ),
    path(
        "actions/<int:pk>/complete/",
        meeting_apis.ActionCompleteApi.as_view(),
        name="api-referral-group-action-complete",
    ),
    path(
        "groups/<int:pk>/topics/", meeting_apis.GroupTopicListApi.as_view(), name="api-referral-group-topics"
    ),
    path(
        "topics/<int:pk>/escalate/",
        meeting_apis.TopicEscalateApi.as_view(),
        name="api-referral-group-topic-escalate",
    ),
    path(
        "topics/<int:pk>/close/", meeting_apis.TopicCloseApi.as_view(), name="api-referral-group-topic-close"
    ),
]
