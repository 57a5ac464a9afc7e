"""REST endpoints of referrals, return plans and referral groups: one module of routes per concern."""

from referrals.api_urls import groups, referrals, returns

urlpatterns = [*referrals.urlpatterns, *returns.urlpatterns, *groups.urlpatterns]
