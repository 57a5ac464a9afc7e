"""Every read of identifying details writes one VIEWED event (field names, never values), and every export
one EXPORTED event. One test per read path."""

import datetime

import pytest
from rest_framework.test import APIClient

from cmm.models import AuditAction, AuditEvent, Role
from cmm.tests.test_api import token_client
from identification.choices import Finding
from identification.services import police_assessment_record

pytestmark = pytest.mark.django_db

MARKER = "Marker Person Alpha"  # the name the open_case fixture stores in the personal details


def reads(case, **filters):
    return AuditEvent.objects.filter(
        action=AuditAction.VIEWED, target_type__model="case", target_id=str(case.pk), **filters
    )


def assert_no_values(event):
    assert MARKER not in str(event.detail) and "+45" not in str(event.detail)


@pytest.mark.parametrize(
    ("url", "purpose"),
    [
        ("/cases/{pk}/personal/", "page"),
        ("/cases/{pk}/personal/edit/", "edit"),
        ("/cases/{pk}/history/", "history"),
    ],
)
def test_personal_details_pages_are_audited(url, purpose, case_a, users_a, login):
    caseworker = users_a[Role.CASEWORKER]
    response = login(caseworker).get(url.format(pk=case_a.pk), REMOTE_ADDR="10.3.3.3")
    assert response.status_code == 200

    event = reads(case_a, detail__purpose=purpose).get()
    assert event.actor == caseworker
    assert event.detail["what"] == "personal_details"
    assert set(event.detail["fields"]) == {"full_name", "phone_numbers"}
    assert event.ip_address == "10.3.3.3"  # the request's address, from the audit context
    assert_no_values(event)


def test_history_masked_for_non_team_is_not_a_read(case_a, users_a, login):
    response = login(users_a[Role.OUTREACH_WORKER]).get(f"/cases/{case_a.pk}/history/")
    assert response.status_code == 200
    assert MARKER.encode() not in response.content
    assert not reads(case_a).exists()


@pytest.mark.parametrize(
    ("url", "purpose"),
    [("/api/cases/{pk}/personal-details/", "api"), ("/api/cases/{pk}/history/", "api-history")],
)
def test_personal_details_endpoints_are_audited(url, purpose, case_a, users_a):
    client = token_client(APIClient(), users_a[Role.CASEWORKER])
    response = client.get(url.format(pk=case_a.pk))
    assert response.status_code == 200

    event = reads(case_a, detail__purpose=purpose).get()
    assert event.actor == users_a[Role.CASEWORKER]
    assert_no_values(event)


def test_case_status_report_reads_are_audited(case_a, users_a):
    from reports.documents.case_status import _personal_details

    rows = _personal_details(case_a, users_a[Role.CASEWORKER])
    assert rows
    assert reads(case_a, detail__purpose="report").count() == 1


@pytest.fixture
def presentation(case_a, users_a, deciders, present):
    presentation = present(case_a, by=users_a[Role.CASEWORKER])
    police_assessment_record(
        presentation=presentation,
        by=users_a[Role.CASEWORKER],
        assessed_on=datetime.date(2026, 3, 9),
        finding=Finding.TRAFFICKED,
        text=f"{MARKER} was met at the address",
    )
    return presentation


def test_presentation_page_audits_the_evidence_shown_to_the_team(presentation, case_a, users_a, login):
    response = login(users_a[Role.CASEWORKER]).get(f"/identification/{presentation.pk}/")
    assert response.status_code == 200

    event = reads(case_a, detail__what="identification_evidence").get()
    assert event.detail == {
        "what": "identification_evidence",
        "fields": [
            "police_assessment.text",
            "identification_form.narrative",
            "attachment.name",
            "court_verdict.court",
            "decision.reasons",
        ],
        "purpose": "page",
    }


def test_presentation_page_hides_the_evidence_from_a_non_team_reader(presentation, case_a, liaison, login):
    response = login(liaison).get(f"/identification/{presentation.pk}/")  # the deciding authority
    assert response.status_code == 200

    # The page shows the deciding authority the finding, not the police's identifying reasons (as the API).
    assert MARKER not in response.content.decode()
    assert not reads(case_a, detail__what="identification_evidence").exists()


def test_presentation_endpoint_audits_the_evidence_for_the_team_only(presentation, case_a, users_a, liaison):
    team = token_client(APIClient(), users_a[Role.CASEWORKER])
    assert team.get(f"/api/identification/presentations/{presentation.pk}/").status_code == 200
    event = reads(case_a, detail__what="identification_evidence").get()
    assert event.detail["purpose"] == "api" and len(event.detail["fields"]) == 5

    outsider = token_client(APIClient(), liaison)  # sees the presentation, not the identifying text
    body = outsider.get(f"/api/identification/presentations/{presentation.pk}/").json()
    assert MARKER not in str(body)
    assert reads(case_a, detail__what="identification_evidence").count() == 1


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("/outreach/contacts/export.csv", "contacts"),
        ("/outreach/meeting-place/export.csv", "meeting-sessions"),
        ("/outreach/clinics/export.csv", "clinic-consultations"),
        ("/outreach/hotline/export.csv", "hotline-calls"),
        ("/outreach/raids/export.csv", "police-raids"),
    ],
)
def test_outreach_exports_are_audited(url, what, users_a, login):
    user = users_a[Role.OUTREACH_WORKER]  # the outreach role may read (and export) every kind
    response = login(user).get(url, {"date_from": "2026-01-01"} if what != "contacts" else {})
    assert response.status_code == 200
    b"".join(response.streaming_content)

    event = AuditEvent.objects.get(action=AuditAction.EXPORTED, actor=user)
    assert event.detail["what"] == what and event.detail["format"] == "csv"
    assert event.target_label == what
