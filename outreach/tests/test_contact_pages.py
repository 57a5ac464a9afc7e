"""The outreach-contact pages: the quick form, the list and its filters, the CSV export, correcting a contact
and linking it to a case; access across organisations and roles; query counts."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.choices import EventKind, Gender, ResidenceStatus
from cases.models import CaseEvent
from cases.services import case_open, client_code_link
from cmm.models import Role
from outreach.choices import Indicator, OutreachService, Venue
from outreach.models import Contact

pytestmark = pytest.mark.django_db

NOTE = "Marker note Kappa"
CODE = "4K7QX-M2PA9"


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def local_input(value: datetime.datetime) -> str:
    """A time as <input type="datetime-local"> sends it."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def open_case(*, by, **overrides):
    values = {
        "organisation": by.memberships.get().organisation,
        "opened_on": datetime.date(2026, 1, 5),
        "gender": Gender.FEMALE,
        "residence_status": ResidenceStatus.NO_LEGAL_RESIDENCE,
        "nationality": "NG",
        "estimated_age": 24,
    }
    values.update(overrides)
    return case_open(by=by, **values)


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeff")  # so that Excel reads the file as UTF-8
    # Semicolons: the tests read Danish, and Danish Excel splits a CSV on semicolons (outreach.exports).
    assert body.splitlines()[0].count(";") > 3
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))


def listed(response) -> list[Contact]:
    return [contact for contact, _can_open in response.context["rows"]]


@pytest.fixture
def worker(users_a):
    return users_a[Role.OUTREACH_WORKER]


@pytest.fixture
def worker_client(worker, login):
    return login(worker)


# --- The quick form -----------------------------------------------------------------------------------


def test_the_form_opens_with_defaults_and_is_never_cached(worker_client):
    response = worker_client.get(reverse("contact-create"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    form = response.context["form"]
    assert form["gender"].value() == Gender.UNKNOWN
    assert form["age_band"].value() == "unknown"
    assert form["group_size"].value() == 1
    assert form["region"].value() == "hovedstaden"  # the organisation's region until a contact is logged
    assert form["venue"].value() is None
    assert form["form_token"].value()
    page = response.content.decode()
    # Every choice is a labelled input inside its chip, so a tap anywhere on the chip chooses.
    assert 'class="chip__input"' in page and 'name="venue" value="street"' in page


def test_a_typical_anonymous_contact_is_logged_from_a_few_chips_and_the_next_one_starts_there(
    worker, worker_client, org_a
):
    before = timezone.now()
    response = worker_client.post(
        reverse("contact-create"),
        {
            "venue": Venue.STREET,
            "gender": Gender.FEMALE,
            "age_band": "21-23",
            "indicators": [Indicator.WITHHOLDS_DOCUMENTS],
            "city": "Vesterbro",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("contact-create")
    contact = Contact.objects.get()
    assert (contact.organisation, contact.worker) == (org_a, worker)
    assert (contact.venue, contact.gender, contact.age_band) == (Venue.STREET, Gender.FEMALE, "21-23")
    assert contact.indicators == [Indicator.WITHHOLDS_DOCUMENTS] and contact.has_indicators
    assert contact.group_size == 1 and contact.first_time_met is False
    assert contact.case is None and contact.client_code == "" and contact.note == ""
    assert before <= contact.occurred_at <= timezone.now()

    english(worker_client)
    again = worker_client.get(response["Location"])
    assert again.status_code == 200
    messages = [str(m) for m in again.context["messages"]]
    edit_url = reverse("contact-update", args=[contact.pk])
    assert any("Kontakten er gemt." in m and edit_url in m for m in messages)
    form = again.context["form"]
    assert form["venue"].value() == Venue.STREET
    assert form["city"].value() == "Vesterbro"
    assert form["region"].value() == ""  # as last saved
    assert form["gender"].value() == Gender.UNKNOWN  # the person is new every time
    assert form["indicators"].value() in (None, [])


def test_save_and_view_list_goes_to_the_list(worker_client):
    response = worker_client.post(reverse("contact-create"), {"venue": Venue.BAR, "then": "list"})
    assert response.status_code == 302 and response["Location"] == reverse("contact-list")
    assert Contact.objects.get().venue == Venue.BAR


def test_a_full_contact_keeps_everything_given(worker_client):
    occurred = timezone.now() - datetime.timedelta(days=1)
    response = worker_client.post(
        reverse("contact-create"),
        {
            "venue": Venue.ASYLUM_CENTRE,
            "city": "Sandholm",
            "region": "hovedstaden",
            "gender": Gender.MALE,
            "age_band": "18-20",
            "first_time_met": "on",
            "indicators": [Indicator.DEBT_BONDAGE, Indicator.THREATS],
            "services_offered": [OutreachService.INFORMATION, OutreachService.HOTLINE_INFO],
            "group_size": "3",
            "nationality": "RO",
            "language": "ro",
            "occurred_at": local_input(occurred),
            "note": "Short note",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.venue == Venue.ASYLUM_CENTRE and contact.first_time_met is True
    assert contact.services_offered == [OutreachService.INFORMATION, OutreachService.HOTLINE_INFO]
    assert (contact.group_size, contact.nationality.code, contact.language) == (3, "RO", "ro")
    assert local_input(contact.occurred_at) == local_input(occurred)
    # A rare venue used last is shown among the first chips next time, chosen.
    form = worker_client.get(reverse("contact-create")).context["form"]
    shown, _more = form.venue_options()
    assert Venue.ASYLUM_CENTRE in [option.data["value"] for option in shown]


def test_a_save_sent_twice_logs_one_contact(worker_client):
    token = worker_client.get(reverse("contact-create")).context["form"]["form_token"].value()
    data = {"venue": Venue.STREET, "form_token": token}
    assert worker_client.post(reverse("contact-create"), data).status_code == 302
    assert worker_client.post(reverse("contact-create"), data).status_code == 302
    assert Contact.objects.count() == 1


@pytest.fixture
def case_b(users_b):
    return open_case(by=users_b[Role.CASEWORKER])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurred_at": "future"}, "occurred_at"),
        ({"venue": "moon"}, "venue"),
        ({"venue": ""}, "venue"),
        ({"indicators": ["looked_sad"]}, "indicators"),
        ({"services_offered": ["money"]}, "services_offered"),
        ({"group_size": "0"}, "group_size"),
        ({"group_size": "51"}, "group_size"),
        ({"group_size": "4", "client_code": CODE}, "group_size"),
        ({"client_code": "NOT-A-CODE"}, "client_code"),
        ({"case": "case_b"}, "case"),
        ({"gender": "robot"}, "gender"),
        ({"nationality": "XX"}, "nationality"),
    ],
)
def test_bad_input_is_refused_with_the_field_marked_and_nothing_saved(
    worker_client, case_b, overrides, field
):
    data = {"venue": Venue.STREET, "gender": Gender.FEMALE, "note": NOTE}
    data.update(overrides)
    if data.get("occurred_at") == "future":
        data["occurred_at"] = local_input(timezone.now() + datetime.timedelta(days=1))
    if data.get("case") == "case_b":
        data["case"] = str(case_b.pk)
    response = worker_client.post(reverse("contact-create"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert Contact.objects.count() == 0
    page = response.content.decode()
    # The error is listed above the form (the field may be far down on a phone) and what was typed stays.
    assert f'href="#{form[field].auto_id}"' in page
    assert NOTE in page


def test_the_case_picker_offers_the_open_cases_the_worker_may_see_by_number_only(
    users_a, worker, worker_client, case_b
):
    own = open_case(by=users_a[Role.CASEWORKER])
    response = worker_client.get(reverse("contact-create"))
    choices = [label for value, label in response.context["form"].fields["case"].choices if value]
    assert choices == [own.number]
    assert case_b.number not in response.content.decode()


def test_a_contact_with_a_case_shows_on_the_case_timeline(users_a, worker_client):
    case = open_case(by=users_a[Role.CASEWORKER])
    response = worker_client.post(
        reverse("contact-create"), {"venue": Venue.MASSAGE_CLINIC, "case": str(case.pk)}
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.case == case and contact.gender == Gender.FEMALE  # taken from the case
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CONTACT).count() == 1


def test_the_client_code_is_stored_normalised(worker_client):
    response = worker_client.post(
        reverse("contact-create"), {"venue": Venue.STREET, "client_code": "4k7qxm2pa9"}
    )
    assert response.status_code == 302
    assert Contact.objects.get().client_code == CODE


# --- Access -------------------------------------------------------------------------------------------


def test_another_organisation_cannot_reach_the_contact(worker, users_b, login, log_contact):
    contact = log_contact(by=worker, note=NOTE)
    client = login(users_b[Role.OUTREACH_WORKER])
    for name in ("contact-update", "contact-link"):
        url = reverse(name, args=[contact.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"venue": Venue.BAR, "case": ""}).status_code == 404
    missing = reverse("contact-update", args=[contact.pk + 1000])
    assert client.get(missing).status_code == 404
    listing = client.get(reverse("contact-list"))
    assert listing.status_code == 200 and listed(listing) == []
    assert reverse("contact-update", args=[contact.pk]) not in listing.content.decode()
    rows = csv_rows(client.get(reverse("contact-export")))
    assert len(rows) == 1  # the header only
    contact.refresh_from_db()
    assert contact.venue == Venue.STREET


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AUTHORITY_LIAISON, Role.ORG_ADMIN])
def test_roles_without_outreach_work_are_refused(users_a, worker, login, log_contact, role):
    contact = log_contact(by=worker)
    client = login(users_a[role])
    for name, args in [
        ("contact-list", []),
        ("contact-create", []),
        ("contact-export", []),
        ("contact-update", [contact.pk]),
        ("contact-link", [contact.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert client.post(reverse("contact-create"), {"venue": Venue.STREET}).status_code == 403
    assert Contact.objects.count() == 1


def test_a_caseworker_of_the_organisation_sees_and_corrects_the_contact(users_a, worker, login, log_contact):
    contact = log_contact(by=worker)
    client = login(users_a[Role.CASEWORKER])
    assert listed(client.get(reverse("contact-list"))) == [contact]
    assert client.get(reverse("contact-update", args=[contact.pk])).status_code == 200


# --- Correcting and linking ---------------------------------------------------------------------------


def test_the_edit_form_is_prefilled_and_saves_corrections(worker, worker_client, log_contact):
    contact = log_contact(by=worker, note=NOTE)
    response = worker_client.get(reverse("contact-update", args=[contact.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    form = response.context["form"]
    assert form["venue"].value() == Venue.STREET
    assert form["indicators"].value() == [Indicator.WITHHOLDS_DOCUMENTS]
    assert form["nationality"].value() == "NG"
    assert form["note"].value() == NOTE
    data = {
        "venue": Venue.BAR,
        "city": "Aarhus",
        "gender": Gender.FEMALE,
        "age_band": "24-26",
        "indicators": [],
        "group_size": "1",
        "nationality": "NG",
        "occurred_at": form["occurred_at"].value().strftime("%Y-%m-%dT%H:%M"),
        "note": NOTE,
    }
    response = worker_client.post(reverse("contact-update", args=[contact.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("contact-list")
    contact.refresh_from_db()
    assert (contact.venue, contact.city, contact.age_band) == (Venue.BAR, "Aarhus", "24-26")
    assert contact.indicators == [] and contact.has_indicators is False


def test_a_refused_correction_changes_nothing(worker, worker_client, log_contact):
    contact = log_contact(by=worker)
    response = worker_client.post(
        reverse("contact-update", args=[contact.pk]),
        {"venue": Venue.BAR, "group_size": "5", "client_code": CODE},
    )
    assert response.status_code == 400
    assert "group_size" in response.context["form"].errors
    contact.refresh_from_db()
    assert (contact.venue, contact.group_size, contact.client_code) == (Venue.STREET, 1, "")


def test_linking_a_contact_to_a_case_puts_it_on_the_case_timeline(
    users_a, worker, worker_client, log_contact
):
    case = open_case(by=users_a[Role.CASEWORKER])
    contact = log_contact(by=worker)
    page = worker_client.get(reverse("contact-link", args=[contact.pk]))
    assert page.status_code == 200
    assert [label for value, label in page.context["form"].fields["case"].choices if value] == [case.number]
    response = worker_client.post(reverse("contact-link", args=[contact.pk]), {"case": str(case.pk)})
    assert response.status_code == 302
    assert response["Location"] == reverse("case-timeline", args=[case.pk])
    contact.refresh_from_db()
    assert contact.case == case
    event = CaseEvent.objects.get(case=case, kind=EventKind.CONTACT)
    assert event.occurred_on == timezone.localtime(contact.occurred_at).date()
    timeline = worker_client.get(response["Location"])
    assert event in list(timeline.context["page"])


def test_a_contact_is_linked_by_the_client_code_its_case_carries(users_a, worker, worker_client, log_contact):
    caseworker = users_a[Role.CASEWORKER]
    case = open_case(by=caseworker)
    client_code_link(case=case, code=CODE, by=caseworker)
    contact = log_contact(by=worker)
    response = worker_client.post(reverse("contact-link", args=[contact.pk]), {"client_code": "4k7qx m2pa9"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.case == case
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CONTACT).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, None),
        ({"client_code": "NOT-A-CODE"}, "client_code"),
        ({"client_code": "ZZZZZ-ZZZZZ"}, "client_code"),
        ({"case": "case_b"}, "case"),
    ],
)
def test_linking_is_refused_without_a_case_the_worker_may_see(
    worker, worker_client, log_contact, case_b, data, field
):
    contact = log_contact(by=worker)
    if data.get("case") == "case_b":
        data = {"case": str(case_b.pk)}
    response = worker_client.post(reverse("contact-link", args=[contact.pk]), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert (field or "__all__") in errors
    contact.refresh_from_db()
    assert contact.case is None
    assert not CaseEvent.objects.filter(kind=EventKind.CONTACT).exists()


def test_a_group_contact_cannot_be_linked_to_one_case(users_a, worker, worker_client, log_contact):
    case = open_case(by=users_a[Role.CASEWORKER])
    contact = log_contact(by=worker, group_size=4)
    response = worker_client.post(reverse("contact-link", args=[contact.pk]), {"case": str(case.pk)})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    contact.refresh_from_db()
    assert contact.case is None


# --- List, filters, export ----------------------------------------------------------------------------


@pytest.fixture
def three_contacts(users_a, worker, log_contact):
    colleague = users_a[Role.CASEWORKER]
    now = timezone.now()
    return {
        "old": log_contact(by=worker, occurred_at=now - datetime.timedelta(days=40), venue=Venue.BAR),
        "recent": log_contact(by=worker, occurred_at=now - datetime.timedelta(days=2), indicators=[]),
        "colleague": log_contact(by=colleague, occurred_at=now - datetime.timedelta(days=1), note=NOTE),
    }


def test_the_list_shows_the_organisations_contacts_newest_first(worker_client, three_contacts):
    response = worker_client.get(reverse("contact-list"))
    assert response.status_code == 200
    c = three_contacts
    assert listed(response) == [c["colleague"], c["recent"], c["old"]]
    assert NOTE not in response.content.decode()


def test_the_list_filters(worker, users_a, worker_client, three_contacts):
    c = three_contacts
    today = timezone.localdate()

    def filtered(**query):
        response = worker_client.get(reverse("contact-list"), query)
        assert response.status_code == 200
        return response

    week_ago = (today - datetime.timedelta(days=7)).isoformat()
    assert listed(filtered(date_from=week_ago)) == [c["colleague"], c["recent"]]
    assert listed(filtered(date_to=week_ago)) == [c["old"]]
    assert listed(filtered(venue=Venue.BAR)) == [c["old"]]
    assert listed(filtered(worker=str(users_a[Role.CASEWORKER].pk))) == [c["colleague"]]
    assert listed(filtered(indicators="false")) == [c["recent"]]
    assert listed(filtered(indicators="true")) == [c["colleague"], c["old"]]

    reversed_range = filtered(date_from=today.isoformat(), date_to=week_ago)
    assert listed(reversed_range) == []
    assert "date_to" in reversed_range.context["filter"].form.errors
    assert reversed_range.context["filters_open"] is True


def test_the_csv_holds_the_filtered_rows_without_the_note(worker_client, three_contacts, worker, org_a):
    c = three_contacts
    response = worker_client.get(reverse("contact-export"), {"indicators": "true"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    filename = f"contacts-RTA-{timezone.localdate().isoformat()}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "no-store" in response["Cache-Control"]
    rows = csv_rows(response)
    header, body = rows[0], rows[1:]
    assert header == [
        "occurred_at",
        "venue",
        "city",
        "region",
        "case_number",
        "client_code",
        "gender",
        "nationality",
        "age_band",
        "group_size",
        "first_time_met",
        "indicators",
        "services_offered",
        "language",
        "worker",
    ]
    assert "note" not in header and all(NOTE not in cell for row in body for cell in row)
    assert len(body) == 2
    first = dict(zip(header, body[0], strict=True))
    occurred = timezone.localtime(c["colleague"].occurred_at)
    assert first["occurred_at"] == occurred.strftime("%Y-%m-%d %H:%M")  # local time, as the import reads it
    assert (first["venue"], first["nationality"], first["age_band"]) == ("street", "NG", "21-23")
    assert first["indicators"] == Indicator.WITHHOLDS_DOCUMENTS
    assert first["worker"] == c["colleague"].worker.username
    assert first["first_time_met"] == "yes"
    assert dict(zip(header, body[1], strict=True))["venue"] == Venue.BAR


def test_the_export_link_carries_the_filters(worker_client, three_contacts):
    response = worker_client.get(reverse("contact-list"), {"venue": Venue.BAR, "page": "1"})
    assert f"{reverse('contact-export')}?venue=bar" in response.content.decode()


def test_an_export_with_a_reversed_period_sends_the_user_back_to_the_filters(worker_client):
    query = {"date_from": "2026-03-02", "date_to": "2026-03-01"}
    response = worker_client.get(reverse("contact-export"), query)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("contact-list") + "?")


def test_free_text_cannot_become_a_spreadsheet_formula(worker, worker_client, log_contact):
    log_contact(by=worker, city="=HYPERLINK(1)")
    rows = csv_rows(worker_client.get(reverse("contact-export")))
    assert rows[1][2] == "'=HYPERLINK(1)"


def test_the_list_does_not_query_per_row(
    users_a, worker, worker_client, log_contact, django_assert_max_num_queries
):
    case = open_case(by=users_a[Role.CASEWORKER])
    log_contact(by=worker, case=case)
    with django_assert_max_num_queries(20) as few:
        worker_client.get(reverse("contact-list"))
    for index in range(24):
        log_contact(
            by=users_a[Role.CASEWORKER] if index % 2 else worker,
            case=case if index % 3 == 0 else None,
            client_code=CODE if index % 3 == 1 else "",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = worker_client.get(reverse("contact-list"))
    assert response.context["page"].paginator.count == 25


def test_the_export_does_not_query_per_row(
    users_a, worker, worker_client, log_contact, django_assert_max_num_queries
):
    case = open_case(by=users_a[Role.CASEWORKER])
    log_contact(by=worker, case=case)
    with django_assert_max_num_queries(20) as few:
        assert len(csv_rows(worker_client.get(reverse("contact-export")))) == 2
    for index in range(30):
        log_contact(by=users_a[Role.CASEWORKER] if index % 2 else worker, case=case if index % 2 else None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(csv_rows(worker_client.get(reverse("contact-export")))) == 32
