"""The meeting-place, health-clinic, hotline and police-raid pages: access, forms, the services' rules on the
page, filters, CSV exports and query counts."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.choices import Gender, ResidenceStatus
from cases.services import case_open
from cmm.models import Role
from outreach.choices import CallerCategory, CallPurpose, PoliceDistrict, Venue
from outreach.models import ClinicConsultation, HotlineCall, MeetingPlaceSession, PoliceRaid
from outreach.services import clinic_consultations_save

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
LIST_URLS = ("meeting-session-list", "clinic-list", "hotline-list", "raid-list")
EXPORT_URLS = ("meeting-session-export", "clinic-export", "hotline-export", "raid-export")
CREATE_URLS = ("meeting-session-create", "clinic-create", "hotline-create", "raid-create")


def english(client):
    """Switch the logged-in client to English so that assertions can read the page's words."""
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def rows(response):
    return list(response.context["page"])


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    # Semicolons for a Danish reader (Danish Excel splits on them), commas in English (outreach.exports).
    delimiter = ";" if response["Content-Language"] == "da" else ","
    assert text.splitlines()[0].count(delimiter) >= 2
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def field_errors(response, field):
    assert response.status_code == 400
    return response.context["form"].errors.get(field, [])


def local_input(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def worker(users_a):
    return users_a[Role.OUTREACH_WORKER]


@pytest.fixture
def worker_client(worker, login):
    return login(worker)


@pytest.fixture
def coordinator_b(users_b):
    return users_b[Role.COORDINATOR]


@pytest.fixture
def open_case():
    def make(*, by, **overrides):
        values = {
            "organisation": by.memberships.get().organisation,
            "opened_on": YESTERDAY,
            "gender": Gender.FEMALE,
            "residence_status": ResidenceStatus.NO_LEGAL_RESIDENCE,
            "estimated_age": 30,
        }
        values.update(overrides)
        return case_open(by=by, **values)

    return make


def session_data(**overrides):
    data = {
        "place": "Mødestedet Istedgade",
        "date": YESTERDAY.isoformat(),
        "opens_at": "10:00",
        "closes_at": "16:00",
        "visitors": "25",
        "returning_visitors": "18",
        "health_clinic_open": "on",
    }
    data.update(overrides)
    return data


def clinic_data(**overrides):
    data = {"clinic": "Klinik Vesterbro", "date": YESTERDAY.isoformat(), "consultations": "7"}
    data.update(overrides)
    return data


def call_data(**overrides):
    data = {
        "received_at": local_input(timezone.now() - datetime.timedelta(minutes=10)),
        "caller_category": CallerCategory.POSSIBLE_VICTIM,
        "purpose": CallPurpose.VICTIM_NEEDS_ASSISTANCE,
        "case": "",
        "police_raid": "",
        "note": "Called back at 15",
    }
    data.update(overrides)
    return data


def raid_data(**overrides):
    data = {
        "date": YESTERDAY.isoformat(),
        "police_district": PoliceDistrict.FYN,
        "location_type": Venue.MASSAGE_CLINIC,
        "city": "Odense",
        "persons_met": "8",
        "persons_with_indicators": "3",
        "contacts_made": "5",
        "note": "Interpreter came late",
    }
    data.update(overrides)
    return data


@pytest.fixture
def records_a(worker, record_session, log_call, record_raid, org_a):
    """One record of each kind by organisation A."""
    return {
        "meeting-session": record_session(by=worker),
        "clinic": clinic_consultations_save(
            by=worker, organisation=org_a, clinic="Klinik A", date=YESTERDAY, consultations=3
        ),
        "hotline": log_call(by=worker),
        "raid": record_raid(by=worker),
    }


# --- Hub and access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.OUTREACH_WORKER])
def test_hub_links_the_lists_and_the_import_only_for_coordinators(users_a, login, role):
    response = login(users_a[role]).get(reverse("outreach-home"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in (*LIST_URLS, "hotline-create"):
        assert reverse(name) in page
    assert (reverse("activity-import") in page) is (role == Role.COORDINATOR)


def test_analyst_gets_403_on_every_activity_page(users_a, records_a, login):
    client = login(users_a[Role.ANALYST])
    urls = [reverse(name) for name in ("outreach-home", *LIST_URLS, *EXPORT_URLS, *CREATE_URLS)]
    urls += [reverse(f"{kind}-update", args=[record.pk]) for kind, record in records_a.items()]
    for url in urls:
        assert client.get(url).status_code == 403, url
    for url in [reverse(name) for name in CREATE_URLS] + urls[-4:]:
        assert client.post(url, {}).status_code == 403, url


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisation_gets_404_on_the_records_of_a(records_a, coordinator_b, login, method):
    client = login(coordinator_b)
    posts = {
        "meeting-session": session_data(visitors="1", returning_visitors="0"),
        "clinic": clinic_data(consultations="99"),
        "hotline": call_data(wrong_number="on"),
        "raid": raid_data(persons_met="99"),
    }
    for kind, record in records_a.items():
        url = reverse(f"{kind}-update", args=[record.pk])
        response = client.post(url, posts[kind]) if method == "post" else client.get(url)
        assert response.status_code == 404, kind
    assert MeetingPlaceSession.objects.get().visitors == 20
    assert ClinicConsultation.objects.get().consultations == 3
    assert HotlineCall.objects.get().wrong_number is False
    assert PoliceRaid.objects.get().persons_met == 6


def test_another_organisation_sees_none_of_a_in_lists_or_csv(records_a, coordinator_b, login):
    client = login(coordinator_b)
    for name in LIST_URLS:
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert rows(response) == [], name
    for name in EXPORT_URLS:
        assert len(read_csv(client.get(reverse(name)))) == 1, name  # the header only


def test_a_raid_is_listed_for_an_organisation_present_but_only_its_recorder_edits_it(
    worker, record_raid, org_b, coordinator_b, login
):
    raid = record_raid(by=worker, organisations_present=[org_b])
    client = english(login(coordinator_b))
    response = client.get(reverse("raid-list"))
    assert rows(response) == [raid]
    page = response.content.decode()
    assert "Recorded by Reden Test" in page
    assert reverse("raid-update", args=[raid.pk]) not in page
    exported = read_csv(client.get(reverse("raid-export")))
    assert [row[0] for row in exported[1:]] == [str(raid.pk)]
    assert exported[1][exported[0].index("recorded_by_organisation")] == "Reden Test"
    assert client.get(reverse("raid-update", args=[raid.pk])).status_code == 404
    assert client.post(reverse("raid-update", args=[raid.pk]), raid_data()).status_code == 404
    assert PoliceRaid.objects.get().police_district == PoliceDistrict.KOEBENHAVN


# --- Meeting place ------------------------------------------------------------------------------------


def test_worker_records_and_corrects_an_opening_day(worker_client, worker, org_a):
    form = worker_client.get(reverse("meeting-session-create"))
    assert form.status_code == 200
    assert f'value="{timezone.localdate().isoformat()}"' in form.content.decode()
    assert 'type="time"' in form.content.decode()

    response = worker_client.post(reverse("meeting-session-create"), session_data(), follow=True)
    assert response.redirect_chain == [(reverse("meeting-session-list"), 302)]
    session = MeetingPlaceSession.objects.get()
    assert (session.organisation, session.recorded_by, session.place) == (
        org_a,
        worker,
        "Mødestedet Istedgade",
    )
    assert (session.opens_at, session.closes_at) == (datetime.time(10), datetime.time(16))
    assert (session.visitors, session.returning_visitors, session.health_clinic_open) == (25, 18, True)
    assert rows(response) == [session]

    url = reverse("meeting-session-update", args=[session.pk])
    assert 'value="Mødestedet Istedgade"' in worker_client.get(url).content.decode()
    data = session_data(visitors="30", returning_visitors="30")
    del data["health_clinic_open"]
    assert worker_client.post(url, data).status_code == 302
    session.refresh_from_db()
    assert (session.visitors, session.returning_visitors, session.health_clinic_open) == (30, 30, False)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"visitors": "10", "returning_visitors": "11"}, "returning_visitors"),
        ({"opens_at": "16:00", "closes_at": "10:00"}, "closes_at"),
        ({"date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}, "date"),
        ({"visitors": "-1"}, "visitors"),
        ({"place": ""}, "place"),
    ],
)
def test_bad_opening_day_is_refused_next_to_the_field(worker_client, overrides, field):
    data = session_data(**overrides)
    response = worker_client.post(reverse("meeting-session-create"), data)
    assert field_errors(response, field)
    assert not MeetingPlaceSession.objects.exists()
    # The page keeps what was typed.
    assert f'value="{data["visitors"]}"' in response.content.decode()


def test_returning_visitors_above_visitors_reads_clearly(worker_client):
    response = english(worker_client).post(
        reverse("meeting-session-create"), session_data(visitors="10", returning_visitors="11")
    )
    assert "There cannot be more returning visitors than visitors." in response.content.decode()


def test_a_second_opening_day_for_the_same_place_and_day_is_refused(worker_client, worker, record_session):
    record_session(by=worker, place="Mødestedet Istedgade", date=YESTERDAY)
    response = worker_client.post(reverse("meeting-session-create"), session_data())
    assert field_errors(response, "date")
    assert MeetingPlaceSession.objects.count() == 1


def test_a_correction_cannot_move_an_opening_day_onto_another(worker_client, worker, record_session):
    record_session(by=worker, place="Mødestedet Istedgade", date=YESTERDAY)
    other = record_session(
        by=worker, place="Mødestedet Istedgade", date=YESTERDAY - datetime.timedelta(days=1)
    )
    response = worker_client.post(reverse("meeting-session-update", args=[other.pk]), session_data())
    assert field_errors(response, "date")
    other.refresh_from_db()
    assert other.date == YESTERDAY - datetime.timedelta(days=1)


# --- Health clinics -----------------------------------------------------------------------------------


def test_worker_records_clinic_consultations_with_contacts_of_that_day(
    worker_client, worker, log_contact, users_b, org_a
):
    noon = timezone.make_aware(datetime.datetime.combine(YESTERDAY, datetime.time(12)))
    same_day = log_contact(by=worker, occurred_at=noon, venue=Venue.HEALTH_CLINIC)
    other_day = log_contact(by=worker, occurred_at=noon - datetime.timedelta(days=1))
    log_contact(by=users_b[Role.OUTREACH_WORKER], occurred_at=noon)

    # The pick list offers the chosen day's contacts of the organisation only.
    shown = worker_client.post(reverse("clinic-create"), {**clinic_data(), "show_contacts": "1"})
    assert shown.status_code == 200
    assert list(shown.context["form"].fields["contacts"].queryset) == [same_day]
    assert not ClinicConsultation.objects.exists()

    data = {**clinic_data(), "contacts": [str(same_day.pk)]}
    assert worker_client.post(reverse("clinic-create"), data).status_code == 302
    record = ClinicConsultation.objects.get()
    assert (record.organisation, record.clinic, record.consultations) == (org_a, "Klinik Vesterbro", 7)
    assert list(record.contacts.all()) == [same_day]

    url = reverse("clinic-update", args=[record.pk])
    wrong_day = worker_client.post(url, {**clinic_data(), "contacts": [str(other_day.pk)]})
    assert field_errors(wrong_day, "contacts")
    assert worker_client.post(url, clinic_data(consultations="9")).status_code == 302
    record.refresh_from_db()
    assert record.consultations == 9
    assert list(record.contacts.all()) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}, "date"),
        ({"consultations": "-2"}, "consultations"),
        ({"clinic": ""}, "clinic"),
    ],
)
def test_bad_clinic_input_is_refused_next_to_the_field(worker_client, overrides, field):
    response = worker_client.post(reverse("clinic-create"), clinic_data(**overrides))
    assert field_errors(response, field)
    assert not ClinicConsultation.objects.exists()


def test_a_second_record_for_the_same_clinic_and_day_is_refused(worker_client, worker, org_a):
    clinic_consultations_save(
        by=worker, organisation=org_a, clinic="Klinik Vesterbro", date=YESTERDAY, consultations=1
    )
    assert field_errors(worker_client.post(reverse("clinic-create"), clinic_data()), "date")
    assert ClinicConsultation.objects.count() == 1


# --- Hotline ------------------------------------------------------------------------------------------


def test_hotline_quick_form_defaults_to_now_and_offers_tap_chips(worker_client, users_a, users_b, open_case):
    own = open_case(by=users_a[Role.CASEWORKER])
    open_case(by=users_b[Role.CASEWORKER])
    response = english(worker_client).get(reverse("hotline-create"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="datetime-local"' in page
    assert local_input(timezone.now())[:13] in page  # today at this hour, in Copenhagen time
    assert page.count('type="radio"') == len(CallerCategory) + len(CallPurpose)
    assert 'class="chip' in page
    assert "Never write names or other identifying details" in page
    assert list(response.context["form"].fields["case"].queryset) == [own]


def test_worker_logs_and_corrects_a_call(worker_client, worker, users_a, org_a, open_case, record_raid):
    case = open_case(by=users_a[Role.CASEWORKER])
    raid = record_raid(by=worker)
    data = call_data(case=str(case.pk), police_raid=str(raid.pk))
    response = worker_client.post(reverse("hotline-create"), data, follow=True)
    assert response.redirect_chain == [(reverse("hotline-list"), 302)]
    call = HotlineCall.objects.get()
    assert (call.organisation, call.recorded_by, call.case, call.police_raid) == (org_a, worker, case, raid)
    assert (call.caller_category, call.purpose) == (CallerCategory.POSSIBLE_VICTIM, "victim_assistance")
    assert local_input(call.received_at) == data["received_at"]

    url = reverse("hotline-update", args=[call.pk])
    form = worker_client.get(url)
    assert f'value="{data["received_at"]}"' in form.content.decode()
    corrected = call_data(received_at=data["received_at"], wrong_number="on", purpose=CallPurpose.OTHER)
    assert worker_client.post(url, corrected).status_code == 302
    call.refresh_from_db()
    assert (call.wrong_number, call.purpose, call.case, call.police_raid) == (True, "other", None, None)


def test_a_call_in_the_future_is_refused(worker_client):
    later = call_data(received_at=local_input(timezone.now() + datetime.timedelta(hours=2)))
    response = english(worker_client).post(reverse("hotline-create"), later)
    assert field_errors(response, "received_at") == ["The time cannot be in the future."]
    assert 'name="note"' in response.content.decode() and "Called back at 15" in response.content.decode()
    assert not HotlineCall.objects.exists()


def test_a_case_of_another_organisation_cannot_be_linked_to_a_call(worker_client, users_b, open_case):
    foreign = open_case(by=users_b[Role.CASEWORKER])
    response = worker_client.post(reverse("hotline-create"), call_data(case=str(foreign.pk)))
    assert field_errors(response, "case")
    assert foreign.number not in response.content.decode()
    assert not HotlineCall.objects.exists()


def test_a_raid_of_another_organisation_cannot_be_linked_to_a_call(worker_client, coordinator_b, record_raid):
    foreign = record_raid(by=coordinator_b)
    response = worker_client.post(reverse("hotline-create"), call_data(police_raid=str(foreign.pk)))
    assert field_errors(response, "police_raid")
    assert not HotlineCall.objects.exists()


def test_a_correction_keeps_a_case_no_longer_in_the_list(worker_client, worker, users_a, log_call, open_case):
    case = open_case(by=users_a[Role.CASEWORKER])
    call = log_call(by=worker, case=case)
    case.deleted_at = timezone.now()  # soft-deleted cases leave the case selectors
    case.save(update_fields=["deleted_at"])
    url = reverse("hotline-update", args=[call.pk])
    data = call_data(received_at=local_input(call.received_at), case=str(case.pk))
    assert worker_client.post(url, data).status_code == 302
    call.refresh_from_db()
    assert call.case == case


def test_wrong_numbers_are_listed_flagged_and_can_be_filtered(worker_client, worker, log_call):
    right = log_call(by=worker)
    wrong = log_call(by=worker, wrong_number=True, received_at=timezone.now() - datetime.timedelta(hours=2))
    response = english(worker_client).get(reverse("hotline-list"))
    assert rows(response) == [right, wrong]
    assert "badge--warn" in response.content.decode()
    assert rows(worker_client.get(reverse("hotline-list"), {"wrong_number": "false"})) == [right]
    assert rows(worker_client.get(reverse("hotline-list"), {"wrong_number": "true"})) == [wrong]


# --- Police raids -------------------------------------------------------------------------------------


def test_worker_records_and_corrects_a_raid(worker_client, worker, org_a, org_b, org_cmm):
    form = worker_client.get(reverse("raid-create"))
    present = form.context["form"].fields["organisations_present"].queryset
    assert set(present) == {org_b, org_cmm}  # the recording organisation is not offered
    data = {**raid_data(), "organisations_present": [str(org_b.pk)]}
    assert worker_client.post(reverse("raid-create"), data).status_code == 302
    raid = PoliceRaid.objects.get()
    assert (raid.organisation, raid.police_district, raid.persons_met) == (org_a, PoliceDistrict.FYN, 8)
    assert list(raid.organisations_present.all()) == [org_b]

    url = reverse("raid-update", args=[raid.pk])
    changed = {**raid_data(persons_with_indicators="4"), "organisations_present": [str(org_cmm.pk)]}
    assert worker_client.post(url, changed).status_code == 302
    raid.refresh_from_db()
    assert raid.persons_with_indicators == 4
    assert list(raid.organisations_present.all()) == [org_cmm]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"persons_met": "2", "persons_with_indicators": "3", "contacts_made": "1"},
            "persons_with_indicators",
        ),
        ({"persons_met": "2", "persons_with_indicators": "1", "contacts_made": "3"}, "contacts_made"),
        ({"date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}, "date"),
        ({"police_district": "greenland"}, "police_district"),
    ],
)
def test_bad_raid_input_is_refused_next_to_the_field(worker_client, overrides, field):
    response = worker_client.post(reverse("raid-create"), raid_data(**overrides))
    assert field_errors(response, field)
    assert not PoliceRaid.objects.exists()


def test_raid_page_lists_only_the_own_organisations_linked_contacts_and_calls(
    worker_client, worker, users_b, org_b, record_raid, log_contact, log_call
):
    raid = record_raid(by=worker, organisations_present=[org_b])
    own_contact = log_contact(by=worker, police_raid=raid, venue=Venue.POLICE_RAID)
    other_contact = log_contact(by=users_b[Role.OUTREACH_WORKER], police_raid=raid)
    own_call = log_call(by=worker, police_raid=raid)
    log_call(by=users_b[Role.COORDINATOR], police_raid=raid)
    response = worker_client.get(reverse("raid-update", args=[raid.pk]))
    assert response.context["linked_contacts"] == [own_contact]
    assert response.context["linked_calls"] == [own_call]
    page = response.content.decode()
    assert reverse("contact-update", args=[own_contact.pk]) in page
    assert reverse("contact-update", args=[other_contact.pk]) not in page


# --- Filters ------------------------------------------------------------------------------------------


def test_every_list_filters_by_date_range(
    worker, worker_client, record_session, log_call, record_raid, org_a
):
    old, new = YESTERDAY - datetime.timedelta(days=10), YESTERDAY
    sessions = [record_session(by=worker, date=day) for day in (old, new)]
    clinics = [
        clinic_consultations_save(by=worker, organisation=org_a, clinic="K", date=day, consultations=1)
        for day in (old, new)
    ]
    noon = datetime.time(12)
    calls = [
        log_call(by=worker, received_at=timezone.make_aware(datetime.datetime.combine(day, noon)))
        for day in (old, new)
    ]
    raids = [record_raid(by=worker, date=day) for day in (old, new)]
    period = {"date_from": (old + datetime.timedelta(days=1)).isoformat(), "date_to": new.isoformat()}
    for name, records in zip(LIST_URLS, (sessions, clinics, calls, raids), strict=True):
        assert rows(worker_client.get(reverse(name))) == records[::-1], name
        assert rows(worker_client.get(reverse(name), period)) == [records[1]], name
        assert rows(worker_client.get(reverse(name), {"date_to": old.isoformat()})) == [records[0]], name


def test_a_reversed_period_shows_an_error_and_no_rows(worker, worker_client, records_a):
    reversed_period = {
        "date_from": YESTERDAY.isoformat(),
        "date_to": (YESTERDAY - datetime.timedelta(days=5)),
    }
    for name in LIST_URLS:
        response = english(worker_client).get(reverse(name), reversed_period)
        assert response.status_code == 200
        assert rows(response) == []
        assert "date_to" in response.context["filter"].form.errors
        assert "The end of the period cannot be before its start." in response.content.decode()
    for name in EXPORT_URLS:
        assert worker_client.get(reverse(name), reversed_period).status_code == 400


def test_lists_filter_by_their_own_fields(worker, worker_client, record_session, log_call, record_raid):
    record_session(by=worker, place="Reden")
    kept = record_session(by=worker, place="Natcafé")
    assert rows(worker_client.get(reverse("meeting-session-list"), {"place": "natc"})) == [kept]
    police = log_call(by=worker, caller_category=CallerCategory.POLICE)
    student = log_call(by=worker, caller_category=CallerCategory.STUDENT, purpose=CallPurpose.OTHER)
    url = reverse("hotline-list")
    assert rows(worker_client.get(url, {"caller_category": "student"})) == [student]
    assert rows(worker_client.get(url, {"purpose": CallPurpose.INFORMATION})) == [police]
    fyn = record_raid(by=worker, police_district=PoliceDistrict.FYN)
    record_raid(by=worker)
    assert rows(worker_client.get(reverse("raid-list"), {"police_district": "fyn"})) == [fyn]


# --- CSV exports --------------------------------------------------------------------------------------


def test_exports_have_a_header_the_filtered_rows_and_no_notes(worker, worker_client, log_call, record_raid):
    kept = log_call(by=worker, caller_category=CallerCategory.PARTNER, note="Secret note text")
    log_call(by=worker, caller_category=CallerCategory.POLICE, note="Secret note text")
    response = worker_client.get(reverse("hotline-export"), {"caller_category": "partner"})
    assert response["Content-Disposition"] == (
        f'attachment; filename="hotline-calls-RTA-{timezone.localdate().isoformat()}.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    table = read_csv(response)
    assert table[0] == [
        "id",
        "received_at",
        "caller_category",
        "purpose",
        "wrong_number",
        "case",
        "police_raid",
    ]
    assert [row[0] for row in table[1:]] == [str(kept.pk)]
    assert table[1][2:5] == ["partner", "information", "false"]

    record_raid(by=worker, note="Secret raid note")
    raids = worker_client.get(reverse("raid-export"))
    assert raids["Content-Disposition"].startswith('attachment; filename="police-raids-RTA-')
    raid_table = read_csv(raids)
    assert "note" not in raid_table[0] and len(raid_table) == 2
    assert "Secret raid note" not in str(raid_table)


def test_meeting_and_clinic_exports(worker, worker_client, record_session, org_a):
    record_session(by=worker, place="=HYPERLINK(1)", opens_at=datetime.time(9, 30))
    table = read_csv(worker_client.get(reverse("meeting-session-export")))
    assert table[0][:3] == ["id", "date", "meeting_place"]
    assert table[1][1:5] == [YESTERDAY.isoformat(), "'=HYPERLINK(1)", "09:30:00", ""]
    assert table[1][5:] == ["20", "12", "true"]
    clinic_consultations_save(by=worker, organisation=org_a, clinic="K", date=YESTERDAY, consultations=4)
    clinics = read_csv(worker_client.get(reverse("clinic-export")))
    assert clinics[0] == ["id", "date", "clinic", "consultations", "linked_contacts"]
    assert clinics[1][1:] == [YESTERDAY.isoformat(), "K", "4", "0"]


# --- Query counts -------------------------------------------------------------------------------------


def _add_rows(kind, worker, org_a, org_b, index, make):
    day = YESTERDAY - datetime.timedelta(days=index + 1)
    if kind == "meeting-session-list":
        make["session"](by=worker, date=day)
    elif kind == "clinic-list":
        record = clinic_consultations_save(
            by=worker, organisation=org_a, clinic="K", date=day, consultations=index
        )
        record.contacts.set([make["contact"](by=worker)])
    elif kind == "hotline-list":
        raid = make["raid"](by=worker, date=day)
        make["call"](
            by=worker, police_raid=raid, received_at=timezone.now() - datetime.timedelta(hours=index)
        )
    else:
        make["raid"](by=worker, date=day, organisations_present=[org_b])


@pytest.mark.parametrize("name", LIST_URLS)
def test_list_query_count_does_not_grow_with_rows(
    name,
    worker,
    worker_client,
    org_a,
    org_b,
    record_session,
    log_call,
    record_raid,
    log_contact,
    django_assert_max_num_queries,
):
    make = {"session": record_session, "call": log_call, "raid": record_raid, "contact": log_contact}
    _add_rows(name, worker, org_a, org_b, 0, make)
    with django_assert_max_num_queries(20) as few:
        worker_client.get(reverse(name))
    for index in range(1, 12):
        _add_rows(name, worker, org_a, org_b, index, make)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = worker_client.get(reverse(name))
    assert len(rows(response)) == 12
