"""Forms sent after the session ended are kept, and shown again filled in after logging in (issue 18).

A worker on the street taps *Gem* after the idle timeout: the session is gone, and the POST would be thrown
away by the redirect to the login page. Instead `KeptFormMiddleware`:

1. keeps the form's fields of an unauthenticated POST to an app page (not the API, not the account pages,
   not a file upload, never a password or a code) as a `KeptSubmission`, encrypted with the personal-details
   key (cmm.encryption), for KEPT_FORM_MINUTES; its random id goes into the new (anonymous) session, which
   Django keeps through the login and the second step; never into a URL;
2. sends the user to the login page with an explanation, and `next` back to the page the form was on;
3. when that page is opened again by the same user (the row holds a keyed hash of the user's id, taken from
   the signed "author" cookie the browser got at its last login), binds the page's form to the kept fields
   (`kept_data_for_form`, called by cmm.input_rules.InputForm): the user checks it and taps Save once, with
   a fresh CSRF token. The row is deleted when the form is shown again, when a different user logs in here,
   and once expired (`kept_submissions_purge`, a periodic task, and on every keep).

Exactly once: the form is sent again as typed, so a form token in it (the outreach contact's submission id)
is the same, and a double save still gives one row.
"""

from __future__ import annotations

import contextvars
import json
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from cmm.encryption import DecryptionError
from cmm.models import KeptSubmission

SESSION_KEY = "cmm_kept_submission"
AUTHOR_COOKIE = "cmm_author"
_AUTHOR_SALT = "cmm.kept_forms.author"
_HASH_SALT = "cmm.kept_forms.owner"
# Pages whose POSTs are never kept: the API (a client retries itself), logging in and out, passwords and the
# second factor, the language switch, the admin.
EXCLUDED_PREFIXES = ("/api/", "/accounts/", "/i18n/", "/admin/", "/static/", "/healthz")
# Fields never kept: the old CSRF token (a fresh one comes with the form), passwords and codes.
NEVER_KEPT = frozenset(
    {
        "csrfmiddlewaretoken",
        "password",
        "password1",
        "password2",
        "old_password",
        "new_password1",
        "new_password2",
        "code",
        "otp_token",
    }
)
# Fields that say nothing typed (buttons, where to go next): a form of only these is not kept.
_NOT_TYPED = frozenset({"then", "next", "action"})
MAX_BYTES = 200_000


def owner_hash(user_id: int) -> str:
    """A keyed hash of a user's id: ties a kept form to its author without naming anybody."""
    return salted_hmac(_HASH_SALT, str(user_id)).hexdigest()


def kept_submission_keep(*, owner: str, path: str, page: str, data: dict[str, list[str]]) -> KeptSubmission:
    """Keep a form's fields (encrypted) for KEPT_FORM_MINUTES; expired forms of anyone are purged first."""
    kept_submissions_purge()
    return KeptSubmission.objects.create(
        id=secrets.token_urlsafe(32),
        owner_hash=owner,
        path=path[:400],
        page=page[:400],
        payload=json.dumps(data),
        expires_at=timezone.now() + timedelta(minutes=settings.KEPT_FORM_MINUTES),
    )


def kept_submission_get(*, kept_id: str, user) -> KeptSubmission | None:
    """The kept form `kept_id` if it is `user`'s and not expired. A form of another user is deleted: it was
    typed by someone else, and a different person has logged in on this browser."""
    kept = KeptSubmission.objects.filter(pk=kept_id, expires_at__gt=timezone.now()).first()
    if kept is None:
        return None
    if not constant_time_compare(kept.owner_hash, owner_hash(user.pk)):
        kept.delete()
        return None
    return kept


def kept_submission_data(kept: KeptSubmission) -> QueryDict | None:
    """The kept fields as a QueryDict (None if they can no longer be decrypted)."""
    try:
        data = json.loads(kept.payload)
    except (DecryptionError, ValueError):
        return None
    query = QueryDict(mutable=True)
    for name, values in data.items():
        query.setlist(name, [str(v) for v in values])
    query._mutable = False
    return query


def kept_submission_discard(*, kept_id: str) -> None:
    """Delete a kept form (shown again, or not to be shown to this user)."""
    KeptSubmission.objects.filter(pk=kept_id).delete()


def kept_submissions_purge() -> int:
    """Delete every expired kept form; return how many."""
    deleted, _rows = KeptSubmission.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


# --- Binding the page's form (called by cmm.input_rules.InputForm) ----------------------------------------


@dataclass
class _Restore:
    data: QueryDict
    request: object
    used: bool = False
    names: set = field(default_factory=set)


_restore: contextvars.ContextVar[_Restore | None] = contextvars.ContextVar("cmm_kept_form", default=None)


def kept_data_for_form(form_class, prefix: str | None) -> QueryDict | None:
    """The kept fields for the first unbound form of the page that has any of them, once per request."""
    restore = _restore.get()
    if restore is None or restore.used:
        return None
    prefix = prefix if prefix is not None else getattr(form_class, "prefix", None)
    names = {f"{prefix}-{name}" if prefix else name for name in form_class.base_fields}
    if not names & restore.names:
        return None
    restore.used = True
    messages.info(
        restore.request,
        _(
            "Your session had ended. Here is what you typed: check it and tap Save. Nothing has been saved "
            "yet."
        ),
    )
    return restore.data


def kept_form_restored() -> bool:
    """Whether a form of this request was filled in from a kept submission."""
    restore = _restore.get()
    return restore is not None and restore.used


# --- The middleware ---------------------------------------------------------------------------------------


def _author(request) -> str | None:
    return request.get_signed_cookie(AUTHOR_COOKIE, default=None, salt=_AUTHOR_SALT)


def _keepable(request) -> bool:
    if request.method != "POST" or request.path_info.startswith(EXCLUDED_PREFIXES):
        return False
    if request.content_type == "multipart/form-data":
        if request.FILES:
            return False  # file uploads are not kept (the file would have to be sent again anyway)
    elif request.content_type != "application/x-www-form-urlencoded":
        return False  # JSON and the like are not forms of the pages
    try:
        resolve(request.path_info)
    except Resolver404:
        return False
    return True


def _page(request) -> str:
    """Where the form was: the same-site page it was sent from, else the address it was sent to."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path.startswith("/") and not parts.path.startswith(EXCLUDED_PREFIXES):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


def _typed_fields(request) -> dict[str, list[str]] | None:
    data = {name: request.POST.getlist(name) for name in request.POST if name not in NEVER_KEPT}
    if not any(value.strip() for name, values in data.items() if name not in _NOT_TYPED for value in values):
        return None
    if len(json.dumps(data)) > MAX_BYTES:
        return None
    return data


class KeptFormMiddleware:
    """Keep a form sent after the session ended, and fill it in again after logging in (module docstring).

    Placed after CsrfViewMiddleware: its `process_view` runs after the CSRF check, so that a form sent from
    another site is never kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _restore.set(None)
        try:
            response = self.get_response(request)
            restore = _restore.get()
            if restore is not None and restore.used:
                kept_id = request.session.pop(SESSION_KEY, None)
                if kept_id:
                    kept_submission_discard(kept_id=kept_id)
        finally:
            _restore.reset(token)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expected = owner_hash(user.pk)
            if _author(request) != expected:
                response.set_signed_cookie(
                    AUTHOR_COOKIE,
                    expected,
                    salt=_AUTHOR_SALT,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return self._keep(request) if _keepable(request) else None
        kept_id = request.session.get(SESSION_KEY)
        if kept_id and request.method == "GET":
            kept = kept_submission_get(kept_id=kept_id, user=user)
            if kept is None:
                request.session.pop(SESSION_KEY, None)
            elif kept.page == request.get_full_path():
                data = kept_submission_data(kept)
                if data is None:
                    request.session.pop(SESSION_KEY, None)
                    kept_submission_discard(kept_id=kept_id)
                else:
                    names = {name for name in data if name not in NEVER_KEPT | _NOT_TYPED}
                    _restore.set(_Restore(data=data, request=request, names=names))
        return None

    def _keep(self, request):
        author = _author(request)
        if not author:
            return None  # no login on this browser to tie it to: the usual redirect to the login page
        data = _typed_fields(request)
        if data is None:
            return None
        page = _page(request)
        previous = request.session.get(SESSION_KEY)
        if previous:
            kept_submission_discard(kept_id=previous)
        kept = kept_submission_keep(owner=author, path=request.get_full_path(), page=page, data=data)
        request.session[SESSION_KEY] = kept.pk
        messages.warning(
            request,
            _(
                "Your session ended. Log in again and your form will be filled in with what you typed; "
                "nothing was saved yet."
            ),
        )
        return redirect(f"{reverse('login')}?{urlencode({'next': page})}")
