"""An API token dies with the trust it was issued on (issue 17): a password change or reset, a reset of the
second factor, deactivation, the end of a membership, and API_TOKEN_MAX_AGE_DAYS after it was issued."""

import datetime

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from cmm.models import Role
from cmm.services import membership_add, user_deactivate
from cmm.tests.factories import TEST_PASSWORD, UserFactory
from cmm.two_factor.services import api_token_issue
from cmm.two_factor.testing import pass_second_factor, totp_code, totp_device_ensure

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another long passphrase 2026"
CASES = "/api/cases/"


def reads_cases(key: str, **headers) -> int:
    return Client(HTTP_AUTHORIZATION=f"Token {key}", **headers).get(CASES).status_code


@pytest.fixture
def member(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def token(member):
    """The member's token, issued the way the token endpoint issues it (after the password and the code)."""
    key = api_token_issue(user=member).key
    assert reads_cases(key) == 200
    return key


def assert_ended(key: str) -> None:
    assert reads_cases(key) == 401
    assert not Token.objects.filter(key=key).exists()


def test_a_token_from_the_token_endpoint_reads_the_cases(member):
    response = Client().post(
        "/api/auth/token/",
        {
            "username": member.username,
            "password": TEST_PASSWORD,
            "otp": totp_code(totp_device_ensure(member)),
        },
    )
    assert response.status_code == 200
    assert reads_cases(response.json()["token"]) == 200


def test_changing_the_password_ends_the_token(member, token, login):
    client = login(member)
    response = client.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert_ended(token)
    assert client.get("/").status_code == 200  # the browser session that changed it goes on


def test_a_password_reset_ends_the_token(member, token):
    client = Client()
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    form = client.get(f"/accounts/reset/{uid}/{default_token_generator.make_token(member)}/", follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert_ended(token)


@pytest.fixture
def platform_admin(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    pass_second_factor(client, superuser)  # staff use two-factor authentication too
    return client


def test_a_password_set_by_a_platform_admin_ends_the_token(member, token, platform_admin):
    response = platform_admin.post(
        f"/admin/cmm/user/{member.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:500]
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert_ended(token)


def test_a_membership_ended_in_the_django_admin_ends_the_token(member, token, platform_admin):
    membership = member.memberships.get()
    response = platform_admin.post(
        f"/admin/cmm/membership/{membership.pk}/change/",
        {"user": member.pk, "organisation": membership.organisation_id, "role": membership.role},
    )
    assert response.status_code == 302, response.content[:500]
    membership.refresh_from_db()
    assert not membership.is_active
    assert_ended(token)


def test_a_reset_of_the_second_factor_ends_the_token(
    member, token, users_a, login, django_capture_on_commit_callbacks
):
    client = login(users_a[Role.ORG_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/accounts/2fa/reset/{member.memberships.get().pk}/")
    assert response.status_code == 302
    assert_ended(token)


def test_deactivating_the_user_ends_the_token(member, token, users_a):
    user_deactivate(user=member, by=users_a[Role.ORG_ADMIN])
    assert_ended(token)
    member.is_active = True  # reactivated later: the old token does not come back
    member.save(update_fields=["is_active"])
    assert reads_cases(token) == 401


def test_ending_the_membership_on_the_members_page_ends_the_token(member, token, users_a, login):
    client = login(users_a[Role.ORG_ADMIN])
    membership = member.memberships.get()
    response = client.post(f"/members/{membership.pk}/", {"role": Role.CASEWORKER, "is_active": ""})
    assert response.status_code == 302
    assert_ended(token)


def test_ending_one_of_two_memberships_through_the_api_ends_the_token(member, token, users_a, org_a, org_b):
    membership_add(user=member, organisation=org_b, role=Role.CASEWORKER)
    assert reads_cases(token, HTTP_X_ORGANISATION=str(org_b.pk)) == 200
    admin_key = api_token_issue(user=users_a[Role.ORG_ADMIN]).key
    response = Client(HTTP_AUTHORIZATION=f"Token {admin_key}").patch(
        f"/api/members/{member.memberships.get(organisation=org_a).pk}/",
        {"is_active": False},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    # The token was issued while the user was a member of A: it ends, for B as well; a new one is asked for.
    assert reads_cases(token, HTTP_X_ORGANISATION=str(org_b.pk)) == 401
    assert not Token.objects.filter(key=token).exists()


def test_a_token_ends_after_its_maximum_age(member, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 30
    issued = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(issued, tick=False):
        key = api_token_issue(user=member).key
    with time_machine.travel(issued + datetime.timedelta(days=29, hours=23), tick=False):
        assert reads_cases(key) == 200
    with time_machine.travel(issued + datetime.timedelta(days=30), tick=False):
        assert_ended(key)


def test_an_expired_token_is_not_brought_back_by_asking_again(member, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 30
    issued = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(issued, tick=False):
        old = api_token_issue(user=member).key
    with time_machine.travel(issued + datetime.timedelta(days=31), tick=False):
        new = api_token_issue(user=member).key  # never used after it expired, so still stored
        assert new != old
        assert reads_cases(old) == 401
        assert reads_cases(new) == 200


def test_asking_again_within_the_age_keeps_the_key_and_restarts_its_age(member, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 30
    issued = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(issued, tick=False):
        key = api_token_issue(user=member).key
    with time_machine.travel(issued + datetime.timedelta(days=20), tick=False):
        assert api_token_issue(user=member).key == key
    with time_machine.travel(issued + datetime.timedelta(days=45), tick=False):
        assert reads_cases(key) == 200  # 25 days after it was last issued with the password and the code
