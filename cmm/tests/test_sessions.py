"""Session lifetime (idle and absolute), a new session id at login, and ending sessions on the server
when the user logs out, their membership ends or their password changes (issue 11)."""

from datetime import timedelta
from importlib import import_module

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cmm.models import AuditAction, AuditEvent, Role, UserSession
from cmm.security import SESSION_AUTHENTICATED_AT, sessions_end_for_user
from cmm.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-better-passphrase"


def session_exists(key) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def session_user_id(key):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=key).get("_auth_user_id")


def second_session(user) -> tuple[Client, str]:
    """Log `user` in on another device; return its client and session key."""
    other = Client()
    other.force_login(user)
    key = other.session.session_key
    assert session_user_id(key) == str(user.pk)
    return other, key


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Idle timeout and absolute lifetime -----------------------------------------------------------------


def test_a_session_idle_for_29_minutes_lives_and_one_idle_for_31_minutes_is_gone(client, users_a, login):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(users_a[Role.CASEWORKER])
        key = client.session.session_key

        traveller.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200

        traveller.shift(timedelta(minutes=31))
        assert session_user_id(key) is None  # expired on the server, not only in the browser
        assert_sent_to_login(client.get("/"))


def test_the_idle_timeout_is_30_minutes_and_renewed_by_every_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_ABSOLUTE_HOURS == 12


def test_a_session_in_continuous_use_ends_12_hours_after_login(client, users_a, login):
    user = users_a[Role.CASEWORKER]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(user)
        key = client.session.session_key
        # A request every 20 minutes: never idle, 35 of them in the 11 h 40 min after login.
        for _ in range(35):
            traveller.shift(timedelta(minutes=20))
            assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=19, seconds=59))
        assert client.get("/").status_code == 200

        traveller.shift(timedelta(seconds=1))  # 12 h after login
        assert_sent_to_login(client.get("/"))

    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    event = AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=user).get()
    assert event.detail == {"reason": "session_lifetime"}


def test_an_api_request_with_an_old_session_is_refused(client, users_a, login):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(users_a[Role.CASEWORKER])
        assert client.get("/api/me/").status_code == 200
        for _ in range(25):  # keeps it from idling out
            traveller.shift(timedelta(minutes=29))
            client.get("/api/me/")
        assert client.get("/api/me/").status_code in (401, 403)


def test_a_session_without_a_login_time_is_ended(client, users_a, login):
    login(users_a[Role.CASEWORKER])
    session = client.session
    del session[SESSION_AUTHENTICATED_AT]  # e.g. opened before the lifetime was introduced
    session.save()

    assert_sent_to_login(client.get("/"))
    assert not session_exists(session.session_key)


# --- Login and logout -----------------------------------------------------------------------------------


def test_login_gives_a_new_session_id_and_drops_the_old_one(client, users_a, login):
    before = client.session  # an anonymous session with a key of its own
    before["anything"] = 1
    before.save()
    old_key = before.session_key
    assert session_exists(old_key)

    login(users_a[Role.CASEWORKER])

    new_key = client.session.session_key
    assert new_key != old_key
    assert not session_exists(old_key)
    assert UserSession.objects.filter(user=users_a[Role.CASEWORKER], session_key=new_key).exists()


def test_logout_deletes_the_session_on_the_server(client, users_a, login):
    login(users_a[Role.CASEWORKER])
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()

    assert client.post("/accounts/logout/").status_code == 302

    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    assert_sent_to_login(client.get("/"))


def test_sessions_that_ended_on_their_own_are_forgotten_at_the_next_login(users_a):
    user = users_a[Role.CASEWORKER]
    _, stale = second_session(user)
    Session.objects.filter(session_key=stale).delete()  # expired and cleared by `clearsessions`

    _, fresh = second_session(user)

    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [fresh]


# --- Ending the user's other sessions -------------------------------------------------------------------


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(client, users_a, login):
    user = users_a[Role.CASEWORKER]
    other, other_key = second_session(user)
    login(user)

    response = client.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert client.get("/").status_code == 200  # still logged in here
    assert UserSession.objects.filter(user=user, session_key=client.session.session_key).exists()
    assert not Session.objects.filter(session_key=other_key).exists()
    assert not UserSession.objects.filter(session_key=other_key).exists()
    assert_sent_to_login(other.get("/"))


def test_a_password_reset_ends_every_session_of_the_user(client, users_a):
    user = users_a[Role.CASEWORKER]
    _, first = second_session(user)
    _, second = second_session(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)

    form = client.get(f"/accounts/reset/{uid}/{token}/", follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not Session.objects.filter(session_key__in=[first, second]).exists()
    assert not UserSession.objects.filter(user=user).exists()


def test_ending_a_membership_on_the_member_page_ends_the_members_sessions(client, users_a, login):
    member = users_a[Role.CASEWORKER]
    other, other_key = second_session(member)
    login(users_a[Role.ORG_ADMIN])
    membership = member.memberships.get()

    response = client.post(f"/members/{membership.pk}/", {"role": Role.CASEWORKER, "is_active": ""})

    assert response.status_code == 302
    assert response["Location"] == "/members/"
    assert not Session.objects.filter(session_key=other_key).exists()
    assert not UserSession.objects.filter(user=member).exists()
    assert_sent_to_login(other.get("/"))
    assert client.get("/members/").status_code == 200  # the admin's own session is untouched


def test_changing_only_the_role_keeps_the_members_sessions(client, users_a, login):
    member = users_a[Role.CASEWORKER]
    _, other_key = second_session(member)
    login(users_a[Role.ORG_ADMIN])

    response = client.post(
        f"/members/{member.memberships.get().pk}/", {"role": Role.OUTREACH_WORKER, "is_active": "on"}
    )

    assert response.status_code == 302
    assert Session.objects.filter(session_key=other_key).exists()


def test_ending_sessions_leaves_other_users_alone(users_a):
    user, bystander = users_a[Role.CASEWORKER], users_a[Role.ANALYST]
    _, mine = second_session(user)
    _, theirs = second_session(bystander)

    assert sessions_end_for_user(user=user) == 1

    assert not session_exists(mine)
    assert session_exists(theirs)
