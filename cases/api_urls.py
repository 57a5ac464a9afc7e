"""The case API under /api/cases/. Only ids appear in these URLs, never anything that identifies a person."""

from django.urls import path

from cases import apis
from cases.apis.lifecycle import CaseEraseApi

urlpatterns = [
    path("", apis.CaseListApi.as_view(), name="api-case-list"),
    path("<int:pk>/", apis.CaseDetailApi.as_view(), name="api-case-detail"),
    path("<int:pk>/close/", apis.CaseCloseApi.as_view(), name="api-case-close"),
    path("<int:pk>/reopen/", apis.CaseReopenApi.as_view(), name="api-case-reopen"),
    path("<int:pk>/delete/", apis.CaseDeleteApi.as_view(), name="api-case-delete"),
    path("<int:pk>/erase/", CaseEraseApi.as_view(), name="api-case-erase"),
    path("<int:pk>/personal-details/", apis.PersonalDetailsApi.as_view(), name="api-case-personal-details"),
    path("<int:pk>/team/", apis.CaseTeamApi.as_view(), name="api-case-team"),
    path("<int:pk>/team/<int:user_id>/", apis.CaseTeamMemberApi.as_view(), name="api-case-team-member"),
    path("<int:pk>/timeline/", apis.CaseTimelineApi.as_view(), name="api-case-timeline"),
    path("<int:pk>/history/", apis.CaseHistoryApi.as_view(), name="api-case-history"),
    path("<int:pk>/services/", apis.CaseServicesApi.as_view(), name="api-case-services"),
    path("<int:pk>/stays/", apis.CaseStaysApi.as_view(), name="api-case-stays"),
    path("<int:pk>/stays/<int:stay_id>/", apis.CaseStayApi.as_view(), name="api-case-stay"),
    path("<int:pk>/representatives/", apis.CaseRepresentativesApi.as_view(), name="api-case-representatives"),
    path("<int:pk>/parent-tracings/", apis.CaseParentTracingsApi.as_view(), name="api-case-parent-tracings"),
    path("<int:pk>/action-plan/", apis.CaseActionPlanApi.as_view(), name="api-case-action-plan"),
    path("<int:pk>/activities/", apis.CaseActivitiesApi.as_view(), name="api-case-activities"),
    path("<int:pk>/activities/<int:activity_id>/", apis.CaseActivityApi.as_view(), name="api-case-activity"),
    path("<int:pk>/plan-reviews/", apis.CasePlanReviewsApi.as_view(), name="api-case-plan-reviews"),
    path("<int:pk>/client-codes/", apis.CaseClientCodesApi.as_view(), name="api-case-client-codes"),
]
