"""The identification API: the same routing, access and decision rules as the services, answered as
400/403/404, never 500."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from cases.choices import CaseStatus, ResidenceStatus
from cmm.models import AuditAction, AuditEvent, Role
from cmm.permissions import grant
from cmm.tests.test_api import token_client
from identification.choices import Authority, Outcome, PresentedBy, TaskKind, TaskStatus
from identification.models import Attachment, Decision, IdentificationForm, Presentation
from identification.rules import UNKNOWN_EXPLANATION, competent_authority
from identification.services import decision_record, police_assessment_record

pytestmark = pytest.mark.django_db

BASE = "/api/identification/"
TODAY = datetime.datetime(2026, 4, 1, 12, tzinfo=ZoneInfo("Europe/Copenhagen"))
MARKER = "Marker Person Alpha"  # the name the open_case fixture stores in the personal details
PDF = b"%PDF-1.4\n% a test document\n"


@pytest.fixture(autouse=True)
def today():
    """Every test runs on 2026-04-01; the fixtures present cases on 2026-03-10."""
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def client_for():
    """A fresh API client authenticated with the user's token (one client per user)."""

    def make(user):
        return token_client(APIClient(), user)

    return make


@pytest.fixture
def caseworker(users_a):
    """A's caseworker, who opens the cases and is therefore on their team."""
    return users_a[Role.CASEWORKER]


@pytest.fixture
def us_presentation(case_a, caseworker, deciders, present):
    """case_a (no legal residence) presented on 2026-03-10: the Immigration Service decides."""
    return present(case_a, by=caseworker)


def url(presentation, suffix=""):
    return f"{BASE}presentations/{presentation.pk}/{suffix}"


def explained(response, residence_status):
    """The routing rule as the response's language words it."""
    with translation.override(response["Content-Language"]):
        return competent_authority(residence_status).explanation


def decision_body(**overrides):
    body = {
        "outcome": "identified",
        "decided_on": "2026-03-20",
        "exploitation_types": ["forced_labour"],
        "reasons": "The indicators and the police's assessment agree.",
    }
    return {**body, **overrides}


def upload(name="Marker Person Alpha passport.pdf", content=PDF, content_type="application/pdf"):
    return {"file": SimpleUploadedFile(name, content, content_type=content_type)}


# --- Presenting -----------------------------------------------------------------------------------------


def test_caseworker_presents_a_case_and_the_answer_says_who_decides_and_why(
    case_a, caseworker, deciders, org_us, client_for
):
    body = {"case": case_a.pk, "presented_on": "2026-03-10", "presented_by": PresentedBy.POLICE}
    response = client_for(caseworker).post(f"{BASE}presentations/", body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["case"] == {"id": case_a.pk, "number": case_a.number}
    assert (data["residence_status"], data["authority"]) == ("no_legal_residence", "immigration_service")
    assert data["authority_organisation"] == {"id": org_us.pk, "name": org_us.name}
    assert data["rule"] == explained(response, ResidenceStatus.NO_LEGAL_RESIDENCE)
    assert (data["pending"], data["outcome"], data["decision"], data["decisions"]) == (True, None, None, [])
    assert data["decision_refusal"]  # a caseworker does not decide
    assert MARKER not in response.content.decode()
    assert Presentation.objects.get(pk=data["id"]).created_by == caseworker


@pytest.mark.parametrize(
    ("residence_status", "authority"),
    [
        (ResidenceStatus.NO_LEGAL_RESIDENCE, Authority.IMMIGRATION_SERVICE),
        (ResidenceStatus.ASYLUM_SEEKER, Authority.IMMIGRATION_SERVICE),
        (ResidenceStatus.REJECTED_ASYLUM_SEEKER, Authority.IMMIGRATION_SERVICE),
        (ResidenceStatus.EU_CITIZEN, Authority.CMM),
        (ResidenceStatus.RESIDENCE_PERMIT, Authority.CMM),
        (ResidenceStatus.DANISH_CITIZEN, Authority.CMM),
        (ResidenceStatus.UNKNOWN, None),
    ],
)
def test_the_residence_status_at_presentation_picks_the_authority(
    residence_status, authority, caseworker, open_case, deciders, org_us, org_cmm, client_for
):
    case = open_case(by=caseworker, residence_status=residence_status)
    body = {"case": case.pk, "presented_on": "2026-03-10", "presented_by": PresentedBy.NGO}
    response = client_for(caseworker).post(f"{BASE}presentations/", body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["authority"] == authority
    deciding = {Authority.IMMIGRATION_SERVICE: org_us.pk, Authority.CMM: org_cmm.pk, None: None}[authority]
    assert (data["authority_organisation"] or {}).get("id") == deciding
    assert data["rule"] == explained(response, residence_status)
    listed = client_for(caseworker).get(f"{BASE}presentations/", {"case": case.pk}).json()["results"]
    assert [(p["id"], p["authority"]) for p in listed] == [(data["id"], authority)]


def test_an_unknown_residence_status_must_be_resolved_before_a_decision(
    org_cmm, make_member, open_case, deciders, present, client_for
):
    # A case of CMM's own, so that its coordinator sees it before anyone is routed to decide.
    cmm_caseworker = make_member(org_cmm, Role.CASEWORKER)
    case = open_case(by=cmm_caseworker, residence_status=ResidenceStatus.UNKNOWN)
    presentation = present(case, by=cmm_caseworker)
    coordinator = client_for(deciders["cmm"])

    refused = coordinator.post(url(presentation, "decisions/"), decision_body(), format="json")
    assert refused.status_code == 400
    with translation.override(refused["Content-Language"]):
        assert refused.json() == {"non_field_errors": [str(UNKNOWN_EXPLANATION)]}
    detail = coordinator.get(url(presentation)).json()
    assert (detail["authority"], detail["authority_organisation"]) == (None, None)
    assert detail["decision_refusal"] == detail["rule"]

    resolved = client_for(cmm_caseworker).patch(
        url(presentation, "residence-status/"), {"residence_status": "eu_citizen"}, format="json"
    )
    assert resolved.status_code == 200, resolved.json()
    assert (resolved.json()["residence_status"], resolved.json()["authority"]) == ("eu_citizen", "cmm")
    assert resolved.json()["rule"] == explained(resolved, ResidenceStatus.EU_CITIZEN)
    case.refresh_from_db()
    assert case.residence_status == ResidenceStatus.UNKNOWN  # the case keeps its own

    decided = coordinator.post(url(presentation, "decisions/"), decision_body(), format="json")
    assert decided.status_code == 201, decided.json()
    assert decided.json()["authority"] == "cmm"


def test_the_residence_status_cannot_change_once_decided(us_presentation, caseworker, deciders, client_for):
    decided = client_for(deciders["us"]).post(
        url(us_presentation, "decisions/"), decision_body(), format="json"
    )
    assert decided.status_code == 201
    response = client_for(caseworker).patch(
        url(us_presentation, "residence-status/"), {"residence_status": "eu_citizen"}, format="json"
    )
    assert response.status_code == 400
    assert "residence_status" in response.json()


def test_a_status_changed_on_the_case_after_presentation_does_not_change_the_presentation(
    us_presentation, caseworker, client_for
):
    client = client_for(caseworker)
    changed = client.patch(
        f"/api/cases/{us_presentation.case_id}/", {"residence_status": "eu_citizen"}, format="json"
    )
    assert changed.status_code == 200, changed.json()

    data = client.get(url(us_presentation)).json()
    assert (data["residence_status"], data["authority"]) == ("no_legal_residence", "immigration_service")


def test_presenting_needs_a_visible_case_and_the_role(
    case_a, users_a, users_b, open_case, deciders, client_for
):
    other = open_case(by=users_b[Role.CASEWORKER])
    body = {"case": other.pk, "presented_on": "2026-03-10", "presented_by": "police"}
    response = client_for(users_a[Role.CASEWORKER]).post(f"{BASE}presentations/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"case"}

    body["case"] = case_a.pk
    for role in (Role.OUTREACH_WORKER, Role.ANALYST, Role.ORG_ADMIN):
        assert client_for(users_a[role]).post(f"{BASE}presentations/", body, format="json").status_code == 403
    assert client_for(deciders["us"]).post(f"{BASE}presentations/", body, format="json").status_code == 403
    assert not Presentation.objects.exists()


def test_a_second_presentation_waits_for_the_first_decision(us_presentation, caseworker, client_for):
    body = {"case": us_presentation.case_id, "presented_on": "2026-03-11", "presented_by": "cmm"}
    response = client_for(caseworker).post(f"{BASE}presentations/", body, format="json")
    assert response.status_code == 400
    assert "presented_on" in response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"presented_on": "2026-04-02"}, "presented_on"),
        ({"presented_on": "2026-02-30"}, "presented_on"),
        ({"presented_by": "neighbour"}, "presented_by"),
        ({"case": 2**40}, "case"),
        ({"case": "CMM-2026-00001"}, "case"),
        ({"case": None}, "case"),
    ],
)
def test_bad_presentation_input_is_400_naming_the_field(
    case_a, caseworker, deciders, client_for, body, field
):
    full = {"case": case_a.pk, "presented_on": "2026-03-10", "presented_by": "police", **body}
    response = client_for(caseworker).post(f"{BASE}presentations/", full, format="json")
    assert response.status_code == 400
    assert field in response.json()


# --- Lists ----------------------------------------------------------------------------------------------


def test_list_filters_by_case_authority_and_pending(caseworker, open_case, deciders, present, client_for):
    us = present(open_case(by=caseworker), by=caseworker)
    cmm = present(open_case(by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN), by=caseworker)
    decision_record(
        presentation=cmm,
        by=deciders["cmm"],
        outcome=Outcome.NOT_IDENTIFIED,
        decided_on=datetime.date(2026, 3, 20),
    )
    client = client_for(caseworker)

    def ids(**params):
        response = client.get(f"{BASE}presentations/", params)
        assert response.status_code == 200, response.json()
        return [p["id"] for p in response.json()["results"]]

    assert sorted(ids()) == sorted([us.pk, cmm.pk])
    assert ids(case=us.case_id) == [us.pk]
    assert ids(authority="cmm") == [cmm.pk]
    assert ids(authority="immigration_service") == [us.pk]
    assert ids(pending="true") == [us.pk]
    assert ids(pending="false") == [cmm.pk]
    decided = next(p for p in client.get(f"{BASE}presentations/").json()["results"] if p["id"] == cmm.pk)
    assert (decided["outcome"], decided["pending"]) == ("not_identified", False)


@pytest.mark.parametrize(("param", "value"), [("authority", "police"), ("case", "1.5"), ("case", "x")])
def test_unknown_filter_values_are_400(us_presentation, caseworker, client_for, param, value):
    response = client_for(caseworker).get(f"{BASE}presentations/", {param: value})
    assert response.status_code == 400
    assert param in response.json()


def test_the_liaison_sees_the_presented_case_and_decides_from_the_work_queue(
    us_presentation, deciders, client_for
):
    liaison = client_for(deciders["us"])

    listed = liaison.get(f"{BASE}presentations/").json()["results"]
    assert [p["id"] for p in listed] == [us_presentation.pk]
    queue = liaison.get(f"{BASE}queue/").json()
    assert [p["id"] for p in queue["results"]] == [us_presentation.pk]
    detail = liaison.get(url(us_presentation)).json()
    assert detail["decision_refusal"] is None
    assert detail["personal_details_shown"] is False

    decided = liaison.post(url(us_presentation, "decisions/"), decision_body(), format="json")
    assert decided.status_code == 201, decided.json()
    assert liaison.get(f"{BASE}queue/").json()["count"] == 0
    # CMM must appoint a contact person after the decision, so it can now open the case and its presentation.
    assert client_for(deciders["cmm"]).get(f"{BASE}presentations/").json()["count"] == 1


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.OUTREACH_WORKER, Role.ANALYST])
def test_the_queue_is_for_roles_that_decide(us_presentation, users_a, client_for, role):
    assert client_for(users_a[role]).get(f"{BASE}queue/").status_code == 403


def test_roles_without_presentations_are_refused_the_list(us_presentation, users_a, client_for):
    assert client_for(users_a[Role.ANALYST]).get(f"{BASE}presentations/").status_code == 403
    outreach = client_for(users_a[Role.OUTREACH_WORKER]).get(f"{BASE}presentations/")
    assert outreach.json()["count"] == 1


# --- Decisions ------------------------------------------------------------------------------------------


def test_the_immigration_service_decides_and_the_case_follows(us_presentation, deciders, client_for):
    response = client_for(deciders["us"]).post(
        url(us_presentation, "decisions/"), decision_body(), format="json"
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["outcome"], data["authority"], data["corrects"]) == (
        "identified",
        "immigration_service",
        None,
    )
    assert data["exploitation_types"] == ["forced_labour"]
    assert data["decided_by"]["id"] == deciders["us"].pk
    us_presentation.case.refresh_from_db()
    assert us_presentation.case.status == CaseStatus.IDENTIFIED


def test_a_cmm_coordinator_cannot_decide_for_the_immigration_service(
    org_cmm, make_member, open_case, deciders, present, client_for
):
    # A case of CMM's own, so that its coordinator sees it; the person has no legal residence.
    cmm_caseworker = make_member(org_cmm, Role.CASEWORKER)
    presentation = present(open_case(by=cmm_caseworker), by=cmm_caseworker)

    response = client_for(deciders["cmm"]).post(
        url(presentation, "decisions/"), decision_body(), format="json"
    )

    assert response.status_code == 403
    with translation.override(response["Content-Language"]):
        assert str(Authority.IMMIGRATION_SERVICE.label) in response.json()["detail"]
        assert (
            competent_authority(ResidenceStatus.NO_LEGAL_RESIDENCE).explanation in response.json()["detail"]
        )
    assert not Decision.objects.exists()


def test_the_liaison_cannot_decide_for_cmm(caseworker, open_case, deciders, org_us, present, client_for):
    presentation = present(
        open_case(by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN), by=caseworker
    )
    grant(
        "cases.view_case", presentation.case, organisation=org_us
    )  # shared with the liaison, e.g. by referral

    response = client_for(deciders["us"]).post(
        url(presentation, "decisions/"), decision_body(), format="json"
    )

    assert response.status_code == 403
    with translation.override(response["Content-Language"]):
        assert str(Authority.CMM.label) in response.json()["detail"]
        assert competent_authority(ResidenceStatus.EU_CITIZEN).explanation in response.json()["detail"]
    assert not Decision.objects.exists()
    cmm = client_for(deciders["cmm"]).post(url(presentation, "decisions/"), decision_body(), format="json")
    assert cmm.status_code == 201, cmm.json()


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.OUTREACH_WORKER])
def test_roles_that_do_not_decide_get_403(us_presentation, users_a, client_for, role):
    response = client_for(users_a[role]).post(
        url(us_presentation, "decisions/"), decision_body(), format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"]


def test_a_trafficked_verdict_forbids_not_identified(us_presentation, caseworker, deciders, client_for):
    verdict = client_for(caseworker).post(
        url(us_presentation, "verdicts/"),
        {"court": "Retten i Glostrup", "ruled_on": "2026-03-15", "finding": "trafficked"},
        format="json",
    )
    assert verdict.status_code == 201, verdict.json()
    assert verdict.json()["finding"] == "trafficked"

    liaison = client_for(deciders["us"])
    refused = liaison.post(
        url(us_presentation, "decisions/"), decision_body(outcome="not_identified"), format="json"
    )
    assert refused.status_code == 400
    assert set(refused.json()) == {"outcome"}

    assert liaison.post(url(us_presentation, "decisions/"), decision_body(), format="json").status_code == 201
    # The verdict binds the liaison's decision; the court's name is a personal text, for the case team only.
    verdicts = liaison.get(url(us_presentation)).json()["verdicts"]
    assert [(v["court"], v["finding"]) for v in verdicts] == [(None, "trafficked")]


def test_a_court_does_not_find_unclear(us_presentation, caseworker, client_for):
    body = {"court": "Retten i Glostrup", "ruled_on": "2026-03-15", "finding": "unclear"}
    response = client_for(caseworker).post(url(us_presentation, "verdicts/"), body, format="json")
    assert response.status_code == 400
    assert "finding" in response.json()


def test_a_correction_keeps_the_first_decision_in_the_history(us_presentation, deciders, client_for):
    liaison = client_for(deciders["us"])
    first = liaison.post(url(us_presentation, "decisions/"), decision_body(), format="json").json()

    again = liaison.post(
        url(us_presentation, "decisions/"), decision_body(outcome="withdrawn"), format="json"
    )
    assert again.status_code == 400
    assert "outcome" in again.json()

    correction = liaison.post(
        url(us_presentation, "decisions/"),
        decision_body(outcome="withdrawn", decided_on="2026-03-25", exploitation_types=[], correct=True),
        format="json",
    )
    assert correction.status_code == 201, correction.json()
    assert correction.json()["corrects"] == first["id"]

    detail = liaison.get(url(us_presentation)).json()
    assert detail["decision"]["id"] == correction.json()["id"]
    assert [d["id"] for d in detail["decisions"]] == [correction.json()["id"], first["id"]]
    assert [d["outcome"] for d in detail["decisions"]] == ["withdrawn", "identified"]
    assert (detail["outcome"], detail["pending"]) == ("withdrawn", False)


def test_correct_without_a_decision_is_400(us_presentation, deciders, client_for):
    response = client_for(deciders["us"]).post(
        url(us_presentation, "decisions/"), decision_body(correct=True), format="json"
    )
    assert response.status_code == 400
    assert "correct" in response.json()
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"decided_on": "2026-03-01"}, "decided_on"),
        ({"decided_on": "2026-04-02"}, "decided_on"),
        ({"exploitation_types": []}, "exploitation_types"),
        ({"exploitation_types": ["slavery"]}, "exploitation_types"),
        ({"exploitation_types": "sexual"}, "exploitation_types"),
        ({"correct": "perhaps"}, "correct"),
        ({"reasons": "x" * 50_000}, "reasons"),
    ],
)
def test_bad_decision_input_is_400_naming_the_field(us_presentation, deciders, client_for, body, field):
    response = client_for(deciders["us"]).post(
        url(us_presentation, "decisions/"), decision_body(**body), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Decision.objects.exists()


# --- Tasks ----------------------------------------------------------------------------------------------


def test_the_cmm_coordinator_must_appoint_a_contact_person_after_a_us_identification(
    us_presentation, caseworker, users_a, deciders, client_for
):
    assert (
        client_for(deciders["us"]).post(url(us_presentation, "decisions/"), decision_body()).status_code
        == 201
    )
    coordinator = client_for(deciders["cmm"])

    tasks = coordinator.get(f"{BASE}tasks/").json()["results"]
    assert [t["kind"] for t in tasks] == [TaskKind.APPOINT_CONTACT_PERSON]
    task = tasks[0]
    assert task["case"] == {"id": us_presentation.case_id, "number": us_presentation.case.number}
    assert (task["due_on"], task["status"], task["overdue"]) == ("2026-03-23", "open", True)
    own = client_for(caseworker).get(f"{BASE}tasks/").json()["results"]
    assert [t["kind"] for t in own] == [TaskKind.START_REFLECTION]

    refused = coordinator.post(f"{BASE}tasks/{task['id']}/done/")
    assert refused.status_code == 400
    assert "non_field_errors" in refused.json()

    appointed = client_for(caseworker).patch(
        f"/api/cases/{us_presentation.case_id}/",
        {"contact_person": users_a[Role.COORDINATOR].pk},
        format="json",
    )
    assert appointed.status_code == 200, appointed.json()
    done = coordinator.post(f"{BASE}tasks/{task['id']}/done/")
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["done_on"]) == (TaskStatus.DONE, "2026-04-01")
    assert done.json()["done_by"]["id"] == deciders["cmm"].pk

    assert coordinator.get(f"{BASE}tasks/").json()["count"] == 0
    assert [t["id"] for t in coordinator.get(f"{BASE}tasks/", {"status": "done"}).json()["results"]] == [
        task["id"]
    ]
    assert coordinator.get(f"{BASE}tasks/", {"status": "all"}).json()["count"] == 1
    bogus = coordinator.get(f"{BASE}tasks/", {"status": "bogus"})
    assert bogus.status_code == 400
    assert "status" in bogus.json()


def test_only_the_responsible_organisation_completes_a_task(
    us_presentation, caseworker, users_a, deciders, client_for
):
    decision_record(
        presentation=us_presentation,
        by=deciders["us"],
        outcome=Outcome.IDENTIFIED,
        decided_on=datetime.date(2026, 3, 20),
        exploitation_types=["forced_labour"],
    )
    appoint = us_presentation.tasks.get(kind=TaskKind.APPOINT_CONTACT_PERSON)
    # A's caseworker sees the case but not CMM's task; A's outreach worker cannot complete tasks at all.
    assert client_for(caseworker).post(f"{BASE}tasks/{appoint.pk}/done/").status_code == 404
    assert client_for(users_a[Role.OUTREACH_WORKER]).get(f"{BASE}tasks/").status_code == 403
    detail = client_for(caseworker).get(url(us_presentation)).json()
    assert {t["kind"] for t in detail["tasks"]} == {
        TaskKind.APPOINT_CONTACT_PERSON,
        TaskKind.START_REFLECTION,
    }


# --- Evidence -------------------------------------------------------------------------------------------


def test_police_assessment_text_is_shown_only_with_the_personal_details(
    us_presentation, caseworker, deciders, client_for
):
    body = {"assessed_on": "2026-03-09", "finding": "trafficked", "text": "Marker reasons of the police"}
    liaison = client_for(deciders["us"])
    recorded = liaison.post(url(us_presentation, "police-assessments/"), body, format="json")

    assert recorded.status_code == 201, recorded.json()
    assert (recorded.json()["finding"], recorded.json()["text"]) == ("trafficked", None)
    assert "no-store" in recorded["Cache-Control"]
    team = client_for(caseworker).get(url(us_presentation)).json()
    assert team["personal_details_shown"] is True
    assert [a["text"] for a in team["police_assessments"]] == ["Marker reasons of the police"]
    assert "Marker reasons" not in liaison.get(url(us_presentation)).content.decode()


def test_identification_form_narrative_is_shown_only_with_the_personal_details(
    us_presentation, caseworker, users_a, deciders, client_for
):
    body = {
        "interviewed_on": "2026-03-11",
        "indicators": ["debt_bondage", "withholds_documents", "debt_bondage"],
        "interpreter_used": True,
        "interpreter_language": "ro",
        "narrative": "Marker narrative of the interview",
    }
    recorded = client_for(caseworker).post(url(us_presentation, "identification-forms/"), body, format="json")

    assert recorded.status_code == 201, recorded.json()
    data = recorded.json()
    assert data["indicators"] == ["debt_bondage", "withholds_documents"]
    assert data["narrative"] == "Marker narrative of the interview"
    assert IdentificationForm.objects.get().filled_by == caseworker

    for user in (deciders["us"], users_a[Role.OUTREACH_WORKER], users_a[Role.COORDINATOR]):
        response = client_for(user).get(url(us_presentation))
        assert response.status_code == 200
        assert [f["narrative"] for f in response.json()["forms"]] == [None]
        assert [f["indicators"] for f in response.json()["forms"]] == [
            ["debt_bondage", "withholds_documents"]
        ]
        assert "Marker narrative" not in response.content.decode()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"indicators": ["looked_sad"]}, "indicators"),
        ({"indicators": "threats"}, "indicators"),
        ({"interviewed_on": "2024-01-01"}, "interviewed_on"),
        ({"interpreter_language": "Romanian"}, "interpreter_language"),
        ({"narrative": "x" * 50_000}, "narrative"),
    ],
)
def test_bad_identification_form_is_400(us_presentation, caseworker, client_for, body, field):
    full = {"interviewed_on": "2026-03-11", "indicators": ["threats"], **body}
    response = client_for(caseworker).post(url(us_presentation, "identification-forms/"), full, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_evidence_needs_the_role(us_presentation, users_a, deciders, client_for):
    outreach = client_for(users_a[Role.OUTREACH_WORKER])
    liaison = client_for(deciders["us"])
    form = {"interviewed_on": "2026-03-11", "indicators": ["threats"]}
    police = {"assessed_on": "2026-03-09", "finding": "unclear"}
    verdict = {"court": "Retten i Glostrup", "ruled_on": "2026-03-15", "finding": "trafficked"}

    assert liaison.post(url(us_presentation, "identification-forms/"), form, format="json").status_code == 403
    assert liaison.post(url(us_presentation, "attachments/"), upload(), format="multipart").status_code == 403
    assert (
        outreach.post(url(us_presentation, "police-assessments/"), police, format="json").status_code == 403
    )
    assert outreach.post(url(us_presentation, "verdicts/"), verdict, format="json").status_code == 403
    patch = outreach.patch(url(us_presentation, "residence-status/"), {"residence_status": "eu_citizen"})
    assert patch.status_code == 403
    assert not us_presentation.forms.exists() and not us_presentation.police_assessments.exists()


def test_attachment_upload_and_download_with_access_checks(
    us_presentation, caseworker, users_a, deciders, client_for
):
    team = client_for(caseworker)
    uploaded = team.post(url(us_presentation, "attachments/"), upload(), format="multipart")

    assert uploaded.status_code == 201, uploaded.json()
    data = uploaded.json()
    assert (data["name"], data["content_type"], data["size"]) == (
        "Marker Person Alpha passport.pdf",
        "application/pdf",
        len(PDF),
    )
    download = url(us_presentation, f"attachments/{data['id']}/")
    assert data["download"] == download
    attachment = Attachment.objects.get()
    assert MARKER not in attachment.file.name

    for user in (caseworker, deciders["us"]):  # the case team, and the deciding organisation
        response = client_for(user).get(download)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="document-{attachment.pk}.pdf"'
        assert "no-store" in response["Cache-Control"]
    readers = AuditEvent.objects.filter(action=AuditAction.VIEWED, detail__attachment=attachment.pk)
    assert set(readers.values_list("actor", flat=True)) == {caseworker.pk, deciders["us"].pk}

    # A's outreach worker and A's coordinator see the case, but neither its personal details nor decide.
    for role in (Role.OUTREACH_WORKER, Role.COORDINATOR):
        client = client_for(users_a[role])
        assert client.get(url(us_presentation)).status_code == 200
        refused = client.get(download)
        assert refused.status_code == 403, role
        assert refused.json()["detail"]
        listed = client.get(url(us_presentation)).json()["attachments"]
        assert [(a["name"], a["download"]) for a in listed] == [(None, None)]
    liaison_view = client_for(deciders["us"]).get(url(us_presentation))
    assert [(a["name"], a["download"]) for a in liaison_view.json()["attachments"]] == [(None, download)]
    assert MARKER not in liaison_view.content.decode()
    assert team.get(url(us_presentation, "attachments/999999/")).status_code == 404


def test_an_uploader_without_personal_details_does_not_get_the_file_name_back(
    us_presentation, users_a, client_for
):
    response = client_for(users_a[Role.COORDINATOR]).post(
        url(us_presentation, "attachments/"), upload(), format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["name"] is None
    assert MARKER not in response.content.decode()


def test_attachment_of_another_presentation_is_404(
    us_presentation, caseworker, open_case, deciders, present, client_for
):
    other = present(open_case(by=caseworker), by=caseworker)
    client = client_for(caseworker)
    created = client.post(url(other, "attachments/"), upload(), format="multipart").json()
    assert client.get(url(us_presentation, f"attachments/{created['id']}/")).status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        upload(content_type="application/x-msdownload", name="run.exe"),
        upload(content=b""),
        {"file": "not a file"},
        {},
    ],
)
def test_bad_attachments_are_400(us_presentation, caseworker, client_for, payload):
    response = client_for(caseworker).post(url(us_presentation, "attachments/"), payload, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()
    assert not Attachment.objects.exists()


# --- Who may do what ------------------------------------------------------------------------------------


@pytest.fixture
def decided(us_presentation, caseworker, deciders):
    """The US presentation with evidence, an identification and its tasks."""
    police_assessment_record(
        presentation=us_presentation,
        by=deciders["us"],
        assessed_on=datetime.date(2026, 3, 9),
        finding="trafficked",
        text="Marker reasons",
    )
    decision_record(
        presentation=us_presentation,
        by=deciders["us"],
        outcome=Outcome.IDENTIFIED,
        decided_on=datetime.date(2026, 3, 20),
        exploitation_types=["forced_labour"],
    )
    return us_presentation


def every_endpoint(presentation, attachment_id, task_id):
    """(method, url, valid body, format) for every endpoint under one presentation or task."""
    reads = [
        ("get", url(presentation), None, None),
        ("get", url(presentation, f"attachments/{attachment_id}/"), None, None),
    ]
    writes = [
        ("patch", url(presentation, "residence-status/"), {"residence_status": "eu_citizen"}, "json"),
        (
            "post",
            url(presentation, "police-assessments/"),
            {"assessed_on": "2026-03-09", "finding": "unclear", "text": "T"},
            "json",
        ),
        (
            "post",
            url(presentation, "identification-forms/"),
            {"interviewed_on": "2026-03-11", "indicators": ["threats"], "narrative": "N"},
            "json",
        ),
        ("post", url(presentation, "attachments/"), upload(), "multipart"),
        (
            "post",
            url(presentation, "verdicts/"),
            {"court": "Retten i Glostrup", "ruled_on": "2026-03-15", "finding": "trafficked"},
            "json",
        ),
        ("post", url(presentation, "decisions/"), decision_body(outcome="withdrawn", correct=True), "json"),
        ("post", f"{BASE}tasks/{task_id}/done/", {}, "json"),
    ]
    return reads, writes


def call(client, method, path, body, fmt):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, format=fmt)


def test_every_presentation_endpoint_is_404_for_another_organisation(
    decided, caseworker, users_b, client_for
):
    attachment = (
        client_for(caseworker).post(url(decided, "attachments/"), upload(), format="multipart").json()
    )
    task = decided.tasks.get(kind=TaskKind.START_REFLECTION)
    reads, writes = every_endpoint(decided, attachment["id"], task.pk)
    for role in (Role.CASEWORKER, Role.COORDINATOR):
        client = client_for(users_b[role])
        for method, path, body, fmt in reads + writes:
            if method == "post" and fmt == "multipart":
                body = upload()
            response = call(client, method, path, body, fmt)
            assert response.status_code == 404, (role, method, path, response.status_code)
            assert MARKER not in response.content.decode()
        assert client.get(f"{BASE}presentations/").json()["count"] == 0
        assert client.get(f"{BASE}presentations/", {"case": decided.case_id}).json()["count"] == 0
        assert client.get(f"{BASE}tasks/", {"status": "all"}).json()["count"] == 0
    assert client_for(users_b[Role.COORDINATOR]).get(f"{BASE}queue/").json()["count"] == 0

    decided.refresh_from_db()
    assert decided.residence_status == ResidenceStatus.NO_LEGAL_RESIDENCE
    assert decided.police_assessments.count() == 1 and decided.attachments.count() == 1
    assert not decided.forms.exists() and not decided.verdicts.exists()
    assert decided.decisions.count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED, actor__in=users_b.values()).exists()


GARBAGE = [None, [], [1, 2], {"a": 1}, 10**30, -1, "x" * 50_000, "\x00", "a\x00b", "2026-02-30", "0001-01-01"]


def test_garbage_input_is_never_a_server_error(decided, caseworker, open_case, deciders, client_for):
    team = client_for(caseworker)
    attachment = team.post(url(decided, "attachments/"), upload(), format="multipart").json()
    task = decided.tasks.get(kind=TaskKind.START_REFLECTION)
    _reads, writes = every_endpoint(decided, attachment["id"], task.pk)
    clients = {"team": team, "us": client_for(deciders["us"])}
    for method, path, body, fmt in writes:
        client = clients["us"] if "decisions" in path else team
        for whole in ([1, 2], "text", 5, None):
            response = call(client, method, path, whole if whole is not None else {}, "json")
            assert response.status_code < 500, (method, path, whole)
        for field in body:
            for value in GARBAGE:
                if fmt == "multipart":
                    payload = {field: value} if isinstance(value, str) and "\x00" not in value else {}
                else:
                    payload = {**body, field: value}
                response = call(client, method, path, payload, fmt)
                assert response.status_code < 500, (method, path, field, repr(value)[:40])

    presenting = {"case": open_case(by=caseworker).pk, "presented_on": "2026-03-10", "presented_by": "police"}
    for field in presenting:
        for value in GARBAGE:
            response = team.post(f"{BASE}presentations/", {**presenting, field: value}, format="json")
            assert response.status_code < 500, (field, repr(value)[:40])
    for param in ("case", "authority", "pending", "page"):
        for value in ("x" * 5000, "99999999999999999999", "-1", "\x00"):
            response = team.get(f"{BASE}presentations/", {param: value})
            assert response.status_code < 500, (param, value[:20])
    assert team.get(f"{BASE}presentations/99999999999999999999/").status_code == 404
    assert team.get(f"{BASE}tasks/", {"status": "\x00"}).status_code == 400


# --- Schema and query counts ----------------------------------------------------------------------------


def test_schema_lists_the_identification_paths(client, users_a, login):
    login(users_a[Role.CASEWORKER])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert {
        "/api/identification/presentations/",
        "/api/identification/presentations/{id}/",
        "/api/identification/presentations/{id}/residence-status/",
        "/api/identification/presentations/{id}/police-assessments/",
        "/api/identification/presentations/{id}/identification-forms/",
        "/api/identification/presentations/{id}/attachments/",
        "/api/identification/presentations/{id}/attachments/{attachment_id}/",
        "/api/identification/presentations/{id}/verdicts/",
        "/api/identification/presentations/{id}/decisions/",
        "/api/identification/queue/",
        "/api/identification/tasks/",
        "/api/identification/tasks/{id}/done/",
    } <= set(schema.json()["paths"])


def _present_many(count, *, by, open_case, present, deciders, decide_every=0):
    presentations = []
    for number in range(count):
        presentation = present(open_case(by=by), by=by)
        if decide_every and number % decide_every == 0:
            decision_record(
                presentation=presentation,
                by=deciders["us"],
                outcome=Outcome.IDENTIFIED,
                decided_on=datetime.date(2026, 3, 20),
                exploitation_types=["sexual"],
            )
        presentations.append(presentation)
    return presentations


@pytest.mark.parametrize("who", ["caseworker", "liaison"])
def test_presentation_list_query_count_does_not_grow(
    who, caseworker, open_case, deciders, present, client_for, django_assert_max_num_queries
):
    client = client_for(caseworker if who == "caseworker" else deciders["us"])
    _present_many(1, by=caseworker, open_case=open_case, present=present, deciders=deciders, decide_every=1)
    with django_assert_max_num_queries(20) as few:
        assert client.get(f"{BASE}presentations/").json()["count"] == 1
    _present_many(20, by=caseworker, open_case=open_case, present=present, deciders=deciders, decide_every=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"{BASE}presentations/").json()["count"] == 21


def test_work_queue_query_count_does_not_grow(
    caseworker, open_case, deciders, present, client_for, django_assert_max_num_queries
):
    liaison = client_for(deciders["us"])
    _present_many(1, by=caseworker, open_case=open_case, present=present, deciders=deciders)
    with django_assert_max_num_queries(20) as few:
        assert liaison.get(f"{BASE}queue/").json()["count"] == 1
    _present_many(20, by=caseworker, open_case=open_case, present=present, deciders=deciders, decide_every=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert liaison.get(f"{BASE}queue/").json()["count"] == 14


def test_task_list_query_count_does_not_grow(
    caseworker, open_case, deciders, present, client_for, django_assert_max_num_queries
):
    coordinator = client_for(deciders["cmm"])
    _present_many(1, by=caseworker, open_case=open_case, present=present, deciders=deciders, decide_every=1)
    with django_assert_max_num_queries(20) as few:
        assert coordinator.get(f"{BASE}tasks/").json()["count"] == 1
    _present_many(20, by=caseworker, open_case=open_case, present=present, deciders=deciders, decide_every=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert coordinator.get(f"{BASE}tasks/", {"status": "all"}).json()["count"] == 21
