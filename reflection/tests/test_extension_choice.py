"""Extending a period by the new deadline or the total length, with the 100-day limit shown and a preview of
the new deadline (issue 18): the rule is reflection.dates.refuse_beyond_limit, asked by extension_limit and by
the service; pages and API take either value and answer bad input with 400 and field errors."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from cases.choices import EventKind
from cases.models import CaseEvent
from cases.templatetags.case_events import event_sentence
from cmm.models import Role
from cmm.tests.test_api import token_client
from reflection.choices import ExtensionGround, PeriodKind
from reflection.dates import extension_limit, total_days_for_deadline
from reflection.models import Postponement
from reflection.services import (
    period_extend,
    period_extension_preview,
    period_lift_postponement,
    period_postpone,
    period_start,
)

pytestmark = pytest.mark.django_db

D = datetime.date
START = D(2026, 3, 21)  # deadline of 30 days: 2026-04-20


@pytest.fixture(autouse=True)
def fixed_today():
    moment = datetime.datetime(2026, 4, 1, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def caseworker(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def period(identified_case, caseworker):
    return period_start(case=identified_case, by=caseworker, kind=PeriodKind.STATUTORY, starts_on=START)


# --- The rule's helpers ----------------------------------------------------------------------------------


def test_extension_limit_of_a_plain_period_is_100_days_from_the_start():
    limit = extension_limit(starts_on=START, total_days=30, postponements=[])
    assert limit == (100, 70, D(2026, 6, 29))


def test_extension_limit_leaves_postponed_days_out():
    # Postponed for 10 days: the deadline moves by 10, the 100 days still count without them.
    lifted = Postponement(from_date=D(2026, 3, 25), lifted_on=D(2026, 4, 4), new_ends_on=None)
    limit = extension_limit(starts_on=START, total_days=30, postponements=[lifted])
    assert limit == (100, 70, D(2026, 7, 9))


def test_extension_limit_after_a_decided_deadline_counts_it():
    # A deadline decided at the lift on day 90 of the count leaves 10 more days.
    decided = Postponement(
        from_date=D(2026, 3, 25), lifted_on=D(2026, 4, 1), new_ends_on=D(2026, 6, 26), total_days_at_lift=30
    )
    limit = extension_limit(starts_on=START, total_days=30, postponements=[decided])
    assert limit.more_days == 10
    assert limit.latest_deadline == D(2026, 7, 6)


def test_extension_limit_while_postponed_has_no_deadline():
    open_one = Postponement(from_date=D(2026, 3, 25), lifted_on=None, new_ends_on=None)
    limit = extension_limit(starts_on=START, total_days=30, postponements=[open_one])
    assert limit.latest_deadline is None
    assert limit.more_days == 70


def test_total_days_for_a_deadline():
    assert (
        total_days_for_deadline(starts_on=START, total_days=30, postponements=[], new_deadline=D(2026, 5, 20))
        == 60
    )


# --- The service --------------------------------------------------------------------------------------


def test_extension_by_new_deadline_sets_the_total_days_and_tells_the_timeline(period, caseworker):
    period_extend(
        period=period,
        by=caseworker,
        new_ends_on=D(2026, 5, 20),
        ground=ExtensionGround.MEDICAL,
        decided_on=D(2026, 4, 1),
    )
    period.refresh_from_db()
    assert (period.total_days, period.ends_on) == (60, D(2026, 5, 20))
    event = CaseEvent.objects.filter(kind=EventKind.REFLECTION).latest("id")
    assert event.data["ends_on"] == "2026-05-20"
    from django.utils import translation

    with translation.override("en"):
        assert event_sentence(event) == "Reflection period extended to 60 days, new deadline 20 May 2026"


def test_extension_by_deadline_beyond_100_days_is_refused_on_that_field(period, caseworker):
    with pytest.raises(ValidationError) as refused:
        period_extend(
            period=period,
            by=caseworker,
            new_ends_on=D(2026, 6, 30),  # 101 days
            ground=ExtensionGround.MEDICAL,
            decided_on=D(2026, 4, 1),
        )
    assert set(refused.value.message_dict) == {"new_ends_on"}
    period.refresh_from_db()
    assert period.total_days == 30


def test_extension_to_an_earlier_deadline_is_refused(period, caseworker):
    with pytest.raises(ValidationError) as refused:
        period_extension_preview(period=period, new_ends_on=D(2026, 4, 20))
    assert "new_ends_on" in refused.value.message_dict


def test_extension_by_deadline_while_postponed_is_refused(period, caseworker):
    period_postpone(period=period, by=caseworker, from_date=D(2026, 3, 25), reason="Sagen undersøges")
    with pytest.raises(ValidationError) as refused:
        period_extension_preview(period=period, new_ends_on=D(2026, 5, 20))
    assert "new_ends_on" in refused.value.message_dict
    assert period_extension_preview(period=period, new_total_days=60) == (60, None)


def test_both_or_neither_value_is_refused(period):
    with pytest.raises(ValidationError):
        period_extension_preview(period=period, new_total_days=60, new_ends_on=D(2026, 5, 20))
    with pytest.raises(ValidationError):
        period_extension_preview(period=period)


# --- The page -----------------------------------------------------------------------------------------


def _form(**values):
    return {"ground": ExtensionGround.MEDICAL, "decided_on": "2026-04-01", "ground_text": "", **values}


def test_page_shows_the_limit_and_the_preview_data(period, caseworker, login, in_english):
    client = login(caseworker)
    client.cookies["cmm_language"] = "en"
    page = client.get(reverse("reflection-extend", args=[period.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "At most 70 more days; latest possible deadline 29 Jun 2026." in html
    assert 'data-max-total="100"' in html
    assert 'data-current-deadline="2026-04-20"' in html
    assert 'data-latest="2026-06-29"' in html
    assert "js/reflection-extension.js" in html
    assert "<script>" not in html


def test_preview_without_javascript_shows_the_new_deadline_and_saves_nothing(
    period, caseworker, login, in_english
):
    client = login(caseworker)
    client.cookies["cmm_language"] = "en"
    response = client.post(
        reverse("reflection-extend", args=[period.pk]),
        {"extend_by": "days", "new_total_days": "60", "preview": "1"},  # ground not chosen yet: no matter
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "New deadline: 20 May 2026 (60 days in total)." in response.content.decode()
    assert not response.context["form"].errors
    period.refresh_from_db()
    assert period.total_days == 30


def test_preview_of_a_too_long_extension_answers_400_with_the_field_error(period, caseworker, login):
    client = login(caseworker)
    response = client.post(
        reverse("reflection-extend", args=[period.pk]),
        {"extend_by": "date", "new_ends_on": "2026-07-30", "preview": "1"},
    )
    assert response.status_code == 400
    assert "new_ends_on" in response.context["form"].errors


def test_saving_by_new_deadline_extends_the_period(period, caseworker, login):
    client = login(caseworker)
    response = client.post(
        reverse("reflection-extend", args=[period.pk]),
        _form(extend_by="date", new_ends_on="2026-05-20", new_total_days="99"),  # the other field is ignored
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.total_days, period.ends_on) == (60, D(2026, 5, 20))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"extend_by": "date", "new_ends_on": ""}, "new_ends_on"),
        ({"extend_by": "date", "new_ends_on": "not a date"}, "new_ends_on"),
        ({"extend_by": "days", "new_total_days": ""}, "new_total_days"),
        ({"extend_by": "days", "new_total_days": "abc"}, "new_total_days"),
        ({"extend_by": "days", "new_total_days": "101"}, "new_total_days"),
        ({"extend_by": "sideways", "new_total_days": "60"}, "extend_by"),
    ],
)
def test_bad_input_answers_400_with_the_field_error(period, caseworker, login, values, field):
    client = login(caseworker)
    response = client.post(reverse("reflection-extend", args=[period.pk]), _form(**values))
    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_another_organisation_gets_404_for_the_extension_page(period, users_b, login):
    client = login(users_b[Role.CASEWORKER])
    assert client.get(reverse("reflection-extend", args=[period.pk])).status_code == 404
    response = client.post(
        reverse("reflection-extend", args=[period.pk]), {"new_total_days": "60", "preview": "1"}
    )
    assert response.status_code == 404


# --- The API ------------------------------------------------------------------------------------------


def _api(user):
    return token_client(APIClient(), user)


def test_api_extends_by_new_deadline(period, caseworker):
    response = _api(caseworker).post(
        f"/api/reflection/periods/{period.pk}/extensions/",
        {"new_ends_on": "2026-05-20", "ground": "medical", "decided_on": "2026-04-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["ends_on"] == "2026-05-20"
    assert response.json()["total_days"] == 60


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "new_total_days"),
        ({"new_total_days": 60, "new_ends_on": "2026-05-20"}, "new_ends_on"),
        ({"new_ends_on": "2026-13-40"}, "new_ends_on"),
        ({"new_ends_on": "2026-07-30"}, "new_ends_on"),
        ({"new_total_days": 101}, "new_total_days"),
    ],
)
def test_api_bad_extension_answers_400_with_field_errors(period, caseworker, body, field):
    response = _api(caseworker).post(
        f"/api/reflection/periods/{period.pk}/extensions/",
        {"ground": "medical", "decided_on": "2026-04-01", **body},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    period.refresh_from_db()
    assert period.total_days == 30


def test_api_another_organisation_gets_404(period, users_b):
    response = _api(users_b[Role.CASEWORKER]).post(
        f"/api/reflection/periods/{period.pk}/extensions/",
        {"new_ends_on": "2026-05-20", "ground": "medical", "decided_on": "2026-04-01"},
        format="json",
    )
    assert response.status_code == 404


def test_lift_with_decided_deadline_tells_the_timeline(period, caseworker):
    from django.utils import translation

    period_postpone(period=period, by=caseworker, from_date=D(2026, 3, 25), reason="Sagen undersøges")
    period_lift_postponement(period=period, by=caseworker, lifted_on=D(2026, 4, 1), new_ends_on=D(2026, 5, 1))
    event = CaseEvent.objects.filter(kind=EventKind.REFLECTION).latest("id")
    with translation.override("en"):
        assert event_sentence(event) == "Postponement lifted, new deadline decided: 1 May 2026"
