"""The case file's HTML pages: access, forms, services' rules on the page, filters and query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.choices import (
    CaseStatus,
    CloseReason,
    EventKind,
    ExploitationType,
    ForcedLabourSector,
    Gender,
    ResidenceStatus,
    ServiceMode,
    ServiceType,
)
from cases.models import Case, CaseEvent, PersonalDetails
from cases.services import case_close, case_update, personal_details_update, service_record
from cmm.models import AuditAction, AuditEvent, Role

pytestmark = pytest.mark.django_db

MARKER = "Marker Person Alpha"


def english(client):
    """Switch the logged-in client to English so that assertions can read the page's words."""
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def numbers(response):
    return [case.number for case in response.context["page"]]


def case_pages(case):
    """Every case-file URL with a POST body that would succeed for a user who may do it."""
    pk = case.pk
    return [
        ("case-detail", None),
        ("case-update", {"opened_on": "2026-03-01", "gender": Gender.MALE, "residence_status": "unknown"}),
        ("case-close", {"closed_on": "2026-03-02", "reason": CloseReason.OTHER}),
        ("case-reopen", {}),
        ("case-delete", {"reason": "Registered twice"}),
        ("case-personal", None),
        ("case-personal-update", {"full_name": "Changed"}),
        ("case-team", {"action": "add", "user": "1"}),
        ("case-timeline", None),
        ("case-history", None),
    ], pk


@pytest.fixture
def caseworker(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def caseworker_client(caseworker, login):
    return login(caseworker)


def valid_case_data(**overrides):
    data = {
        "opened_on": "2026-03-01",
        "gender": Gender.FEMALE,
        "estimated_age": "24",
        "nationality": "RO",
        "languages": ["ro", "en"],
        "residence_status": ResidenceStatus.EU_CITIZEN,
        "exploitation_types": [ExploitationType.FORCED_LABOUR, ExploitationType.BEGGING],
        "forced_labour_sector": ForcedLabourSector.AGRICULTURE,
        "contact_person": "",
        "full_name": "Marker Person Beta",
        "phone_numbers": "+45 99 88 77 66",
    }
    data.update(overrides)
    return data


# --- Access -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisation_gets_404_on_every_case_url(case_a, users_b, login, method):
    client = login(users_b[Role.COORDINATOR])
    pages, pk = case_pages(case_a)
    missing = Case.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    for name, data in pages:
        send = client.post if method == "post" else client.get
        response = send(reverse(name, args=[pk]), data or {})
        # A page without the method answers 405 before looking at the case (reopen is POST only; the
        # read-only pages have no POST); everywhere else "not yours" is "not found".
        without_method = name == "case-reopen" if method == "get" else data is None
        assert response.status_code == (405 if without_method else 404), (name, response.status_code)
        assert send(reverse(name, args=[missing]), data or {}).status_code == response.status_code
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.POSSIBLE_VICTIM and case_a.deleted_at is None
    assert PersonalDetails.objects.get(case=case_a).full_name == MARKER
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED).exists()


def test_another_organisation_does_not_find_the_case_in_its_list_or_search(case_a, users_b, login):
    client = login(users_b[Role.CASEWORKER])
    for query in ({}, {"status": "all"}, {"q": case_a.number}, {"q": "RTA"}):
        response = client.get(reverse("case-list"), query)
        assert response.status_code == 200
        assert reverse("case-detail", args=[case_a.pk]) not in response.content.decode()
        assert numbers(response) == []


def test_outreach_worker_sees_the_case_but_not_its_personal_details_nor_edits_it(case_a, users_a, login):
    client = login(users_a[Role.OUTREACH_WORKER])
    response = client.get(reverse("case-detail", args=[case_a.pk]))
    assert response.status_code == 200
    assert response.context["can_view_details"] is False
    assert response.context["can_change"] is False
    assert reverse("case-personal", args=[case_a.pk]) not in response.content.decode()
    assert case_a.number in numbers(client.get(reverse("case-list")))

    assert client.get(reverse("case-personal", args=[case_a.pk])).status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, target_id=str(case_a.pk)).exists()
    assert client.get(reverse("case-personal-update", args=[case_a.pk])).status_code == 403
    assert (
        client.post(reverse("case-personal-update", args=[case_a.pk]), {"full_name": "X"}).status_code == 403
    )
    assert client.get(reverse("case-update", args=[case_a.pk])).status_code == 403
    response = client.post(reverse("case-update", args=[case_a.pk]), valid_case_data(gender=Gender.MALE))
    assert response.status_code == 403
    assert client.get(reverse("case-close", args=[case_a.pk])).status_code == 403
    assert client.post(reverse("case-reopen", args=[case_a.pk])).status_code == 403
    assert client.get(reverse("case-delete", args=[case_a.pk])).status_code == 403
    assert client.get(reverse("case-create")).status_code == 403
    case_a.refresh_from_db()
    assert case_a.gender == Gender.FEMALE
    assert PersonalDetails.objects.get(case=case_a).full_name == MARKER


def test_analyst_has_no_case_pages(case_a, users_a, login):
    client = login(users_a[Role.ANALYST])
    assert client.get(reverse("case-list")).status_code == 403
    assert client.get(reverse("case-detail", args=[case_a.pk])).status_code == 404


def test_team_caseworker_sees_personal_details_and_the_read_is_audited(case_a, caseworker_client):
    detail = caseworker_client.get(reverse("case-detail", args=[case_a.pk]))
    assert detail.status_code == 200
    assert MARKER not in detail.content.decode()
    assert reverse("case-personal", args=[case_a.pk]) in detail.content.decode()
    assert not AuditEvent.objects.filter(
        action=AuditAction.VIEWED
    ).exists()  # opening a case reads no identity

    response = caseworker_client.get(reverse("case-personal", args=[case_a.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert MARKER in page and "+45 11 22 33 44" in page
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action=AuditAction.VIEWED, target_id=str(case_a.pk))
    assert event.detail["purpose"] == "page"
    assert MARKER not in str(event.detail)


def test_detail_page_gives_the_support_sections_their_context(case_a, caseworker_client):
    response = caseworker_client.get(reverse("case-detail", args=[case_a.pk]))
    context = response.context
    assert context["case"] == case_a
    assert context["can_change"] is True and context["can_delete"] is True
    assert context["plan"] is None
    for key in ("services", "stays", "activities", "representatives", "tracings", "client_codes"):
        assert list(context[key]) == []
    assert context["warnings"] == []


def test_warnings_are_shown_on_the_case(users_a, open_case, caseworker_client):
    case = open_case(by=users_a[Role.CASEWORKER], estimated_age=15, unaccompanied_minor=True)
    response = english(caseworker_client).get(reverse("case-detail", args=[case.pk]))
    assert [w.code for w in response.context["warnings"]] == ["minor_without_representative"]
    assert "has no personal representative" in response.content.decode()


# --- Opening and changing a case ----------------------------------------------------------------------


def test_caseworker_opens_a_case_and_sees_its_number(caseworker_client, caseworker, org_a):
    form = caseworker_client.get(reverse("case-create"))
    assert form.status_code == 200
    assert "no-store" in form["Cache-Control"]
    # Date inputs get ISO dates whatever the language, or the browser shows them empty.
    assert f'value="{timezone.localdate().isoformat()}"' in form.content.decode()
    data = valid_case_data(contact_person=str(caseworker.pk))
    response = caseworker_client.post(reverse("case-create"), data, follow=True)
    case = Case.objects.get()
    assert response.redirect_chain == [(reverse("case-detail", args=[case.pk]), 302)]
    assert case.number == "RTA-2026-00001"
    assert case.number in next(str(m) for m in response.context["messages"])
    assert (case.organisation, case.nationality.code, case.age_at_opening) == (org_a, "RO", 24)
    assert case.languages == ["ro", "en"]
    assert sorted(case.exploitations.values_list("type", "sector")) == [
        (ExploitationType.BEGGING, ""),
        (ExploitationType.FORCED_LABOUR, ForcedLabourSector.AGRICULTURE),
    ]
    assert case.contact_person == caseworker
    assert PersonalDetails.objects.get(case=case).full_name == "Marker Person Beta"
    assert "Marker Person Beta" not in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date_of_birth": "2099-01-01", "estimated_age": ""}, "date_of_birth"),  # rule from the service
        ({"date_of_birth": "2026-04-01", "estimated_age": ""}, "date_of_birth"),  # born after opening
        ({"opened_on": "2099-01-01"}, "opened_on"),
        ({"nationality": "XX"}, "nationality"),
        ({"forced_labour_sector": ""}, "forced_labour_sector"),
        ({"date_of_birth": "2000-01-01"}, "estimated_age"),  # both an exact and an estimated age
        ({"languages": ["xx-not-a-language"]}, "languages"),
    ],
)
def test_bad_case_input_is_shown_next_to_the_field_and_nothing_is_saved(caseworker_client, overrides, field):
    data = valid_case_data(**overrides)
    response = caseworker_client.post(reverse("case-create"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Case.objects.count() == 0
    assert not PersonalDetails.objects.exists()
    # What was typed is still there.
    assert 'value="Marker Person Beta"' in response.content.decode()


def test_contact_person_of_another_organisation_cannot_be_chosen(caseworker_client, users_b):
    data = valid_case_data(contact_person=str(users_b[Role.CASEWORKER].pk))
    response = caseworker_client.post(reverse("case-create"), data)
    assert response.status_code == 400
    assert "contact_person" in response.context["form"].errors
    assert Case.objects.count() == 0


def test_caseworker_changes_the_case_facts(case_a, caseworker_client, users_a):
    url = reverse("case-update", args=[case_a.pk])
    form = caseworker_client.get(url)
    assert form.status_code == 200
    assert "full_name" not in form.context["form"].fields
    assert form.context["form"]["nationality"].value() == "NG"
    assert 'value="2026-03-01"' in form.content.decode()
    data = valid_case_data(
        gender=Gender.MALE,
        estimated_age="30",
        exploitation_types=[ExploitationType.SEXUAL],
        contact_person=str(users_a[Role.COORDINATOR].pk),
    )
    response = caseworker_client.post(url, data)
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert (case_a.gender, case_a.age_at_opening, case_a.nationality.code) == (Gender.MALE, 30, "RO")
    assert list(case_a.exploitations.values_list("type", flat=True)) == [ExploitationType.SEXUAL]
    assert case_a.contact_person == users_a[Role.COORDINATOR]
    assert case_a.team.filter(user=users_a[Role.COORDINATOR]).exists()
    event = CaseEvent.objects.filter(case=case_a, kind=EventKind.CHANGED).get()
    assert "gender" in event.data["fields"]


def test_a_future_opening_date_is_refused_on_change(case_a, caseworker_client):
    response = caseworker_client.post(
        reverse("case-update", args=[case_a.pk]), valid_case_data(opened_on="2099-01-01")
    )
    assert response.status_code == 400
    assert "opened_on" in response.context["form"].errors
    case_a.refresh_from_db()
    assert case_a.opened_on == datetime.date(2026, 3, 1)
    assert case_a.residence_status == ResidenceStatus.NO_LEGAL_RESIDENCE  # nothing else was saved either


def test_an_exact_age_cannot_be_overwritten_with_an_estimate(users_a, open_case, caseworker_client):
    case = open_case(
        by=users_a[Role.CASEWORKER], estimated_age=None, date_of_birth=datetime.date(2000, 1, 15)
    )
    response = caseworker_client.post(
        reverse("case-update", args=[case.pk]), valid_case_data(estimated_age="40")
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.age_at_opening, case.age_is_estimate) == (26, False)


# --- Closing, reopening, deleting ---------------------------------------------------------------------


def test_closing_before_opening_is_refused(case_a, caseworker_client):
    url = reverse("case-close", args=[case_a.pk])
    response = caseworker_client.post(url, {"closed_on": "2026-02-01", "reason": CloseReason.RETURNED})
    assert response.status_code == 400
    assert "closed_on" in response.context["form"].errors
    case_a.refresh_from_db()
    assert case_a.is_open


def test_closing_without_a_reason_is_refused(case_a, caseworker_client):
    response = caseworker_client.post(reverse("case-close", args=[case_a.pk]), {"closed_on": "2026-03-05"})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    case_a.refresh_from_db()
    assert case_a.is_open


def test_caseworker_closes_and_reopens_a_case(case_a, caseworker_client):
    assert caseworker_client.get(reverse("case-close", args=[case_a.pk])).status_code == 200
    response = caseworker_client.post(
        reverse("case-close", args=[case_a.pk]), {"closed_on": "2026-03-05", "reason": CloseReason.RETURNED}
    )
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert (case_a.status, case_a.closed_on) == (CaseStatus.CLOSED, datetime.date(2026, 3, 5))
    # Closing twice is refused by the service, and the message is shown.
    again = caseworker_client.post(
        reverse("case-close", args=[case_a.pk]), {"closed_on": "2026-03-05", "reason": CloseReason.RETURNED}
    )
    assert again.status_code == 400
    assert again.context["form"].non_field_errors()

    assert caseworker_client.get(reverse("case-reopen", args=[case_a.pk])).status_code == 405
    assert caseworker_client.post(reverse("case-reopen", args=[case_a.pk])).status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.POSSIBLE_VICTIM


def test_soft_deleted_case_disappears(case_a, caseworker_client):
    url = reverse("case-delete", args=[case_a.pk])
    assert caseworker_client.get(url).status_code == 200
    refused = caseworker_client.post(url, {"reason": "   "})
    assert refused.status_code == 400
    assert "reason" in refused.context["form"].errors
    assert caseworker_client.get(reverse("case-detail", args=[case_a.pk])).status_code == 200

    response = caseworker_client.post(url, {"reason": "Registered twice by mistake"})
    assert response.status_code == 302
    assert response["Location"] == reverse("case-list")
    assert caseworker_client.get(reverse("case-detail", args=[case_a.pk])).status_code == 404
    assert caseworker_client.get(reverse("case-history", args=[case_a.pk])).status_code == 404
    assert case_a.number not in numbers(caseworker_client.get(reverse("case-list"), {"status": "all"}))
    assert AuditEvent.objects.filter(action=AuditAction.DELETED, target_id=str(case_a.pk)).exists()


# --- Personal details ---------------------------------------------------------------------------------


def test_team_changes_personal_details(case_a, caseworker_client):
    url = reverse("case-personal-update", args=[case_a.pk])
    form = caseworker_client.get(url)
    assert form.status_code == 200
    assert "no-store" in form["Cache-Control"]
    assert form.context["form"]["full_name"].value() == MARKER
    data = {"full_name": "Marker Person Gamma", "date_of_birth": "2001-02-03", "phone_numbers": ""}
    response = caseworker_client.post(url, data)
    assert response.status_code == 302
    details = PersonalDetails.objects.get(case=case_a)
    assert (details.full_name, details.date_of_birth) == ("Marker Person Gamma", datetime.date(2001, 2, 3))
    case_a.refresh_from_db()
    assert (case_a.age_at_opening, case_a.age_is_estimate) == (25, False)


def test_future_date_of_birth_in_personal_details_is_refused(case_a, caseworker_client):
    response = caseworker_client.post(
        reverse("case-personal-update", args=[case_a.pk]),
        {"full_name": "Marker Person Delta", "date_of_birth": "2099-01-01"},
    )
    assert response.status_code == 400
    assert "date_of_birth" in response.context["form"].errors
    assert 'value="Marker Person Delta"' in response.content.decode()
    assert PersonalDetails.objects.get(case=case_a).full_name == MARKER


# --- Team ---------------------------------------------------------------------------------------------


def test_team_members_are_added_and_removed(case_a, caseworker_client, users_a, users_b, login):
    outreach = users_a[Role.OUTREACH_WORKER]
    url = reverse("case-team", args=[case_a.pk])
    page = caseworker_client.get(url)
    choices = [value for value, _label in page.context["add_form"].fields["user"].choices]
    assert outreach.pk in choices
    assert users_a[Role.CASEWORKER].pk not in choices  # already on the team
    assert users_b[Role.CASEWORKER].pk not in choices

    assert caseworker_client.post(url, {"action": "add", "user": outreach.pk}).status_code == 302
    assert case_a.team.filter(user=outreach).exists()
    refused = caseworker_client.post(url, {"action": "add", "user": users_b[Role.CASEWORKER].pk})
    assert refused.status_code == 400
    assert "user" in refused.context["add_form"].errors

    assert caseworker_client.post(url, {"action": "remove", "user": outreach.pk}).status_code == 302
    assert not case_a.team.filter(user=outreach).exists()


def test_the_contact_person_cannot_be_removed_from_the_team(users_a, open_case, caseworker_client):
    caseworker = users_a[Role.CASEWORKER]
    case = open_case(by=caseworker, contact_person=caseworker)
    response = caseworker_client.post(
        reverse("case-team", args=[case.pk]), {"action": "remove", "user": caseworker.pk}
    )
    assert response.status_code == 400
    assert response.context["remove_form"].errors
    assert case.team.filter(user=caseworker).exists()


def test_a_new_team_member_gets_the_personal_details(case_a, caseworker_client, users_a, client, login):
    outreach = users_a[Role.OUTREACH_WORKER]
    caseworker_client.post(reverse("case-team", args=[case_a.pk]), {"action": "add", "user": outreach.pk})
    client.logout()
    outreach_client = login(outreach)
    assert outreach_client.get(reverse("case-team", args=[case_a.pk])).context["can_change"] is False
    assert outreach_client.get(reverse("case-personal", args=[case_a.pk])).status_code == 200
    response = outreach_client.post(
        reverse("case-team", args=[case_a.pk]), {"action": "remove", "user": users_a[Role.CASEWORKER].pk}
    )
    assert response.status_code == 403


# --- List ---------------------------------------------------------------------------------------------


@pytest.fixture
def several_cases(users_a, open_case):
    """Four cases of A with different facts; the third is closed."""
    worker, coordinator = users_a[Role.CASEWORKER], users_a[Role.COORDINATOR]
    first = open_case(by=worker, opened_on=datetime.date(2026, 1, 10))
    second = open_case(
        by=coordinator,
        opened_on=datetime.date(2026, 2, 10),
        nationality="RO",
        residence_status=ResidenceStatus.EU_CITIZEN,
        exploitations=[(ExploitationType.SEXUAL, "")],
        contact_person=coordinator,
    )
    third = open_case(by=coordinator, opened_on=datetime.date(2026, 3, 10), nationality="TH")
    case_close(case=third, by=coordinator, closed_on=datetime.date(2026, 3, 11), reason=CloseReason.RETURNED)
    fourth = open_case(
        by=coordinator,
        opened_on=datetime.date(2026, 4, 10),
        nationality="RO",
        exploitations=[(ExploitationType.BEGGING, "")],
        contact_person=worker,
    )
    return first, second, third, fourth


def test_case_list_filters_and_sorts(several_cases, caseworker_client, users_a):
    first, second, third, fourth = (case.number for case in several_cases)
    url = reverse("case-list")

    def listed(**query):
        response = caseworker_client.get(url, query)
        assert response.status_code == 200
        return numbers(response)

    assert listed() == [fourth, second, first]  # open cases, newest first
    assert listed(status="all") == [fourth, third, second, first]
    assert listed(status=CaseStatus.CLOSED) == [third]
    assert listed(residence_status=ResidenceStatus.EU_CITIZEN) == [second]
    assert listed(nationality="RO") == [fourth, second]
    assert listed(exploitation=ExploitationType.SEXUAL) == [second]
    assert listed(exploitation=ExploitationType.FORCED_LABOUR, status="all") == [third, first]
    assert listed(mine="true") == [fourth, first]  # on the team of the first, contact of the fourth
    assert listed(contact_person=str(users_a[Role.COORDINATOR].pk)) == [second]
    assert listed(q=second[-5:]) == [second]
    assert listed(ordering="number") == [first, second, fourth]
    assert listed(ordering="-number") == [fourth, second, first]
    assert listed(ordering="opened_on", status="all") == [first, second, third, fourth]
    bad = caseworker_client.get(url, {"residence_status": "nowhere"})
    assert bad.status_code == 200
    assert numbers(bad) == []
    assert "residence_status" in bad.context["filter"].form.errors


def test_case_list_shows_the_columns_in_english(several_cases, caseworker_client):
    response = english(caseworker_client).get(reverse("case-list"), {"nationality": "RO"})
    page = response.content.decode()
    assert response.context["can_add"] is True
    assert reverse("case-create") in page
    for text in (
        "Romania",
        "EU citizen",
        "Sexual exploitation",
        "Begging",
        "Female",
        "24-26",
        'data-label="',
    ):
        assert text in page


def test_outreach_worker_gets_no_new_case_button(case_a, users_a, login):
    response = login(users_a[Role.OUTREACH_WORKER]).get(reverse("case-list"))
    assert response.context["can_add"] is False
    assert reverse("case-create") not in response.content.decode()


def test_case_list_query_count_does_not_grow_with_cases(
    users_a, open_case, caseworker_client, django_assert_max_num_queries
):
    worker = users_a[Role.CASEWORKER]
    open_case(by=worker, contact_person=worker)
    with django_assert_max_num_queries(20) as few:
        caseworker_client.get(reverse("case-list"))
    for index in range(24):
        open_case(
            by=worker,
            contact_person=users_a[Role.COORDINATOR] if index % 2 else worker,
            exploitations=[(ExploitationType.SEXUAL, ""), (ExploitationType.BEGGING, "")],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = caseworker_client.get(reverse("case-list"))
    assert response.context["page"].paginator.count == 25


# --- Timeline and history -----------------------------------------------------------------------------


def add_services(case, by, count):
    for _ in range(count):
        service_record(
            case=case,
            by=by,
            service_type=ServiceType.HEALTH_DOCTOR,
            mode=ServiceMode.RECEIVED,
            provided_on=datetime.date(2026, 3, 5),
        )


def test_timeline_paginates_and_reads_as_sentences(case_a, caseworker, caseworker_client):
    add_services(case_a, caseworker, 30)
    case_close(case=case_a, by=caseworker, closed_on=datetime.date(2026, 3, 6), reason=CloseReason.RETURNED)
    english(caseworker_client)
    url = reverse("case-timeline", args=[case_a.pk])
    first = caseworker_client.get(url)
    assert first.status_code == 200
    assert len(first.context["page"]) == 25
    page = first.content.decode()
    assert "Case closed: Returned to home country" in page
    assert "Health: doctor (received)" in page
    second = caseworker_client.get(url, {"page": 2})
    assert len(second.context["page"]) == 7  # 30 services, the closing and the opening
    assert "Case opened" in second.content.decode()


def test_timeline_query_count_does_not_grow_with_events(
    case_a, caseworker, caseworker_client, django_assert_max_num_queries
):
    url = reverse("case-timeline", args=[case_a.pk])
    with django_assert_max_num_queries(20) as few:
        caseworker_client.get(url)
    add_services(case_a, caseworker, 24)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = caseworker_client.get(url)
    assert len(response.context["page"]) == 25


def test_history_masks_personal_values_for_users_outside_the_team(case_a, users_a, login):
    personal_details_update(case=case_a, by=users_a[Role.CASEWORKER], full_name="Marker Person Epsilon")
    client = login(users_a[Role.OUTREACH_WORKER])
    response = client.get(reverse("case-history", args=[case_a.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "•••" in page
    assert "Marker" not in page and "11 22 33" not in page
    assert response.context["masked"] is True
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED).exists()


def test_history_shows_the_team_old_and_new_values_and_records_the_read(
    case_a, caseworker, caseworker_client
):
    personal_details_update(case=case_a, by=caseworker, full_name="Marker Person Epsilon")
    case_update(case=case_a, by=caseworker, residence_status=ResidenceStatus.ASYLUM_SEEKER)
    response = english(caseworker_client).get(reverse("case-history", args=[case_a.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert MARKER in page and "Marker Person Epsilon" in page
    assert "Asylum seeker" in page and "No legal residence" in page
    event = AuditEvent.objects.get(action=AuditAction.VIEWED, target_id=str(case_a.pk))
    assert event.detail["purpose"] == "history"


def test_history_query_count_does_not_grow_with_changes(
    case_a, caseworker, caseworker_client, django_assert_max_num_queries
):
    url = reverse("case-history", args=[case_a.pk])
    with django_assert_max_num_queries(30) as few:
        caseworker_client.get(url)
    statuses = [ResidenceStatus.ASYLUM_SEEKER, ResidenceStatus.REJECTED_ASYLUM_SEEKER]
    for index in range(10):
        case_update(case=case_a, by=caseworker, residence_status=statuses[index % 2])
        personal_details_update(case=case_a, by=caseworker, aliases=f"Alias {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = caseworker_client.get(url)
    assert len(response.context["rows"]) > 20
