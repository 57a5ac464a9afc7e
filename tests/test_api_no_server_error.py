"""No API answer is a server error, whatever the method, the format asked for or the caller (issue 17).

OPTIONS (DRF's metadata) and the renderer formats (`?format=json`, the browsable API's `?format=api`, an
`Accept: text/html` header, a format no renderer knows) are not in the schema, so neither the permission
matrix nor Schemathesis sent them, and OPTIONS on 36 endpoints and `?format=api` on 17 answered 500. This
sweep walks every operation of the OpenAPI schema (`/api/schema/`) as every principal of the permission
matrix's world, on an object the principal can see where there is one (else A's own object, which it must be
refused), and sends OPTIONS once per path, every method of the schema in every format of the view's renderers
(and `api`), and GET in an unknown format and with `Accept: text/html`, failing on any 5xx.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from django.db import transaction
from django.urls import resolve

from tests.permission_matrix.registry import ENTRIES, VISIBLE
from tests.permission_matrix.world import object_ids

pytestmark = pytest.mark.django_db

UNKNOWN_FORMAT = "no-such-format"
# A principal of every role (and B's caseworker, of another organisation), and nobody; the matrix's
# deactivated and group-permission users answer as anonymous and the outreach worker do (its own test).
ROLES = ("anon", "out_a", "cw_a", "admin_a", "cw_b", "coord", "analyst", "liaison")
PARAMETER = re.compile(r"\{[^}]+\}")
# One test per part of the API, so that xdist spreads them.
SECTIONS = {
    "platform": ("/api/auth/", "/api/me/", "/api/organisations/", "/api/members/", "/api/audit/"),
    "cases": ("/api/cases/",),
    "outreach-identification": ("/api/outreach/", "/api/identification/", "/api/reflection/"),
    "referrals-reports": ("/api/referrals/", "/api/reports/"),
}


def _schema(world) -> dict:
    response = world.clients["cw_a"].get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def _view_class(match):
    return getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)


def _formats(view_class) -> list[str]:
    """The `?format=` values of the view's renderers (at least json and DRF's browsable `api`)."""
    renderers = getattr(view_class, "renderer_classes", None) or []
    named = [renderer.format for renderer in renderers if getattr(renderer, "format", None)]
    return list(dict.fromkeys([*named, "json", "api"]))


def _url(world, path: str, kind: str | None, principal: str) -> str:
    """The path with the ids of an object the principal may see (else A's own object; a missing id for the
    kinds the world does not build)."""
    if not PARAMETER.search(path):
        return path
    visible = sorted(VISIBLE.get(kind, {}).get(principal, ()))
    variants = [v for v in ("own", "referred", "other", "revoked", "deleted") if v in visible] or ["own"]
    ids = iter(object_ids(world, kind, variants[0] if kind in world.objects else "missing"))
    return PARAMETER.sub(lambda _match: str(next(ids)), path)


def _send(client, method: str, url: str, *, fmt: str | None, accept: str | None = None):
    """Send one request in a savepoint that is rolled back; an empty JSON body for the unsafe methods."""
    url += f"?format={fmt}" if fmt else ""
    extra = {"HTTP_ACCEPT": accept} if accept else {}
    if method not in ("get", "options"):
        extra.update(data="{}", content_type="application/json")
    try:
        with transaction.atomic():
            response = client.generic(method.upper(), url, **extra)
            transaction.set_rollback(True)
    except Exception as exc:  # the test client re-raises what the view raised: that is a 500
        return 500, f"{type(exc).__name__}: {str(exc)[:160]}"
    return response.status_code, ""


def _sweep(world, prefixes) -> tuple[Counter, list[str]]:
    statuses, failures = Counter(), []
    paths = {p: item for p, item in _schema(world)["paths"].items() if p.startswith(prefixes)}
    assert paths, f"no operation under {prefixes}"
    for path, item in paths.items():
        match = resolve(PARAMETER.sub("1", path))
        entry = ENTRIES[match.url_name]
        formats = _formats(_view_class(match))
        methods = [m for m in item if m in ("get", "post", "put", "patch", "delete")]
        for principal in ROLES:
            client = world.clients[principal]
            url = _url(world, path, entry.kind, principal)
            requests = [("options", None, None)]
            for method in methods:
                requests += [(method, fmt, None) for fmt in formats]
                if method == "get":  # refused in content negotiation, before the method matters
                    requests += [(method, UNKNOWN_FORMAT, None), (method, None, "text/html")]
            for method, fmt, accept in requests:
                status, error = _send(client, method, url, fmt=fmt, accept=accept)
                statuses[status] += 1
                if status >= 500:
                    how = f"?format={fmt}" if fmt else (f"Accept: {accept}" if accept else "")
                    failures.append(f"{method.upper()} {url} {how} as {principal}: {status} {error}")
    return statuses, failures


@pytest.mark.parametrize("section", SECTIONS)
def test_no_method_format_or_caller_gets_a_server_error(world, section):
    statuses, failures = _sweep(world, SECTIONS[section])
    sent = statuses.total()
    assert not failures, f"{len(failures)} of {sent} requests answered 5xx:\n" + "\n".join(failures)
    assert statuses[200] > sent / 10, f"the sweep hardly reached a view: {statuses}"


def test_the_sections_cover_every_operation(world):
    prefixes = tuple(prefix for section in SECTIONS.values() for prefix in section)
    uncovered = [path for path in _schema(world)["paths"] if not path.startswith(prefixes)]
    assert not uncovered, f"add these to a section of SECTIONS: {uncovered}"


# --- What OPTIONS and the formats answer --------------------------------------------------------------------


def test_options_answers_the_views_name_and_media_types_only(world):
    client = world.clients["cw_a"]
    case_id = world.objects["case"]["own"].pk
    for url in ("/api/cases/", f"/api/cases/{case_id}/", f"/api/cases/{case_id}/personal-details/"):
        response = client.options(url)
        assert response.status_code == 200, url
        assert set(response.json()) == {"name", "description", "renders", "parses"}, url
        assert response.json()["renders"] == ["application/json"], url
    assert world.clients["anon"].options("/api/cases/").status_code in (401, 403)


def test_the_browsable_api_is_off_and_an_unknown_format_is_a_json_404(world):
    client = world.clients["cw_a"]
    case_id = world.objects["case"]["own"].pk
    for fmt in ("api", UNKNOWN_FORMAT):
        response = client.get(f"/api/cases/{case_id}/", {"format": fmt})
        assert response.status_code == 404, fmt
        assert response["Content-Type"].startswith("application/json"), fmt
    response = client.get(f"/api/cases/{case_id}/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response["Content-Type"].startswith("application/json")
    # A browser's Accept (with */*) gets JSON.
    response = client.get(f"/api/cases/{case_id}/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
