"""The OpenAPI schema's error answers: documented once for every operation instead of in every view.

A drf-spectacular post-processing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]). Every operation can
answer with the errors the framework gives for everyone: 401 without credentials, 403 for a role that may not,
404 for an object the caller may not see (or an id that does not exist), 400 with field errors for bad input,
413 for a body above API_MAX_BODY_BYTES, 415 for a body of a content type the operation does not take, and
429 when throttled. An operation that documents one of these itself (with its own description) keeps its own.

Times of day (DRF's TimeField: "14:30:00") are documented as RFC 3339 `partial-time`, which is what they are:
JSON Schema's `time` format is RFC 3339 `full-time`, which requires a UTC offset that a time of day has not.
"""

from __future__ import annotations

ERROR_COMPONENT = "ErrorDetail"
FIELD_ERRORS_COMPONENT = "FieldErrors"

ERROR_SCHEMA = {
    "type": "object",
    "description": "Why the request was refused.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "A machine-readable reason, where there is one."},
    },
    "required": ["detail"],
}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Each invalid field (or query parameter) with its messages; `non_field_errors` for the "
    "input as a whole, `detail` for input that could not be read at all.",
    "additionalProperties": {},
}

_JSON = "application/json"


def _response(component: str, description: str) -> dict:
    return {
        "description": description,
        "content": {_JSON: {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _errors_for(path: str, operation: dict) -> dict[str, dict]:
    errors = {}
    takes_input = "requestBody" in operation or any(
        parameter.get("in") == "query" for parameter in operation.get("parameters", [])
    )
    # Every operation reads the query string (a NUL byte in it is refused) and most read a body.
    errors["400"] = _response(
        FIELD_ERRORS_COMPONENT,
        "Invalid input: field errors." if takes_input else "Unreadable input (e.g. a NUL byte in the query).",
    )
    if operation.get("security") != [{}] and operation.get("security") != []:
        errors["401"] = _response(ERROR_COMPONENT, "No valid credentials.")
        errors["403"] = _response(
            ERROR_COMPONENT, "The role may not do this here, or the second factor is missing or not fresh."
        )
    errors["404"] = _response(
        ERROR_COMPONENT,
        "Not found, or not visible to the caller (the two look the same)."
        if "{" in path
        else "Not found (e.g. an organisation the caller may not see).",
    )
    if "requestBody" in operation:
        errors["413"] = _response(ERROR_COMPONENT, "The request body is larger than API_MAX_BODY_BYTES.")
        errors["415"] = _response(ERROR_COMPONENT, "The body's content type is not one this operation takes.")
    errors["429"] = _response(ERROR_COMPONENT, "Too many requests: throttled.")
    return errors


def _times_of_day_as_partial_time(node) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            node["format"] = "partial-time"
            # An example, not a pattern: Redoc's sample maker fails on a regular expression here.
            node.setdefault("example", "14:30:00")
        for value in node.values():
            _times_of_day_as_partial_time(value)
    elif isinstance(node, list):
        for value in node:
            _times_of_day_as_partial_time(value)


def add_error_responses(result, generator, request, public):
    """Document the framework's error answers on every operation; describe times of day as they are."""
    _times_of_day_as_partial_time(result.get("components", {}))
    _times_of_day_as_partial_time(result.get("paths", {}))
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    schemas.setdefault(FIELD_ERRORS_COMPONENT, FIELD_ERRORS_SCHEMA)
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, response in _errors_for(path, operation).items():
                existing = responses.get(status)
                if existing is None:
                    responses[status] = response
                elif "content" not in existing:
                    # A view's own description wins; the body it answers with is still the framework's.
                    existing["content"] = response["content"]
    return result
