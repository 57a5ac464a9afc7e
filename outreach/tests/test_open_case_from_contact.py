"""Open a case from an outreach contact (issue 18, "nothing typed twice"): the case form prefilled with the
contact's facts, the client code linked, the contact on the new case's timeline; only for roles that open
cases and only for a contact the user may see (404 otherwise); the API does the same."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from cases.choices import ControlMeans, EventKind, Gender, ResidenceStatus
from cases.models import Case, CaseEvent, ClientCode
from cases.templatetags.case_events import event_sentence
from cmm.models import Role
from cmm.tests.test_api import token_client
from outreach.choices import Indicator
from outreach.models import Contact
from outreach.services import case_open_from_contact, case_prefill_from_contact

pytestmark = pytest.mark.django_db

CODE = "4K7QX-M2PA9"


@pytest.fixture
def caseworker(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def contact(users_a, log_contact):
    return log_contact(
        by=users_a[Role.OUTREACH_WORKER],
        client_code=CODE,
        language="ro",
        indicators=[Indicator.WITHHOLDS_DOCUMENTS, ControlMeans.THREATS],
    )


def _case_form(**values):
    return {
        "opened_on": datetime.date.today().isoformat(),  # noqa: DTZ011 - a date the form accepts
        "gender": Gender.FEMALE,
        "residence_status": ResidenceStatus.NO_LEGAL_RESIDENCE,
        "nationality": "NG",
        **values,
    }


def test_prefill_takes_the_contacts_facts(contact):
    assert case_prefill_from_contact(contact) == {
        "gender": Gender.FEMALE,
        "nationality": "NG",
        "languages": ["ro"],
        "control_means": [Indicator.WITHHOLDS_DOCUMENTS, ControlMeans.THREATS],
    }


def test_the_page_shows_the_case_form_prefilled(contact, caseworker, login):
    client = login(caseworker)
    response = client.get(reverse("contact-open-case", args=[contact.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["gender"].value() == Gender.FEMALE
    assert form["nationality"].value() == "NG"
    assert form["languages"].value() == ["ro"]
    assert sorted(form["control_means"].value()) == sorted(
        [Indicator.WITHHOLDS_DOCUMENTS, ControlMeans.THREATS]
    )
    assert CODE in " ".join(str(m) for m in response.context["messages"])  # says the code will be linked
    assert response["Cache-Control"].startswith("max-age=0")


def test_saving_opens_the_case_links_the_code_and_puts_the_contact_on_the_timeline(
    contact, caseworker, login
):
    client = login(caseworker)
    response = client.post(reverse("contact-open-case", args=[contact.pk]), _case_form())
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == reverse("case-timeline", args=[case.pk])
    contact.refresh_from_db()
    assert contact.case == case
    assert ClientCode.objects.get(code=CODE).case == case
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert EventKind.CONTACT in kinds
    opened = CaseEvent.objects.get(case=case, kind=EventKind.OPENED)
    assert opened.data == {"contact_venue": "street"}
    with translation.override("en"):
        assert event_sentence(opened) == "Case opened from an outreach contact (street)"
    timeline = client.get(reverse("case-timeline", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert timeline.status_code == 200


def test_a_contact_of_another_organisation_is_404(contact, users_b, login):
    client = login(users_b[Role.CASEWORKER])
    assert client.get(reverse("contact-open-case", args=[contact.pk])).status_code == 404
    assert client.post(reverse("contact-open-case", args=[contact.pk]), _case_form()).status_code == 404
    assert not Case.objects.exists()


def test_a_role_that_does_not_open_cases_is_refused(contact, users_a, login):
    client = login(users_a[Role.OUTREACH_WORKER])
    assert client.get(reverse("contact-open-case", args=[contact.pk])).status_code == 403


def test_bad_input_answers_400_with_field_errors(contact, caseworker, login):
    client = login(caseworker)
    response = client.post(
        reverse("contact-open-case", args=[contact.pk]), _case_form(gender="x", opened_on="yesterday")
    )
    assert response.status_code == 400
    assert {"gender", "opened_on"} <= set(response.context["form"].errors)
    assert not Case.objects.exists()


def test_a_contact_already_linked_or_a_group_cannot_open_a_case(
    contact, caseworker, users_a, log_contact, login
):
    client = login(caseworker)
    client.post(reverse("contact-open-case", args=[contact.pk]), _case_form())
    again = client.get(reverse("contact-open-case", args=[contact.pk]))
    assert again.status_code == 302
    group = log_contact(by=users_a[Role.OUTREACH_WORKER], group_size=3, indicators=[])
    assert client.post(reverse("contact-open-case", args=[group.pk]), _case_form()).status_code == 302
    assert Case.objects.count() == 1


def test_the_service_refuses_a_contact_of_another_organisation(contact, users_b):
    from django.core.exceptions import ValidationError

    cw_b = users_b[Role.CASEWORKER]
    with pytest.raises(ValidationError):
        case_open_from_contact(
            contact=contact,
            by=cw_b,
            organisation=cw_b.memberships.get().organisation,
            opened_on=datetime.date(2026, 1, 5),
            gender=Gender.FEMALE,
            residence_status=ResidenceStatus.UNKNOWN,
        )


def test_the_list_offers_open_a_case_without_a_query_per_row(
    users_a, caseworker, log_contact, login, django_assert_max_num_queries
):
    worker = users_a[Role.OUTREACH_WORKER]
    log_contact(by=worker)
    client = login(caseworker)
    with django_assert_max_num_queries(30) as few:
        first = client.get(reverse("contact-list"))
    assert reverse("contact-open-case", args=[Contact.objects.get().pk]) in first.content.decode()
    for _index in range(15):
        log_contact(by=worker)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("contact-list"))
    assert response.content.decode().count("/open-case/") == 16


def test_the_list_hides_the_button_from_the_outreach_worker(users_a, log_contact, login):
    worker = users_a[Role.OUTREACH_WORKER]
    log_contact(by=worker)
    response = login(worker).get(reverse("contact-list"))
    assert "/open-case/" not in response.content.decode()


# --- API ----------------------------------------------------------------------------------------------


def _url(contact):
    return f"/api/outreach/contacts/{contact.pk}/open-case/"


def test_api_opens_a_case_with_the_contacts_facts(contact, caseworker):
    response = token_client(APIClient(), caseworker).post(
        _url(contact), {"opened_on": "2026-01-05", "residence_status": "no_legal_residence"}, format="json"
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert (case.gender, case.nationality.code, case.languages) == (Gender.FEMALE, "NG", ["ro"])
    contact.refresh_from_db()
    assert contact.case == case


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"residence_status": "no_legal_residence"}, "opened_on"),
        ({"opened_on": "2026-01-05", "residence_status": "martian"}, "residence_status"),
        ({"opened_on": "2026-01-05", "residence_status": "unknown", "gender": "x"}, "gender"),
        (
            {"opened_on": "2026-01-05", "residence_status": "unknown", "control_means": ["nonsense"]},
            "control_means",
        ),
    ],
)
def test_api_bad_input_answers_400_with_field_errors(contact, caseworker, body, field):
    response = token_client(APIClient(), caseworker).post(_url(contact), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Case.objects.exists()


def test_api_a_linked_contact_answers_400(contact, caseworker):
    client = token_client(APIClient(), caseworker)
    body = {"opened_on": "2026-01-05", "residence_status": "unknown"}
    assert client.post(_url(contact), body, format="json").status_code == 201
    assert client.post(_url(contact), body, format="json").status_code == 400


def test_api_another_organisation_gets_404_and_the_outreach_worker_403(contact, users_a, users_b):
    body = {"opened_on": "2026-01-05", "residence_status": "unknown"}
    other = token_client(APIClient(), users_b[Role.CASEWORKER])
    assert other.post(_url(contact), body, format="json").status_code == 404
    worker = token_client(APIClient(), users_a[Role.OUTREACH_WORKER])
    assert worker.post(_url(contact), body, format="json").status_code == 403


def test_the_contacts_page_offers_open_a_case(contact, caseworker, users_a, login):
    page = login(caseworker).get(reverse("contact-update", args=[contact.pk]))
    assert reverse("contact-open-case", args=[contact.pk]) in page.content.decode()
    page = login(users_a[Role.OUTREACH_WORKER]).get(reverse("contact-update", args=[contact.pk]))
    assert reverse("contact-open-case", args=[contact.pk]) not in page.content.decode()
