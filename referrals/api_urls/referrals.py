"""The case referral API under /api/referrals/referrals/. Only ids appear in these URLs."""

from django.urls import path

from referrals.apis import referrals as apis

referral = "referrals/<int:pk>/"

urlpatterns = [
    path("referrals/", apis.ReferralListApi.as_view(), name="api-referral-list"),
    path(referral, apis.ReferralDetailApi.as_view(), name="api-referral-detail"),
    path(f"{referral}accept/", apis.ReferralAcceptApi.as_view(), name="api-referral-accept"),
    path(f"{referral}decline/", apis.ReferralDeclineApi.as_view(), name="api-referral-decline"),
    path(f"{referral}withdraw/", apis.ReferralWithdrawApi.as_view(), name="api-referral-withdraw"),
    path(f"{referral}revoke/", apis.ReferralRevokeApi.as_view(), name="api-referral-revoke"),
    path(f"{referral}close/", apis.ReferralCloseApi.as_view(), name="api-referral-close"),
]
