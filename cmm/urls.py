from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from cmm import agenda_apis, apis, views
from cmm.audit import apis as audit_apis
from cmm.audit import views as audit_views
from cmm.session_apis import SessionKeepAliveApi
from cmm.two_factor.apis import ObtainTokenApi

api_patterns = [
    path("", apis.ApiRootApi.as_view(), name="api-root"),
    path("auth/token/", ObtainTokenApi.as_view(), name="api-token"),
    path("me/", apis.MeApi.as_view(), name="api-me"),
    path("me/session/", SessionKeepAliveApi.as_view(), name="api-session-keep-alive"),
    path("me/agenda/", agenda_apis.MeAgendaApi.as_view(), name="api-me-agenda"),
    path("organisations/", apis.OrganisationListApi.as_view(), name="api-organisation-list"),
    path("members/", apis.MemberListApi.as_view(), name="api-member-list"),
    path("cases/", include("cases.api_urls")),
    path("outreach/", include("outreach.api_urls")),
    path("identification/", include("identification.api_urls")),
    path("reflection/", include("reflection.api_urls")),
    path("referrals/", include("referrals.api_urls")),
    path("reports/", include("reports.api_urls")),
    path("members/<int:pk>/", apis.MemberDetailApi.as_view(), name="api-member-detail"),
    path("audit/", audit_apis.AuditEventListApi.as_view(), name="api-audit-event-list"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

account_patterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("organisation/", views.OrganisationSelectView.as_view(), name="organisation-select"),
    path("2fa/", include("cmm.two_factor.urls")),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accounts/", include(account_patterns)),
    path("cases/", include("cases.urls")),
    path("outreach/", include("outreach.urls")),
    path("identification/", include("identification.urls")),
    path("reflection/", include("reflection.urls")),
    path("referrals/", include("referrals.urls")),
    path("reports/", include("reports.urls")),
    path("members/", views.MemberListView.as_view(), name="member-list"),
    path("members/new/", views.MemberCreateView.as_view(), name="member-create"),
    path("members/<int:pk>/", views.MemberChangeView.as_view(), name="member-change"),
    path("audit/", audit_views.AuditEventListView.as_view(), name="audit-event-list"),
    path("i18n/setlang/", views.LanguageSetView.as_view(), name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
]
