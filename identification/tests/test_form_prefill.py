"""The identification form prefilled with the indicators already recorded for the case (issue 18, "nothing
typed twice"): the case's means of control, its outreach contacts and earlier forms; ticked, marked as
prefilled, editable; another organisation gets 404."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.choices import ControlMeans
from cmm.models import Role
from identification.models import IdentificationForm
from identification.selectors import indicators_recorded_for_case
from identification.services import identification_form_record
from outreach.services import contact_log

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today():
    moment = datetime.datetime(2026, 4, 1, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def caseworker(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def presentation(case_a, caseworker, deciders, present):
    return present(case_a, by=caseworker)


@pytest.fixture
def recorded(case_a, caseworker, presentation, users_a):
    """Threats on the case, debt bondage on a contact, withheld documents on an earlier form."""
    case_a.control_means.all().delete()
    case_a.control_means.create(type=ControlMeans.THREATS)
    contact_log(
        by=users_a[Role.OUTREACH_WORKER],
        organisation=case_a.organisation,
        occurred_at=timezone.now() - datetime.timedelta(days=2),
        venue="street",
        case=case_a,
        indicators=[ControlMeans.DEBT_BONDAGE],
    )
    identification_form_record(
        presentation=presentation,
        by=caseworker,
        interviewed_on=datetime.date(2026, 3, 30),
        indicators=[ControlMeans.WITHHOLDS_DOCUMENTS, ControlMeans.DEBT_BONDAGE],
        interpreter_used=False,
        interpreter_language="",
        narrative="",
    )
    return case_a


def test_the_selector_says_where_each_indicator_was_recorded(recorded, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        found = indicators_recorded_for_case(case=recorded)
    assert found == {
        ControlMeans.THREATS: {"case"},
        ControlMeans.DEBT_BONDAGE: {"contact", "form"},
        ControlMeans.WITHHOLDS_DOCUMENTS: {"form"},
    }


def test_the_form_is_prefilled_and_marked(recorded, presentation, caseworker, login):
    client = login(caseworker)
    client.cookies["cmm_language"] = "en"
    page = client.get(
        reverse("identification-form-create", args=[presentation.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200
    form = page.context["form"]
    assert sorted(form["indicators"].value()) == sorted(
        [ControlMeans.THREATS, ControlMeans.DEBT_BONDAGE, ControlMeans.WITHHOLDS_DOCUMENTS]
    )
    assert page.context["prefilled"] == 3
    html = page.content.decode()
    assert "already recorded: outreach contact, earlier identification form" in html
    assert 'class="prefilled"' in html


def test_the_prefill_is_editable(recorded, presentation, caseworker, login):
    client = login(caseworker)
    response = client.post(
        reverse("identification-form-create", args=[presentation.pk]),
        {"interviewed_on": "2026-04-01", "indicators": [ControlMeans.THREATS]},
    )
    assert response.status_code == 302
    assert IdentificationForm.objects.latest("id").indicators == [ControlMeans.THREATS]


def test_bad_input_keeps_the_marks_and_answers_400(recorded, presentation, caseworker, login):
    client = login(caseworker)
    response = client.post(
        reverse("identification-form-create", args=[presentation.pk]),
        {"interviewed_on": "not a day", "indicators": ["nonsense"]},
    )
    assert response.status_code == 400
    assert {"interviewed_on", "indicators"} <= set(response.context["form"].errors)
    assert response.context["prefilled"] == 3


def test_nothing_recorded_means_nothing_prefilled(case_a, presentation, caseworker, login):
    case_a.control_means.all().delete()
    page = login(caseworker).get(reverse("identification-form-create", args=[presentation.pk]))
    assert page.status_code == 200
    assert page.context["prefilled"] == 0
    assert not page.context["form"]["indicators"].value()


def test_another_organisation_gets_404(recorded, presentation, users_b, login):
    page = login(users_b[Role.CASEWORKER]).get(reverse("identification-form-create", args=[presentation.pk]))
    assert page.status_code == 404
