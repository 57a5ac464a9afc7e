"""API authentication that also settles which organisation the caller acts for."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme, TokenScheme
from rest_framework import authentication, exceptions

from cmm.permissions import set_active_membership
from cmm.security import api_token_is_expired
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
    def authenticate_header(self, request):
        # DRF answers a refused login with the first authentication class's header, or 403 without one: a
        # request that sent a token (expired, or ended with the trust it was issued on) gets 401 and
        # `WWW-Authenticate: Token`, so that a script knows to ask for a new one.
        if authentication.get_authorization_header(request).split()[:1] == [b"Token"]:
            return MembershipTokenAuthentication().authenticate_header(request)
        return super().authenticate_header(request)

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _settle_membership(request, result[0])
        return result


class MembershipTokenAuthentication(authentication.TokenAuthentication):
    """DRF's token, refused (401) and deleted once older than API_TOKEN_MAX_AGE_DAYS. A token also ends when
    the trust it was issued on changes (cmm.security.sessions_end_for_user deletes it)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if api_token_is_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_("The token has expired. Ask for a new one."))
        return user, token

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _settle_membership(request, result[0])
        return result


class MembershipSessionScheme(SessionScheme):
    target_class = MembershipSessionAuthentication


class MembershipTokenScheme(TokenScheme):
    target_class = MembershipTokenAuthentication
