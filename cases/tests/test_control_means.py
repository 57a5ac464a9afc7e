"""Means of control (CTDC's list) on a case: set on the case form and through the API the same way as the
forms of exploitation, shown on the case page, named in the timeline when they change."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from cases.choices import (
    ControlMeans,
    EventKind,
    ExploitationType,
    ForcedLabourSector,
    Gender,
    ResidenceStatus,
)
from cases.models import Case, CaseEvent
from cases.services import case_update
from cmm.models import Role
from cmm.tests.test_api import token_client

pytestmark = pytest.mark.django_db


def means(case) -> list[str]:
    return list(case.control_means.order_by("type").values_list("type", flat=True))


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def form_data(**overrides):
    data = {
        "opened_on": "2026-03-01",
        "gender": Gender.FEMALE,
        "estimated_age": "24",
        "nationality": "RO",
        "residence_status": ResidenceStatus.EU_CITIZEN,
        "exploitation_types": [ExploitationType.FORCED_LABOUR],
        "forced_labour_sector": ForcedLabourSector.AGRICULTURE,
        "contact_person": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def api(users_a):
    return token_client(APIClient(), users_a[Role.CASEWORKER])


# --- The service ----------------------------------------------------------------------------------------


def test_opening_and_changing_keep_each_means_once(users_a, open_case):
    worker = users_a[Role.CASEWORKER]
    case = open_case(by=worker, control_means=[ControlMeans.THREATS, ControlMeans.DEBT_BONDAGE])
    assert means(case) == [ControlMeans.DEBT_BONDAGE, ControlMeans.THREATS]

    case_update(case=case, by=worker, control_means=[ControlMeans.THREATS, ControlMeans.OTHER])
    assert means(case) == [ControlMeans.OTHER, ControlMeans.THREATS]
    event = CaseEvent.objects.get(case=case, kind=EventKind.CHANGED)
    assert event.data["fields"] == ["control_means"]

    # The same set again changes nothing and writes no event.
    case_update(case=case, by=worker, control_means=[ControlMeans.OTHER, ControlMeans.THREATS])
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CHANGED).count() == 1


def test_an_unknown_means_is_refused(users_a, open_case):
    case = open_case(by=users_a[Role.CASEWORKER])
    with pytest.raises(ValidationError) as error:
        case_update(case=case, by=users_a[Role.CASEWORKER], control_means=["slavery"])
    assert "control_means" in error.value.message_dict
    assert means(case) == []


# --- The API --------------------------------------------------------------------------------------------


def test_api_opens_changes_and_shows_the_means_of_control(api):
    body = {
        "opened_on": "2026-03-02",
        "gender": "female",
        "residence_status": "no_legal_residence",
        "exploitations": [{"type": "sexual"}],
        "control_means": ["withholds_documents", "debt_bondage"],
    }
    response = api.post("/api/cases/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["control_means"] == ["debt_bondage", "withholds_documents"]
    case_id = response.json()["id"]

    response = api.patch(f"/api/cases/{case_id}/", {"control_means": ["threats"]}, format="json")
    assert response.status_code == 200
    assert response.json()["control_means"] == ["threats"]
    listed = api.get("/api/cases/").json()["results"]
    assert next(item for item in listed if item["id"] == case_id)["control_means"] == ["threats"]
    # Leaving the field out of a PATCH keeps what is there.
    api.patch(f"/api/cases/{case_id}/", {"gender": "male"}, format="json")
    assert means(Case.objects.get(pk=case_id)) == ["threats"]


@pytest.mark.parametrize("value", [["threats", "threats"], ["slavery"], "threats"])
def test_api_bad_means_of_control_are_a_400_naming_the_field(api, case_a, value):
    response = api.patch(f"/api/cases/{case_a.pk}/", {"control_means": value}, format="json")
    assert response.status_code == 400
    assert "control_means" in response.json()
    assert means(case_a) == []


# --- The pages ------------------------------------------------------------------------------------------


def test_case_form_sets_the_means_of_control_and_the_page_shows_them(login, users_a):
    client = english(login(users_a[Role.CASEWORKER]))
    response = client.post(reverse("case-create"), form_data(control_means=[ControlMeans.FALSE_PROMISES]))
    assert response.status_code == 302
    case = Case.objects.get()
    assert means(case) == [ControlMeans.FALSE_PROMISES]

    url = reverse("case-update", args=[case.pk])
    assert client.get(url).context["form"]["control_means"].value() == [ControlMeans.FALSE_PROMISES]
    data = form_data(control_means=[ControlMeans.RESTRICTS_MOVEMENT, ControlMeans.SEXUAL_ABUSE])
    assert client.post(url, data).status_code == 302
    assert means(case) == [ControlMeans.RESTRICTS_MOVEMENT, ControlMeans.SEXUAL_ABUSE]

    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert (
        "Means of control" in page and "Movement is restricted or watched" in page and "Sexual abuse" in page
    )
    timeline = client.get(reverse("case-timeline", args=[case.pk])).content.decode()
    assert "means of control" in timeline


def test_case_form_refuses_an_unknown_means_next_to_the_field(login, case_a, users_a):
    client = login(users_a[Role.CASEWORKER])
    response = client.post(reverse("case-update", args=[case_a.pk]), form_data(control_means=["slavery"]))
    assert response.status_code == 400
    assert "control_means" in response.context["form"].errors
