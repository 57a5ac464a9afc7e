"""The outreach API: the access and service rules of the pages, answered as 400/403/404, never 500."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from cases.choices import EventKind, ExploitationType, ForcedLabourSector, Gender, ResidenceStatus
from cases.client_codes import client_code_make
from cases.models import CaseEvent
from cases.services import case_open
from cmm.models import Role
from cmm.tests.test_api import token_client
from outreach.choices import Venue
from outreach.models import ClinicConsultation, Contact, HotlineCall, MeetingPlaceSession, PoliceRaid
from outreach.services import clinic_consultations_save

pytestmark = pytest.mark.django_db

BASE = "/api/outreach/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The sweeps below send many requests; start each test with an empty request-rate history."""
    cache.clear()


@pytest.fixture
def client_for():
    """A fresh API client authenticated with the user's token (one client per user)."""

    def make(user):
        return token_client(APIClient(), user)

    return make


@pytest.fixture
def worker(users_a, client_for):
    """A's outreach worker."""
    return client_for(users_a[Role.OUTREACH_WORKER])


@pytest.fixture
def open_case():
    """Open a case for the user's organisation through the real service."""

    def make(*, by):
        return case_open(
            by=by,
            organisation=by.memberships.get().organisation,
            opened_on=datetime.date(2026, 3, 1),
            gender=Gender.FEMALE,
            residence_status=ResidenceStatus.NO_LEGAL_RESIDENCE,
            nationality="RO",
            languages=["ro"],
            exploitations=[(ExploitationType.FORCED_LABOUR, ForcedLabourSector.CLEANING)],
            estimated_age=24,
        )

    return make


@pytest.fixture
def case_a(users_a, open_case):
    return open_case(by=users_a[Role.CASEWORKER])


@pytest.fixture
def case_b(users_b, open_case):
    return open_case(by=users_b[Role.CASEWORKER])


def ago(**delta) -> str:
    return (timezone.now() - datetime.timedelta(**delta)).isoformat()


def days_ago(days: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def contact_body(**overrides):
    body = {
        "occurred_at": ago(hours=2),
        "venue": "massage_clinic",
        "city": "Odense",
        "region": "syddanmark",
        "gender": "female",
        "nationality": "th",
        "age_band": "24-26",
        "first_time_met": True,
        "indicators": ["withholds_documents", "debt_bondage"],
        "services_offered": ["health", "hotline_info"],
        "language": "th",
        "note": "Gave the leaflet in Thai.",
    }
    return {**body, **overrides}


def session_body(**overrides):
    body = {
        "place": "Mødestedet",
        "date": days_ago(1),
        "opens_at": "10:00",
        "closes_at": "16:00",
        "visitors": 25,
        "returning_visitors": 15,
        "health_clinic_open": True,
    }
    return {**body, **overrides}


def clinic_body(**overrides):
    return {"clinic": "Klinikken Vesterbro", "date": days_ago(1), "consultations": 7, **overrides}


def call_body(**overrides):
    body = {"received_at": ago(minutes=20), "caller_category": "informant", "purpose": "raid_warning"}
    return {**body, **overrides}


def raid_body(**overrides):
    body = {
        "date": days_ago(3),
        "police_district": "fyn",
        "location_type": "massage_clinic",
        "city": "Odense",
        "persons_met": 8,
        "persons_with_indicators": 3,
        "contacts_made": 5,
    }
    return {**body, **overrides}


def call(client, method, path, body=None):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, format="json")


# --- Contacts -------------------------------------------------------------------------------------------


def test_worker_logs_a_contact_and_reads_it_back(worker, users_a):
    response = worker.post(f"{BASE}contacts/", contact_body(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["venue"] == "massage_clinic" and body["venue_label"]
    assert body["nationality"] == "TH"
    assert body["indicators"] == ["withholds_documents", "debt_bondage"]
    assert body["has_indicators"] is True
    assert body["services_offered"] == ["health", "hotline_info"]
    assert (body["case"], body["police_raid"], body["group_size"]) == (None, None, 1)
    assert body["worker"] == users_a[Role.OUTREACH_WORKER].username
    contact = Contact.objects.get(pk=body["id"])
    assert contact.organisation == users_a[Role.OUTREACH_WORKER].memberships.get().organisation

    detail = worker.get(f"{BASE}contacts/{contact.pk}/")
    assert detail.status_code == 200
    assert detail.json() == body


def test_contact_without_a_time_is_logged_now_and_a_typed_client_code_is_normalised(worker):
    code = client_code_make(mother_initial="A", own_initial="B", birth_year=1990, birth_country="TH")
    body = contact_body(client_code=code.replace("-", "").lower())
    del body["occurred_at"]
    response = worker.post(f"{BASE}contacts/", body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["client_code"] == code
    logged = datetime.datetime.fromisoformat(response.json()["occurred_at"])
    assert abs(logged - timezone.now()) < datetime.timedelta(minutes=1)


def test_contact_with_a_case_shows_the_case_number_and_lands_on_its_timeline(worker, case_a):
    response = worker.post(f"{BASE}contacts/", contact_body(case=case_a.pk), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["case"] == {"id": case_a.pk, "number": case_a.number}
    assert CaseEvent.objects.filter(case=case_a, kind=EventKind.CONTACT).count() == 1
    listed = worker.get(f"{BASE}contacts/").json()["results"]
    assert listed[0]["case"] == {"id": case_a.pk, "number": case_a.number}


def test_contact_list_filters(worker, users_a, log_contact):
    own, colleague = users_a[Role.OUTREACH_WORKER], users_a[Role.CASEWORKER]
    street = log_contact(by=own, occurred_at=timezone.now() - datetime.timedelta(days=10), indicators=[])
    clinic = log_contact(by=colleague, venue=Venue.MASSAGE_CLINIC, city="Aarhus")
    yesterday = log_contact(by=own, occurred_at=timezone.now() - datetime.timedelta(days=1))

    def ids(**params):
        response = worker.get(f"{BASE}contacts/", params)
        assert response.status_code == 200, response.json()
        return [c["id"] for c in response.json()["results"]]

    assert ids() == [clinic.pk, yesterday.pk, street.pk]
    assert ids(venue="massage_clinic") == [clinic.pk]
    assert ids(indicators="false") == [street.pk]
    assert ids(worker=colleague.pk) == [clinic.pk]
    assert ids(city="aarh") == [clinic.pk]
    assert ids(date_from=days_ago(2)) == [clinic.pk, yesterday.pk]
    assert ids(date_to=days_ago(5)) == [street.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": days_ago(1), "date_to": days_ago(5)}, "date_to"),
        ({"venue": "casino"}, "venue"),
        ({"worker": "999999"}, "worker"),
        ({"date_from": "yesterday"}, "date_from"),
    ],
)
def test_bad_contact_filter_is_400_naming_the_filter(worker, params, field):
    response = worker.get(f"{BASE}contacts/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_patch_corrects_a_contact(worker, users_a, log_contact):
    contact = log_contact(by=users_a[Role.CASEWORKER])
    response = worker.patch(
        f"{BASE}contacts/{contact.pk}/",
        {"venue": "bar", "indicators": [], "group_size": 3, "note": ""},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["venue"], body["indicators"], body["has_indicators"], body["group_size"]) == (
        "bar",
        [],
        False,
        3,
    )
    assert body["city"] == "København"  # what was not sent stays
    assert (
        worker.patch(f"{BASE}contacts/{contact.pk}/", {"region": "national"}, format="json").status_code
        == 400
    )
    contact.refresh_from_db()
    assert (contact.venue, contact.has_indicators) == ("bar", False)


def test_link_puts_an_anonymous_contact_on_a_case(worker, users_a, log_contact, case_a, case_b):
    contact = log_contact(by=users_a[Role.OUTREACH_WORKER])
    link = f"{BASE}contacts/{contact.pk}/link/"

    refused = worker.post(link, {"case": case_b.pk}, format="json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"case"}
    assert worker.post(link, {"case": 999_999}, format="json").json().keys() == {"case"}
    assert worker.post(link, {}, format="json").json().keys() == {"case"}

    response = worker.post(link, {"case": case_a.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["case"] == {"id": case_a.pk, "number": case_a.number}
    assert CaseEvent.objects.filter(case=case_a, kind=EventKind.CONTACT).count() == 1
    assert worker.post(link, {"case": case_a.pk}, format="json").status_code == 200  # again: no harm
    assert CaseEvent.objects.filter(case=case_a, kind=EventKind.CONTACT).count() == 1


def test_a_group_contact_cannot_be_linked_to_one_case(worker, users_a, log_contact, case_a):
    contact = log_contact(by=users_a[Role.OUTREACH_WORKER], group_size=4)
    response = worker.post(f"{BASE}contacts/{contact.pk}/link/", {"case": case_a.pk}, format="json")
    assert response.status_code == 400
    assert "case" in response.json()


@pytest.fixture
def raid_of_b(users_b, record_raid):
    """A raid organisation B recorded without A present."""
    return record_raid(by=users_b[Role.COORDINATOR])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurred_at": "2099-01-01T10:00:00+01:00"}, "occurred_at"),
        ({"occurred_at": "0001-01-01T00:00:00"}, "occurred_at"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"venue": "casino"}, "venue"),
        ({"venue": None}, "venue"),
        ({"indicators": ["bad_vibes"]}, "indicators"),
        ({"indicators": "debt_bondage"}, "indicators"),
        ({"services_offered": ["massage"]}, "services_offered"),
        ({"group_size": 0}, "group_size"),
        ({"group_size": 51}, "group_size"),
        ({"group_size": 2, "client_code": "4K7QX-M2PA9"}, "group_size"),
        ({"client_code": "NOT-A-CODE"}, "client_code"),
        ({"client_code": "x" * 100}, "client_code"),
        ({"nationality": "XX"}, "nationality"),
        ({"region": "lapland"}, "region"),
        ({"region": "national"}, "region"),
        ({"gender": "robot"}, "gender"),
        ({"language": "Thai!"}, "language"),
        ({"note": "x" * 501}, "note"),
        ({"case": 2**40}, "case"),
        ({"case": "RTA-2026-00001"}, "case"),
    ],
)
def test_bad_contact_input_is_400_naming_the_field(worker, overrides, field):
    response = worker.post(f"{BASE}contacts/", contact_body(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Contact.objects.exists()


def test_case_and_raid_of_another_organisation_are_refused_as_unknown(worker, case_b, raid_of_b):
    response = worker.post(
        f"{BASE}contacts/", contact_body(case=case_b.pk, police_raid=raid_of_b.pk), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"case", "police_raid"}
    assert case_b.number not in response.content.decode()

    unknown = worker.post(f"{BASE}contacts/", contact_body(case=999_999, police_raid=999_999), format="json")
    assert unknown.json() == response.json()  # the same answer as for ids that do not exist
    assert not Contact.objects.exists()


# --- Meeting-place sessions -----------------------------------------------------------------------------


def test_meeting_sessions_record_list_read_and_correct(worker, users_a):
    created = worker.post(f"{BASE}meeting-sessions/", session_body(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["visitors"], body["returning_visitors"], body["opens_at"]) == (25, 15, "10:00:00")
    assert body["recorded_by"] == users_a[Role.OUTREACH_WORKER].username
    path = f"{BASE}meeting-sessions/{body['id']}/"

    assert worker.get(path).json() == body
    listed = worker.get(f"{BASE}meeting-sessions/", {"place": "møde"}).json()
    assert [s["id"] for s in listed["results"]] == [body["id"]]

    changed = worker.patch(path, {"visitors": 30, "health_clinic_open": False}, format="json")
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["visitors"], changed.json()["health_clinic_open"]) == (30, False)
    assert worker.patch(path, {"visitors": 10}, format="json").json().keys() == {"returning_visitors"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"returning_visitors": 26}, "returning_visitors"),
        ({"date": "2099-01-01"}, "date"),
        ({"closes_at": "09:00"}, "closes_at"),
        ({"visitors": -1}, "visitors"),
        ({"visitors": 10**9}, "visitors"),
        ({"place": ""}, "place"),
        ({"opens_at": "25:00"}, "opens_at"),
    ],
)
def test_bad_meeting_session_is_400_naming_the_field(worker, overrides, field):
    response = worker.post(f"{BASE}meeting-sessions/", session_body(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not MeetingPlaceSession.objects.exists()


def test_a_second_record_of_the_same_place_and_day_is_refused(worker):
    assert worker.post(f"{BASE}meeting-sessions/", session_body(), format="json").status_code == 201
    response = worker.post(f"{BASE}meeting-sessions/", session_body(visitors=30), format="json")
    assert response.status_code == 400
    assert "date" in response.json()


# --- Health-clinic consultations ------------------------------------------------------------------------


def test_clinic_consultations_record_with_own_contacts_only(worker, users_a, users_b, log_contact):
    own = log_contact(by=users_a[Role.OUTREACH_WORKER], venue=Venue.HEALTH_CLINIC)
    foreign = log_contact(by=users_b[Role.OUTREACH_WORKER], venue=Venue.HEALTH_CLINIC)

    refused = worker.post(
        f"{BASE}clinic-consultations/", clinic_body(contacts=[own.pk, foreign.pk]), format="json"
    )
    assert refused.status_code == 400
    assert set(refused.json()) == {"contacts"}

    created = worker.post(
        f"{BASE}clinic-consultations/", clinic_body(contacts=[own.pk, own.pk]), format="json"
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["consultations"], created.json()["contacts"]) == (7, [own.pk])
    path = f"{BASE}clinic-consultations/{created.json()['id']}/"
    assert worker.get(path).json() == created.json()
    assert worker.get(f"{BASE}clinic-consultations/", {"clinic": "vesterbro"}).json()["count"] == 1


def test_clinic_patch_keeps_the_linked_contacts_unless_they_are_sent(worker, users_a, log_contact):
    own = log_contact(by=users_a[Role.OUTREACH_WORKER], venue=Venue.HEALTH_CLINIC)
    created = worker.post(
        f"{BASE}clinic-consultations/", clinic_body(contacts=[own.pk]), format="json"
    ).json()
    path = f"{BASE}clinic-consultations/{created['id']}/"

    changed = worker.patch(path, {"consultations": 9}, format="json")
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["consultations"], changed.json()["contacts"]) == (9, [own.pk])

    cleared = worker.patch(path, {"contacts": []}, format="json")
    assert cleared.status_code == 200, cleared.json()
    assert cleared.json()["contacts"] == []
    assert not ClinicConsultation.objects.get(pk=created["id"]).contacts.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date": "2099-01-01"}, "date"),
        ({"consultations": -3}, "consultations"),
        ({"contacts": [0]}, "contacts"),
        ({"contacts": [999_999]}, "contacts"),
        ({"contacts": "1,2"}, "contacts"),
        ({"clinic": "x" * 201}, "clinic"),
    ],
)
def test_bad_clinic_consultations_are_400_naming_the_field(worker, overrides, field):
    response = worker.post(f"{BASE}clinic-consultations/", clinic_body(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ClinicConsultation.objects.exists()


# --- Hotline calls --------------------------------------------------------------------------------------


def test_hotline_call_with_a_case_and_a_raid(users_a, client_for, case_a, record_raid):
    coordinator = users_a[Role.COORDINATOR]
    client = client_for(coordinator)
    raid = record_raid(by=coordinator)
    response = client.post(
        f"{BASE}hotline-calls/",
        call_body(case=case_a.pk, police_raid=raid.pk, note="Called back."),
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["case"] == {"id": case_a.pk, "number": case_a.number}
    assert (body["police_raid"], body["purpose"], body["wrong_number"]) == (raid.pk, "raid_warning", False)
    assert body["purpose_label"] and body["caller_category_label"]
    assert client.get(f"{BASE}hotline-calls/{body['id']}/").json() == body

    unlinked = client.patch(
        f"{BASE}hotline-calls/{body['id']}/", {"case": None, "wrong_number": True}, format="json"
    )
    assert unlinked.status_code == 200, unlinked.json()
    assert (unlinked.json()["case"], unlinked.json()["wrong_number"]) == (None, True)


def test_hotline_list_filters(worker, users_a, log_call):
    by = users_a[Role.COORDINATOR]
    police = log_call(by=by)
    wrong = log_call(by=by, caller_category="other", purpose="other", wrong_number=True)
    old = log_call(by=by, received_at=timezone.now() - datetime.timedelta(days=8), purpose="case_follow_up")

    def ids(**params):
        response = worker.get(f"{BASE}hotline-calls/", params)
        assert response.status_code == 200, response.json()
        return [c["id"] for c in response.json()["results"]]

    assert ids() == [wrong.pk, police.pk, old.pk]
    assert ids(wrong_number="true") == [wrong.pk]
    assert ids(caller_category="police") == [police.pk, old.pk]
    assert ids(purpose="case_follow_up") == [old.pk]
    assert ids(date_to=days_ago(7)) == [old.pk]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"received_at": "2099-01-01T10:00:00+01:00"}, "received_at"),
        ({"received_at": None}, "received_at"),
        ({"caller_category": "alien"}, "caller_category"),
        ({"purpose": "chat"}, "purpose"),
        ({"wrong_number": "perhaps"}, "wrong_number"),
        ({"police_raid": 999_999}, "police_raid"),
        ({"note": "x" * 501}, "note"),
    ],
)
def test_bad_hotline_call_is_400_naming_the_field(worker, overrides, field):
    response = worker.post(f"{BASE}hotline-calls/", call_body(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not HotlineCall.objects.exists()


def test_hotline_call_cannot_name_another_organisations_case(worker, case_b):
    response = worker.post(f"{BASE}hotline-calls/", call_body(case=case_b.pk), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"case"}


# --- Police raids ---------------------------------------------------------------------------------------


def test_raid_recorded_with_organisations_present_is_seen_by_them_but_changed_by_the_recorder_only(
    users_a, users_b, org_a, org_b, client_for, log_contact
):
    recorder = client_for(users_a[Role.COORDINATOR])
    created = recorder.post(
        f"{BASE}police-raids/", raid_body(organisations_present=[org_b.pk]), format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["organisation"], body["organisations_present"]) == (org_a.pk, [org_b.pk])
    assert body["police_district_label"] and body["location_type"] == "massage_clinic"
    path = f"{BASE}police-raids/{body['id']}/"

    present = client_for(users_b[Role.OUTREACH_WORKER])
    assert [r["id"] for r in present.get(f"{BASE}police-raids/").json()["results"]] == [body["id"]]
    assert present.get(path).json() == {**body, "recorded_by": None}
    assert present.patch(path, {"persons_met": 9}, format="json").status_code == 404
    assert PoliceRaid.objects.get(pk=body["id"]).persons_met == 8
    # Organisation B may refer to the raid it was present at.
    contact = present.post(
        f"{BASE}contacts/", contact_body(venue="police_raid", police_raid=body["id"]), format="json"
    )
    assert contact.status_code == 201, contact.json()
    assert contact.json()["police_raid"] == body["id"]

    changed = recorder.patch(path, {"persons_met": 9, "organisations_present": []}, format="json")
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["persons_met"], changed.json()["organisations_present"]) == (9, [])
    assert present.get(path).status_code == 404
    assert present.get(f"{BASE}police-raids/").json()["count"] == 0


def test_raid_shows_who_recorded_it_to_the_recorder_only(users_a, users_b, org_b, client_for, record_raid):
    raid = record_raid(by=users_a[Role.COORDINATOR], organisations_present=[org_b])
    path = f"{BASE}police-raids/{raid.pk}/"
    assert client_for(users_a[Role.OUTREACH_WORKER]).get(path).json()["recorded_by"] == (
        users_a[Role.COORDINATOR].username
    )
    assert client_for(users_b[Role.OUTREACH_WORKER]).get(path).json()["recorded_by"] is None


def test_raid_keeps_a_partner_that_has_closed_but_cannot_add_one_or_itself(
    users_a, org_a, org_b, org_cmm, client_for, record_raid
):
    raid = record_raid(by=users_a[Role.COORDINATOR], organisations_present=[org_b])
    org_b.is_active = False
    org_b.save(update_fields=["is_active"])
    client = client_for(users_a[Role.COORDINATOR])
    path = f"{BASE}police-raids/{raid.pk}/"

    kept = client.patch(path, {"organisations_present": [org_b.pk, org_cmm.pk]}, format="json")
    assert kept.status_code == 200, kept.json()
    assert sorted(kept.json()["organisations_present"]) == sorted([org_b.pk, org_cmm.pk])
    own = client.patch(path, {"organisations_present": [org_a.pk]}, format="json")
    assert (own.status_code, set(own.json())) == (400, {"organisations_present"})
    closed = client.post(f"{BASE}police-raids/", raid_body(organisations_present=[org_b.pk]), format="json")
    assert (closed.status_code, set(closed.json())) == (400, {"organisations_present"})


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"persons_with_indicators": 9}, "persons_with_indicators"),
        ({"contacts_made": 9}, "contacts_made"),
        ({"date": "2099-01-01"}, "date"),
        ({"police_district": "lapland"}, "police_district"),
        ({"location_type": "casino"}, "location_type"),
        ({"organisations_present": [999_999]}, "organisations_present"),
        ({"organisations_present": ["Reden"]}, "organisations_present"),
        ({"persons_met": 10_001}, "persons_met"),
        ({"note": "x" * 1001}, "note"),
    ],
)
def test_bad_raid_is_400_naming_the_field(users_a, client_for, overrides, field):
    client = client_for(users_a[Role.COORDINATOR])
    response = client.post(f"{BASE}police-raids/", raid_body(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not PoliceRaid.objects.exists()


def test_patch_that_breaks_a_raid_rule_is_400(users_a, client_for, record_raid):
    raid = record_raid(by=users_a[Role.COORDINATOR])
    client = client_for(users_a[Role.COORDINATOR])
    response = client.patch(f"{BASE}police-raids/{raid.pk}/", {"persons_met": 1}, format="json")
    assert response.status_code == 400
    assert {"persons_with_indicators", "contacts_made"} <= set(response.json())


# --- Reversed periods on every list ---------------------------------------------------------------------

LISTS = ["contacts/", "meeting-sessions/", "clinic-consultations/", "hotline-calls/", "police-raids/"]


@pytest.mark.parametrize("path", LISTS)
def test_a_period_that_ends_before_it_starts_is_400(worker, path):
    response = worker.get(f"{BASE}{path}", {"date_from": days_ago(1), "date_to": days_ago(9)})
    assert response.status_code == 400
    assert "date_to" in response.json()


# --- Who may do what ------------------------------------------------------------------------------------


@pytest.fixture
def records_of_a(users_a, org_b, log_contact, log_call, record_session, record_raid):
    """One record of every kind, recorded by organisation A (B was not at the raid)."""
    by = users_a[Role.COORDINATOR]
    contact = log_contact(by=by)
    clinic = clinic_consultations_save(
        by=by,
        organisation=contact.organisation,
        clinic="Klinikken",
        date=timezone.localdate(),
        consultations=3,
        contacts=[contact],
    )
    return {
        "contacts": contact,
        "meeting-sessions": record_session(by=by),
        "clinic-consultations": clinic,
        "hotline-calls": log_call(by=by),
        "police-raids": record_raid(by=by),
    }


VALID_CHANGE = {
    "contacts": {"venue": "bar"},
    "meeting-sessions": {"visitors": 21},
    "clinic-consultations": {"consultations": 4},
    "hotline-calls": {"purpose": "other"},
    "police-raids": {"persons_met": 7},
}

VALID_NEW = {
    "contacts": contact_body,
    "meeting-sessions": lambda: session_body(place="Et andet sted"),
    "clinic-consultations": lambda: clinic_body(clinic="En anden klinik"),
    "hotline-calls": call_body,
    "police-raids": raid_body,
}


def every_endpoint(records, case):
    """(method, url, valid body) for every outreach endpoint, reads first."""
    reads, writes = [], []
    for kind, record in records.items():
        reads += [("get", f"{BASE}{kind}/", None), ("get", f"{BASE}{kind}/{record.pk}/", None)]
        writes += [
            ("post", f"{BASE}{kind}/", VALID_NEW[kind]()),
            ("patch", f"{BASE}{kind}/{record.pk}/", VALID_CHANGE[kind]),
        ]
    writes.append(("post", f"{BASE}contacts/{records['contacts'].pk}/link/", {"case": case.pk}))
    return reads, writes


def test_every_endpoint_works_for_a_coordinator(records_of_a, users_a, client_for, case_a):
    client = client_for(users_a[Role.COORDINATOR])
    reads, writes = every_endpoint(records_of_a, case_a)
    for method, path, body in reads + writes:
        response = call(client, method, path, body)
        assert response.status_code in (200, 201), (method, path, response.content[:300])
    for method, path, _body in reads:
        if path.endswith("s/"):
            assert call(client, method, path).json()["count"] >= 1, path


@pytest.mark.parametrize("role", [Role.OUTREACH_WORKER, Role.COORDINATOR])
def test_another_organisation_sees_nothing_and_gets_404(records_of_a, users_b, client_for, case_a, role):
    client = client_for(users_b[role])
    reads, writes = every_endpoint(records_of_a, case_a)
    for method, path, body in reads + writes:
        response = call(client, method, path, body)
        if method == "get" and path.endswith("s/"):
            assert (response.status_code, response.json()["count"]) == (200, 0), path
        elif method == "post" and path.endswith("s/"):
            assert response.status_code in (201, 400), path  # a record of their own (or a refused case id)
        else:
            assert response.status_code == 404, (method, path, response.status_code)
    contact = records_of_a["contacts"]
    contact.refresh_from_db()
    assert (contact.venue, contact.case_id) == (Venue.STREET, None)
    assert PoliceRaid.objects.get(pk=records_of_a["police-raids"].pk).persons_met == 6


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ORG_ADMIN, Role.AUTHORITY_LIAISON])
def test_roles_without_outreach_work_get_403_everywhere(records_of_a, users_a, client_for, case_a, role):
    client = client_for(users_a[role])
    reads, writes = every_endpoint(records_of_a, case_a)
    for method, path, body in reads + writes:
        response = call(client, method, path, body)
        assert response.status_code == 403, (method, path, response.status_code)
    assert Contact.objects.count() == 1 and HotlineCall.objects.count() == 1


def test_huge_and_unknown_ids_are_404(worker):
    for kind in VALID_CHANGE:
        assert worker.get(f"{BASE}{kind}/99999999999999999999/").status_code == 404
        assert worker.patch(f"{BASE}{kind}/999999/", VALID_CHANGE[kind], format="json").status_code == 404
    assert worker.post(f"{BASE}contacts/999999/link/", {"case": 1}, format="json").status_code == 404


# --- Junk input -----------------------------------------------------------------------------------------

GARBAGE = [None, [], [1, "a"], {"a": 1}, 10**30, -(10**30), 1.5, True, "x" * 50_000, "\x00", "a\x00b", ""]
# The optional fields the valid bodies leave out, so that the sweep reaches them too.
OPTIONAL = {
    "contacts": ["case", "police_raid", "client_code", "group_size"],
    "meeting-sessions": [],
    "clinic-consultations": ["contacts"],
    "hotline-calls": ["case", "police_raid", "wrong_number", "note"],
    "police-raids": ["organisations_present", "note"],
}
LISTS_OF_JUNK = [["x"] * 10_000, [10**30], [None], [[1]], [{"a": 1}], ["\x00"]]


def test_junk_input_is_never_a_server_error(records_of_a, users_a, client_for, case_a):
    client = client_for(users_a[Role.COORDINATOR])
    _reads, writes = every_endpoint(records_of_a, case_a)
    for method, path, _body in writes:
        for whole in ([1, 2], "text", 5, {}, {"\x00": "\x00"}):
            assert call(client, method, path, whole).status_code < 500, (method, path, whole)
    for kind, record in records_of_a.items():
        body = VALID_NEW[kind]()
        for field in [*body, *OPTIONAL[kind]]:
            for value in GARBAGE + LISTS_OF_JUNK:
                response = client.post(f"{BASE}{kind}/", {**body, field: value}, format="json")
                assert response.status_code < 500, ("post", kind, field, value)
                response = client.patch(f"{BASE}{kind}/{record.pk}/", {field: value}, format="json")
                assert response.status_code < 500, ("patch", kind, field, value)
    link = f"{BASE}contacts/{records_of_a['contacts'].pk}/link/"
    for value in GARBAGE + LISTS_OF_JUNK:
        assert client.post(link, {"case": value}, format="json").status_code == 400, value
    # The ends of the calendar overflow when a time is converted to UTC: a 400, not a crash.
    for value in ("0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00", "2026-02-30T10:00", 0):
        for kind, field in (("contacts", "occurred_at"), ("hotline-calls", "received_at")):
            response = client.post(f"{BASE}{kind}/", {**VALID_NEW[kind](), field: value}, format="json")
            assert response.status_code == 400, (kind, value)
            assert field in response.json()


def test_junk_query_parameters_are_never_a_server_error(worker):
    for path in LISTS:
        for value in ("\x00", "x" * 5000, "2026-02-30", "-1", "99999999999999999999"):
            for param in ("date_from", "date_to", "venue", "worker", "indicators", "city", "page", "purpose"):
                assert worker.get(f"{BASE}{path}", {param: value}).status_code < 500, (path, param, value)


# --- Schema and query counts ----------------------------------------------------------------------------


def test_schema_lists_the_outreach_paths(client, users_a, login):
    login(users_a[Role.OUTREACH_WORKER])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    expected = {f"{BASE}{kind}/" for kind in VALID_CHANGE} | {
        f"{BASE}{kind}/{{id}}/" for kind in VALID_CHANGE
    }
    assert expected | {f"{BASE}contacts/{{id}}/link/"} <= set(paths)
    assert set(paths[f"{BASE}contacts/"]) == {"get", "post"}
    assert set(paths[f"{BASE}police-raids/{{id}}/"]) == {"get", "patch"}


def test_contact_list_query_count_does_not_grow(
    worker, users_a, case_a, log_contact, record_raid, django_assert_max_num_queries
):
    by = users_a[Role.OUTREACH_WORKER]
    raid = record_raid(by=users_a[Role.COORDINATOR])
    log_contact(by=by, case=case_a)
    with django_assert_max_num_queries(20) as few:
        assert worker.get(f"{BASE}contacts/").status_code == 200
    for number in range(20):
        log_contact(
            by=users_a[Role.CASEWORKER] if number % 2 else by,
            case=case_a if number % 3 == 0 else None,
            police_raid=raid if number % 4 == 0 else None,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert worker.get(f"{BASE}contacts/").json()["count"] == 21


def test_hotline_list_query_count_does_not_grow(
    worker, users_a, case_a, log_call, record_raid, django_assert_max_num_queries
):
    by = users_a[Role.COORDINATOR]
    raid = record_raid(by=by)
    log_call(by=by, case=case_a)
    with django_assert_max_num_queries(20) as few:
        assert worker.get(f"{BASE}hotline-calls/").status_code == 200
    for number in range(20):
        log_call(
            by=users_a[Role.OUTREACH_WORKER] if number % 2 else by,
            case=case_a if number % 3 == 0 else None,
            police_raid=raid if number % 4 == 0 else None,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert worker.get(f"{BASE}hotline-calls/").json()["count"] == 21


@pytest.mark.parametrize("path", ["meeting-sessions/", "clinic-consultations/", "police-raids/"])
def test_other_lists_query_count_does_not_grow(
    path, worker, users_a, org_b, log_contact, record_session, record_raid, django_assert_max_num_queries
):
    by = users_a[Role.COORDINATOR]
    organisation = by.memberships.get().organisation

    def add(day):
        date = timezone.localdate() - datetime.timedelta(days=day)
        if path == "meeting-sessions/":
            record_session(by=by, date=date)
        elif path == "clinic-consultations/":
            contacts = [log_contact(by=by)]
            clinic_consultations_save(
                by=by, organisation=organisation, clinic="K", date=date, consultations=2, contacts=contacts
            )
        else:
            record_raid(by=by, date=date, organisations_present=[org_b])

    add(1)
    with django_assert_max_num_queries(20) as few:
        assert worker.get(f"{BASE}{path}").status_code == 200
    for day in range(2, 17):
        add(day)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert worker.get(f"{BASE}{path}").json()["count"] == 16
