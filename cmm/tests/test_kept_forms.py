"""Never lose typed work (issue 18): a form sent after the session ended is kept, encrypted, and filled in
again after logging in (password and second factor) for the same user only; the keep-alive endpoint; the
error summary of the shared form include."""

import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cmm import kept_forms
from cmm.models import KeptSubmission, Role
from cmm.tests.factories import TEST_PASSWORD
from cmm.two_factor.testing import pass_second_factor, totp_code, totp_device_ensure
from outreach.choices import Venue
from outreach.models import Contact

pytestmark = pytest.mark.django_db

CONTACT = "/outreach/contacts/new/"
NOTE = "Talte med hende ved stationen kl. 23"


def _log_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    pass_second_factor(client, user)
    return response


def _form_token(client) -> str:
    html = client.get(CONTACT).content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def _contact_post(token: str) -> dict:
    return {
        "form_token": token,
        "venue": Venue.STREET,
        "city": "København",
        "region": "hovedstaden",
        "gender": "female",
        "age_band": "21-23",
        "note": NOTE,
    }


def _end_session_on_server(client) -> None:
    Session.objects.filter(session_key=client.cookies["sessionid"].value).delete()


@pytest.fixture
def worker(users_a):
    return users_a[Role.OUTREACH_WORKER]


@pytest.fixture
def session_ended(client, worker):
    """The worker logged in, opened the contact form, and the session ended on the server before Save."""
    _log_in(client, worker)
    token = _form_token(client)
    _end_session_on_server(client)
    return token


def test_a_contact_sent_after_the_session_ended_is_saved_once_after_logging_in_again(client, worker):
    _log_in(client, worker)
    token = _form_token(client)
    _end_session_on_server(client)

    # Save: not thrown away, but kept, and the login page says so.
    response = client.post(CONTACT, _contact_post(token), HTTP_REFERER=f"http://testserver{CONTACT}")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=%2Foutreach%2Fcontacts%2Fnew%2F"
    assert NOTE not in response["Location"] and token not in response["Location"]
    assert not Contact.objects.exists()
    kept = KeptSubmission.objects.get()
    assert kept.page == CONTACT
    login_page = client.get(response["Location"]).content.decode()
    assert "Your session ended" in login_page or "Din session" in login_page

    # Log in again: password, then the second factor, then back on the form, filled in.
    response = client.post(
        reverse("login"), {"username": worker.username, "password": TEST_PASSWORD, "next": CONTACT}
    )
    assert response["Location"] == CONTACT
    response = client.get(CONTACT)
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]
    assert not Contact.objects.exists()
    # The second step, as its page sends it: with ?next= back to the form.
    response = client.post(response["Location"], {"code": totp_code(totp_device_ensure(worker))})
    assert response["Location"] == CONTACT
    page = client.get(CONTACT)
    form = page.context["form"]
    assert form.is_bound and form.data["note"] == NOTE and form.data["form_token"] == token
    html = page.content.decode()
    assert NOTE in html and f'value="{token}"' in html
    assert not Contact.objects.exists(), "nothing is saved before the user taps Save"
    assert not KeptSubmission.objects.exists(), "shown once, then deleted"

    # One tap on Save, and a second one: one contact.
    for _tap in range(2):
        response = client.post(CONTACT, _contact_post(token))
        assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.note == NOTE and contact.submission_id == token and contact.worker == worker
    # Opened again, the form is empty.
    assert not client.get(CONTACT).context["form"].is_bound


def test_the_kept_form_is_stored_encrypted(client, session_ended):
    client.post(CONTACT, _contact_post(session_ended))
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM cmm_keptsubmission")
        (raw,) = cursor.fetchone()
    assert NOTE not in raw and "København" not in raw and session_ended not in raw
    assert NOTE in KeptSubmission.objects.get().payload


def test_passwords_and_the_csrf_token_are_never_kept(client, session_ended):
    data = {**_contact_post(session_ended), "password": "secret", "code": "123456"}
    client.post(CONTACT, data)
    kept = kept_forms.kept_submission_data(KeptSubmission.objects.get())
    assert "password" not in kept and "code" not in kept and "csrfmiddlewaretoken" not in kept
    assert kept["note"] == NOTE


def test_another_user_logging_in_never_sees_the_kept_form(client, session_ended, make_member, org_a):
    other = make_member(org_a, Role.OUTREACH_WORKER)
    client.post(CONTACT, _contact_post(session_ended))
    assert KeptSubmission.objects.count() == 1
    client.post(reverse("login"), {"username": other.username, "password": TEST_PASSWORD, "next": CONTACT})
    pass_second_factor(client, other)
    page = client.get(CONTACT)
    assert not page.context["form"].is_bound
    assert NOTE not in page.content.decode()
    assert not KeptSubmission.objects.exists(), "discarded: typed by someone else"


def test_a_browser_without_a_login_keeps_nothing(client, users_a):
    response = Client().post(CONTACT, _contact_post("a" * 32))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not KeptSubmission.objects.exists()


def test_empty_posts_the_api_and_account_pages_are_not_kept(client, session_ended):
    client.post(CONTACT, {"then": "list"})
    client.post("/api/outreach/contacts/", {"note": NOTE})
    client.post(reverse("password_change"), {"old_password": "x", "new_password1": NOTE})
    upload = SimpleUploadedFile("passport.pdf", b"%PDF-1.4", content_type="application/pdf")
    client.post(CONTACT, {"note": NOTE, "file": upload})
    assert not KeptSubmission.objects.exists()


def test_a_form_from_another_site_is_not_kept(session_ended, client):
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    response = strict.post(CONTACT, _contact_post(session_ended))
    assert response.status_code == 403
    assert not KeptSubmission.objects.exists()


def test_kept_forms_expire(client, session_ended, settings):
    client.post(CONTACT, _contact_post(session_ended))
    KeptSubmission.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert kept_forms.kept_submissions_purge() == 1
    assert not KeptSubmission.objects.exists()


def test_an_expired_kept_form_is_not_shown(client, session_ended, worker):
    client.post(CONTACT, _contact_post(session_ended))
    KeptSubmission.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client.post(reverse("login"), {"username": worker.username, "password": TEST_PASSWORD})
    pass_second_factor(client, worker)
    assert not client.get(CONTACT).context["form"].is_bound


# --- Stay logged in -----------------------------------------------------------------------------------------


def test_keep_alive_renews_the_session_and_says_how_long_it_lasts(worker, settings):
    client = Client(enforce_csrf_checks=True)
    _log_in_with_csrf(client, worker)
    page = client.get(reverse("home")).content.decode()
    csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + datetime.timedelta(minutes=1))

    response = client.post(reverse("api-session-keep-alive"), HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200
    body = response.json()
    assert body["idle_seconds"] == settings.SESSION_COOKIE_AGE
    assert 0 < body["ends_in_seconds"] <= settings.SESSION_ABSOLUTE_HOURS * 3600
    renewed = Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date
    assert renewed > timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def _log_in_with_csrf(client, user):
    page = client.get(reverse("login"))
    token = page.cookies["csrftoken"].value
    client.post(
        reverse("login"),
        {"username": user.username, "password": TEST_PASSWORD, "csrfmiddlewaretoken": token},
    )
    device = totp_device_ensure(user)
    verify = client.get(reverse("two-factor-verify"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', verify.content.decode()).group(1)
    response = client.post(
        reverse("two-factor-verify"),
        {"code": totp_code(device), "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_keep_alive_needs_the_csrf_token(worker):
    client = Client(enforce_csrf_checks=True)
    _log_in_with_csrf(client, worker)
    assert client.post(reverse("api-session-keep-alive")).status_code == 403


def test_keep_alive_after_the_session_ended_is_refused(client, worker):
    _log_in(client, worker)
    _end_session_on_server(client)
    assert client.post(reverse("api-session-keep-alive")).status_code in (401, 403)
    assert not KeptSubmission.objects.exists()


def test_the_page_carries_the_warning_with_its_times(client, worker):
    _log_in(client, worker)
    html = client.get(reverse("home")).content.decode()
    assert 'role="alertdialog"' in html and "data-session-keeper" in html
    assert 'src="/static/js/session-keeper.js"' in html
    assert "<script>" not in html  # the CSP allows no inline script


# --- The error summary ------------------------------------------------------------------------------------


def test_the_form_include_sums_up_the_errors_with_links_to_their_fields():
    from django import forms

    class SampleForm(forms.Form):
        name = forms.CharField(label="Name")
        kind = forms.ChoiceField(label="Kind", choices=[("a", "A")], widget=forms.RadioSelect)

        def clean(self):
            raise forms.ValidationError("Something is off.")

    form = SampleForm(data={})
    html = Template('{% include "includes/form.html" %}').render(Context({"form": form}))
    summary = html[: html.index('<div class="field')]
    assert "data-error-summary" in summary and 'tabindex="-1"' in summary and 'role="alert"' in summary
    assert '<a href="#id_name">Name</a>' in summary
    assert '<a href="#id_kind">Kind</a>' in summary
    assert "Something is off." in summary
    assert 'id="id_name_error"' in html
    assert 'id="id_kind"' in html  # the radio list's own id, the link's target
