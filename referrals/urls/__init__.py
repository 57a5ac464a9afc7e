"""Pages of referrals, return plans and referral groups: one module of routes per concern."""

from referrals.urls import groups, referrals, returns

urlpatterns = [*referrals.urlpatterns, *returns.urlpatterns, *groups.urlpatterns]
