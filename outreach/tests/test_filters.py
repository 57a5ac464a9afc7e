"""The filters of the outreach lists: periods on the local (Copenhagen) calendar date, the worker picker
limited to the organisation's members, venue and indicators."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cmm.models import Role
from outreach.choices import CallerCategory, CallPurpose, Indicator, Venue
from outreach.filters import ContactFilter, HotlineCallFilter, MeetingSessionFilter
from outreach.selectors import (
    contact_list_for_user,
    hotline_call_list_for_user,
    meeting_session_list_for_user,
)
from outreach.services import contact_log, hotline_call_save, meeting_session_save

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
UTC = datetime.UTC
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=CPH)


@pytest.fixture(autouse=True)
def fixed_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def worker(users_a):
    return users_a[Role.OUTREACH_WORKER]


def log(by, organisation, **values):
    values.setdefault("venue", Venue.STREET)
    return contact_log(by=by, organisation=organisation, **values)


def filtered(user, organisation, **data):
    filterset = ContactFilter(data, queryset=contact_list_for_user(user=user), organisation=organisation)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs)


@pytest.mark.parametrize(
    ("late_evening_utc", "next_local_day"),
    [
        # Summer time (UTC+2): 23:30 UTC on 31 March is 01:30 on 1 April in Copenhagen.
        (datetime.datetime(2026, 3, 31, 23, 30, tzinfo=UTC), datetime.date(2026, 4, 1)),
        # Winter time (UTC+1): 23:30 UTC on 31 January is 00:30 on 1 February.
        (datetime.datetime(2026, 1, 31, 23, 30, tzinfo=UTC), datetime.date(2026, 2, 1)),
    ],
)
def test_a_contact_belongs_to_its_local_date(worker, org_a, late_evening_utc, next_local_day):
    after_midnight = log(worker, org_a, occurred_at=late_evening_utc)
    before_midnight = log(worker, org_a, occurred_at=late_evening_utc - datetime.timedelta(hours=2))
    day_before = next_local_day - datetime.timedelta(days=1)

    assert filtered(worker, org_a, date_from=next_local_day, date_to=next_local_day) == {after_midnight}
    assert filtered(worker, org_a, date_from=next_local_day) == {after_midnight}
    assert filtered(worker, org_a, date_to=day_before) == {before_midnight}
    assert filtered(worker, org_a, date_from=day_before, date_to=day_before) == {before_midnight}


def test_a_hotline_call_belongs_to_its_local_date(worker, org_a):
    call = hotline_call_save(
        by=worker,
        organisation=org_a,
        received_at=datetime.datetime(2026, 3, 31, 22, 15, tzinfo=UTC),
        caller_category=CallerCategory.POLICE,
        purpose=CallPurpose.INFORMATION,
    )
    queryset = hotline_call_list_for_user(user=worker)
    april = HotlineCallFilter({"date_from": "2026-04-01", "date_to": "2026-04-30"}, queryset=queryset)
    march = HotlineCallFilter({"date_from": "2026-03-01", "date_to": "2026-03-31"}, queryset=queryset)
    assert list(april.qs) == [call]
    assert list(march.qs) == []


def test_a_meeting_session_filters_on_its_date_both_ends_included(worker, org_a):
    def session(day):
        return meeting_session_save(
            by=worker, organisation=org_a, place="Mødestedet", date=day, visitors=3, returning_visitors=1
        )

    first, last = session(datetime.date(2026, 5, 1)), session(datetime.date(2026, 5, 31))
    session(datetime.date(2026, 4, 30))
    session(datetime.date(2026, 6, 1))
    filterset = MeetingSessionFilter(
        {"date_from": "2026-05-01", "date_to": "2026-05-31"},
        queryset=meeting_session_list_for_user(user=worker),
    )
    assert set(filterset.qs) == {first, last}


@pytest.mark.parametrize(
    ("filter_class", "list_for_user"),
    [
        (ContactFilter, contact_list_for_user),
        (HotlineCallFilter, hotline_call_list_for_user),
        (MeetingSessionFilter, meeting_session_list_for_user),
    ],
)
def test_a_period_ending_before_it_starts_is_invalid(worker, filter_class, list_for_user):
    data = {"date_from": "2026-04-02", "date_to": "2026-04-01"}
    filterset = filter_class(data, queryset=list_for_user(user=worker))
    # The error is there however the caller asks: a page rendering the errors, or an API calling is_valid().
    assert list(filterset.errors) == ["date_to"]
    assert filterset.is_valid() is False
    assert list(filterset.errors) == ["date_to"]


def test_a_one_day_period_is_valid(worker, org_a):
    filterset = ContactFilter(
        {"date_from": "2026-04-01", "date_to": "2026-04-01"},
        queryset=contact_list_for_user(user=worker),
        organisation=org_a,
    )
    assert filterset.is_valid(), filterset.errors


def test_the_worker_choices_are_the_organisations_members_only(users_a, users_b, org_a):
    filterset = ContactFilter(
        {}, queryset=contact_list_for_user(user=users_a[Role.CASEWORKER]), organisation=org_a
    )
    choices = {int(value) for value, _label in filterset.form.fields["worker"].choices if value}
    assert choices == {user.pk for user in users_a.values()}
    assert not choices & {user.pk for user in users_b.values()}


def test_filtering_by_a_worker_of_another_organisation_is_invalid(users_a, users_b, org_a):
    filterset = ContactFilter(
        {"worker": str(users_b[Role.OUTREACH_WORKER].pk)},
        queryset=contact_list_for_user(user=users_a[Role.CASEWORKER]),
        organisation=org_a,
    )
    assert filterset.is_valid() is False
    assert "worker" in filterset.errors


def test_filtering_by_worker(users_a, org_a):
    mine = log(users_a[Role.OUTREACH_WORKER], org_a)
    theirs = log(users_a[Role.CASEWORKER], org_a)
    reader = users_a[Role.COORDINATOR]
    assert filtered(reader, org_a, worker=str(users_a[Role.OUTREACH_WORKER].pk)) == {mine}
    assert filtered(reader, org_a, worker=str(users_a[Role.CASEWORKER].pk)) == {theirs}
    assert filtered(reader, org_a, worker=str(reader.pk)) == set()


def test_filtering_by_venue(worker, org_a):
    street = log(worker, org_a, venue=Venue.STREET)
    clinic = log(worker, org_a, venue=Venue.MASSAGE_CLINIC)
    assert filtered(worker, org_a, venue=Venue.MASSAGE_CLINIC) == {clinic}
    assert filtered(worker, org_a, venue=Venue.STREET) == {street}
    assert filtered(worker, org_a) == {street, clinic}


def test_filtering_by_indicators_observed(worker, org_a):
    seen = log(worker, org_a, indicators=[Indicator.DEBT_BONDAGE])
    none = log(worker, org_a, indicators=[])
    assert filtered(worker, org_a, indicators="true") == {seen}
    assert filtered(worker, org_a, indicators="false") == {none}
    assert filtered(worker, org_a, indicators="") == {seen, none}


def test_the_filters_never_widen_what_the_selector_allows(worker, org_a, users_b, org_b):
    ours = log(worker, org_a)
    log(users_b[Role.OUTREACH_WORKER], org_b)
    assert filtered(worker, org_a, venue=Venue.STREET) == {ours}
