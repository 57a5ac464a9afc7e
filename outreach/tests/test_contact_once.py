"""One tap, one contact (issue 17): a contact sent twice - a double tap, a retry on a bad network, two
requests racing - is logged once. The submission id (the quick form's hidden token, the API's
`submission_id`, later the id an offline phone makes) is claimed by a unique constraint in the same
transaction as the row, so the database, not the session, decides which request logged it.

The concurrent tests run each request in its own thread with its own connection, released together by a
barrier. On PostgreSQL the second INSERT waits for the first's transaction and then hits the constraint; on
SQLite writers are serialised by BEGIN IMMEDIATE (cmm.settings.base), so the same promise is checked there
too rather than being skipped, because CI fails every skipped test (conftest.py).
"""

import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cmm.models import Role, User
from cmm.tests.test_api import token_client
from outreach.choices import Venue
from outreach.models import Contact
from outreach.services import contact_log, contact_log_once

ROUNDS = 5


def _at_once(calls) -> list:
    """Run the calls in threads released together; return what each returned or raised, in order."""
    start = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            start.wait(timeout=30)
            outcomes[index] = call()
        except Exception as exc:  # compared by the test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def _messages(client, url) -> list[str]:
    return [str(message) for message in client.get(url).context["messages"]]


@pytest.fixture
def worker(users_a):
    return users_a[Role.OUTREACH_WORKER]


@pytest.fixture
def worker_client(worker, login):
    client = login(worker)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def _form_token(client) -> str:
    return client.get(reverse("contact-create")).context["form"]["form_token"].value()


# --- The quick form -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_identical_form_posts_at_once_log_one_contact(worker_client):
    for _round in range(ROUNDS):
        token = _form_token(worker_client)
        data = {"venue": Venue.STREET, "form_token": token}
        # Two tabs of one phone: the same logged-in session, each request on its own connection.
        clients = []
        for _ in range(2):
            twin = Client()
            for name, morsel in worker_client.cookies.items():
                twin.cookies[name] = morsel.value
            clients.append(twin)
        responses = _at_once([lambda c=c, d=data: c.post(reverse("contact-create"), d) for c in clients])

        assert [getattr(r, "status_code", r) for r in responses] == [302, 302]
        assert {r["Location"] for r in responses} == {reverse("contact-create")}
        contact = Contact.objects.get(submission_id=token)
        edit_url = reverse("contact-update", args=[contact.pk])
        # Whichever lost, both land on the same page with a message pointing at the one saved contact.
        shown = [_messages(client, responses[0]["Location"]) for client in clients]
        assert all(any(edit_url in m for m in messages) for messages in shown), shown
        assert sorted("already" in m for messages in shown for m in messages) == [False, True]
    assert Contact.objects.count() == ROUNDS


@pytest.mark.django_db
def test_a_save_sent_again_lands_on_the_same_page_saying_it_is_already_saved(worker_client):
    token = _form_token(worker_client)
    data = {"venue": Venue.STREET, "form_token": token, "then": "list"}
    first = worker_client.post(reverse("contact-create"), data)
    assert first.status_code == 302 and first["Location"] == reverse("contact-list")
    contact = Contact.objects.get()
    assert contact.submission_id == token
    edit_url = reverse("contact-update", args=[contact.pk])
    assert any("Contact saved." in m and edit_url in m for m in _messages(worker_client, first["Location"]))

    again = worker_client.post(reverse("contact-create"), data)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    messages = _messages(worker_client, again["Location"])
    assert any("already saved" in m and edit_url in m for m in messages), messages
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_a_form_sent_again_from_another_session_is_still_one_contact(worker, worker_client, login):
    """The session is not what decides: the same form sent after logging in again (a new session) is the
    same submission."""
    token = _form_token(worker_client)
    data = {"venue": Venue.BAR, "form_token": token}
    assert worker_client.post(reverse("contact-create"), data).status_code == 302
    again = login(worker)
    assert again.post(reverse("contact-create"), data).status_code == 302
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_a_tampered_form_token_is_a_form_error_not_a_500(worker_client):
    response = worker_client.post(reverse("contact-create"), {"venue": Venue.BAR, "form_token": "x y"})
    assert response.status_code == 400
    assert Contact.objects.count() == 0


# --- The service --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_service_called_twice_at_once_with_one_submission_id_logs_one_contact(worker, org_a):
    worker_id = worker.pk
    for _round in range(ROUNDS):
        submission = str(uuid.uuid4())

        def log(submission=submission):
            by = User.objects.get(pk=worker_id)
            return contact_log_once(by=by, organisation=org_a, submission_id=submission, venue=Venue.STREET)

        outcomes = _at_once([log, log])
        assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
        (first, created_first), (second, created_second) = outcomes
        assert first.pk == second.pk
        assert sorted([created_first, created_second]) == [False, True]
    assert Contact.objects.count() == ROUNDS


@pytest.mark.django_db
def test_a_submission_id_is_claimed_once_and_only_its_author_gets_the_contact_back(
    worker, users_a, users_b, org_a, org_b
):
    submission = str(uuid.uuid4())
    contact, created = contact_log_once(
        by=worker, organisation=org_a, submission_id=submission, venue=Venue.STREET
    )
    assert created
    again, created = contact_log_once(
        by=worker, organisation=org_a, submission_id=submission, venue=Venue.BAR, note="different"
    )
    assert (again.pk, created, again.venue) == (contact.pk, False, Venue.STREET)
    assert contact_log(by=worker, organisation=org_a, submission_id=submission, venue=Venue.BAR) == contact

    # The id names one submission anywhere: a colleague or another organisation cannot reuse it, and is
    # told nothing about the contact.
    for by, organisation in ((users_a[Role.COORDINATOR], org_a), (users_b[Role.OUTREACH_WORKER], org_b)):
        with pytest.raises(ValidationError) as refused:
            contact_log_once(by=by, organisation=organisation, submission_id=submission, venue=Venue.BAR)
        assert list(refused.value.message_dict) == ["submission_id"]
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_contacts_without_a_submission_id_are_each_logged(worker, org_a):
    contact_log(by=worker, organisation=org_a, venue=Venue.STREET)
    contact_log(by=worker, organisation=org_a, submission_id="", venue=Venue.STREET)
    contact_log(by=worker, organisation=org_a, submission_id=None, venue=Venue.STREET)
    assert Contact.objects.filter(submission_id__isnull=True).count() == 3


# --- The API ------------------------------------------------------------------------------------------


@pytest.fixture
def api_worker(worker):
    return token_client(APIClient(), worker)


@pytest.mark.django_db
def test_the_api_logs_a_contact_once_per_submission_id(api_worker, worker):
    submission = str(uuid.uuid4())
    body = {"venue": "street", "submission_id": submission}
    created = api_worker.post("/api/outreach/contacts/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["submission_id"] == submission

    replayed = api_worker.post("/api/outreach/contacts/", {**body, "venue": "bar"}, format="json")
    assert replayed.status_code == 200, replayed.content
    assert replayed.json() == created.json()
    assert Contact.objects.count() == 1

    without = api_worker.post("/api/outreach/contacts/", {"venue": "street"}, format="json")
    assert without.status_code == 201 and without.json()["submission_id"] is None
    assert Contact.objects.count() == 2


@pytest.mark.django_db
def test_the_api_refuses_a_submission_id_used_by_someone_else_without_telling_what(
    api_worker, users_b, worker
):
    submission = str(uuid.uuid4())
    assert (
        api_worker.post(
            "/api/outreach/contacts/", {"venue": "street", "submission_id": submission}, format="json"
        ).status_code
        == 201
    )
    other = token_client(APIClient(), users_b[Role.OUTREACH_WORKER])
    refused = other.post(
        "/api/outreach/contacts/", {"venue": "street", "submission_id": submission}, format="json"
    )
    assert refused.status_code == 400
    assert set(refused.json()) == {"submission_id"}
    assert "street" not in refused.content.decode()
    assert Contact.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["short", "with space in it!", "x" * 65, 7, ""])
def test_the_api_refuses_a_malformed_submission_id(api_worker, value):
    response = api_worker.post(
        "/api/outreach/contacts/", {"venue": "street", "submission_id": value}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"submission_id"}
    assert Contact.objects.count() == 0


@pytest.mark.django_db
def test_the_api_cannot_change_a_contacts_submission_id(api_worker, worker, org_a):
    contact = contact_log(by=worker, organisation=org_a, submission_id=str(uuid.uuid4()), venue=Venue.BAR)
    response = api_worker.patch(
        f"/api/outreach/contacts/{contact.pk}/", {"submission_id": str(uuid.uuid4())}, format="json"
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert response.json()["submission_id"] == contact.submission_id


@pytest.mark.django_db
def test_the_schema_documents_the_idempotent_create(client, worker, login):
    login(worker)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    post = schema["paths"]["/api/outreach/contacts/"]["post"]
    assert {"200", "201"} <= set(post["responses"])
    assert "submission_id" in post["description"]
    request_ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    field = schema["components"]["schemas"][request_ref]["properties"]["submission_id"]
    assert field["maxLength"] == 64 and field["pattern"] and "once" in field["description"]
