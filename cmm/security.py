"""Security headers on every response, and the lifetime of a logged-in session (issue 11).

- `SecurityHeadersMiddleware` sets the Content-Security-Policy (no inline script or style anywhere in the
  app), a Permissions-Policy, and `Cache-Control: no-store` on everything but static files: a page or an
  API answer may hold a person's details, and neither the browser nor a proxy may keep a copy of it.
  Django's SecurityMiddleware adds nosniff, Referrer-Policy, COOP and (in production) HSTS.
- `SessionLifetimeMiddleware` ends a session SESSION_ABSOLUTE_HOURS after its login, however busy it is;
  the idle timeout is Django's own (SESSION_COOKIE_AGE, renewed on every request).
- Every logged-in session is recorded as a `UserSession`, so that ending a membership or changing a
  password can end the user's other sessions on the server (`sessions_end_for_user`), and the user's API
  token with them (`api_tokens_end_for_user`); a token also ends API_TOKEN_MAX_AGE_DAYS after it was issued.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone

# Epoch seconds of the login that started this session (set at login, read on every request).
SESSION_AUTHENTICATED_AT = "cmm_authenticated_at"
# The session key last recorded as a UserSession: a key cycled during the session is recorded again.
SESSION_TRACKED_KEY = "cmm_tracked_session_key"

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Redoc (the API reference at /api/redoc/, served from our own static files by the sidecar) styles itself
# with styled-components, which adds <style> elements at run time, and runs its search in a Web Worker made
# from a blob: that page alone allows inline styles and blob workers. Scripts stay 'self' there too, and the
# page holds no case data. Swagger UI (/api/docs/) needs no exception:
# its start-up script is a file (SpectacularSwaggerSplitView) and templates/drf_spectacular/ drop the inline
# <style> and Google's web fonts of drf-spectacular's own templates.
DOCUMENTATION_PATHS = ("/api/redoc/",)
DOCUMENTATION_POLICY = {
    **CONTENT_SECURITY_POLICY,
    "style-src": "'self' 'unsafe-inline'",
    "worker-src": "'self' blob:",
}
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), "
    "accelerometer=(), gyroscope=(), magnetometer=()"
)


def _policy_header(policy: dict[str, str]) -> str:
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


_APP_POLICY = _policy_header(CONTENT_SECURITY_POLICY)
_DOCUMENTATION_POLICY = _policy_header(DOCUMENTATION_POLICY)


def content_security_policy(path: str) -> str:
    """Return the Content-Security-Policy for a response to `path`."""
    return _DOCUMENTATION_POLICY if path.startswith(DOCUMENTATION_PATHS) else _APP_POLICY


def _is_static(path: str) -> bool:
    static_prefix = urlsplit(settings.STATIC_URL).path
    if not static_prefix.startswith("/"):
        static_prefix = "/" + static_prefix
    return path.startswith(static_prefix)


class SecurityHeadersMiddleware:
    """Add the CSP, Permissions-Policy and no-store headers to every response, error pages included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Content-Security-Policy"] = content_security_policy(request.path)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not _is_static(request.path):
            # Pages, API answers and file downloads alike: nothing that passed the login may be stored.
            if "no-store" not in response.get("Cache-Control", ""):
                response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class SessionLifetimeMiddleware:
    """Log out a session SESSION_ABSOLUTE_HOURS after its login, and record session keys that change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and session_is_over(request.session):
            _end_expired_session(request)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None:
            key = session.session_key
            if key and session.get(SESSION_TRACKED_KEY) != key:
                # Cycled during the request (password change, second login step): record the new key.
                session_track(user=user, session=session)
        return response


def session_is_over(session) -> bool:
    """Say whether a logged-in session has outlived SESSION_ABSOLUTE_HOURS (or has no login time)."""
    started = session.get(SESSION_AUTHENTICATED_AT)
    if not isinstance(started, int | float):
        return True
    return timezone.now().timestamp() - started >= settings.SESSION_ABSOLUTE_HOURS * 3600


def _end_expired_session(request) -> None:
    from cmm.models import AuditAction
    from cmm.services import audit_record
    from cmm.views import client_ip

    audit_record(
        actor=request.user,
        action=AuditAction.LOGOUT,
        detail={"reason": "session_lifetime"},
        ip_address=client_ip(request),
    )
    logout(request)  # flushes: the server-side session is deleted, the cookie is emptied


def session_track(*, user, session) -> None:
    """Record `session` as one of `user`'s sessions, and forget their sessions that have ended."""
    from cmm.models import UserSession

    if session.session_key is None:
        session.save()
    key = session.session_key
    UserSession.objects.update_or_create(session_key=key, defaults={"user": user})
    session[SESSION_TRACKED_KEY] = key
    store = _session_store_class()
    ended = [
        other
        for other in UserSession.objects.filter(user=user)
        .exclude(session_key=key)
        .values_list("session_key", flat=True)
        if not store().exists(other)
    ]
    if ended:
        UserSession.objects.filter(session_key__in=ended).delete()


def sessions_end_for_user(*, user, except_session_key: str | None = None) -> int:
    """End every server-side session of `user` except `except_session_key`, and their API token; return how
    many sessions were ended.

    Called when a membership ends, a user is deactivated, a password is changed or reset and a second factor
    is reset, so that a session opened elsewhere (a lost phone, a shared computer) or a token kept by a
    script cannot go on under the old access. The token goes even on a password change that keeps the
    browser session: it was issued on the old password, and a new one is asked for with the new one.
    """
    from cmm.models import UserSession

    api_tokens_end_for_user(user=user)
    sessions = UserSession.objects.filter(user=user)
    if except_session_key:
        sessions = sessions.exclude(session_key=except_session_key)
    keys = list(sessions.values_list("session_key", flat=True))
    store = _session_store_class()
    for key in keys:
        store().delete(key)
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def api_tokens_end_for_user(*, user) -> int:
    """Delete the user's API token (DRF's one token per user); return how many were deleted. The next
    request with it is refused with 401, and a new one is issued only with the password and second factor."""
    from rest_framework.authtoken.models import Token

    deleted, _rows = Token.objects.filter(user=user).delete()
    return deleted


def api_token_is_expired(token) -> bool:
    """Tell whether an API token was issued more than API_TOKEN_MAX_AGE_DAYS ago. Its age counts from the
    last time it was issued with the password and the second factor (cmm.two_factor.services.api_token_issue
    marks that time on the token)."""
    age = timezone.now() - token.created
    return age >= timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)


def _session_store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


# --- Signal receivers (connected in cmm.apps) ----------------------------------------------------------


def on_user_logged_in(sender, request, user, **kwargs):
    """Start the absolute lifetime of the new session and record it as the user's."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session[SESSION_AUTHENTICATED_AT] = int(timezone.now().timestamp())
    session_track(user=user, session=session)


def on_user_logged_out(sender, request, user, **kwargs):
    """Forget the session that is being ended (logout deletes it on the server)."""
    from cmm.models import UserSession

    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()
