"""The browser session's own endpoint: how long it lasts, and "stay logged in" (js/session-keeper.js)."""

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cmm.authentication import MembershipSessionAuthentication
from cmm.security import SESSION_AUTHENTICATED_AT


def session_times(session) -> dict[str, int]:
    """Seconds until this session ends when nothing happens (the idle timeout, renewed by every request) and
    seconds until it ends however busy it is (SESSION_ABSOLUTE_HOURS after the login)."""
    started = session.get(SESSION_AUTHENTICATED_AT)
    now = timezone.now().timestamp()
    absolute = settings.SESSION_ABSOLUTE_HOURS * 3600
    ends_in = int(started + absolute - now) if isinstance(started, int | float) else 0
    return {"idle_seconds": settings.SESSION_COOKIE_AGE, "ends_in_seconds": max(ends_in, 0)}


class SessionSerializer(serializers.Serializer):
    idle_seconds = serializers.IntegerField(
        help_text="Seconds until the session ends if no further request is made (renewed by this request)."
    )
    ends_in_seconds = serializers.IntegerField(
        help_text="Seconds until the session ends however busy it is (the absolute lifetime after login)."
    )


class SessionKeepAliveApi(APIView):
    """Keep the browser session alive: every request renews the idle timeout, this one does nothing else.
    Browser sessions only (a token has no idle timeout); needs the CSRF token like every session POST."""

    authentication_classes = [MembershipSessionAuthentication]

    @extend_schema(
        request=None,
        responses=SessionSerializer,
        summary="Stay logged in",
        description="Renews the idle timeout of the browser session and says how long it lasts now.",
    )
    def post(self, request):
        return Response(SessionSerializer(session_times(request.session)).data)
