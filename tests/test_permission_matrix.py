"""The permission matrix (issue 11): every page URL and API operation x principals x objects.

What exists comes from the URL resolver and the OpenAPI schema (tests/permission_matrix/enumerate.py), who
may do what from the registry (tests/permission_matrix/registry.py), the principals and objects from
tests/permission_matrix/world.py, built once per module through the services.

For every URL, principal and object variant a GET is sent; the unsafe methods (POST/PUT/PATCH/DELETE) are
sent, with an empty body, only where they must be refused. A refusal is a redirect to the login page
(anonymous, on pages), 401/403 (anonymous on the API, or a role that may not) or 404 (an object the
principal may not see): never 2xx, never 400 (a form error before the permission check tells that the
object exists), never 500. An invisible object must answer exactly as an id that does not exist. The user
whose only power is a model-wide permission through a Django group must get exactly what the plain outreach
worker gets, and the deactivated user exactly what an anonymous visitor gets. The former member (moved from A
to B) and the former deciding authority (A's case routed away from it) get nothing of A's (issue 17). Every
violation is collected and shown as one table.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.permission_matrix.enumerate import SKIPPED_PREFIXES, UNSAFE, api_operations, page_routes
from tests.permission_matrix.registry import ENTRIES, VISIBLE, Entry
from tests.permission_matrix.world import KINDS, PRINCIPALS, object_ids

pytestmark = pytest.mark.django_db

REGISTRY = "tests/permission_matrix/registry.py"
LOGIN = "/accounts/login/"
# The registry's own principals; grp and deact are derived (see the module docstring).
DERIVED = {"grp": "out_a", "deact": "anon"}

# The URL sections, one test each, so that xdist can spread them (each worker builds the world once).
SECTIONS = {
    "platform": ("", "accounts/", "members/", "audit/", "i18n/", "healthz"),
    "cases": ("cases/",),
    "outreach": ("outreach/",),
    "identification": ("identification/",),
    "reflection": ("reflection/",),
    "referrals": ("referrals/",),
    "reports": ("reports/",),
    "api-platform": (
        "api/auth/",
        "api/me/",
        "api/organisations/",
        "api/members/",
        "api/audit/",
        "api/schema/",
        "api/docs/",
        "api/redoc/",
    ),
    "api-cases": ("api/cases/",),
    "api-outreach": ("api/outreach/",),
    "api-identification": ("api/identification/",),
    "api-reflection": ("api/reflection/",),
    "api-referrals": ("api/referrals/",),
    "api-reports": ("api/reports/",),
}


def section_of(route: str) -> str:
    if route == "api/":
        return "api-platform"
    best = max(
        (
            (name, prefix)
            for name, prefixes in SECTIONS.items()
            for prefix in prefixes
            if route.startswith(prefix)
        ),
        key=lambda item: len(item[1]),
    )
    return best[0]


def _send(client: Client, method: str, url: str, *, is_api: bool):
    """Send one request in a savepoint that is rolled back, so that no request changes what the next sees."""
    try:
        with transaction.atomic():
            if method == "get":
                response = client.get(url)
            elif is_api:
                response = client.generic(method.upper(), url, data="{}", content_type="application/json")
            else:
                response = client.generic(
                    method.upper(), url, data="", content_type="application/x-www-form-urlencoded"
                )
            transaction.set_rollback(True)
    except Exception as exc:  # an exception is a 500, shown in the table
        return 500, f"{type(exc).__name__}: {str(exc)[:80]}"
    location = response.headers.get("Location", "")
    return response.status_code, location


def _access(entry: Entry, method: str, principal: str):
    access = entry.get if method == "get" else entry.write
    return (access or {}).get(DERIVED.get(principal, principal))


def _variants(world, entry: Entry, route, principal: str) -> list[str]:
    if not route.kwargs:
        return ["-"]
    built = list(world.objects.get(entry.kind, {}))
    if DERIVED.get(principal, principal) == "anon":
        built = built[:1]  # the login check comes before any object: one real object and a missing one do
    return [*built, "missing"]


def _url(world, route, entry: Entry, variant: str) -> str:
    if variant == "-":
        return reverse(route.name) + entry.query
    ids = object_ids(world, entry.kind, variant)
    return reverse(route.name, kwargs=dict(zip(route.kwargs, ids, strict=False))) + entry.query


def _judge(
    entry: Entry, route, method: str, principal: str, variant: str, status: int, location: str
) -> str | None:
    """Return what was expected when `status` breaks the rules, else None."""
    base = DERIVED.get(principal, principal)
    if base == "anon":
        if route.is_api:
            return None if status in (401, 403) else "401/403 (not logged in)"
        return None if status == 302 and location.startswith(LOGIN) else "302 to the login page"
    allowed = _access(entry, method, principal)
    if allowed is not None and variant in allowed:
        return None if status in entry.ok else f"{'/'.join(map(str, entry.ok))} (allowed)"
    if allowed is not None and route.kwargs and not _visible(entry, principal, variant):
        return None if status == 404 else "404 (not visible to this principal)"
    return None if status in (403, 404) else "403/404 (refused)"


def _visible(entry: Entry, principal: str, variant: str) -> bool:
    return variant in VISIBLE.get(entry.kind, {}).get(DERIVED.get(principal, principal), ())


def _requests(world, routes):
    """Yield (route, entry, method, principal, variant) for every request of the matrix over `routes`."""
    for route in routes:
        entry = ENTRIES[route.name]
        if entry.public:
            continue
        for method in route.methods:
            for principal in PRINCIPALS:
                for variant in _variants(world, entry, route, principal):
                    allowed = _access(entry, method, principal)
                    if method in UNSAFE and allowed is not None and variant in allowed:
                        continue  # allowed writes are the feature tests' business
                    yield route, entry, method, principal, variant


def run_matrix(world, routes) -> list[tuple]:
    statuses: dict[tuple, int] = {}
    violations = []
    for route, entry, method, principal, variant in _requests(world, routes):
        url = _url(world, route, entry, variant)
        status, location = _send(world.clients[principal], method, url, is_api=route.is_api)
        statuses[route.name, method, principal, variant] = status
        expected = _judge(entry, route, method, principal, variant, status, location)
        if expected:
            violations.append((route.name, method.upper(), principal, variant, status, expected, location))
    # An invisible object answers exactly as an id that does not exist; the group user as the outreach worker;
    # the deactivated user as nobody.
    for (name, method, principal, variant), status in statuses.items():
        missing = statuses.get((name, method, principal, "missing"))
        invisible = variant not in ("-", "missing") and not _visible(ENTRIES[name], principal, variant)
        if invisible and missing is not None and status != missing:
            violations.append(
                (name, method.upper(), principal, variant, status, f"{missing} (as a missing id)", "")
            )
        if principal in DERIVED:
            twin = statuses.get((name, method, DERIVED[principal], variant))
            if twin is not None and twin != status:
                violations.append(
                    (
                        name,
                        method.upper(),
                        principal,
                        variant,
                        status,
                        f"{twin} (as {DERIVED[principal]})",
                        "",
                    )
                )
    return violations


def _table(violations) -> str:
    head = ("url name", "method", "principal", "object", "got", "expected", "location")
    rows = [head, *[tuple(str(c) for c in row) for row in sorted(set(violations))]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows
    )


@pytest.mark.parametrize("section", list(SECTIONS))
def test_no_unexpected_success_and_invisible_objects_are_404(world, section):
    routes = [r for r in page_routes().values() if r.name in ENTRIES and section_of(r.route) == section]
    assert routes, f"no URL in section {section}"
    violations = run_matrix(world, routes)
    assert not violations, f"{len(violations)} permission matrix violations:\n" + _table(violations)


# --- The registry covers exactly what exists ----------------------------------------------------------------


def test_every_url_has_an_entry():
    missing = sorted(set(page_routes()) - set(ENTRIES))
    assert not missing, "\n".join(f"add an entry for {name} to {REGISTRY}" for name in missing)


def test_every_api_operation_has_an_entry():
    routes = page_routes()
    problems = []
    for name, method in sorted(api_operations()):
        entry = ENTRIES.get(name)
        if entry is None:
            problems.append(f"add an entry for {name} ({method.upper()}) to {REGISTRY}")
        elif method not in routes[name].methods:
            problems.append(f"{name}: the schema has {method.upper()} but the view does not answer it")
    assert not problems, "\n".join(problems)


def test_registry_has_no_stale_entries():
    stale = sorted(set(ENTRIES) - set(page_routes()))
    assert not stale, "\n".join(
        f"{name} is no longer a URL name: remove it from {REGISTRY}" for name in stale
    )


def test_registry_entries_fit_their_urls():
    problems = []
    for name, route in page_routes().items():
        entry = ENTRIES.get(name)
        if entry is None or entry.public:
            continue
        if bool(route.kwargs) != bool(entry.kind):
            problems.append(f"{name}: kwargs {route.kwargs} but object kind {entry.kind!r}")
        if entry.kind and entry.kind not in KINDS:
            problems.append(f"{name}: unknown object kind {entry.kind!r} (world.KINDS)")
        if ("get" in route.methods) != (entry.get is not None):
            problems.append(f"{name}: the view answers {route.methods}, the entry's get is {entry.get!r}")
    assert not problems, "\n".join(problems)


def test_skipped_prefixes_are_explained():
    assert all(reason for reason in SKIPPED_PREFIXES.values())


def test_admin_sends_a_user_without_staff_status_to_the_admin_login(world):
    for principal in ("anon", "cw_a", "coord", "grp"):
        response = world.clients[principal].get("/admin/")
        assert response.status_code == 302, principal
        assert response["Location"].startswith("/admin/login/"), principal


def test_public_urls_answer_anyone_without_an_error(world):
    for name, entry in ENTRIES.items():
        if not entry.public:
            continue
        route = page_routes()[name]
        if "get" not in route.methods:
            continue
        url = reverse(name, kwargs=dict.fromkeys(route.kwargs, "nope")) if route.kwargs else reverse(name)

        for principal in ("anon", "cw_a"):
            status, _location = _send(world.clients[principal], "get", url, is_api=route.is_api)
            assert status < 500, (name, principal, status)
            if route.kwargs:
                assert status in (200, 302, 404), (name, principal, status)


def test_the_former_members_session_from_before_leaving_opens_nothing_of_a(world):
    """The session the former member opened while still in A (and on the team of A's case) ends with the
    membership: it opens neither A's case nor anything else of A's."""
    client = world.clients["former_before_leaving"]
    own = world.objects["case"]["own"].pk
    for url in (reverse("case-detail", args=[own]), reverse("case-personal", args=[own])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), url
    assert client.get(reverse("api-case-detail", args=[own])).status_code in (401, 403, 404)


def test_a_deactivated_users_token_is_refused(world):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.users["deact"])
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    for name in ("api-case-list", "api-me"):
        assert client.get(reverse(name)).status_code in (401, 403), name


# --- Lists show exactly what may be seen

LISTS = {
    "api-case-list": "case",
    "api-identification-presentation-list": "presentation",
    "api-reflection-period-list": "period",
    "api-return-plan-list": "plan",
    "api-referral-list": "referral",
    "api-report-job-list": "job",
    "api-outreach-contact-list": "contact",
    "api-outreach-hotline-call-list": "hotline",
    "api-outreach-meeting-session-list": "session",
    "api-referral-group-list": "group",
    "api-member-list": "member",
}


def _listed_ids(client, url) -> set[int] | None:
    response = client.get(url, {"page_size": 500})
    if response.status_code != 200:
        return None
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    return {row["id"] for row in rows}


def test_api_lists_hold_exactly_the_visible_objects(world):
    """A list is the other door to an object: the revoked, the deleted, the other organisation's stay out."""
    problems = []
    for name, kind in LISTS.items():
        built = world.objects[kind]
        for principal in PRINCIPALS:
            if DERIVED.get(principal, principal) == "anon":
                continue
            listed = _listed_ids(world.clients[principal], reverse(name))
            expected = {v for v in built if _visible(Entry(kind=kind), principal, v)}
            if listed is None:
                if expected:
                    problems.append(f"{name} as {principal}: refused, may see {sorted(expected)}")
                continue  # refused: the matrix checks that it should be
            seen = {variant for variant, obj in built.items() if obj.pk in listed}

            if seen != expected:
                problems.append(f"{name} as {principal}: lists {sorted(seen)}, may see {sorted(expected)}")
    assert not problems, "\n".join(problems)
