"""Template tags of the base layout: what the page's scripts need to know (session-keeper.js,
form-drafts.js), rendered as data attributes; the CSP allows no inline script."""

from django import template
from django.conf import settings

from cmm.kept_forms import kept_form_restored, owner_hash
from cmm.session_apis import session_times

register = template.Library()


@register.simple_tag(takes_context=True)
def session_keeper(context) -> dict:
    """The session's times and the hashed user id that keys the browser's form drafts."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return {}
    return {
        **session_times(request.session),
        "warn_seconds": settings.SESSION_WARN_SECONDS,
        "user_key": owner_hash(user.pk)[:16],
        "kept_restored": kept_form_restored(),
    }
