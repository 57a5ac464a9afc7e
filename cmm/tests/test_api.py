import pytest
from rest_framework.authtoken.models import Token

from cmm.models import Role, User
from cmm.services import membership_add
from cmm.tests.factories import TEST_PASSWORD, UserFactory
from cmm.two_factor.testing import totp_code, totp_device_ensure

pytestmark = pytest.mark.django_db


def token_client(api_client, user, organisation_id=None):
    token, _created = Token.objects.get_or_create(user=user)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    if organisation_id is not None:
        headers["HTTP_X_ORGANISATION"] = str(organisation_id)
    api_client.credentials(**headers)
    return api_client


def test_api_needs_authentication(api_client):
    for url in ("/api/", "/api/me/", "/api/organisations/", "/api/members/"):
        assert api_client.get(url).status_code in (401, 403), url


def test_token_is_issued_for_valid_credentials_only(api_client, users_a):
    user = users_a[Role.CASEWORKER]
    code = totp_code(totp_device_ensure(user))  # the second factor: cmm/two_factor/tests has the details
    ok = api_client.post(
        "/api/auth/token/", {"username": user.username, "password": TEST_PASSWORD, "otp": code}
    )
    assert ok.status_code == 200
    assert ok.json()["token"] == Token.objects.get(user=user).key

    bad = api_client.post("/api/auth/token/", {"username": user.username, "password": "wrong"})
    assert bad.status_code == 400


def test_me_shows_memberships_and_the_active_one(api_client, users_a, org_a):
    user = users_a[Role.CASEWORKER]
    body = token_client(api_client, user).get("/api/me/").json()
    assert body["username"] == user.username
    assert body["active_membership"]["organisation"]["id"] == org_a.pk
    assert body["active_membership"]["role"] == Role.CASEWORKER


def test_member_of_several_organisations_picks_one_with_a_header(api_client, org_a, org_b):
    user = UserFactory()
    membership_add(user=user, organisation=org_a, role=Role.CASEWORKER)
    membership_add(user=user, organisation=org_b, role=Role.ORG_ADMIN)

    assert token_client(api_client, user).get("/api/me/").json()["active_membership"] is None
    assert token_client(api_client, user).get("/api/members/").status_code == 403

    as_b = token_client(api_client, user, org_b.pk)
    assert as_b.get("/api/me/").json()["active_membership"]["organisation"]["id"] == org_b.pk
    assert as_b.get("/api/members/").status_code == 200


def test_header_naming_an_organisation_the_user_is_not_in_is_refused(api_client, users_a, org_b):
    response = token_client(api_client, users_a[Role.CASEWORKER], org_b.pk).get("/api/me/")
    assert response.status_code in (401, 403)


def test_session_authenticated_api_uses_the_pages_choice(client, users_a, login):
    login(users_a[Role.ORG_ADMIN])
    assert client.get("/api/members/").status_code == 200


def test_organisation_directory(api_client, users_a, org_a, org_b):
    names = {
        o["name"]
        for o in token_client(api_client, users_a[Role.OUTREACH_WORKER])
        .get("/api/organisations/")
        .json()["results"]
    }
    assert {org_a.name, org_b.name} <= names


def test_members_api_lists_own_organisation_only(api_client, users_a, users_b):
    body = token_client(api_client, users_a[Role.ORG_ADMIN]).get("/api/members/").json()
    assert {m["username"] for m in body["results"]} == {u.username for u in users_a.values()}


def test_members_api_filters(api_client, users_a):
    body = (
        token_client(api_client, users_a[Role.ORG_ADMIN]).get("/api/members/", {"role": Role.ANALYST}).json()
    )
    assert [m["username"] for m in body["results"]] == [users_a[Role.ANALYST].username]
    bad = token_client(api_client, users_a[Role.ORG_ADMIN]).get("/api/members/", {"role": "boss"})
    assert bad.status_code == 400
    assert "role" in bad.json()


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ORG_ADMIN])
def test_members_api_is_for_org_admins(api_client, users_a, role):
    client = token_client(api_client, users_a[role])
    assert client.get("/api/members/").status_code == 403
    assert client.post("/api/members/", {"username": "x"}).status_code == 403
    target = users_a[Role.CASEWORKER].memberships.get()
    assert client.patch(f"/api/members/{target.pk}/", {"role": Role.ANALYST}).status_code == 404


def test_another_organisations_member_is_404_in_the_api(api_client, users_a, users_b):
    foreign = users_b[Role.CASEWORKER].memberships.get()
    client = token_client(api_client, users_a[Role.ORG_ADMIN])
    assert client.get(f"/api/members/{foreign.pk}/").status_code == 404
    assert (
        client.patch(f"/api/members/{foreign.pk}/", {"role": Role.ANALYST}, format="json").status_code == 404
    )


def test_members_api_creates_and_changes(api_client, users_a, org_a):
    client = token_client(api_client, users_a[Role.ORG_ADMIN])
    created = client.post(
        "/api/members/",
        {
            "username": "api.made",
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.org",
            "role": Role.CASEWORKER,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert User.objects.get(username="api.made").memberships.get().organisation == org_a

    changed = client.patch(f"/api/members/{created.json()['id']}/", {"role": Role.ANALYST}, format="json")
    assert changed.status_code == 200
    assert changed.json()["role"] == Role.ANALYST
    assert changed.json()["is_active"] is True


def test_members_api_bad_input_gets_field_errors(api_client, users_a):
    client = token_client(api_client, users_a[Role.ORG_ADMIN])
    response = client.post(
        "/api/members/",
        {
            "username": users_a[Role.CASEWORKER].username,
            "first_name": "",
            "email": "nope",
            "role": "boss",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"username", "first_name", "last_name", "email", "role"}

    own = users_a[Role.ORG_ADMIN].memberships.get()
    response = client.patch(f"/api/members/{own.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 400
    assert "is_active" in response.json()


def test_members_api_query_count_does_not_grow(api_client, users_a, org_a, django_assert_max_num_queries):
    client = token_client(api_client, users_a[Role.ORG_ADMIN])
    with django_assert_max_num_queries(12) as few:
        client.get("/api/members/")
    for _ in range(25):
        membership_add(user=UserFactory(), organisation=org_a, role=Role.CASEWORKER)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/members/").json()["count"] == 31


def test_schema_describes_every_endpoint_and_docs_page_renders(client, users_a, login):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {
        "/api/me/",
        "/api/organisations/",
        "/api/members/",
        "/api/members/{id}/",
        "/api/auth/token/",
    } <= set(paths)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.content.decode()
    assert "cdn" not in docs.content.decode().lower()  # assets are served locally (no outside network)


def test_schema_generation_has_no_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_api_root_lists_entry_points(api_client, users_a):
    body = token_client(api_client, users_a[Role.CASEWORKER]).get("/api/").json()
    assert {"me", "organisations", "members", "schema", "docs"} <= set(body)
