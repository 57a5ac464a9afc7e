"""Refuse input no view can store, before any view sees it, and answer the API's own 404s in JSON.

PostgreSQL refuses NUL (0x00) in text; SQLite stores it. Forms and serializers' CharFields already refuse NUL,
but query parameters read by hand, list and JSON fields and filters do not, so a NUL byte there was a 500 on
PostgreSQL and a stored NUL on SQLite. The rule lives here, once, for every page and API request:

- a NUL in the query string (pages and API) -> 400; the API answers with the parameter's name as field error;
- a NUL in an API body (JSON or form-encoded) -> 400 with the top-level field(s) that hold it as field errors;
- a string of an API body with more combining marks on one character than writing needs (cmm.input_rules,
  the rule the page forms apply to their text fields) -> 400 with the top-level field(s) as field errors;
- an API JSON body nested deeper than MAX_JSON_DEPTH (`[[[[...`) -> 400 {"detail": ...}: Python's JSON parser
  recurses, so a few thousand brackets were a RecursionError (a 500, before login) here and in DRF's parser,
  which catches ValueError only; no API body nests more than a handful of levels;
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

from cmm.input_rules import MAX_COMBINING_MARKS, TOO_MANY_MARKS, longest_mark_run

API_PREFIX = "/api/"
NUL = "\x00"
# Far deeper than any body of the API (a case with its exploitations is 3 levels), far below the recursion
# limit that the views' parsers and serializers (deeper in the stack than this middleware) would meet.
MAX_JSON_DEPTH = 32
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


def _marks_message() -> str:
    return str(TOO_MANY_MARKS) % {"count": MAX_COMBINING_MARKS}


def _holds(value, test) -> bool:
    """Whether a string of `value` (a key or an item, at any depth) passes `test`."""
    if isinstance(value, str):
        return test(value)
    if isinstance(value, dict):
        return any(_holds(key, test) or _holds(item, test) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds(item, test) for item in value)
    return False


def _has_nul(text: str) -> bool:
    return NUL in text


def _has_mark_stack(text: str) -> bool:
    return longest_mark_run(text) > MAX_COMBINING_MARKS


def _query_fields_with_nul(query_string: str) -> list[str]:
    pairs = parse_qsl(query_string, keep_blank_values=True)
    return sorted({(key.replace(NUL, "") or "query") for key, value in pairs if NUL in key or NUL in value})


def _json_depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is 0), without recursing."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


class _TooDeep(Exception):
    """The JSON body nests deeper than MAX_JSON_DEPTH."""


def _body_fields(request) -> list[tuple[str, object]]:
    """The API body as (top-level field, value) pairs: a JSON object's items, a form's pairs; a JSON value
    that is not an object is one pair under non_field_errors. Raise _TooDeep for a JSON depth bomb."""
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            data = json.loads(request.body)
        except RecursionError as exc:
            raise _TooDeep from exc
        except ValueError:
            return []  # not JSON: the parser answers 400 itself
        if _json_depth(data) > MAX_JSON_DEPTH:
            raise _TooDeep
        return list(data.items()) if isinstance(data, dict) else [("non_field_errors", data)]
    if content_type == "application/x-www-form-urlencoded":
        return parse_qsl(request.body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return []


def _body_errors(request) -> dict[str, list[str]]:
    """Field errors for the top-level fields of the API body that hold a NUL or a stack of combining marks."""
    errors: dict[str, list[str]] = {}
    for key, value in _body_fields(request):
        field = key.replace(NUL, "") or "non_field_errors"
        if _has_nul(key) or _holds(value, _has_nul):
            errors[field] = [_nul_message()]
        elif _holds(value, _has_mark_stack):
            errors[field] = [_marks_message()]
    return dict(sorted(errors.items()))


class RequestGuardMiddleware:
    """Answer 400 to NUL bytes in the query string or API body, to stacks of combining marks in an API body
    and to JSON nested too deeply, 413 to huge API bodies; API errors in JSON."""

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
        if fields:
            return JsonResponse({field: [_nul_message()] for field in fields}, status=400)
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return None
        content_type = request.content_type or ""
        if content_type.startswith("multipart/"):
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.API_MAX_BODY_BYTES:
            return JsonResponse({"detail": _("The request body is too large.")}, status=413)
        try:
            errors = _body_errors(request)
        except _TooDeep:
            detail = _("The JSON body is nested too deeply (at most %(depth)s levels).")
            return JsonResponse({"detail": detail % {"depth": MAX_JSON_DEPTH}}, status=400)
        if errors:
            return JsonResponse(errors, status=400)
        return None
