"""Case pages. Identifying details never appear in these URLs: only case ids and sub-object ids."""

from django.urls import path

from cases.views import case as case_views
from cases.views import lifecycle as lifecycle_views
from cases.views import support as support_views

urlpatterns = [
    # The case file (cases/views/case.py)
    path("", case_views.CaseListView.as_view(), name="case-list"),
    path("new/", case_views.CaseCreateView.as_view(), name="case-create"),
    path("<int:pk>/", case_views.CaseDetailView.as_view(), name="case-detail"),
    path("<int:pk>/edit/", case_views.CaseUpdateView.as_view(), name="case-update"),
    path("<int:pk>/close/", case_views.CaseCloseView.as_view(), name="case-close"),
    path("<int:pk>/reopen/", case_views.CaseReopenView.as_view(), name="case-reopen"),
    path("<int:pk>/delete/", case_views.CaseDeleteView.as_view(), name="case-delete"),
    path("<int:pk>/erase/", lifecycle_views.CaseEraseView.as_view(), name="case-erase"),
    path("<int:pk>/personal/", case_views.PersonalDetailsView.as_view(), name="case-personal"),
    path(
        "<int:pk>/personal/edit/", case_views.PersonalDetailsUpdateView.as_view(), name="case-personal-update"
    ),
    path("<int:pk>/team/", case_views.CaseTeamView.as_view(), name="case-team"),
    path("<int:pk>/timeline/", case_views.CaseTimelineView.as_view(), name="case-timeline"),
    path("<int:pk>/history/", case_views.CaseHistoryView.as_view(), name="case-history"),
    # Support during the stay (cases/views/support.py)
    path("<int:pk>/services/new/", support_views.ServiceCreateView.as_view(), name="case-service-create"),
    path("<int:pk>/stays/new/", support_views.StayCreateView.as_view(), name="case-stay-create"),
    path("<int:pk>/stays/<int:stay_id>/", support_views.StayUpdateView.as_view(), name="case-stay-update"),
    path("<int:pk>/minor/", support_views.MinorView.as_view(), name="case-minor"),
    path("<int:pk>/plan/", support_views.ActionPlanView.as_view(), name="case-plan"),
    path(
        "<int:pk>/plan/activities/new/",
        support_views.ActivityCreateView.as_view(),
        name="case-activity-create",
    ),
    path(
        "<int:pk>/plan/activities/<int:activity_id>/",
        support_views.ActivityUpdateView.as_view(),
        name="case-activity-update",
    ),
    path("<int:pk>/client-code/", support_views.ClientCodeView.as_view(), name="case-client-code"),
]
