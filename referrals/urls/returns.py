"""Prepared-return pages. Ids only in URLs."""

from django.urls import path

from referrals.views import returns as views

plan = "returns/<int:pk>/"

urlpatterns = [
    path("cases/<int:case_id>/return/", views.CaseReturnsView.as_view(), name="case-returns"),
    path("returns/", views.ReturnPlanListView.as_view(), name="return-plan-list"),
    path(plan, views.ReturnPlanDetailView.as_view(), name="return-plan-detail"),
    path(f"{plan}edit/", views.ReturnPlanUpdateView.as_view(), name="return-plan-update"),
    path(f"{plan}transition/", views.ReturnPlanTransitionView.as_view(), name="return-plan-transition"),
    path(f"{plan}representative/", views.RepresentativeView.as_view(), name="return-plan-representative"),
    path(f"{plan}components/new/", views.ComponentCreateView.as_view(), name="return-component-add"),
    path(
        f"{plan}components/<int:component_id>/",
        views.ComponentUpdateView.as_view(),
        name="return-component-update",
    ),
    path(
        f"{plan}components/<int:component_id>/remove/",
        views.ComponentRemoveView.as_view(),
        name="return-component-remove",
    ),
    path(
        f"{plan}follow-ups/<int:follow_up_id>/",
        views.FollowUpRecordView.as_view(),
        name="return-follow-up-record",
    ),
    path(f"{plan}summary/", views.ReturnPlanSummaryView.as_view(), name="return-plan-summary"),
]
