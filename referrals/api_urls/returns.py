"""The return-plan API under /api/referrals/returns/. Only ids appear in these URLs."""

from django.urls import path

from referrals.apis import returns as apis

plan = "returns/<int:pk>/"

urlpatterns = [
    path("returns/", apis.ReturnPlanListApi.as_view(), name="api-return-plan-list"),
    path(plan, apis.ReturnPlanDetailApi.as_view(), name="api-return-plan-detail"),
    path(f"{plan}transition/", apis.ReturnPlanTransitionApi.as_view(), name="api-return-plan-transition"),
    path(
        f"{plan}representative/",
        apis.ReturnPlanRepresentativeApi.as_view(),
        name="api-return-plan-representative",
    ),
    path(f"{plan}components/", apis.ComponentListApi.as_view(), name="api-return-components"),
    path(
        f"{plan}components/<int:component_id>/",
        apis.ComponentDetailApi.as_view(),
        name="api-return-component",
    ),
    path(
        f"{plan}follow-ups/<int:follow_up_id>/",
        apis.FollowUpRecordApi.as_view(),
        name="api-return-follow-up",
    ),
]
