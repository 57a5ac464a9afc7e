"""What exists: page URL patterns from the resolver and API operations from the OpenAPI schema."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve

UNSAFE = ("post", "put", "patch", "delete")
HANDLERS = ("get", *UNSAFE)


@dataclass(frozen=True)
class Route:
    name: str
    route: str  # the pattern, e.g. "cases/<int:pk>/edit/"
    kwargs: tuple[str, ...]
    methods: tuple[str, ...]  # handlers the view defines (lower case)
    is_api: bool
    callback: object


def _methods(callback) -> tuple[str, ...]:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return ("get",)  # a function view: every one of ours answers GET
    return tuple(m for m in HANDLERS if hasattr(view_class, m) and m in view_class.http_method_names)


def _walk(patterns, prefix: str, namespace: str | None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern.callback


# Left out of the matrix, each for a reason (admin/ gets a smoke row of its own in the test module):
SKIPPED_PREFIXES = {
    "admin/": "Django's admin checks is_staff itself; one smoke row: non-staff -> admin login",
    "static/": "static files, public by nature",
}


def page_routes() -> dict[str, Route]:
    """Every named URL pattern outside the skipped prefixes, keyed by name."""
    routes: dict[str, Route] = {}
    for route, name, callback in _walk(get_resolver().url_patterns, "", None):
        if route.startswith(tuple(SKIPPED_PREFIXES)):
            continue
        if not name:
            raise AssertionError(f"The URL pattern {route!r} has no name: name it and add an entry for it.")
        kwargs = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
        routes[name] = Route(
            name=name,
            route=route,
            kwargs=kwargs,
            methods=_methods(callback),
            is_api=route.startswith("api/"),
            callback=callback,
        )
    return routes


def api_operations() -> set[tuple[str, str]]:
    """Every (URL name, method) of the OpenAPI schema, the way a client sees the API."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = set()
    for path, item in schema["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        name = resolve(concrete).url_name
        for method in item:
            if method in HANDLERS:
                operations.add((name, method))
    return operations
