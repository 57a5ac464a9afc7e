"""Attach the organisation the user acts for to every request."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from cmm.permissions import set_active_membership
from cmm.selectors import membership_choices_for_user

SESSION_KEY = "cmm_active_membership_id"

# Paths a user who has not yet picked an organisation may still reach.
_OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/api/", "/admin/")


class ActiveMembershipMiddleware:
    """Set `request.membership` from the user's choice, stored in the session.

    A user with one membership acts under it; a user with several is sent to pick one first. A stored choice
    that is no longer valid (membership ended, organisation deactivated) is dropped at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        user = request.user
        if user.is_authenticated:
            memberships = list(membership_choices_for_user(user=user))
            chosen_id = request.session.get(SESSION_KEY)
            chosen = next((m for m in memberships if m.pk == chosen_id), None)
            if chosen is None and len(memberships) == 1:
                chosen = memberships[0]
            if chosen is None and chosen_id is not None:
                del request.session[SESSION_KEY]
            request.membership = chosen
            request.membership_count = len(memberships)
            set_active_membership(user, chosen)
            if chosen is None and len(memberships) > 1 and not request.path.startswith(_OPEN_PREFIXES):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('organisation-select')}?{query}")
        return self.get_response(request)
