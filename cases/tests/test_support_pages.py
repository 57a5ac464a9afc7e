"""The pages for support during the stay: services, housing, minors, the action plan and client codes."""

import datetime
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter

from cases.choices import (
    ActivityKind,
    ActivityStatus,
    DischargeReason,
    EventKind,
    HousingType,
    ServiceMode,
    ServiceType,
    TracingStatus,
)
from cases.client_codes import client_code_make
from cases.models import (
    ActionPlan,
    ActionPlanReview,
    CaseEvent,
    CaseService,
    ClientCode,
    ParentTracing,
    PersonalRepresentative,
    PlannedActivity,
    ShelterStay,
)
from cases.services import (
    activity_save,
    client_code_link,
    parent_tracing_record,
    plan_review_add,
    representative_appoint,
    stay_save,
)
from cases.templatetags.support_tags import stay_nights
from cmm.models import OrganisationKind, Role
from cmm.services import organisation_create

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 4, 15)


@pytest.fixture(autouse=True)
def fixed_today():
    moment = datetime.datetime(2026, 4, 15, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def caseworker(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def cw_client(caseworker, login):
    return login(caseworker)


@pytest.fixture
def stay_a(case_a, caseworker):
    return stay_save(
        case=case_a,
        by=caseworker,
        housing_type=HousingType.CRISIS_CENTRE,
        admitted_on=datetime.date(2026, 4, 1),
    )


@pytest.fixture
def activity_a(case_a, caseworker):
    return activity_save(
        case=case_a,
        by=caseworker,
        kind=ActivityKind.COURSE,
        title="Danish course",
        starts_on=datetime.date(2026, 4, 20),
        status=ActivityStatus.PLANNED,
    )


def url(name, case, **kwargs):
    return reverse(name, kwargs={"pk": case.pk, **kwargs})


def detail_url(case):
    return reverse("case-detail", kwargs={"pk": case.pk})


def events(case, kind):
    return CaseEvent.objects.filter(case=case, kind=kind)


def service_data(**overrides):
    return {
        "service_type": ServiceType.HEALTH_DOCTOR,
        "mode": ServiceMode.RECEIVED,
        "provider": "Clinic",
        "provided_on": "2026-04-10",
        "notes": "",
        **overrides,
    }


def stay_data(**overrides):
    return {
        "housing_type": HousingType.CRISIS_CENTRE,
        "shelter": "",
        "housing_name": "",
        "admitted_on": "2026-04-01",
        "discharged_on": "",
        "discharge_reason": "",
        **overrides,
    }


def activity_data(**overrides):
    return {
        "kind": ActivityKind.INTERNSHIP,
        "title": "Kitchen internship",
        "provider": "Canteen",
        "starts_on": "2026-05-01",
        "ends_on": "2026-06-30",
        "status": ActivityStatus.PLANNED,
        **overrides,
    }


def representative_data(**overrides):
    return {
        "action": "representative",
        "name": "Social Worker One",
        "organisation_name": "Municipality",
        "is_professional": "on",
        "appointed_on": "2026-04-14",
        **overrides,
    }


def tracing_data(**overrides):
    return {
        "action": "tracing",
        "status": TracingStatus.REQUESTED,
        "requested_on": "2026-04-14",
        "with_whom": "Red Cross",
        "reason": "",
        **overrides,
    }


def facts(**overrides):
    return {
        "action": "facts",
        "mother_initial": "E",
        "own_initial": "a",
        "birth_year": "1997",
        "birth_country": "NG",
        **overrides,
    }


# --- Services -----------------------------------------------------------------------------------------


def test_caseworker_adds_a_service(cw_client, case_a):
    assert cw_client.get(url("case-service-create", case_a)).status_code == 200

    response = cw_client.post(url("case-service-create", case_a), service_data())

    assert response.status_code == 302
    assert response.url == detail_url(case_a)
    service = CaseService.objects.get(case=case_a)
    assert (service.service_type, service.mode, service.provided_on) == (
        ServiceType.HEALTH_DOCTOR,
        ServiceMode.RECEIVED,
        datetime.date(2026, 4, 10),
    )
    assert events(case_a, EventKind.SERVICE).count() == 1


def test_service_form_defaults_to_today(cw_client, case_a):
    response = cw_client.get(url("case-service-create", case_a))
    assert 'type="date"' in response.content.decode()
    assert 'value="2026-04-15"' in response.content.decode()


def test_received_service_in_the_future_is_refused(cw_client, case_a):
    response = cw_client.post(url("case-service-create", case_a), service_data(provided_on="2026-05-01"))

    assert response.status_code == 400
    assert "provided_on" in response.context["form"].errors
    assert 'value="Clinic"' in response.content.decode()  # nothing typed is lost
    assert not CaseService.objects.exists()
    assert not events(case_a, EventKind.SERVICE).exists()


def test_an_offer_may_lie_in_the_future(cw_client, case_a):
    data = service_data(mode=ServiceMode.OFFERED, provided_on="2026-05-01")
    assert cw_client.post(url("case-service-create", case_a), data).status_code == 302
    assert CaseService.objects.get().mode == ServiceMode.OFFERED


def test_service_with_an_unknown_type_is_refused_by_the_form(cw_client, case_a):
    response = cw_client.post(url("case-service-create", case_a), service_data(service_type="magic"))
    assert response.status_code == 400
    assert "service_type" in response.context["form"].errors
    assert not CaseService.objects.exists()


# --- Housing ------------------------------------------------------------------------------------------


def test_caseworker_adds_a_stay_and_then_records_the_discharge(cw_client, case_a):
    response = cw_client.post(url("case-stay-create", case_a), stay_data(housing_name="House"))

    assert response.status_code == 302
    assert response.url == detail_url(case_a)
    stay = ShelterStay.objects.get(case=case_a)
    assert (stay.admitted_on, stay.discharged_on) == (datetime.date(2026, 4, 1), None)
    assert events(case_a, EventKind.ADMISSION).count() == 1

    update = url("case-stay-update", case_a, stay_id=stay.pk)
    page = cw_client.get(update)
    assert page.status_code == 200
    assert page.context["form"].initial["housing_name"] == "House"

    response = cw_client.post(
        update,
        stay_data(
            housing_name="House", discharged_on="2026-04-12", discharge_reason=DischargeReason.MOVED_ON
        ),
    )

    assert response.status_code == 302
    stay.refresh_from_db()
    assert (stay.discharged_on, stay.discharge_reason) == (
        datetime.date(2026, 4, 12),
        DischargeReason.MOVED_ON,
    )
    assert events(case_a, EventKind.DISCHARGE).count() == 1
    assert ShelterStay.objects.count() == 1


def test_discharge_before_admission_is_refused(cw_client, case_a, stay_a):
    response = cw_client.post(
        url("case-stay-update", case_a, stay_id=stay_a.pk),
        stay_data(discharged_on="2026-03-20", discharge_reason=DischargeReason.LEFT),
    )

    assert response.status_code == 400
    assert "discharged_on" in response.context["form"].errors
    assert 'value="2026-03-20"' in response.content.decode()
    stay_a.refresh_from_db()
    assert stay_a.discharged_on is None
    assert not events(case_a, EventKind.DISCHARGE).exists()


def test_a_stay_starting_inside_another_is_refused(cw_client, case_a, stay_a):
    stay_save(
        case=case_a,
        by=stay_a.created_by,
        stay=stay_a,
        discharged_on=datetime.date(2026, 4, 10),
        discharge_reason=DischargeReason.MOVED_ON,
    )

    response = cw_client.post(url("case-stay-create", case_a), stay_data(admitted_on="2026-04-05"))

    assert response.status_code == 400
    assert "admitted_on" in response.context["form"].errors
    assert ShelterStay.objects.count() == 1
    assert events(case_a, EventKind.ADMISSION).count() == 1


def test_discharge_without_a_reason_is_refused(cw_client, case_a, stay_a):
    response = cw_client.post(
        url("case-stay-update", case_a, stay_id=stay_a.pk), stay_data(discharged_on="2026-04-10")
    )
    assert response.status_code == 400
    assert "discharge_reason" in response.context["form"].errors
    stay_a.refresh_from_db()
    assert stay_a.discharged_on is None


def test_shelter_choices_are_active_shelters_only(cw_client, case_a, org_b):
    shelter = organisation_create(
        name="Crisis Centre Test", kind=OrganisationKind.SHELTER, case_prefix="CCT", region="hovedstaden"
    )
    closed = organisation_create(
        name="Closed Shelter Test", kind=OrganisationKind.SHELTER, case_prefix="CST", region="hovedstaden"
    )
    closed.is_active = False
    closed.save()

    choices = cw_client.get(url("case-stay-create", case_a)).context["form"].fields["shelter"].queryset
    assert list(choices) == [shelter]

    response = cw_client.post(url("case-stay-create", case_a), stay_data(shelter=org_b.pk))
    assert response.status_code == 400
    assert "shelter" in response.context["form"].errors

    assert cw_client.post(url("case-stay-create", case_a), stay_data(shelter=shelter.pk)).status_code == 302
    assert ShelterStay.objects.get().shelter == shelter


def test_stay_nights_counts_bed_days_up_to_today_or_the_discharge():
    open_stay = ShelterStay(admitted_on=datetime.date(2026, 4, 10))
    closed_stay = ShelterStay(
        admitted_on=datetime.date(2026, 4, 10), discharged_on=datetime.date(2026, 4, 12)
    )
    # An open stay counts up to the period's end, today included (DESIGN.md §3): the nights of 10-15 April.
    assert stay_nights(open_stay) == 6
    assert stay_nights(closed_stay) == 2


# --- Minors -------------------------------------------------------------------------------------------


@pytest.fixture
def minor_case(open_case, caseworker):
    return open_case(by=caseworker, estimated_age=15, unaccompanied_minor=True)


def test_minor_page_warns_about_a_missing_representative(cw_client, minor_case):
    response = cw_client.get(url("case-minor", minor_case))
    assert response.status_code == 200
    assert [w.code for w in response.context["warnings"]] == ["minor_without_representative"]
    assert "representative_form" in response.context


def test_caseworker_appoints_a_representative(cw_client, minor_case):
    response = cw_client.post(url("case-minor", minor_case), representative_data())

    assert response.status_code == 302
    assert response.url == url("case-minor", minor_case)
    representative = PersonalRepresentative.objects.get(case=minor_case)
    assert (representative.name, representative.is_professional) == ("Social Worker One", True)
    assert events(minor_case, EventKind.REPRESENTATIVE).count() == 1
    assert cw_client.get(url("case-minor", minor_case)).context["warnings"] == []


def test_minor_page_lists_in_constant_queries(
    cw_client, minor_case, caseworker, django_assert_max_num_queries
):
    def add_rows(day):
        representative_appoint(
            case=minor_case,
            by=caseworker,
            name="Rep",
            organisation_name="",
            is_professional=True,
            appointed_on=datetime.date(2026, 3, day),
        )
        parent_tracing_record(
            case=minor_case,
            by=caseworker,
            status=TracingStatus.IN_PROGRESS,
            requested_on=datetime.date(2026, 3, day),
            with_whom="Red Cross",
            reason="",
        )

    add_rows(1)
    with django_assert_max_num_queries(30) as few:
        cw_client.get(url("case-minor", minor_case))
    for day in range(2, 12):
        add_rows(day)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = cw_client.get(url("case-minor", minor_case))
    assert len(response.context["representatives"]) == 11
    assert len(response.context["tracings"]) == 11


def test_representative_appointed_in_the_future_is_refused(cw_client, minor_case):
    response = cw_client.post(url("case-minor", minor_case), representative_data(appointed_on="2026-05-01"))
    assert response.status_code == 400
    assert "appointed_on" in response.context["representative_form"].errors
    assert not PersonalRepresentative.objects.exists()


def test_caseworker_records_a_tracing_step(cw_client, minor_case):
    response = cw_client.post(url("case-minor", minor_case), tracing_data())

    assert response.status_code == 302
    assert response.url == url("case-minor", minor_case)
    tracing = ParentTracing.objects.get(case=minor_case)
    assert (tracing.status, tracing.requested_on) == (TracingStatus.REQUESTED, datetime.date(2026, 4, 14))
    assert events(minor_case, EventKind.TRACING).count() == 1


def test_tracing_not_in_the_childs_interest_needs_a_reason(cw_client, minor_case):
    data = tracing_data(status=TracingStatus.NOT_IN_INTEREST, requested_on="", reason=" ")
    response = cw_client.post(url("case-minor", minor_case), data)

    assert response.status_code == 400
    assert "reason" in response.context["tracing_form"].errors
    assert not ParentTracing.objects.exists()

    data["reason"] = "The parents took part in the trafficking."
    assert cw_client.post(url("case-minor", minor_case), data).status_code == 302
    assert ParentTracing.objects.get().status == TracingStatus.NOT_IN_INTEREST


def test_minor_page_with_an_unknown_action_is_refused(cw_client, minor_case):
    response = cw_client.post(url("case-minor", minor_case), {"action": "other"})
    assert response.status_code == 400
    assert not PersonalRepresentative.objects.exists()


# --- Action plan --------------------------------------------------------------------------------------


def test_caseworker_writes_the_plan_goals(cw_client, case_a):
    data = {"action": "plan", "goals": "Learn Danish", "wishes_after_stay": "Work as a cook"}
    response = cw_client.post(url("case-plan", case_a), data)

    assert response.status_code == 302
    assert response.url == url("case-plan", case_a)
    plan = ActionPlan.objects.get(case=case_a)
    assert (plan.goals, plan.wishes_after_stay) == ("Learn Danish", "Work as a cook")
    assert events(case_a, EventKind.ACTION_PLAN).count() == 1
    assert cw_client.get(url("case-plan", case_a)).context["plan_form"].initial["goals"] == "Learn Danish"


def test_caseworker_adds_a_review_date(cw_client, case_a):
    data = {"action": "review", "review_on": "2026-05-15", "notes": ""}
    response = cw_client.post(url("case-plan", case_a), data)

    assert response.status_code == 302
    assert response.url == url("case-plan", case_a)
    assert ActionPlanReview.objects.get(case=case_a).review_on == datetime.date(2026, 5, 15)


def test_adding_a_review_date_writes_the_timeline(cw_client, case_a):
    cw_client.post(url("case-plan", case_a), {"action": "review", "review_on": "2026-05-15"})
    assert events(case_a, EventKind.ACTION_PLAN).count() == 1


def test_review_without_a_date_is_refused(cw_client, case_a):
    response = cw_client.post(url("case-plan", case_a), {"action": "review", "review_on": "", "notes": "x"})
    assert response.status_code == 400
    assert "review_on" in response.context["review_form"].errors
    assert not ActionPlanReview.objects.exists()


def test_caseworker_adds_and_changes_an_activity(cw_client, case_a):
    assert cw_client.get(url("case-activity-create", case_a)).status_code == 200
    response = cw_client.post(url("case-activity-create", case_a), activity_data())

    assert response.status_code == 302
    assert response.url == url("case-plan", case_a)
    activity = PlannedActivity.objects.get(case=case_a)
    assert (activity.title, activity.ends_on) == ("Kitchen internship", datetime.date(2026, 6, 30))
    assert events(case_a, EventKind.ACTIVITY).count() == 1

    update = url("case-activity-update", case_a, activity_id=activity.pk)
    assert cw_client.get(update).context["form"].initial["title"] == "Kitchen internship"
    response = cw_client.post(update, activity_data(status=ActivityStatus.IN_PROGRESS))

    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.IN_PROGRESS
    assert events(case_a, EventKind.ACTIVITY).count() == 2
    assert PlannedActivity.objects.count() == 1


def test_activity_ending_before_it_starts_is_refused(cw_client, case_a, activity_a):
    response = cw_client.post(url("case-activity-create", case_a), activity_data(ends_on="2026-04-30"))
    assert response.status_code == 400
    assert "ends_on" in response.context["form"].errors
    assert PlannedActivity.objects.count() == 1

    update = url("case-activity-update", case_a, activity_id=activity_a.pk)
    response = cw_client.post(update, activity_data(title="Changed", ends_on="2026-04-30"))
    assert response.status_code == 400
    assert "ends_on" in response.context["form"].errors
    activity_a.refresh_from_db()
    assert activity_a.title == "Danish course"


def test_action_plan_page_lists_activities_and_reviews_in_constant_queries(
    cw_client, case_a, caseworker, django_assert_max_num_queries
):
    activity_save(case=case_a, by=caseworker, kind=ActivityKind.COURSE, title="One", status="planned")
    plan_review_add(case=case_a, by=caseworker, review_on=datetime.date(2026, 5, 1))
    with django_assert_max_num_queries(30) as few:
        cw_client.get(url("case-plan", case_a))
    for n in range(10):
        activity_save(case=case_a, by=caseworker, kind=ActivityKind.COURSE, title=f"C{n}", status="planned")
        plan_review_add(case=case_a, by=caseworker, review_on=datetime.date(2026, 6, n + 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = cw_client.get(url("case-plan", case_a))
    assert len(response.context["activities"]) == 11
    assert len(response.context["reviews"]) == 11


# --- Client codes -------------------------------------------------------------------------------------


def test_facts_make_the_documented_code_and_link_it(cw_client, case_a, caplog):
    caplog.set_level(logging.DEBUG)
    expected = client_code_make(mother_initial="E", own_initial="A", birth_year=1997, birth_country="NG")

    response = cw_client.post(url("case-client-code", case_a), facts())

    assert response.status_code == 302
    assert response.url == url("case-client-code", case_a)
    assert ClientCode.objects.get().code == expected
    assert ClientCode.objects.get().case == case_a
    assert events(case_a, EventKind.CLIENT_CODE).count() == 1
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(shown) == 1
    assert expected in shown[0]
    assert "1997" not in shown[0]
    assert "1997" not in caplog.text


def test_same_facts_give_the_same_code_whatever_the_accents(cw_client, case_a):
    cw_client.post(url("case-client-code", case_a), facts())
    response = cw_client.post(url("case-client-code", case_a), facts(mother_initial="é", own_initial="A"))

    assert response.status_code == 302
    assert ClientCode.objects.count() == 1
    assert events(case_a, EventKind.CLIENT_CODE).count() == 1  # linking again changes nothing
    page = cw_client.get(url("case-client-code", case_a))
    assert [c.code for c in page.context["client_codes"]] == [ClientCode.objects.get().code]


def test_caseworker_links_a_typed_code(cw_client, case_a):
    code = client_code_make(mother_initial="M", own_initial="K", birth_year=2001, birth_country="RO")
    typed = code.replace("-", "").lower()
    response = cw_client.post(url("case-client-code", case_a), {"action": "code", "code": typed})

    assert response.status_code == 302
    assert ClientCode.objects.get(code=code).case == case_a


def test_malformed_code_is_refused(cw_client, case_a):
    response = cw_client.post(url("case-client-code", case_a), {"action": "code", "code": "ABC-12"})
    assert response.status_code == 400
    assert "code" in response.context["code_form"].errors
    assert not ClientCode.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("birth_country", "XX"), ("birth_year", "1850"), ("mother_initial", "7"), ("own_initial", "")],
)
def test_bad_facts_are_refused_next_to_the_field(cw_client, case_a, field, value):
    response = cw_client.post(url("case-client-code", case_a), facts(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["facts_form"].errors
    assert not ClientCode.objects.exists()
    assert not events(case_a, EventKind.CLIENT_CODE).exists()


def test_code_linked_to_another_case_is_refused(cw_client, case_a, open_case, caseworker):
    other = open_case(by=caseworker)
    code = client_code_make(mother_initial="E", own_initial="A", birth_year=1997, birth_country="NG")
    client_code_link(case=other, code=code, by=caseworker)

    response = cw_client.post(url("case-client-code", case_a), {"action": "code", "code": code})
    assert response.status_code == 400
    assert "code" in response.context["code_form"].errors

    response = cw_client.post(url("case-client-code", case_a), facts())
    assert response.status_code == 400
    assert response.context["facts_form"].non_field_errors()
    assert ClientCode.objects.get().case == other


def test_facts_are_masked_in_error_reports(cw_client, case_a):
    response = cw_client.post(url("case-client-code", case_a), facts(birth_year="1850"))

    cleansed = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
    for field in ("mother_initial", "own_initial", "birth_year", "birth_country"):
        assert cleansed[field] != response.wsgi_request.POST[field]
    assert "no-store" in response["Cache-Control"]


# --- Who may use the pages ----------------------------------------------------------------------------


def _targets(case, stay, activity):
    """Every support URL of `case`, with a valid POST for it."""
    return [
        (url("case-service-create", case), service_data()),
        (url("case-stay-create", case), stay_data(admitted_on="2026-04-14")),
        (url("case-stay-update", case, stay_id=stay.pk), stay_data(housing_name="Changed")),
        (url("case-minor", case), representative_data()),
        (url("case-minor", case), tracing_data()),
        (url("case-plan", case), {"action": "plan", "goals": "Changed", "wishes_after_stay": ""}),
        (url("case-plan", case), {"action": "review", "review_on": "2026-05-01"}),
        (url("case-activity-create", case), activity_data()),
        (url("case-activity-update", case, activity_id=activity.pk), activity_data(title="Changed")),
        (url("case-client-code", case), facts()),
        (url("case-client-code", case), {"action": "code", "code": "4K7QX-M2PA9"}),
    ]


def _nothing_changed(case, stay, activity):
    stay.refresh_from_db()
    activity.refresh_from_db()
    assert stay.housing_name == ""
    assert activity.title == "Danish course"
    assert not CaseService.objects.exists()
    assert ShelterStay.objects.count() == 1
    assert PlannedActivity.objects.count() == 1
    assert not PersonalRepresentative.objects.exists()
    assert not ParentTracing.objects.exists()
    assert not ActionPlan.objects.exists()
    assert not ActionPlanReview.objects.exists()
    assert not ClientCode.objects.exists()


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.COORDINATOR, Role.OUTREACH_WORKER])
def test_another_organisation_gets_404_everywhere(client, login, users_b, case_a, stay_a, activity_a, role):
    login(users_b[role])
    for target, data in _targets(case_a, stay_a, activity_a):
        assert client.get(target).status_code == 404, target
        assert client.post(target, data).status_code == 404, target
    _nothing_changed(case_a, stay_a, activity_a)


def test_view_only_worker_reads_but_cannot_write(client, login, users_a, case_a, stay_a, activity_a):
    login(users_a[Role.OUTREACH_WORKER])
    for target, data in _targets(case_a, stay_a, activity_a):
        assert client.post(target, data).status_code in (403, 404), target
    for name in ("case-service-create", "case-stay-create", "case-activity-create"):
        assert client.get(url(name, case_a)).status_code in (403, 404)
    assert client.get(url("case-stay-update", case_a, stay_id=stay_a.pk)).status_code in (403, 404)
    assert client.get(url("case-activity-update", case_a, activity_id=activity_a.pk)).status_code in (
        403,
        404,
    )
    for name, form in (
        ("case-minor", "tracing_form"),
        ("case-plan", "plan_form"),
        ("case-client-code", "code_form"),
    ):
        response = client.get(url(name, case_a))
        assert response.status_code == 200
        assert response.context["can_change"] is False
        assert form not in response.context
    _nothing_changed(case_a, stay_a, activity_a)


def test_sub_objects_of_another_case_are_not_found(cw_client, case_a, open_case, caseworker):
    other = open_case(by=caseworker)
    stay = stay_save(
        case=other, by=caseworker, housing_type=HousingType.OTHER, admitted_on=datetime.date(2026, 4, 1)
    )
    activity = activity_save(
        case=other, by=caseworker, kind=ActivityKind.OTHER, title="Other's", status="planned"
    )

    stay_url = url("case-stay-update", case_a, stay_id=stay.pk)
    activity_url = url("case-activity-update", case_a, activity_id=activity.pk)
    assert cw_client.get(stay_url).status_code == 404
    assert cw_client.post(stay_url, stay_data(housing_name="Changed")).status_code == 404
    assert cw_client.get(activity_url).status_code == 404
    assert cw_client.post(activity_url, activity_data(title="Changed")).status_code == 404
    stay.refresh_from_db()
    activity.refresh_from_db()
    assert (stay.housing_name, activity.title) == ("", "Other's")


def test_anonymous_visitor_is_sent_to_log_in(client, case_a):
    response = client.get(url("case-plan", case_a))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# --- The sections on the case page --------------------------------------------------------------------


def _sections(case, *, can_change, **extra):
    context = {
        "case": case,
        "services": list(case.services.all()[:10]),
        "stays": list(case.stays.all()),
        "activities": list(case.activities.all()),
        "representatives": list(case.representatives.all()),
        "tracings": list(case.parent_tracings.all()),
        "plan": ActionPlan.objects.filter(case=case).first(),
        "client_codes": list(case.client_codes.all()),
        "can_change": can_change,
        **extra,
    }
    return render_to_string("cases/_support_sections.html", context)


def test_sections_show_bed_days_and_links_for_those_who_may_change(case_a, stay_a, activity_a):
    html = _sections(case_a, can_change=True)
    assert 'class="table table--stack"' in html
    assert 'data-label="' in html
    assert url("case-service-create", case_a) in html
    assert url("case-stay-update", case_a, stay_id=stay_a.pk) in html
    assert ">15</td>" in html  # the nights of 1-15 April
    assert url("case-plan", case_a) in html
    assert url("case-client-code", case_a) in html
    assert url("case-minor", case_a) not in html  # an adult


def test_sections_for_a_reader_have_no_write_links(case_a, stay_a):
    html = _sections(case_a, can_change=False)
    assert url("case-service-create", case_a) not in html
    assert url("case-stay-create", case_a) not in html
    assert url("case-stay-update", case_a, stay_id=stay_a.pk) not in html


def test_sections_show_the_minor_part_for_a_minor(minor_case, caseworker):
    html = _sections(minor_case, can_change=True)
    assert url("case-minor", minor_case) in html
