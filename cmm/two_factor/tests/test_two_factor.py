"""Two-factor authentication: who must use it, the second step after the password, recovery codes,
throttling, fresh codes for exports and the admin's reset."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from cmm.models import AuditAction, AuditEvent, Role
from cmm.roles import ROLE_PERMISSIONS
from cmm.tests.factories import TEST_PASSWORD, UserFactory
from cmm.two_factor.selectors import role_needs_two_factor, two_factor_required
from cmm.two_factor.services import recovery_codes_create
from cmm.two_factor.testing import pass_second_factor, totp_code

pytestmark = pytest.mark.django_db

SETUP = "/accounts/2fa/setup/"
VERIFY = "/accounts/2fa/verify/"


def password_login(client, user):
    """Only the first step: the password."""
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def current_code(device) -> str:
    """What the authenticator app shows now, computed from the device's key as the app does."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code(device) -> str:
    right = int(current_code(device))
    return f"{(right + 1) % 1_000_000:06d}"


@pytest.fixture
def caseworker(users_a):
    return users_a[Role.CASEWORKER]


# --- Who must use it ----------------------------------------------------------------------------------


def test_every_current_role_must_use_two_factor():
    assert all(role_needs_two_factor(role) for role in ROLE_PERMISSIONS)


def test_rule_follows_the_memberships_and_staff(org_a, make_member):
    assert two_factor_required(make_member(org_a, Role.ANALYST))
    assert two_factor_required(UserFactory(is_staff=True))
    assert not two_factor_required(UserFactory())  # no organisation: sees nothing, needs nothing


# --- The middleware -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/cases/", "/members/", "/reports/statistics/", "/accounts/password/", "/accounts/2fa/"]
)
def test_password_alone_is_sent_to_set_up_from_every_page(client, users_a, path):
    password_login(client, users_a[Role.ORG_ADMIN])
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{SETUP}?next=")
    assert response["Location"].endswith(path.replace("/", "%2F"))


def test_with_an_authenticator_the_user_is_sent_to_verify(client, caseworker, otp_device):
    otp_device(caseworker)
    password_login(client, caseworker)
    response = client.get("/cases/?page=2")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fcases%2F%3Fpage%3D2"


def test_staff_are_sent_to_the_second_step_before_the_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    password_login(client, admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_exempt_pages_are_reachable_with_the_password_alone(client, caseworker):
    password_login(client, caseworker)
    assert client.get(SETUP).status_code == 200
    assert client.get("/static/css/app.css").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    setlang = client.post("/i18n/setlang/", {"language": "en", "next": SETUP})
    assert setlang.status_code == 302
    assert setlang["Location"] == SETUP
    login_page = client.get("/accounts/login/")  # a logged-in user is sent on, not to the second step
    assert not login_page.get("Location", "").startswith(SETUP)
    logout = client.post("/accounts/logout/")
    assert logout.status_code == 302
    assert client.get("/").status_code == 302
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_api_with_an_unverified_session_gets_403_json(client, caseworker):
    password_login(client, caseworker)
    response = client.get("/api/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "otp_required"
    assert response.json()["detail"]


def test_verified_session_reaches_pages_and_api(client, caseworker, login):
    login(caseworker)
    assert client.get("/").status_code == 200
    assert client.get("/api/me/").status_code == 200


# --- Set-up -------------------------------------------------------------------------------------------


def test_setup_shows_qr_and_key_and_a_wrong_code_gets_a_field_error(client, caseworker):
    password_login(client, caseworker)
    page = client.get(SETUP)
    html = page.content.decode()
    assert "<svg" in html
    assert 'id="secret"' in html
    assert "<script" not in html
    assert "style=" not in html
    device = TOTPDevice.objects.get(user=caseworker, confirmed=False)
    assert client.get(SETUP).context["secret"] == page.context["secret"]  # reloading keeps the key

    response = client.post(SETUP, {"code": wrong_code(device)})
    assert response.status_code == 400
    assert response.context["form"].errors["code"]
    assert 'class="field__error"' in response.content.decode()
    failure = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failure.actor == caseworker
    assert failure.detail == {"step": "otp"}
    assert wrong_code(device) not in str(failure.detail) + failure.target_label
    assert client.get("/").status_code == 302  # still not verified


def test_setup_with_a_real_code_confirms_verifies_and_shows_ten_recovery_codes_once(client, caseworker):
    password_login(client, caseworker)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=caseworker, confirmed=False)

    response = client.post(SETUP, {"code": current_code(device), "next": "/cases/"})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert "no-store" in response["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    assert set(StaticToken.objects.filter(device__user=caseworker).values_list("token", flat=True)) == set(
        codes
    )
    assert response.context["next"] == "/cases/"
    assert client.get("/").status_code == 200  # the session is verified
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_ENABLED, actor=caseworker).count() == 1
    # Set up once: the set-up page now leads to the settings, where the codes are not shown again.
    assert client.get(SETUP)["Location"] == "/accounts/2fa/"
    settings_page = client.get("/accounts/2fa/")
    assert settings_page.context["codes_left"] == 10
    assert codes[0] not in settings_page.content.decode()


# --- Verification -------------------------------------------------------------------------------------


def test_verify_with_a_totp_code_goes_on_to_next_and_refuses_a_replay(client, caseworker, otp_device):
    device = otp_device(caseworker)
    password_login(client, caseworker)
    code = totp_code(device)
    response = client.post(VERIFY, {"code": code, "next": "/cases/"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200

    other = password_login(Client(), caseworker)
    replay = other.post(VERIFY, {"code": code})
    assert replay.status_code == 400
    assert replay.context["form"].errors["code"]


def test_verify_refuses_a_foreign_next(client, caseworker, otp_device):
    device = otp_device(caseworker)
    password_login(client, caseworker)
    response = client.post(VERIFY, {"code": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_verify_page_without_an_authenticator_leads_to_set_up(client, caseworker):
    password_login(client, caseworker)
    response = client.get(f"{VERIFY}?next=/cases/")
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fcases%2F"


def test_a_recovery_code_works_once(client, caseworker, otp_device):
    otp_device(caseworker)
    codes = recovery_codes_create(user=caseworker)

    password_login(client, caseworker)
    response = client.post(VERIFY, {"code": codes[0].upper()[:4] + " " + codes[0][4:]}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    assert StaticToken.objects.filter(device__user=caseworker).count() == 9

    second = password_login(Client(), caseworker)
    again = second.post(VERIFY, {"code": codes[0]})
    assert again.status_code == 400
    assert again.context["form"].errors["code"]
    assert second.get("/").status_code == 302


def test_repeated_wrong_codes_are_throttled_even_for_the_right_code(
    client, caseworker, otp_device, in_english
):
    device = otp_device(caseworker)
    password_login(client, caseworker)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(3):
            assert client.post(VERIFY, {"code": wrong_code(device)}).status_code == 400
            traveller.shift(timedelta(seconds=3))  # more than django-otp's wait after 1 and 2 failures
        blocked = client.post(VERIFY, {"code": current_code(device)})  # 4 s needed after 3 failures
        assert blocked.status_code == 400
        assert "Too many wrong codes" in blocked.context["form"].errors["code"][0]
        assert client.get("/").status_code == 302
        failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor=caseworker)
        assert [e.detail for e in failures.order_by("pk")] == [{"step": "otp"}] * 3 + [
            {"step": "otp", "throttled": True}
        ]

        traveller.shift(timedelta(seconds=10))
        assert client.post(VERIFY, {"code": totp_code(device)}).status_code == 302
        assert client.get("/").status_code == 200


# --- Recovery codes -----------------------------------------------------------------------------------


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(client, caseworker, login):
    login(caseworker)
    old = recovery_codes_create(user=caseworker)
    device = TOTPDevice.objects.get(user=caseworker)

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        refused = client.post("/accounts/2fa/recovery-codes/", {"code": wrong_code(device)})
        assert refused.status_code == 400
        assert refused.context["form"].errors["code"]
        traveller.shift(timedelta(seconds=2))  # past the throttle after one wrong code
        response = client.post("/accounts/2fa/recovery-codes/", {"code": totp_code(device)})
    assert response.status_code == 200
    new = response.context["codes"]
    assert len(new) == 10
    stored = set(StaticToken.objects.filter(device__user=caseworker).values_list("token", flat=True))
    assert stored == set(new)
    assert not stored & set(old)
    assert client.get("/").status_code == 200  # still verified


def test_recovery_codes_made_after_logging_in_with_one_keep_the_session(client, caseworker, otp_device):
    device = otp_device(caseworker)
    codes = recovery_codes_create(user=caseworker)
    password_login(client, caseworker)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 302
    response = client.post("/accounts/2fa/recovery-codes/", {"code": totp_code(device)})
    assert response.status_code == 200
    assert client.get("/").status_code == 200


# --- The API token ------------------------------------------------------------------------------------


def test_token_endpoint_requires_the_otp_field(api_client, caseworker, otp_device):
    device = otp_device(caseworker)
    credentials = {"username": caseworker.username, "password": TEST_PASSWORD}

    missing = api_client.post("/api/auth/token/", credentials)
    assert missing.status_code == 400
    assert "otp" in missing.json()
    wrong = api_client.post("/api/auth/token/", {**credentials, "otp": wrong_code(device)})
    assert wrong.status_code == 400
    assert "otp" in wrong.json()
    bad_password = api_client.post("/api/auth/token/", {**credentials, "password": "nope", "otp": "123456"})
    assert bad_password.status_code == 400
    assert "otp" not in bad_password.json()

    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=False):  # past the throttle
        ok = api_client.post("/api/auth/token/", {**credentials, "otp": totp_code(device)})
    assert ok.status_code == 200
    key = ok.json()["token"]
    assert key == Token.objects.get(user=caseworker).key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/me/").status_code == 200


def test_token_endpoint_without_an_authenticator_asks_to_set_one_up(api_client, caseworker):
    response = api_client.post(
        "/api/auth/token/", {"username": caseworker.username, "password": TEST_PASSWORD, "otp": "123456"}
    )
    assert response.status_code == 400
    assert "otp" in response.json()
    assert not Token.objects.filter(user=caseworker).exists()


def test_token_endpoint_is_documented_with_the_otp_field(client, caseworker, login):
    login(caseworker)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/auth/token/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "otp" in schema["components"]["schemas"][body]["properties"]


# --- Fresh second factor for exports ------------------------------------------------------------------


@pytest.fixture
def analyst(org_cmm, make_member):
    return make_member(org_cmm, Role.ANALYST)


STAT_EXPORT = "/reports/statistics/export/?period=2026Q1&format=csv"
CASE_EXPORT = "/reports/exports/cases/"
API_STAT_EXPORT = "/api/reports/statistics/export/?period=2026Q1&format=csv"


def test_export_pages_need_a_fresh_code_and_accept_one(client, analyst, login):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(analyst)
        assert client.get(STAT_EXPORT).status_code == 200
        assert client.get(CASE_EXPORT).status_code == 200

        traveller.shift(timedelta(minutes=16))
        assert client.get("/reports/statistics/").status_code == 200  # an ordinary page still works
        stale = client.get(STAT_EXPORT)
        assert stale.status_code == 302
        assert stale["Location"].startswith(f"{VERIFY}?next=%2Freports%2Fstatistics%2Fexport%2F")
        assert "fresh=1" in stale["Location"]
        assert client.get(CASE_EXPORT)["Location"].startswith(VERIFY)
        assert client.post(CASE_EXPORT, {"format": "csv"})["Location"].startswith(VERIFY)
        assert client.get(stale["Location"]).context["fresh"]

        device = TOTPDevice.objects.get(user=analyst)
        again = client.post(
            VERIFY,
            {
                "code": totp_code(device),
                "next": "/reports/statistics/export/?period=2026Q1&format=csv",
                "fresh": "1",
            },
        )
        assert again.status_code == 302
        assert again["Location"] == STAT_EXPORT
        download = client.get(STAT_EXPORT)
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment")


def test_export_api_with_a_stale_session_is_refused_with_a_clear_code(client, analyst, login):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(analyst)
        assert client.get(API_STAT_EXPORT).status_code == 200
        traveller.shift(timedelta(minutes=16))
        refused = client.get(API_STAT_EXPORT)
        assert refused.status_code == 403
        assert refused.json()["code"] == "fresh_otp_required"
        assert client.get("/api/reports/statistics/?period=2026Q1").status_code == 200  # not an export


def test_export_api_with_a_token_is_fresh_for_a_while_after_it_was_issued(api_client, analyst, otp_device):
    device = otp_device(analyst)
    credentials = {"username": analyst.username, "password": TEST_PASSWORD}
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        key = api_client.post("/api/auth/token/", {**credentials, "otp": totp_code(device)}).json()["token"]
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api_client.get(API_STAT_EXPORT).status_code == 200

        traveller.shift(timedelta(minutes=16))
        refused = api_client.get(API_STAT_EXPORT)
        assert refused.status_code == 403
        assert refused.json()["code"] == "fresh_otp_required"
        assert api_client.get("/api/me/").status_code == 200  # the token itself still works

        api_client.credentials()
        renewed = api_client.post("/api/auth/token/", {**credentials, "otp": totp_code(device)}).json()[
            "token"
        ]
        assert renewed == key
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api_client.get(API_STAT_EXPORT).status_code == 200


# --- The admin's reset --------------------------------------------------------------------------------


def test_org_admin_resets_a_members_authenticator_audited(client, users_a, login, otp_device):
    admin = users_a[Role.ORG_ADMIN]
    member = users_a[Role.CASEWORKER]
    otp_device(member)
    recovery_codes_create(user=member)
    membership = member.memberships.get()
    login(admin)

    change_page = client.get(f"/members/{membership.pk}/")
    assert f"/accounts/2fa/reset/{membership.pk}/" in change_page.content.decode()
    assert client.get(f"/accounts/2fa/reset/{membership.pk}/").status_code == 200
    response = client.post(f"/accounts/2fa/reset/{membership.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/members/{membership.pk}/"
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticDevice.objects.filter(user=member).exists()
    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert (event.actor, event.organisation, event.target_id) == (
        admin,
        membership.organisation,
        str(membership.pk),
    )

    # The member sets up again at the next login.
    member_client = password_login(Client(), member)
    assert member_client.get("/")["Location"].startswith(SETUP)


def test_reset_ends_the_members_sessions(
    client, users_a, login, otp_device, django_capture_on_commit_callbacks
):
    admin = users_a[Role.ORG_ADMIN]
    member = users_a[Role.CASEWORKER]
    member_client = Client()
    password_login(member_client, member)
    pass_second_factor(member_client, member)
    assert member_client.get("/").status_code == 200
    login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/accounts/2fa/reset/{member.memberships.get().pk}/")
    response = member_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 200  # the admin's own session goes on


def test_reset_of_another_organisations_member_is_not_found(client, users_a, users_b, login, otp_device):
    foreign = users_b[Role.CASEWORKER]
    otp_device(foreign)
    membership = foreign.memberships.get()
    login(users_a[Role.ORG_ADMIN])
    assert client.get(f"/accounts/2fa/reset/{membership.pk}/").status_code == 404
    assert client.post(f"/accounts/2fa/reset/{membership.pk}/").status_code == 404
    assert TOTPDevice.objects.filter(user=foreign).exists()

    login(users_a[Role.CASEWORKER])  # not an admin: not found either, even in the own organisation
    own = users_a[Role.OUTREACH_WORKER].memberships.get()
    assert client.post(f"/accounts/2fa/reset/{own.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_RESET).exists()


def test_superuser_may_reset_anyones_authenticator(client, users_b, login, otp_device):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    member = users_b[Role.CASEWORKER]
    otp_device(member)
    login(superuser)
    response = client.post(f"/accounts/2fa/reset/{member.memberships.get().pk}/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=member).exists()


# --- Pages --------------------------------------------------------------------------------------------


def test_top_bar_links_to_the_two_factor_settings(client, caseworker, login):
    login(caseworker)
    assert 'href="/accounts/2fa/"' in client.get("/").content.decode()


def test_settings_page_shows_status_in_english(client, caseworker, login):
    login(caseworker)
    recovery_codes_create(user=caseworker)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/accounts/2fa/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Two-factor settings" in html
    assert 'id="codes-left">10<' in html


def test_session_marks_when_the_second_factor_was_entered(client, caseworker, login):
    before = int(time.time())
    login(caseworker)
    assert client.session["cmm_otp_verified_at"] >= before
