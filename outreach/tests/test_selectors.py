"""Who sees outreach records: the recording organisation only (a police raid also the organisations present),
never an analyst, and a member of several organisations only the one they act for."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Sum
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from cmm.models import Role, User
from cmm.permissions import set_active_membership
from cmm.services import membership_add, membership_change
from outreach import selectors
from outreach.choices import CallerCategory, CallPurpose, PoliceDistrict, Venue
from outreach.services import (
    clinic_consultations_save,
    contact_log,
    hotline_call_save,
    meeting_session_save,
    police_raid_save,
)

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=CPH)
YESTERDAY = NOW.date() - datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def fixed_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def _contact(by, organisation, n=0):
    return contact_log(
        by=by,
        organisation=organisation,
        venue=Venue.STREET,
        occurred_at=NOW - datetime.timedelta(hours=n + 1),
    )


def _session(by, organisation, n=0):
    return meeting_session_save(
        by=by,
        organisation=organisation,
        place=f"Mødestedet {n}",
        date=YESTERDAY,
        visitors=10,
        returning_visitors=4,
    )


def _clinic(by, organisation, n=0):
    return clinic_consultations_save(
        by=by, organisation=organisation, clinic=f"Klinikken {n}", date=YESTERDAY, consultations=3
    )


def _call(by, organisation, n=0):
    return hotline_call_save(
        by=by,
        organisation=organisation,
        received_at=NOW - datetime.timedelta(minutes=10 + n),
        caller_category=CallerCategory.PARTNER,
        purpose=CallPurpose.INFORMATION,
    )


def _raid(by, organisation, n=0):
    return police_raid_save(
        by=by,
        organisation=organisation,
        date=YESTERDAY - datetime.timedelta(days=n),
        police_district=PoliceDistrict.KOEBENHAVN,
        location_type=Venue.MASSAGE_CLINIC,
        persons_met=5,
        persons_with_indicators=1,
    )


# (record builder, list selector, detail selector, name of the id argument)
KINDS = {
    "contact": (_contact, selectors.contact_list_for_user, selectors.contact_get_for_user, "contact_id"),
    "meeting session": (
        _session,
        selectors.meeting_session_list_for_user,
        selectors.meeting_session_get_for_user,
        "session_id",
    ),
    "clinic consultations": (
        _clinic,
        selectors.clinic_consultation_list_for_user,
        selectors.clinic_consultation_get_for_user,
        "record_id",
    ),
    "hotline call": (
        _call,
        selectors.hotline_call_list_for_user,
        selectors.hotline_call_get_for_user,
        "call_id",
    ),
    "police raid": (
        _raid,
        selectors.police_raid_list_for_user,
        selectors.police_raid_get_for_user,
        "raid_id",
    ),
}


@pytest.fixture(params=list(KINDS))
def kind(request):
    return KINDS[request.param]


def fresh(user):
    """The user as a new request would load them, without the cached active membership."""
    return User.objects.get(pk=user.pk)


def test_every_role_doing_outreach_in_the_organisation_sees_its_records(kind, users_a, org_a):
    build, list_for_user, get_for_user, id_arg = kind
    record = build(users_a[Role.OUTREACH_WORKER], org_a)
    for role in (Role.OUTREACH_WORKER, Role.CASEWORKER, Role.COORDINATOR):
        assert list(list_for_user(user=users_a[role])) == [record]
        assert get_for_user(user=users_a[role], **{id_arg: record.pk}) == record


def test_another_organisation_sees_nothing_and_gets_not_found(kind, users_a, users_b, org_a):
    build, list_for_user, get_for_user, id_arg = kind
    record = build(users_a[Role.OUTREACH_WORKER], org_a)
    for role in (Role.OUTREACH_WORKER, Role.COORDINATOR):
        assert list(list_for_user(user=users_b[role])) == []
        with pytest.raises(Http404):
            get_for_user(user=users_b[role], **{id_arg: record.pk})


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AUTHORITY_LIAISON, Role.ORG_ADMIN])
def test_roles_without_outreach_work_see_nothing_of_their_own_organisation(kind, users_a, org_a, role):
    build, list_for_user, get_for_user, id_arg = kind
    record = build(users_a[Role.OUTREACH_WORKER], org_a)
    assert list(list_for_user(user=users_a[role])) == []
    with pytest.raises(Http404):
        get_for_user(user=users_a[role], **{id_arg: record.pk})


def test_a_member_of_two_organisations_sees_only_the_active_ones_records(
    kind, users_a, users_b, org_a, org_b, make_member
):
    build, list_for_user, get_for_user, id_arg = kind
    in_a = build(users_a[Role.OUTREACH_WORKER], org_a)
    in_b = build(users_b[Role.OUTREACH_WORKER], org_b)
    user = make_member(org_a, Role.OUTREACH_WORKER)
    membership_a = user.memberships.get()
    membership_b = membership_add(user=user, organisation=org_b, role=Role.OUTREACH_WORKER)

    # Acting for neither (no choice made), the user sees neither.
    assert list(list_for_user(user=fresh(user))) == []

    set_active_membership(user, membership_a)
    assert list(list_for_user(user=user)) == [in_a]
    with pytest.raises(Http404):
        get_for_user(user=user, **{id_arg: in_b.pk})

    set_active_membership(user, membership_b)
    assert list(list_for_user(user=user)) == [in_b]
    with pytest.raises(Http404):
        get_for_user(user=user, **{id_arg: in_a.pk})


def test_a_former_member_sees_nothing(kind, users_a, org_a):
    build, list_for_user, _get, _id = kind
    worker = users_a[Role.OUTREACH_WORKER]
    build(worker, org_a)
    membership_change(
        membership=worker.memberships.get(),
        role=Role.OUTREACH_WORKER,
        is_active=False,
        by=users_a[Role.ORG_ADMIN],
    )
    assert list(list_for_user(user=fresh(worker))) == []


def test_the_list_query_count_does_not_grow_with_rows(kind, users_a, users_b, org_a, org_b):
    build, list_for_user, _get, _id = kind
    reader = users_a[Role.CASEWORKER]

    def read_all():
        with CaptureQueriesContext(connection) as queries:
            for record in list_for_user(user=reader):
                # What a list row shows: who recorded it, for whom, and (for a raid) who else was there.
                str(record.organisation)
                str(getattr(record, "recorded_by", None) or getattr(record, "worker", None))
                if hasattr(record, "organisations_present"):
                    list(record.organisations_present.all())
        return len(queries)

    build(users_a[Role.OUTREACH_WORKER], org_a, 0)
    read_all()  # the user's membership and role permissions are cached from here on
    one = read_all()
    for n in (1, 2, 3):
        build(users_a[Role.OUTREACH_WORKER], org_a, n)
    assert read_all() == one


# --- Police raids: shared with the organisations present ----------------------------------------------


def test_a_raid_is_visible_to_the_recorder_and_the_organisations_present_only(
    users_a, users_b, org_a, org_b, org_cmm, make_member
):
    cmm_worker = make_member(org_cmm, Role.COORDINATOR)
    raid = _raid(users_a[Role.COORDINATOR], org_a)
    raid.organisations_present.set([org_b])

    assert list(selectors.police_raid_list_for_user(user=users_a[Role.OUTREACH_WORKER])) == [raid]
    assert list(selectors.police_raid_list_for_user(user=users_b[Role.OUTREACH_WORKER])) == [raid]
    assert list(selectors.police_raid_list_for_user(user=cmm_worker)) == []
    assert list(selectors.police_raid_list_for_user(user=users_b[Role.ANALYST])) == []


def test_a_raid_with_several_organisations_present_is_listed_once(users_a, users_b, org_a, org_b, org_cmm):
    raid = _raid(users_a[Role.COORDINATOR], org_a)
    raid.organisations_present.set([org_a, org_b, org_cmm])
    assert list(selectors.police_raid_list_for_user(user=users_a[Role.OUTREACH_WORKER])) == [raid]
    assert list(selectors.police_raid_list_for_user(user=users_b[Role.OUTREACH_WORKER])) == [raid]


def test_only_the_recording_organisation_may_fetch_a_raid_for_change(users_a, users_b, org_a, org_b):
    raid = _raid(users_a[Role.COORDINATOR], org_a)
    raid.organisations_present.set([org_b])
    change = "outreach.change_policeraid"
    assert selectors.police_raid_get_for_user(
        user=users_a[Role.OUTREACH_WORKER], raid_id=raid.pk, perm=change
    )
    assert selectors.police_raid_get_for_user(user=users_b[Role.OUTREACH_WORKER], raid_id=raid.pk) == raid
    with pytest.raises(Http404):
        selectors.police_raid_get_for_user(user=users_b[Role.OUTREACH_WORKER], raid_id=raid.pk, perm=change)


# --- Counting persons ---------------------------------------------------------------------------------


def test_a_group_contact_counts_each_person_met(users_a, users_b, org_a, org_b):
    """Persons met are the sum of group sizes, not the number of contact rows (DESIGN.md §3, for reports)."""
    worker = users_a[Role.OUTREACH_WORKER]
    contact_log(by=worker, organisation=org_a, venue=Venue.STREET, group_size=4)
    contact_log(by=worker, organisation=org_a, venue=Venue.BAR)
    contact_log(by=users_b[Role.OUTREACH_WORKER], organisation=org_b, venue=Venue.STREET, group_size=7)

    contacts = selectors.contact_list_for_user(user=users_a[Role.CASEWORKER])
    assert contacts.count() == 2
    assert contacts.aggregate(persons=Sum("group_size"))["persons"] == 5
