"""JSON bodies nested too deeply are refused with a 400 before any view, logged in or not (issue 17).

`[` x 3000 was a RecursionError in the guard's own json.loads (a 500 before login on every API path), and
behind it in DRF's JSONParser, which catches ValueError only.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cases.models import Case
from cmm.models import Role
from cmm.request_guard import MAX_JSON_DEPTH
from cmm.two_factor.services import api_token_issue

pytestmark = pytest.mark.django_db

BOMBS = {
    "brackets": "[" * 3000,
    "closed brackets": "[" * 3000 + "]" * 3000,
    "objects": '{"a":' * 3000 + "1" + "}" * 3000,
    "in a field": '{"gender": "female", "languages": ' + "[" * 100_000 + "]" * 100_000 + "}",
}


def _assert_refused(response):
    assert response.status_code == 400, (response.status_code, response.content[:200])
    assert response["Content-Type"].startswith("application/json")
    assert "nested" in response.json()["detail"].lower() or "indlejret" in response.json()["detail"].lower()


def _api_paths() -> list[tuple[str, str]]:
    """Every (method, concrete path) of the schema that takes a body."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method, re.sub(r"\{[^}]+\}", "1", path))
        for path, item in schema["paths"].items()
        for method in item
        if method in ("post", "put", "patch", "delete")
    ]


@pytest.mark.parametrize("bomb", BOMBS)
def test_a_depth_bomb_is_a_400_on_every_api_path_before_login(bomb):
    client = Client(raise_request_exception=True)
    paths = _api_paths()
    assert len(paths) > 50
    for method, path in paths:
        response = client.generic(method.upper(), path, BOMBS[bomb], content_type="application/json")
        _assert_refused(response)


@pytest.mark.parametrize("bomb", BOMBS)
def test_a_depth_bomb_is_a_400_for_a_logged_in_caller_and_stores_nothing(users_a, bomb):
    user = users_a[Role.CASEWORKER]
    client = Client(
        raise_request_exception=True, HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user).key}"
    )
    before = Case.objects.count()
    for path in ("/api/cases/", "/api/outreach/contacts/", "/api/reflection/periods/", "/api/auth/token/"):
        _assert_refused(client.post(path, BOMBS[bomb], content_type="application/json"))
    assert Case.objects.count() == before


def test_nesting_up_to_the_limit_reaches_the_view(users_a):
    user = users_a[Role.CASEWORKER]
    client = Client(
        raise_request_exception=True, HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user).key}"
    )
    deep = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    response = client.post("/api/cases/", '{"languages": ' + deep + "}", content_type="application/json")
    assert response.status_code == 400
    assert "languages" in response.json()  # the serializer's field error, not the guard's refusal
    too_deep = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    _assert_refused(
        client.post("/api/cases/", '{"languages": ' + too_deep + "}", content_type="application/json")
    )
