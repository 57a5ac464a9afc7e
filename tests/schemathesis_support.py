"""Run Schemathesis against the API in-process, as one role, over the permission matrix's world of objects.

Requests go through Django's WSGI handler (no server, no network) inside the test's transaction: each request
runs in a savepoint that is rolled back, so that every example sees the same world, whatever the one before it
created, changed or erased. Integer path parameters are drawn half of the time from the ids of real objects
of the right kind (a case id for /cases/{id}/, a stay id for /stays/{stay_id}/...), so that the examples reach
the serializers and services, not only the 404 of a missing id.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import traceback
from dataclasses import dataclass, field

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, reject, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# The URL segment in front of a path parameter -> the world's object kind whose ids it takes.
SEGMENT_KINDS = {
    "cases": "case",
    "activities": "activity",
    "stays": "stay",
    "presentations": "presentation",
    "attachments": "attachment",
    "tasks": "task",
    "contacts": "contact",
    "hotline-calls": "hotline",
    "meeting-sessions": "session",
    "clinic-consultations": "clinic",
    "police-raids": "raid",
    "groups": "group",
    "meetings": "meeting",
    "actions": "action",
    "topics": "topic",
    "referrals": "referral",
    "returns": "plan",
    "components": "component",
    "follow-ups": "follow_up",
    "periods": "period",
    "jobs": "job",
}
PARAMETER = re.compile(r"([^/]+)/\{([^}]+)\}")


@dataclass
class RunResult:
    operations: int = 0
    examples: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: dict = field(default_factory=dict)  # status code -> count
    per_operation: dict = field(default_factory=dict)  # "METHOD /path" -> examples sent


def world_ids(world) -> dict[str, list[int]]:
    """The ids of every kind of object in the world, for the path parameters (the last id of a pair)."""
    ids: dict[str, list[int]] = {}
    for kind, variants in world.objects.items():
        ids[kind] = sorted(
            {value[-1] if isinstance(value, tuple) else value.pk for value in variants.values()}
        )
    ids["user"] = sorted(user.pk for user in world.users.values())
    return ids


def _path_kinds(path: str) -> dict[str, str]:
    """Map each parameter of a schema path to the object kind named by the segment in front of it."""
    kinds = {}
    for segment, name in PARAMETER.findall(path):
        if name == "user_id":
            kinds[name] = "user"
        elif path.startswith("/api/members/"):
            kinds[name] = "member"
        elif segment == "members":
            kinds[name] = "group_member"
        elif segment in SEGMENT_KINDS:
            kinds[name] = SEGMENT_KINDS[segment]
    return kinds


def with_real_ids(raw_schema: dict, ids: dict[str, list[int]]) -> dict:
    """Return a copy of the schema whose integer path parameters take a real id half of the time."""
    raw = copy.deepcopy(raw_schema)
    for path, item in raw["paths"].items():
        kinds = _path_kinds(path)
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "path" or parameter.get("schema", {}).get("type") != "integer":
                    continue
                real = ids.get(kinds.get(parameter["name"], ""), [])
                if real:
                    parameter["schema"] = {"anyOf": [{"enum": real}, parameter["schema"]]}
    return raw


def fetch_schema(headers: dict[str, str]) -> dict:
    """The OpenAPI schema as a client gets it from /api/schema/ (JSON)."""
    response = Client().get("/api/schema/", {"format": "json"}, headers=headers)
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


class _ServerErrors:
    """Keep the traceback of every exception a view raised (the 500 page hides it)."""

    def __init__(self):
        self.last: str | None = None

    def __call__(self, sender, request=None, **kwargs):
        self.last = traceback.format_exc(limit=-8)


def in_process_app():
    """Django's WSGI handler, keeping the test's database connection (and its transaction) open.

    The handler closes "old" connections at the start and end of each request; inside the test transaction
    that would throw the transaction away, so those two signal receivers are off while the app is in use
    (the way Django's test client does it).
    """
    return WSGIHandler()


def run_schema(
    *, raw_schema: dict, callers: dict[str, dict[str, str]], max_examples: int, prefixes: tuple[str, ...]
) -> RunResult:
    """Send `max_examples` generated requests (valid and invalid) to every operation under `prefixes`, each
    one as every caller (name -> request headers); collect the first failure of each caller and operation."""
    schema = schemathesis.openapi.from_dict(raw_schema)
    app = in_process_app()
    result = RunResult()
    server_errors = _ServerErrors()
    request_logger = logging.getLogger("django.request")
    level = request_logger.level
    request_logger.setLevel(logging.ERROR)  # not a warning line for each of the thousands of 4xx
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(server_errors)
    try:
        for operation_result in schema.get_all_operations():
            operation = operation_result.ok()
            if operation.path.startswith(prefixes):
                result.operations += 1
                _run_operation(operation, app, callers, max_examples, result, server_errors)
    finally:
        got_request_exception.disconnect(server_errors)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        request_logger.setLevel(level)
    return result


def _run_operation(operation, app, callers, max_examples, result, server_errors) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    failed: set[str] = set()
    strategy = operation.as_strategy(
        generation_mode=schemathesis.GenerationMode.POSITIVE
    ) | operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE)

    @settings(
        max_examples=max_examples,
        derandomize=True,  # the same examples on every run and machine
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failure is reported as it is
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case):
        result.examples += 1
        result.per_operation[label] = result.per_operation.get(label, 0) + 1
        for name, headers in callers.items():
            _send(case, app, name, headers, label, failed, result, server_errors)

    try:
        check()
    except (Exception, BaseExceptionGroup) as exc:  # a generation error: reported with the rest
        result.failures.append(f"=== {label}: {type(exc).__name__}\n{exc}"[:2500])


def _send(case, app, name, headers, label, failed, result, server_errors) -> None:
    """Send the case as one caller (in a savepoint rolled back afterwards) and check the answer."""
    server_errors.last = None
    try:
        with transaction.atomic():
            response = case.call(app=app, headers=headers)
            transaction.set_rollback(True)
    except ValueError as exc:
        if "Query string is defined in the path" in str(exc):
            # A generated path parameter holding "?": the test client cannot send it (nor could a browser
            # without encoding it, which makes it an ordinary unmatched path). Not an example.
            reject()
        raise
    result.statuses[response.status_code] = result.statuses.get(response.status_code, 0) + 1
    if name in failed:
        return  # the first failure of a caller on an operation is the one reported
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except (Exception, BaseExceptionGroup) as exc:
        failed.add(name)
        traceback_text = f"\n{server_errors.last}" if server_errors.last else ""
        result.failures.append(f"=== {label} as {name}\n{exc}{traceback_text}"[:2500])
