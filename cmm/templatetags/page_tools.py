"""Template tags of the base layout: what the page's scripts need to know (session-keeper.js,
form-drafts.js), rendered as data attributes; the CSP allows no inline script."""

from django import template
from django.conf import settings

from cmm.kept_forms import kept_form_restored, owner_hash
from cmm.session_apis import session_times

register = template.Library()

# The pages of the second factor (the authenticator's key, recovery codes) run no script at all.
NO_SCRIPT_PREFIXES = ("/accounts/2fa/",)


@register.simple_tag(takes_context=True)
def session_keeper(context) -> dict:
    """Whether the page runs the base scripts; for a fully logged-in user also the session's times and the
    hashed user id that keys the browser's form drafts."""
    request = context.get("request")
    if request is None or request.path.startswith(NO_SCRIPT_PREFIXES):
        return {"scripts": False}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"scripts": True}
    verified = getattr(user, "is_verified", None)
    if verified is not None and not verified():
        return {"scripts": True}  # before the second step: the keep-alive would be refused
    return {
        "scripts": True,
        "logged_in": True,
        **session_times(request.session),
        "warn_seconds": settings.SESSION_WARN_SECONDS,
        "user_key": owner_hash(user.pk)[:16],
        "kept_restored": kept_form_restored(),
    }
