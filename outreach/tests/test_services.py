"""The business rules of outreach activity: contacts, linking them to cases, meeting place, clinics, hotline
and police raids.

"Now" is fixed at 15 June 2026, 12:00 in Copenhagen, for every test in this module.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404

from cases.choices import AgeBand, EventKind, Gender, ResidenceStatus
from cases.models import CaseEvent
from cases.services import case_open, case_soft_delete, client_code_link
from cmm.models import Role
from outreach.choices import (
    CallerCategory,
    CallPurpose,
    Indicator,
    OutreachService,
    PoliceDistrict,
    Venue,
)
from outreach.models import ClinicConsultation, Contact, HotlineCall, MeetingPlaceSession
from outreach.selectors import police_raid_get_for_user, police_raid_list_for_user
from outreach.services import (
    clinic_consultations_save,
    contact_link_case,
    contact_log,
    contact_update,
    contacts_link_by_client_code,
    hotline_call_save,
    meeting_session_save,
)

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=CPH)
TODAY = NOW.date()
CODE = "4K7QX-M2PA9"


@pytest.fixture(autouse=True)
def fixed_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def worker(users_a):
    return users_a[Role.OUTREACH_WORKER]


@pytest.fixture
def worker_b(users_b):
    return users_b[Role.OUTREACH_WORKER]


@pytest.fixture
def open_case():
    """Open a case through the real service for the opener's (only) organisation."""

    def make(*, by, **overrides):
        values = {
            "organisation": by.memberships.get().organisation,
            "opened_on": datetime.date(2026, 3, 1),
            "gender": Gender.FEMALE,
            "residence_status": ResidenceStatus.NO_LEGAL_RESIDENCE,
            "nationality": "NG",
            "estimated_age": 24,
        }
        values.update(overrides)
        return case_open(by=by, **values)

    return make


@pytest.fixture
def case_a(open_case, users_a):
    return open_case(by=users_a[Role.CASEWORKER])


@pytest.fixture
def case_b(open_case, users_b):
    return open_case(by=users_b[Role.CASEWORKER])


def log(by, organisation, **values):
    values.setdefault("venue", Venue.STREET)
    return contact_log(by=by, organisation=organisation, **values)


def contact_events(case):
    return CaseEvent.objects.filter(case=case, kind=EventKind.CONTACT)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Logging a contact --------------------------------------------------------------------------------


def test_contact_log_defaults_to_now_and_an_anonymous_single_person(worker, org_a):
    contact = contact_log(by=worker, organisation=org_a, venue=Venue.STREET)
    contact.refresh_from_db()
    assert contact.occurred_at == NOW
    assert (contact.worker, contact.organisation) == (worker, org_a)
    assert (contact.group_size, contact.case, contact.client_code) == (1, None, "")
    assert (contact.gender, contact.age_band) == (Gender.UNKNOWN, AgeBand.UNKNOWN)
    assert contact.nationality.code == ""
    assert (contact.indicators, contact.has_indicators, contact.first_time_met) == ([], False, False)


def test_the_worker_cannot_be_given_as_someone_else(worker, org_a, users_a):
    with pytest.raises(ValueError, match="worker"):
        log(worker, org_a, worker=users_a[Role.CASEWORKER])
    assert not Contact.objects.exists()


def test_a_contact_more_than_five_minutes_ahead_is_refused(worker, org_a):
    with pytest.raises(ValidationError) as error:
        log(worker, org_a, occurred_at=NOW + datetime.timedelta(minutes=6))
    assert "occurred_at" in errors_of(error)
    assert not Contact.objects.exists()


def test_a_phone_clock_two_minutes_ahead_is_allowed(worker, org_a):
    contact = log(worker, org_a, occurred_at=NOW + datetime.timedelta(minutes=2))
    assert contact.occurred_at == NOW + datetime.timedelta(minutes=2)


def test_an_unknown_indicator_is_refused(worker, org_a):
    with pytest.raises(ValidationError) as error:
        log(worker, org_a, indicators=[Indicator.THREATS, "looked_sad"])
    assert "indicators" in errors_of(error)
    assert not Contact.objects.exists()


def test_an_unknown_service_is_refused(worker, org_a):
    with pytest.raises(ValidationError) as error:
        log(worker, org_a, services_offered=[OutreachService.HEALTH, "haircut"])
    assert "services_offered" in errors_of(error)


def test_an_unknown_venue_is_refused(worker, org_a):
    with pytest.raises(ValidationError) as error:
        log(worker, org_a, venue="casino")
    assert "venue" in errors_of(error)


def test_duplicate_indicators_and_services_are_collapsed_in_order(worker, org_a):
    contact = log(
        worker,
        org_a,
        indicators=[Indicator.THREATS, Indicator.DEBT_BONDAGE, Indicator.THREATS],
        services_offered=[OutreachService.SUPPLIES, OutreachService.SUPPLIES],
    )
    contact.refresh_from_db()
    assert contact.indicators == [Indicator.THREATS, Indicator.DEBT_BONDAGE]
    assert contact.services_offered == [OutreachService.SUPPLIES]


def test_has_indicators_follows_the_indicators_also_when_they_are_cleared(worker, org_a):
    contact = log(worker, org_a, indicators=[Indicator.WITHHOLDS_DOCUMENTS])
    assert Contact.objects.get().has_indicators is True

    contact_update(contact=contact, by=worker, indicators=[])
    assert Contact.objects.get().has_indicators is False

    contact_update(contact=contact, by=worker, indicators=[Indicator.THREATS])
    assert Contact.objects.get().has_indicators is True


@pytest.mark.parametrize("typed", ["4k7qx-m2pa9", "4K7QXM2PA9", " 4k7qx m2pa9 "])
def test_the_client_code_is_stored_normalised(worker, org_a, typed):
    contact = log(worker, org_a, client_code=typed)
    assert Contact.objects.get(pk=contact.pk).client_code == CODE


def test_a_malformed_client_code_is_refused_on_the_client_code_field(worker, org_a):
    with pytest.raises(ValidationError) as error:
        log(worker, org_a, client_code="4K7QX")
    assert list(errors_of(error)) == ["client_code"]
    assert not Contact.objects.exists()


@pytest.mark.parametrize("size", [1, 50])
def test_a_group_of_1_to_50_people_is_accepted(worker, org_a, size):
    assert log(worker, org_a, group_size=size).group_size == size


@pytest.mark.parametrize("size", [0, 51])
def test_a_group_outside_1_to_50_is_refused(worker, org_a, size):
    with pytest.raises(ValidationError) as error:
        log(worker, org_a, group_size=size)
    assert "group_size" in errors_of(error)
    assert not Contact.objects.exists()


def test_a_group_contact_with_a_case_is_refused(worker, org_a, case_a):
    with pytest.raises(ValidationError) as error:
        log(worker, org_a, group_size=3, case=case_a)
    assert "group_size" in errors_of(error)
    assert not contact_events(case_a).exists()


def test_a_group_contact_with_a_client_code_is_refused(worker, org_a):
    with pytest.raises(ValidationError) as error:
        log(worker, org_a, group_size=3, client_code=CODE)
    assert "group_size" in errors_of(error)


def test_a_case_of_another_organisation_is_refused(worker, org_a, case_b):
    with pytest.raises(ValidationError) as error:
        log(worker, org_a, case=case_b)
    assert "case" in errors_of(error)
    assert not Contact.objects.exists()
    assert not contact_events(case_b).exists()


def test_a_deleted_case_is_refused(worker, org_a, case_a, users_a):
    case_soft_delete(case=case_a, by=users_a[Role.CASEWORKER], reason="Registered twice")
    with pytest.raises(ValidationError) as error:
        log(worker, org_a, case=case_a)
    assert "case" in errors_of(error)


def test_a_case_of_the_own_organisation_fills_unknown_facts_and_shows_on_its_timeline(worker, org_a, case_a):
    contact = log(worker, org_a, case=case_a, occurred_at=NOW - datetime.timedelta(days=2))
    contact.refresh_from_db()
    assert (contact.gender, contact.nationality.code, contact.age_band) == (Gender.FEMALE, "NG", "24-26")
    events = list(contact_events(case_a))
    assert len(events) == 1
    assert events[0].occurred_on == TODAY - datetime.timedelta(days=2)
    assert events[0].actor == worker
    assert events[0].data == {"venue": Venue.STREET, "indicators": False}


def test_facts_the_worker_gave_are_kept_when_a_case_is_named(worker, org_a, case_a):
    contact = log(worker, org_a, case=case_a, gender=Gender.OTHER, nationality="RO", age_band="27-29")
    contact.refresh_from_db()
    assert (contact.gender, contact.nationality.code, contact.age_band) == (Gender.OTHER, "RO", "27-29")


def test_the_case_event_is_on_the_local_date_of_the_contact(worker, org_a, case_a):
    # 22:30 UTC on 14 June is 00:30 on 15 June in Copenhagen.
    log(worker, org_a, case=case_a, occurred_at=datetime.datetime(2026, 6, 14, 22, 30, tzinfo=datetime.UTC))
    assert contact_events(case_a).get().occurred_on == datetime.date(2026, 6, 15)


def test_a_raid_the_organisation_neither_recorded_nor_attended_is_refused(
    worker, org_a, worker_b, record_raid
):
    raid = record_raid(by=worker_b)
    with pytest.raises(ValidationError) as error:
        log(worker, org_a, venue=Venue.POLICE_RAID, police_raid=raid)
    assert "police_raid" in errors_of(error)


def test_a_raid_the_organisation_was_present_at_can_be_named(worker, org_a, worker_b, record_raid):
    raid = record_raid(by=worker_b, organisations_present=[org_a])
    assert log(worker, org_a, venue=Venue.POLICE_RAID, police_raid=raid).police_raid == raid


def test_a_refused_update_changes_nothing_in_the_database(worker, org_a):
    contact = log(worker, org_a, indicators=[Indicator.THREATS])
    with pytest.raises(ValidationError):
        contact_update(contact=contact, by=worker, indicators=[], group_size=0)
    stored = Contact.objects.get()
    assert (stored.indicators, stored.has_indicators, stored.group_size) == ([Indicator.THREATS], True, 1)


# --- Linking contacts to cases ------------------------------------------------------------------------


def test_linking_a_contact_by_hand_writes_one_case_event(worker, org_a, case_a):
    contact = log(worker, org_a)
    contact_link_case(contact=contact, case=case_a, by=worker)
    contact_link_case(contact=contact, case=case_a, by=worker)
    assert Contact.objects.get().case == case_a
    assert contact_events(case_a).count() == 1


def test_linking_by_hand_to_a_case_of_another_organisation_is_refused(worker, org_a, case_b):
    contact = log(worker, org_a)
    with pytest.raises(ValidationError) as error:
        contact_link_case(contact=contact, case=case_b, by=worker)
    assert "case" in errors_of(error)
    assert Contact.objects.get().case is None


def test_linking_a_client_code_links_the_organisations_earlier_anonymous_contacts(
    worker, worker_b, org_a, org_b, case_a, open_case, users_a
):
    caseworker = users_a[Role.CASEWORKER]
    other_case = open_case(by=caseworker)
    anonymous = log(worker, org_a, client_code=CODE, gender=Gender.UNKNOWN)
    already_linked = log(worker, org_a, client_code=CODE, case=other_case)
    other_code = log(worker, org_a, client_code="ABCDE-12345")
    other_organisation = log(worker_b, org_b, client_code=CODE)

    client_code_link(case=case_a, code=CODE, by=caseworker)

    assert Contact.objects.get(pk=anonymous.pk).case == case_a
    assert Contact.objects.get(pk=already_linked.pk).case == other_case
    assert Contact.objects.get(pk=other_code.pk).case is None
    assert Contact.objects.get(pk=other_organisation.pk).case is None
    assert contact_events(case_a).count() == 1


def test_linking_by_client_code_twice_does_not_duplicate(worker, org_a, case_a, users_a):
    log(worker, org_a, client_code=CODE)
    client_code_link(case=case_a, code=CODE, by=users_a[Role.CASEWORKER])
    assert contacts_link_by_client_code(case=case_a, by=users_a[Role.CASEWORKER]) == 0
    assert contact_events(case_a).count() == 1


def test_a_contact_linked_by_client_code_takes_the_cases_facts_it_lacked(worker, org_a, case_a, users_a):
    contact = log(worker, org_a, client_code=CODE, gender=Gender.UNKNOWN, nationality="RO")
    client_code_link(case=case_a, code=CODE, by=users_a[Role.CASEWORKER])
    contact.refresh_from_db()
    # Same rule as naming the case when logging: unknown facts come from the case, given ones stay.
    assert (contact.gender, contact.nationality.code, contact.age_band) == (Gender.FEMALE, "RO", "24-26")


# --- Meeting place ------------------------------------------------------------------------------------


def session_values(**overrides):
    values = {
        "place": "Mødestedet",
        "date": TODAY - datetime.timedelta(days=1),
        "visitors": 20,
        "returning_visitors": 12,
    }
    values.update(overrides)
    return values


def test_more_returning_visitors_than_visitors_is_refused(worker, org_a):
    with pytest.raises(ValidationError) as error:
        meeting_session_save(by=worker, organisation=org_a, **session_values(returning_visitors=21))
    assert "returning_visitors" in errors_of(error)
    assert not MeetingPlaceSession.objects.exists()


def test_a_meeting_place_closing_before_it_opens_is_refused(worker, org_a):
    with pytest.raises(ValidationError) as error:
        meeting_session_save(
            by=worker,
            organisation=org_a,
            **session_values(opens_at=datetime.time(14), closes_at=datetime.time(10)),
        )
    assert "closes_at" in errors_of(error)


def test_a_meeting_place_session_in_the_future_is_refused_today_is_allowed(worker, org_a):
    with pytest.raises(ValidationError) as error:
        meeting_session_save(
            by=worker, organisation=org_a, **session_values(date=TODAY + datetime.timedelta(days=1))
        )
    assert "date" in errors_of(error)
    assert meeting_session_save(by=worker, organisation=org_a, **session_values(date=TODAY)).date == TODAY


def test_a_second_record_for_the_same_place_and_day_is_a_field_error(worker, org_a, users_a):
    meeting_session_save(by=worker, organisation=org_a, **session_values())
    with pytest.raises(ValidationError) as error:
        meeting_session_save(by=users_a[Role.CASEWORKER], organisation=org_a, **session_values(visitors=30))
    assert "date" in errors_of(error)
    assert MeetingPlaceSession.objects.get().visitors == 20


def test_another_organisation_may_record_the_same_place_and_day(worker, org_a, worker_b, org_b):
    meeting_session_save(by=worker, organisation=org_a, **session_values())
    meeting_session_save(by=worker_b, organisation=org_b, **session_values())
    assert MeetingPlaceSession.objects.count() == 2


def test_correcting_a_session_keeps_the_rules(worker, org_a):
    session = meeting_session_save(by=worker, organisation=org_a, **session_values())
    other_day = meeting_session_save(
        by=worker, organisation=org_a, **session_values(date=TODAY - datetime.timedelta(days=2))
    )
    with pytest.raises(ValidationError) as error:
        meeting_session_save(by=worker, organisation=org_a, session=session, returning_visitors=25)
    assert "returning_visitors" in errors_of(error)
    with pytest.raises(ValidationError) as error:
        meeting_session_save(by=worker, organisation=org_a, session=other_day, date=session.date)
    assert "date" in errors_of(error)

    meeting_session_save(by=worker, organisation=org_a, session=session, visitors=25, returning_visitors=25)
    assert MeetingPlaceSession.objects.get(pk=session.pk).returning_visitors == 25
    assert MeetingPlaceSession.objects.count() == 2


# --- Health-clinic consultations ----------------------------------------------------------------------


def clinic_values(**overrides):
    values = {"clinic": "Klinikken", "date": TODAY - datetime.timedelta(days=1), "consultations": 7}
    values.update(overrides)
    return values


def test_clinic_consultations_in_the_future_are_refused(worker, org_a):
    with pytest.raises(ValidationError) as error:
        clinic_consultations_save(
            by=worker, organisation=org_a, **clinic_values(date=TODAY + datetime.timedelta(days=1))
        )
    assert "date" in errors_of(error)


def test_one_clinic_record_per_clinic_and_day(worker, org_a):
    clinic_consultations_save(by=worker, organisation=org_a, **clinic_values())
    with pytest.raises(ValidationError) as error:
        clinic_consultations_save(by=worker, organisation=org_a, **clinic_values(consultations=9))
    assert "date" in errors_of(error)
    assert ClinicConsultation.objects.get().consultations == 7
    clinic_consultations_save(by=worker, organisation=org_a, **clinic_values(clinic="Anden klinik"))
    assert ClinicConsultation.objects.count() == 2


def test_linking_another_organisations_contact_to_a_clinic_day_is_refused(worker, org_a, worker_b, org_b):
    theirs = log(worker_b, org_b, venue=Venue.HEALTH_CLINIC)
    with pytest.raises(ValidationError) as error:
        clinic_consultations_save(by=worker, organisation=org_a, contacts=[theirs], **clinic_values())
    assert "contacts" in errors_of(error)
    assert not ClinicConsultation.objects.exists()


def test_correcting_the_count_keeps_the_linked_contacts(worker, org_a):
    ours = log(worker, org_a, venue=Venue.HEALTH_CLINIC)
    record = clinic_consultations_save(by=worker, organisation=org_a, contacts=[ours], **clinic_values())
    clinic_consultations_save(by=worker, organisation=org_a, record=record, consultations=8)
    record = ClinicConsultation.objects.get()
    assert record.consultations == 8
    assert list(record.contacts.all()) == [ours]

    clinic_consultations_save(by=worker, organisation=org_a, record=record, contacts=[])
    assert not record.contacts.exists()


# --- Hotline ------------------------------------------------------------------------------------------


def call_values(**overrides):
    values = {
        "received_at": NOW - datetime.timedelta(minutes=30),
        "caller_category": CallerCategory.POLICE,
        "purpose": CallPurpose.INFORMATION,
    }
    values.update(overrides)
    return values


def test_a_call_in_the_future_is_refused(worker, org_a):
    with pytest.raises(ValidationError) as error:
        hotline_call_save(
            by=worker, organisation=org_a, **call_values(received_at=NOW + datetime.timedelta(minutes=6))
        )
    assert "received_at" in errors_of(error)
    assert not HotlineCall.objects.exists()


def test_a_call_about_a_case_of_another_organisation_is_refused(worker, org_a, case_b):
    with pytest.raises(ValidationError) as error:
        hotline_call_save(by=worker, organisation=org_a, **call_values(case=case_b))
    assert "case" in errors_of(error)


def test_a_call_about_an_own_case_is_stored(worker, org_a, case_a):
    call = hotline_call_save(by=worker, organisation=org_a, **call_values(case=case_a))
    assert HotlineCall.objects.get().case == case_a
    assert (call.organisation, call.recorded_by) == (org_a, worker)


def test_wrong_numbers_are_stored(worker, org_a):
    hotline_call_save(by=worker, organisation=org_a, **call_values(wrong_number=True))
    assert HotlineCall.objects.get().wrong_number is True


# --- Police raids -------------------------------------------------------------------------------------


def test_more_persons_with_indicators_than_persons_met_is_refused(worker, record_raid):
    with pytest.raises(ValidationError) as error:
        record_raid(by=worker, persons_met=3, persons_with_indicators=4, contacts_made=0)
    assert "persons_with_indicators" in errors_of(error)


def test_more_contacts_than_persons_met_is_refused(worker, record_raid):
    with pytest.raises(ValidationError) as error:
        record_raid(by=worker, persons_met=3, persons_with_indicators=0, contacts_made=4)
    assert "contacts_made" in errors_of(error)


def test_a_raid_in_the_future_is_refused(worker, record_raid):
    with pytest.raises(ValidationError) as error:
        record_raid(by=worker, date=TODAY + datetime.timedelta(days=1))
    assert "date" in errors_of(error)


def test_a_raid_records_the_organisations_present(worker, org_a, org_b, org_cmm, record_raid):
    raid = record_raid(by=worker, organisations_present=[org_b, org_cmm], police_district=PoliceDistrict.FYN)
    assert set(raid.organisations_present.all()) == {org_b, org_cmm}
    assert (raid.organisation, raid.recorded_by) == (org_a, worker)


def test_present_organisations_see_a_raid_but_only_the_recorder_may_change_it(
    worker, worker_b, org_b, users_b, record_raid
):
    raid = record_raid(by=worker, organisations_present=[org_b])
    assert list(police_raid_list_for_user(user=worker)) == [raid]
    assert list(police_raid_list_for_user(user=worker_b)) == [raid]
    assert police_raid_get_for_user(user=worker_b, raid_id=raid.pk) == raid
    assert police_raid_get_for_user(user=worker, raid_id=raid.pk, perm="outreach.change_policeraid") == raid
    with pytest.raises(Http404):
        police_raid_get_for_user(user=worker_b, raid_id=raid.pk, perm="outreach.change_policeraid")
    with pytest.raises(Http404):
        police_raid_get_for_user(
            user=users_b[Role.COORDINATOR], raid_id=raid.pk, perm="outreach.change_policeraid"
        )


def test_a_later_contact_with_a_linked_client_code_joins_the_case(users_a, log_contact):
    from cases.client_codes import client_code_make
    from cases.services import client_code_link
    from cases.tests.factories import CaseFactory

    worker = users_a[Role.CASEWORKER]
    case = CaseFactory(organisation=worker.memberships.get().organisation)
    code = client_code_make(mother_initial="A", own_initial="B", birth_year=1990, birth_country="RO")
    client_code_link(case=case, code=code, by=worker)

    contact = log_contact(by=worker, client_code=code)

    assert contact.case == case
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CONTACT).count() == 1
