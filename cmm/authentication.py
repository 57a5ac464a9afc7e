"""API authentication that also settles which organisation the caller acts for."""

from drf_spectacular.authentication import SessionScheme, TokenScheme
from rest_framework import authentication, exceptions

from cmm.permissions import set_active_membership
from cmm.selectors import membership_choices_for_user

ORGANISATION_HEADER = "HTTP_X_ORGANISATION"


def _settle_membership(request, user) -> None:
    """Pick the membership named by the X-Organisation header, else the session's choice, else the only."""
    memberships = list(membership_choices_for_user(user=user))
    wanted = request.META.get(ORGANISATION_HEADER)
    if wanted:
        chosen = next((m for m in memberships if str(m.organisation_id) == wanted.strip()), None)
        if chosen is None:
            raise exceptions.AuthenticationFailed("You are not an active member of that organisation.")
    else:
        chosen = getattr(request._request, "membership", None)
        if chosen is None and len(memberships) == 1:
            chosen = memberships[0]
    set_active_membership(user, chosen)


class MembershipSessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _settle_membership(request, result[0])
        return result


class MembershipTokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _settle_membership(request, result[0])
        return result


class MembershipSessionScheme(SessionScheme):
    target_class = MembershipSessionAuthentication


class MembershipTokenScheme(TokenScheme):
    target_class = MembershipTokenAuthentication
