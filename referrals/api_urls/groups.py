"""The referral-group API under /api/referrals/. Only ids appear in these URLs."""

from django.urls import path

from referrals.apis import groups as apis

urlpatterns = [
    path("groups/", apis.GroupListApi.as_view(), name="api-referral-group-list"),
    path("groups/<int:pk>/", apis.GroupDetailApi.as_view(), name="api-referral-group-detail"),
    path("groups/<int:pk>/members/", apis.GroupMemberListApi.as_view(), name="api-referral-group-members"),
    path("members/<int:pk>/", apis.MemberDetailApi.as_view(), name="api-referral-group-member-detail"),
    path("groups/<int:pk>/meetings/", apis.GroupMeetingListApi.as_view(), name="api-referral-group-meetings"),
    path("meetings/<int:pk>/", apis.MeetingDetailApi.as_view(), name="api-referral-group-meeting-detail"),
    path(
        "meetings/<int:pk>/actions/",
        apis.MeetingActionCreateApi.as_view(),
        name="api-referral-group-meeting-actions",
    ),
    path(
        "actions/<int:pk>/complete/",
        apis.ActionCompleteApi.as_view(),
        name="api-referral-group-action-complete",
    ),
    path("groups/<int:pk>/topics/", apis.GroupTopicListApi.as_view(), name="api-referral-group-topics"),
    path(
        "topics/<int:pk>/escalate/", apis.TopicEscalateApi.as_view(), name="api-referral-group-topic-escalate"
    ),
    path("topics/<int:pk>/close/", apis.TopicCloseApi.as_view(), name="api-referral-group-topic-close"),
]
