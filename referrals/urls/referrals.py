"""Case referral pages. Only ids in these URLs, never anything that identifies a person."""

from django.urls import path

from referrals.views import referrals as views

urlpatterns = [
    path("cases/<int:case_id>/referrals/", views.CaseReferralsView.as_view(), name="case-referrals"),
    path("cases/<int:case_id>/referrals/new/", views.ReferralCreateView.as_view(), name="referral-create"),
    path("incoming/", views.ReferralIncomingView.as_view(), name="referral-incoming"),
    path("<int:pk>/", views.ReferralDetailView.as_view(), name="referral-detail"),
    path("<int:pk>/accept/", views.ReferralAcceptView.as_view(), name="referral-accept"),
    path("<int:pk>/decline/", views.ReferralDeclineView.as_view(), name="referral-decline"),
    path("<int:pk>/withdraw/", views.ReferralWithdrawView.as_view(), name="referral-withdraw"),
    path("<int:pk>/revoke/", views.ReferralRevokeView.as_view(), name="referral-revoke"),
    path("<int:pk>/close/", views.ReferralCloseView.as_view(), name="referral-close"),
]
