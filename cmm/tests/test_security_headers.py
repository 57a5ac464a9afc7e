"""Security headers on every response, no inline script or style in the templates, and the production
cookie and HSTS settings (issue 11)."""

import json
import re
import secrets
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import include, path

from cmm.models import Role
from cmm.security import content_security_policy
from cmm.tests.test_settings import run_manage

pytestmark = pytest.mark.django_db

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def boom(request):
    raise RuntimeError("a bug")


# This module doubles as the URLconf of the 500 test: the app's URLs plus one view that fails.
urlpatterns = [path("boom/", boom), path("", include("cmm.urls"))]


def assert_common_headers(response):
    assert response["Content-Security-Policy"] == POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def assert_not_stored(response):
    assert response["Cache-Control"] == "no-store" or "no-store" in response["Cache-Control"].split(", ")
    assert response["Pragma"] == "no-cache"


def test_the_policy_allows_no_inline_script_or_style():
    policy = content_security_policy("/")
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert policy == POLICY


def test_the_login_page_carries_every_header(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert_common_headers(response)
    assert response["X-Frame-Options"] == "DENY"
    assert_not_stored(response)


def test_an_authenticated_page_is_never_stored(client, users_a, login):
    login(users_a[Role.CASEWORKER])
    response = client.get("/")
    assert response.status_code == 200
    assert_common_headers(response)
    assert_not_stored(response)


def test_an_api_answer_is_never_stored(client, users_a, login):
    login(users_a[Role.CASEWORKER])
    response = client.get("/api/me/")
    assert response.status_code == 200
    assert_common_headers(response)
    assert_not_stored(response)


def test_a_token_authenticated_api_answer_is_never_stored(api_client, users_a):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=users_a[Role.CASEWORKER])
    response = api_client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert_common_headers(response)
    assert_not_stored(response)


def test_a_not_found_page_carries_the_headers(client):
    response = client.get("/no-such-page/")
    assert response.status_code in (302, 404)  # anonymous visitors may be sent to login first
    assert_common_headers(response)
    assert_not_stored(response)


@pytest.mark.urls("cmm.tests.test_security_headers")
def test_a_server_error_page_carries_the_headers(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert_common_headers(response)
    assert_not_stored(response)


def test_static_files_carry_the_policy_and_may_be_cached(client):
    response = client.get(f"/{settings.STATIC_URL.strip('/')}/css/app.css")
    assert response.status_code == 200
    assert_common_headers(response)
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_api_documentation_runs_no_inline_script(client, users_a, login, url):
    login(users_a[Role.CASEWORKER])
    response = client.get(url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy  # styles may be inline there (Redoc), scripts never
    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "an inline <script> on " + url
    assert "<style" not in page
    assert "fonts.googleapis.com" not in page  # nothing is loaded from another site
    if url == "/api/docs/":
        assert policy == POLICY  # Swagger UI runs under the app's own policy


def test_the_swagger_start_up_script_is_served_as_a_file(client, users_a, login):
    login(users_a[Role.CASEWORKER])
    response = client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


def test_the_session_and_csrf_cookies_are_http_only_and_same_site(client, users_a):
    from cmm.tests.factories import TEST_PASSWORD

    response = client.post(
        "/accounts/login/", {"username": users_a[Role.CASEWORKER].username, "password": TEST_PASSWORD}
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    csrf = response.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"]
    assert csrf["samesite"] == "Lax"


# --- No inline script or style anywhere the policy would block it ---------------------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style[\s>]", re.I), "<style> element"),
    (re.compile(r"\sstyle=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def html_templates():
    root = Path(settings.BASE_DIR) / "templates"
    # PDF templates are rendered by WeasyPrint, never served as HTML: the policy does not apply to them.
    return [p for p in root.rglob("*.html") if "pdf" not in p.relative_to(root).parts]


@pytest.mark.parametrize("template", html_templates(), ids=lambda p: str(p.name))
def test_templates_have_no_inline_script_or_style(template):
    text = template.read_text()
    for pattern, what in INLINE:
        assert not pattern.search(text), f"{what} in {template}"


# --- Production ------------------------------------------------------------------------------------------


def test_production_cookies_are_secure_and_hsts_is_on():
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
    ]
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {names!r}}}))"
    )
    result = run_manage(
        "shell", "-c", code, SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="cmm.example.org"
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert (
        values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["LANGUAGE_COOKIE_SECURE"]
    )
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"]
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_COOKIE_NAME"].startswith("__Host-")
