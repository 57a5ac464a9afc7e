"""Refuse input no view can store, before any view sees it, and answer the API's own 404s in JSON.

PostgreSQL refuses NUL (0x00) in text; SQLite stores it. Forms and serializers' CharFields already refuse NUL,
but query parameters read by hand, list and JSON fields and filters do not, so a NUL byte there was a 500 on
PostgreSQL and a stored NUL on SQLite. The rule lives here, once, for every page and API request:

- a NUL in the query string (pages and API) -> 400; the API answers with the parameter's name as field error;
- a NUL in an API body (JSON or form-encoded) -> 400 with the top-level field(s) that hold it as field errors;
- an API body (not a multipart upload) longer than API_MAX_BODY_BYTES -> 413 (no API field needs that much;
  files are uploaded as multipart, which Django's upload limits govern);
- Django's own error pages on API addresses -> JSON, as the schema says every API answer is: the 404 of an
  address that matches no URL pattern (`/api/cases/abc/`), and the 400 of a multipart or form body Django
  refuses to parse (more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields, or too large).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

API_PREFIX = "/api/"
NUL = "\x00"
# Django's own error pages (HTML) that an API request can get, with the detail the API answers instead.
DJANGO_ERROR_DETAILS = {
    400: gettext_noop("The request could not be read."),
    403: gettext_noop("You do not have permission to perform this action."),
    404: gettext_noop("Not found."),
    413: gettext_noop("The request body is too large."),
}


def _nul_message() -> str:
    # Django's own wording (translated in Django's catalogue), as its forms and DRF's CharField say it.
    return _("Null characters are not allowed.")


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _query_fields_with_nul(query_string: str) -> list[str]:
    pairs = parse_qsl(query_string, keep_blank_values=True)
    return sorted({(key.replace(NUL, "") or "query") for key, value in pairs if NUL in key or NUL in value})


def _body_fields_with_nul(request) -> list[str]:
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            data = json.loads(request.body)
        except ValueError:
            return []  # not JSON: the parser answers 400 itself
        if isinstance(data, dict):
            return sorted(
                (key.replace(NUL, "") or "non_field_errors")
                for key, value in data.items()
                if _holds_nul(key) or _holds_nul(value)
            )
        return ["non_field_errors"] if _holds_nul(data) else []
    if content_type == "application/x-www-form-urlencoded":
        return _query_fields_with_nul(request.body.decode("utf-8", errors="replace"))
    return []


class RequestGuardMiddleware:
    """Answer 400 to NUL bytes in the query string or API body, 413 to huge API bodies; API errors in JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        is_api = request.path_info.startswith(API_PREFIX)
        refusal = self._refusal(request, is_api=is_api)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if (
            is_api
            and response.status_code in DJANGO_ERROR_DETAILS
            and response.get("Content-Type", "").startswith("text/html")
        ):
            # Django's error page, not the view's answer (DRF's own errors are JSON already).
            detail = _(DJANGO_ERROR_DETAILS[response.status_code])
            return JsonResponse({"detail": detail}, status=response.status_code)
        return response

    def _refusal(self, request, *, is_api: bool):
        fields = _query_fields_with_nul(request.META.get("QUERY_STRING", ""))
        if fields and not is_api:
            return HttpResponseBadRequest(_nul_message(), content_type="text/plain; charset=utf-8")
        if not is_api:
            return None
        if not fields and request.method in ("POST", "PUT", "PATCH", "DELETE"):
            content_type = request.content_type or ""
            if not content_type.startswith("multipart/"):
                try:
                    length = int(request.META.get("CONTENT_LENGTH") or 0)
                except ValueError:
                    length = 0
                if length > settings.API_MAX_BODY_BYTES:
                    return JsonResponse({"detail": _("The request body is too large.")}, status=413)
                fields = _body_fields_with_nul(request)
        if fields:
            return JsonResponse({field: [_nul_message()] for field in fields}, status=400)
        return None
