from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cmm.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo
from cmm.models import AuditAction, AuditEvent, EmailStatus, OutboundEmail, Role
from cmm.tests.factories import TEST_PASSWORD, UserFactory
from cmm.two_factor.testing import totp_code

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", [u[0] for u in DEMO_USERS])
def test_every_demo_role_can_log_in_and_sees_its_organisation(client, username):
    seed_demo()
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD}, follow=True)

    assert response.status_code == 200
    assert response.wsgi_request.user.username == username
    # The demo users have an authenticator (the published demo key): the second step comes first.
    assert response.redirect_chain[-1][0].startswith("/accounts/2fa/verify/")
    response = client.post(
        response.redirect_chain[-1][0],
        {"code": totp_code(TOTPDevice.objects.get(user__username=username))},
        follow=True,
    )
    assert response.status_code == 200
    if username == "shelter":  # member of two organisations: asked to choose first
        assert response.redirect_chain[-1][0].startswith("/accounts/organisation/")
    else:
        membership = response.wsgi_request.membership
        assert membership is not None
        assert membership.organisation.name in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor__username=username).count() == 1


def test_wrong_password_shows_an_error_that_does_not_tell_if_the_user_exists(client, users_a):
    user = users_a[Role.CASEWORKER]
    wrong = client.post("/accounts/login/", {"username": user.username, "password": "not-the-password"})
    unknown = client.post("/accounts/login/", {"username": "nobody-at-all", "password": "not-the-password"})

    assert wrong.status_code == 200
    assert not wrong.wsgi_request.user.is_authenticated
    assert "Brugernavn eller adgangskode er forkert" in wrong.content.decode()
    assert wrong.context["form"].errors == unknown.context["form"].errors
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failures.count() == 2
    assert {(e.actor_id, e.target_label) for e in failures} == {(None, "")}


def test_lockout_after_the_configured_number_of_failures(client, users_a):
    user = users_a[Role.CASEWORKER]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": user.username, "password": "wrong-password"})
        assert response.status_code == 200

    locked = client.post("/accounts/login/", {"username": user.username, "password": "wrong-password"})
    assert locked.status_code == 429
    assert "Login spærret" in locked.content.decode()

    # Even the right password is refused while locked out.
    right = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert right.status_code == 429
    assert not right.wsgi_request.user.is_authenticated


def test_lockout_lifts_after_the_cool_off_time(client, users_a):
    user = users_a[Role.CASEWORKER]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post("/accounts/login/", {"username": user.username, "password": "wrong-password"})
        assert (
            client.post(
                "/accounts/login/", {"username": user.username, "password": TEST_PASSWORD}
            ).status_code
            == 429
        )

        traveller.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        assert (
            client.post(
                "/accounts/login/", {"username": user.username, "password": TEST_PASSWORD}
            ).status_code
            == 302
        )


def test_pages_are_danish_by_default_and_the_switch_changes_language(client, users_a, login):
    login_page = client.get("/accounts/login/")
    assert '<html lang="da">' in login_page.content.decode()
    assert "Log ind" in login_page.content.decode()

    user = users_a[Role.CASEWORKER]
    login(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Change password" in page
    user.refresh_from_db()
    assert user.language == "en"  # kept for the next login


def test_the_users_language_is_used_after_login(client, users_a):
    user = users_a[Role.CASEWORKER]
    user.language = "en"
    user.save()
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": TEST_PASSWORD}, follow=True
    )
    assert '<html lang="en">' in response.content.decode()


def test_unknown_language_is_ignored(client, users_a, login):
    login(users_a[Role.CASEWORKER])
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert '<html lang="da">' in response.content.decode()


def test_session_ends_after_idle_time(client, users_a, login):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(users_a[Role.CASEWORKER])
        assert client.get("/").status_code == 200

        traveller.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
        assert client.get("/").status_code == 200  # activity renews the session

        traveller.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_logout_ends_the_session(client, users_a, login):
    login(users_a[Role.CASEWORKER])
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=users_a[Role.CASEWORKER]).exists()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Sh0rt-pw!", "Denne adgangskode er for kort. Den skal indeholde mindst 12 tegn."),
        ("password1234", "Denne adgangskode er for almindelig"),
        ("382947561029384", "Denne adgangskode er udelukkende numerisk"),
    ],
)
def test_weak_new_passwords_are_refused(client, users_a, login, password, message):
    user = users_a[Role.CASEWORKER]
    login(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": password,
            "new_password2": password,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_password_change_is_audited_and_mailed_once_the_transaction_commits(
    client, users_a, login, django_capture_on_commit_callbacks
):
    user = users_a[Role.CASEWORKER]
    login(user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/accounts/password/",
            {
                "old_password": TEST_PASSWORD,
                "new_password1": "a-much-better-passphrase",
                "new_password2": "a-much-better-passphrase",
            },
        )
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert OutboundEmail.objects.get().status == EmailStatus.SENT
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED, actor=user).exists()
    assert client.get("/").status_code == 200  # still logged in after the change


def test_password_reset_mail_goes_through_the_outbox(client, users_a, django_capture_on_commit_callbacks):
    user = users_a[Role.CASEWORKER]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password-reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_member_of_several_organisations_chooses_one_and_can_switch(client, org_a, org_b, login):
    from cmm.services import membership_add

    user = UserFactory()
    membership_add(user=user, organisation=org_a, role=Role.CASEWORKER)
    in_b = membership_add(user=user, organisation=org_b, role=Role.OUTREACH_WORKER)
    login(user)

    response = client.get("/members/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/organisation/?next=%2Fmembers%2F"

    response = client.post("/accounts/organisation/", {"membership": in_b.pk, "next": "/"})
    assert response.status_code == 302
    home = client.get("/")
    assert home.wsgi_request.membership == in_b
    assert org_b.name in home.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.ORGANISATION_SELECTED, organisation=org_b).exists()


def test_organisation_choice_refuses_someone_elses_membership_and_foreign_next(
    client, org_a, org_b, users_b, login
):
    from cmm.services import membership_add

    user = UserFactory()
    membership_add(user=user, organisation=org_a, role=Role.CASEWORKER)
    membership_add(user=user, organisation=org_b, role=Role.CASEWORKER)
    login(user)

    foreign = users_b[Role.CASEWORKER].memberships.get()
    assert client.post("/accounts/organisation/", {"membership": foreign.pk}).status_code == 400

    mine = user.memberships.first()
    response = client.post(
        "/accounts/organisation/", {"membership": mine.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/members/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
