"""The reflection-period pages: the deadline dashboard, a case's periods and their changes, the reminders and
the calendar feed. Pages answer in Danish by default, so the tests look at status codes, context, form errors
and values rather than English text."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, translation

from cases.choices import ResidenceStatus
from cmm.models import Role
from cmm.tests.factories import TEST_PASSWORD
from cmm.two_factor.testing import pass_second_factor
from referrals.services.returns import return_plan_create
from reflection.choices import ExtensionGround, PeriodKind, PeriodOutcome
from reflection.models import ReflectionPeriod
from reflection.services import deadline_scan, period_postpone, period_start

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 4, 1)
START = datetime.date(2026, 3, 21)  # the day after the Immigration Service identified case A


@pytest.fixture(autouse=True)
def fixed_today():
    moment = datetime.datetime(2026, 4, 1, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def login(db):
    """Log a user in through the real login form, each in a client of their own."""

    def do(user):
        client = Client()
        response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.content[:500]
        pass_second_factor(client, user)  # the real second step with a code of the user's authenticator
        return client

    return do


@pytest.fixture
def caseworker(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def period(identified_case, caseworker):
    return period_start(case=identified_case, by=caseworker, kind=PeriodKind.STATUTORY, starts_on=START)


def short(day: datetime.date) -> str:
    with translation.override("da"):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def follow_message(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# --- Starting a period --------------------------------------------------------------------------------


def test_a_caseworker_starts_a_statutory_period_of_30_days(identified_case, caseworker, login):
    client = login(caseworker)
    page = client.get(reverse("reflection-start", args=[identified_case.pk]))
    assert page.status_code == 200
    assert page.context["form"]["starts_on"].value() == TODAY
    assert page.context["form"]["initial_days"].value() == 30

    response = client.post(
        reverse("reflection-start", args=[identified_case.pk]),
        {"kind": PeriodKind.STATUTORY, "starts_on": START.isoformat(), "initial_days": "30"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("case-reflection", args=[identified_case.pk])
    period = ReflectionPeriod.objects.get(case=identified_case)
    assert period.ends_on == datetime.date(2026, 4, 20)
    assert short(period.ends_on) in follow_message(response)
    assert short(period.ends_on) in response.content.decode()
    assert response.context["running"] == period
    assert not response.context["can_start"]


def test_a_second_running_period_is_refused(period, identified_case, caseworker, login):
    client = login(caseworker)
    response = client.post(
        reverse("reflection-start", args=[identified_case.pk]),
        {"kind": PeriodKind.STATUTORY, "starts_on": TODAY.isoformat(), "initial_days": "30"},
    )
    assert response.status_code == 400
    assert "kind" in response.context["form"].errors
    assert ReflectionPeriod.objects.filter(case=identified_case).count() == 1


def test_a_statutory_period_without_the_immigration_service_decision_is_refused(case_a, caseworker, login):
    client = login(caseworker)
    response = client.post(
        reverse("reflection-start", args=[case_a.pk]),
        {"kind": PeriodKind.STATUTORY, "starts_on": TODAY.isoformat(), "initial_days": "30"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "kind" in form.errors
    assert form["starts_on"].value() == TODAY.isoformat()  # the input is kept
    assert not ReflectionPeriod.objects.filter(case=case_a).exists()


def test_an_action_plan_period_starts_for_a_legal_resident(users_a, caseworker, open_case, login):
    case = open_case(by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN)
    client = login(caseworker)
    response = client.post(
        reverse("reflection-start", args=[case.pk]),
        {"kind": PeriodKind.ACTION_PLAN, "starts_on": TODAY.isoformat(), "initial_days": "30"},
    )
    assert response.status_code == 302
    assert ReflectionPeriod.objects.get(case=case).ends_on == datetime.date(2026, 5, 1)


# --- Changing a running period ------------------------------------------------------------------------


def test_an_extension_to_100_days_shows_the_new_deadline(period, caseworker, login):
    # Cooperation on a prepared return is a ground while the case has a return plan being prepared.
    return_plan_create(case=period.case, by=caseworker, destination_country="NG")
    client = login(caseworker)
    assert client.get(reverse("reflection-extend", args=[period.pk])).status_code == 200

    response = client.post(
        reverse("reflection-extend", args=[period.pk]),
        {"new_total_days": "100", "ground": ExtensionGround.PREPARED_RETURN, "decided_on": TODAY.isoformat()},
        follow=True,
    )

    period.refresh_from_db()
    assert period.total_days == 100
    assert period.ends_on == datetime.date(2026, 6, 29)
    assert short(period.ends_on) in follow_message(response)
    assert short(period.ends_on) in response.content.decode()
    assert response.context["periods"][0].extension_list[0].new_total_days == 100


def test_an_extension_to_101_days_is_refused_next_to_the_field(period, caseworker, login):
    client = login(caseworker)
    response = client.post(
        reverse("reflection-extend", args=[period.pk]),
        {"new_total_days": "101", "ground": ExtensionGround.MEDICAL, "decided_on": TODAY.isoformat()},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["new_total_days"]
    assert form["new_total_days"].value() == "101"
    html = response.content.decode()
    error = form.errors["new_total_days"][0]
    # The message is rendered inside the field's own block, after its input.
    field_start = html.index('name="new_total_days"')
    assert html.index(error, field_start) < html.index('name="ground"')
    period.refresh_from_db()
    assert period.total_days == 30


def test_a_postponement_then_a_lift_continues_the_remaining_days(period, caseworker, login):
    client = login(caseworker)
    response = client.post(
        reverse("reflection-postpone", args=[period.pk]),
        {"from_date": "2026-03-25", "reason": "Conditions in the home country are examined."},
        follow=True,
    )
    assert response.status_code == 200
    period.refresh_from_db()
    assert period.ends_on is None
    assert response.context["periods"][0].open_postponement is not None
    assert reverse("reflection-lift", args=[period.pk]) in response.content.decode()

    response = client.post(
        reverse("reflection-lift", args=[period.pk]), {"lifted_on": TODAY.isoformat()}, follow=True
    )

    period.refresh_from_db()
    # 2026-04-20 + the 7 days the postponement lasted
    assert period.ends_on == datetime.date(2026, 4, 27)
    assert short(period.ends_on) in follow_message(response)


def test_lifting_a_period_that_is_not_postponed_shows_the_reason(period, caseworker, login):
    client = login(caseworker)
    response = client.post(reverse("reflection-lift", args=[period.pk]), {"lifted_on": TODAY.isoformat()})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def test_ending_a_period_records_the_outcome(period, identified_case, caseworker, login):
    client = login(caseworker)
    response = client.post(
        reverse("reflection-end", args=[period.pk]),
        {"outcome": PeriodOutcome.PREPARED_RETURN, "outcome_on": TODAY.isoformat()},
        follow=True,
    )
    period.refresh_from_db()
    assert period.outcome == PeriodOutcome.PREPARED_RETURN
    assert period.outcome_on == TODAY
    assert response.context["running"] is None
    assert response.context["can_start"]
    assert reverse("reflection-extend", args=[period.pk]) not in response.content.decode()


def test_an_outcome_before_the_start_is_refused(period, caseworker, login):
    client = login(caseworker)
    response = client.post(
        reverse("reflection-end", args=[period.pk]),
        {"outcome": PeriodOutcome.DISAPPEARED, "outcome_on": "2026-03-01"},
    )
    assert response.status_code == 400
    assert "outcome_on" in response.context["form"].errors


# --- Access -------------------------------------------------------------------------------------------


def test_another_organisation_gets_404_on_every_page_of_the_case(period, identified_case, users_b, login):
    client = login(users_b[Role.CASEWORKER])
    case_urls = [reverse(name, args=[identified_case.pk]) for name in ("case-reflection", "reflection-start")]
    period_urls = [
        reverse(name, args=[period.pk])
        for name in ("reflection-extend", "reflection-postpone", "reflection-lift", "reflection-end")
    ]
    for url in case_urls + period_urls:
        assert client.get(url).status_code == 404, url
    for url in case_urls[1:] + period_urls:
        assert client.post(url, {}).status_code == 404, url
    period.refresh_from_db()
    assert period.total_days == 30 and period.is_running


def test_another_organisation_does_not_see_the_period_on_its_dashboard(period, users_b, login):
    response = login(users_b[Role.CASEWORKER]).get(reverse("reflection-dashboard"))
    assert response.status_code == 200
    assert list(response.context["page"]) == []


def test_an_analyst_may_not_open_the_dashboard(users_a, login):
    assert login(users_a[Role.ANALYST]).get(reverse("reflection-dashboard")).status_code == 403


def test_a_liaison_sees_but_cannot_change_periods(period, identified_case, deciders, login):
    client = login(deciders["us"])
    # The liaison sees cases presented to the Immigration Service only; the change forms are not theirs.
    assert client.get(reverse("reflection-extend", args=[period.pk])).status_code == 404


# --- The dashboard ------------------------------------------------------------------------------------


def _periods_on_new_cases(count, *, by, open_case):
    for _ in range(count):
        case = open_case(by=by, residence_status=ResidenceStatus.EU_CITIZEN)
        period_start(case=case, by=by, kind=PeriodKind.ACTION_PLAN, starts_on=TODAY)


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_dashboard_lists_running_periods_nearest_first_without_identifying_details(
    period, caseworker, open_case, login
):
    _periods_on_new_cases(1, by=caseworker, open_case=open_case)
    response = login(caseworker).get(reverse("reflection-dashboard"))
    rows = list(response.context["page"])
    assert [p.ends_on for p in rows] == [datetime.date(2026, 4, 20), datetime.date(2026, 5, 1)]
    assert rows[0].days_left == 19 and rows[0].urgency == "later"
    html = response.content.decode()
    assert period.case.number in html
    assert reverse("case-reflection", args=[period.case_id]) in html
    assert "Marker Person Alpha" not in html
    assert "+45 11 22 33 44" not in html


def test_the_dashboard_filters_by_kind_and_mine(period, caseworker, users_a, open_case, login):
    _periods_on_new_cases(1, by=caseworker, open_case=open_case)
    client = login(caseworker)
    statutory = client.get(reverse("reflection-dashboard"), {"kind": PeriodKind.STATUTORY})
    assert [p.pk for p in statutory.context["page"]] == [period.pk]
    # The coordinator of the same organisation sees them all, but none as "mine".
    coordinator = login(users_a[Role.COORDINATOR])
    assert len(coordinator.get(reverse("reflection-dashboard")).context["page"]) == 2
    assert len(coordinator.get(reverse("reflection-dashboard"), {"mine": "1"}).context["page"]) == 0


def test_the_dashboard_colours_by_days_left(period, caseworker, login):
    for moment, band in [
        (datetime.date(2026, 4, 8), "d14"),
        (datetime.date(2026, 4, 14), "d7"),
        (datetime.date(2026, 4, 18), "d3"),
        (datetime.date(2026, 4, 21), "overdue"),
    ]:
        with time_machine.travel(datetime.datetime.combine(moment, datetime.time(12), tzinfo=datetime.UTC)):
            # sessions expire within a day: log in on each day
            response = login(caseworker).get(reverse("reflection-dashboard"))
        assert response.context["page"][0].urgency == band
        assert f"dl--{band}" in response.content.decode()


def test_a_postponed_period_shows_postponed(period, caseworker, login):
    period_postpone(period=period, by=caseworker, from_date=TODAY, reason="Home country examined.")
    response = login(caseworker).get(reverse("reflection-dashboard"))
    assert response.context["page"][0].urgency == "postponed"
    assert "dl--postponed" in response.content.decode()


def test_the_dashboard_shows_the_open_identification_tasks(identified_case, deciders, login):
    # The Immigration Service's identification gives CMM the task of appointing a contact person.
    coordinator = deciders["cmm"]
    response = login(coordinator).get(reverse("reflection-dashboard"))
    assert response.status_code == 200
    assert any(task.case_id == identified_case.pk for task in response.context["tasks"])
    assert identified_case.number in response.content.decode()


def test_the_dashboard_query_count_does_not_grow_with_the_periods(period, caseworker, open_case, login):
    client = login(caseworker)
    url = reverse("reflection-dashboard")
    client.get(url)  # warm the session and the caches
    before = _count_queries(client, url)
    _periods_on_new_cases(4, by=caseworker, open_case=open_case)
    after = _count_queries(client, url)
    assert len(client.get(url).context["page"]) == 5
    assert after == before


# --- Reminders ----------------------------------------------------------------------------------------


def test_the_reminders_list_a_scanned_notification_and_mark_read_clears_the_count(period, caseworker, login):
    assert deadline_scan(today=datetime.date(2026, 4, 13)) == 1  # 7 days before 2026-04-20
    client = login(caseworker)

    response = client.get(reverse("notification-list"))
    assert response.status_code == 200
    assert response.context["unread_notifications"] == 1
    [notification] = list(response.context["page"])
    assert period.case.number in notification.message
    assert "7" in notification.message
    assert "rfnote--unread" in response.content.decode()
    assert reverse("case-reflection", args=[period.case_id]) in response.content.decode()

    response = client.post(reverse("notification-list"), follow=True)

    assert response.context["unread_notifications"] == 0
    assert "rfnote--unread" not in response.content.decode()


def test_reminder_messages_follow_the_milestone(period, caseworker):
    from reflection.models import Notification
    from reflection.views import notification_message

    number = period.case.number
    with translation.override("en"):
        d7 = Notification(case=period.case, milestone="d7", days_left=7)
        assert notification_message(d7) == f"7 days to the deadline in case {number}."
        consider = Notification(case=period.case, milestone="consider_extension", days_left=5)
        assert notification_message(consider).startswith("Consider an extension")
        expired = Notification(case=period.case, milestone="expired:2026-04-21", days_left=-1)
        assert notification_message(expired) == (
            f"The deadline in case {number} has passed and no outcome is recorded."
        )


def test_another_users_reminders_are_not_listed(period, users_b, login):
    deadline_scan(today=datetime.date(2026, 4, 13))
    response = login(users_b[Role.CASEWORKER]).get(reverse("notification-list"))
    assert list(response.context["page"]) == []


# --- The calendar feed --------------------------------------------------------------------------------


def test_the_calendar_feed_lists_deadlines_by_case_number_only(period, caseworker, login):
    client = login(caseworker)
    assert client.get(reverse("calendar-settings")).context["feed_url"] == ""

    response = client.post(reverse("calendar-settings"), {"action": "renew"}, follow=True)
    feed_url = response.context["feed_url"]
    assert feed_url.startswith("http://testserver/reflection/calendar/") and feed_url.endswith(".ics")
    assert feed_url in response.content.decode()

    feed = Client().get(feed_url)
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in feed["Cache-Control"]
    body = feed.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert "VERSION:2.0\r\n" in body and "PRODID:" in body
    assert f"UID:period-{period.pk}@cmm\r\n" in body
    assert "DTSTART;VALUE=DATE:20260420\r\n" in body
    assert "DTEND;VALUE=DATE:20260421\r\n" in body
    assert f"SUMMARY:Refleksionsfrist / Deadline {period.case.number}\r\n" in body
    assert "Marker Person Alpha" not in body
    assert "+45 11 22 33 44" not in body


def test_a_revoked_or_renewed_calendar_address_stops_working(period, caseworker, login):
    client = login(caseworker)
    first = client.post(reverse("calendar-settings"), {"action": "renew"}, follow=True).context["feed_url"]
    second = client.post(reverse("calendar-settings"), {"action": "renew"}, follow=True).context["feed_url"]
    assert first != second
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200

    response = client.post(reverse("calendar-settings"), {"action": "revoke"}, follow=True)
    assert response.context["feed_url"] == ""
    assert Client().get(second).status_code == 404


def test_an_unknown_calendar_token_is_not_found(db):
    assert Client().get(reverse("calendar-feed", args=["not-a-token"])).status_code == 404


def test_the_feed_stops_for_a_user_who_left(period, caseworker, login):
    client = login(caseworker)
    feed_url = client.post(reverse("calendar-settings"), {"action": "renew"}, follow=True).context["feed_url"]
    caseworker.memberships.update(is_active=False)
    assert Client().get(feed_url).status_code == 404
