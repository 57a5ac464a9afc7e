"""The 403, 404 and 500 pages in the app's layout, in Danish and English (DEBUG off, as in production)."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from cmm.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False


@pytest.mark.parametrize(
    ("language", "heading", "link"),
    [("da", "Ikke fundet", "Tilbage til overblikket"), ("en", "Not found", "Back to the overview")],
)
def test_not_found_is_in_the_layout_with_the_menu(login, users_a, language, heading, link):
    client = login(users_a[Role.CASEWORKER])
    client.cookies["cmm_language"] = language
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in html
    assert 'href="/static/css/app.css"' in html or "/static/css/app." in html
    assert '<header class="topbar">' in html
    assert '<nav class="sections"' in html  # the sections, so the user can go on
    assert heading in html
    assert link in html


def test_not_found_for_someone_logged_out_offers_the_login(client):
    client.cookies["cmm_language"] = "en"
    html = client.get("/no-such-page/").content.decode()
    assert '<header class="topbar">' in html
    assert 'href="/accounts/login/"' in html


@pytest.mark.parametrize(("language", "heading"), [("da", "Ikke tilladt"), ("en", "Not allowed")])
def test_permission_denied_is_in_the_layout(login, users_a, language, heading):
    # An outreach worker may not export statistics: the page answers 403.
    client = login(users_a[Role.OUTREACH_WORKER])
    client.cookies["cmm_language"] = language
    response = client.get("/reports/statistics/export/", {"period": "2026", "format": "csv"})
    html = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{language}">' in html
    assert '<header class="topbar">' in html
    assert '<nav class="sections"' in html
    assert heading in html


def test_server_error_needs_no_database_and_speaks_both_languages(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert '<header class="topbar">' in html
    assert "/static/css/app." in html
    assert "Der skete en fejl" in html
    assert "Something went wrong" in html
