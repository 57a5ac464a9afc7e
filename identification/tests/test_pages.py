"""The identification pages: presenting a case, evidence, the decision by the right authority, the work
queue and the tasks. Pages answer in Danish by default, so the tests look at status codes, context and form
errors."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from cases.choices import CaseStatus, ExploitationType, ResidenceStatus
from cmm.models import Role
from cmm.tests.factories import TEST_PASSWORD
from cmm.two_factor.testing import pass_second_factor
from identification.choices import Authority, Finding, Outcome, PresentedBy, TaskKind, TaskStatus
from identification.models import Attachment, CourtVerdict, Decision, IdentificationForm, PoliceAssessment
from identification.rules import competent_authority
from identification.services import (
    attachment_add,
    court_verdict_record,
    decision_record,
    presentation_set_residence_status,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 4, 1)
PDF = b"%PDF-1.4\n% a test document\n"


@pytest.fixture(autouse=True)
def fixed_today():
    moment = datetime.datetime(2026, 4, 1, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture(autouse=True)
def private_storage(monkeypatch):
    """Give Attachment.file the private storage object while the model names it by its alias.

    FileField does not resolve a storage alias (`storage="private"` stays a string and the first save fails);
    identification.models must pass a callable that returns storages["private"]. Until then this stands in
    for it; afterwards it changes nothing.
    """
    field = Attachment._meta.get_field("file")
    if isinstance(field.storage, str):
        monkeypatch.setattr(field, "storage", storages[field.storage])


@pytest.fixture
def login(db):
    """Log a user in through the real login form, each in a client of their own (the root `login` fixture
    shares one client, whose login page only redirects a user who is already logged in)."""

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
def us_presentation(case_a, caseworker, deciders, present):
    """Case A (no legal residence) presented: the Immigration Service decides."""
    return present(case_a, by=caseworker)


def url(name, obj, **kwargs):
    key = "case_id" if name in ("case-presentations", "presentation-create") else "pk"
    return reverse(name, kwargs={key: obj.pk, **kwargs})


def decide(presentation, by, outcome=Outcome.IDENTIFIED, **kwargs):
    return decision_record(
        presentation=presentation,
        by=by,
        outcome=outcome,
        decided_on=kwargs.pop("decided_on", datetime.date(2026, 3, 20)),
        exploitation_types=kwargs.pop("exploitation_types", [ExploitationType.FORCED_LABOUR]),
        **kwargs,
    )


def decision_data(**overrides):
    return {
        "outcome": Outcome.IDENTIFIED,
        "decided_on": "2026-03-20",
        "exploitation_types": [ExploitationType.FORCED_LABOUR],
        "reasons": "Indicators of forced labour in cleaning.",
        **overrides,
    }


def danish(text) -> str:
    with translation.override("da"):
        return str(text)


def upload(name="Marker Person Alpha passport.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Presenting ---------------------------------------------------------------------------------------


def test_a_person_without_legal_residence_is_presented_to_the_immigration_service(
    login, case_a, caseworker, deciders
):
    client = login(caseworker)
    page = client.get(url("case-presentations", case_a))
    assert page.status_code == 200
    assert page.context["can_present"] is True
    assert page.context["presentations"] == []

    form = client.get(url("presentation-create", case_a))
    assert form.status_code == 200
    assert form.context["route"].authority == Authority.IMMIGRATION_SERVICE
    assert form.context["form"]["presented_on"].value() == TODAY

    response = client.post(
        url("presentation-create", case_a), {"presented_on": "2026-03-10", "presented_by": PresentedBy.POLICE}
    )
    presentation = case_a.presentations.get()
    assert response.status_code == 302
    assert response["Location"] == url("presentation-detail", presentation)
    assert presentation.authority == Authority.IMMIGRATION_SERVICE
    assert presentation.authority_organisation == deciders["us"].memberships.get().organisation

    listed = client.get(url("case-presentations", case_a))
    assert [p.pk for p in listed.context["presentations"]] == [presentation.pk]
    assert listed.context["presentations"][0].rule == danish(
        competent_authority(ResidenceStatus.NO_LEGAL_RESIDENCE).explanation
    )
    assert listed.context["waiting"] is True


def test_an_eu_citizen_is_presented_to_cmm(login, open_case, caseworker, deciders):
    case = open_case(by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN)
    client = login(caseworker)

    form = client.get(url("presentation-create", case))
    assert form.context["route"].authority == Authority.CMM

    response = client.post(
        url("presentation-create", case), {"presented_on": "2026-03-10", "presented_by": PresentedBy.NGO}
    )
    assert response.status_code == 302
    presentation = case.presentations.get()
    assert presentation.authority == Authority.CMM
    assert presentation.authority_organisation == deciders["cmm"].memberships.get().organisation


def test_a_presentation_in_the_future_is_refused_and_the_input_kept(login, case_a, caseworker, deciders):
    response = login(caseworker).post(
        url("presentation-create", case_a), {"presented_on": "2026-04-02", "presented_by": PresentedBy.POLICE}
    )
    assert response.status_code == 400
    assert "presented_on" in response.context["form"].errors
    assert response.context["form"]["presented_by"].value() == PresentedBy.POLICE
    assert not case_a.presentations.exists()


def test_roles_without_the_permission_cannot_present(login, case_a, us_presentation, liaison):
    client = login(liaison)
    assert client.get(url("case-presentations", case_a)).context["can_present"] is False
    assert client.get(url("presentation-create", case_a)).status_code == 403


# --- Unknown residence --------------------------------------------------------------------------------


def test_an_unknown_residence_status_must_be_resolved_before_a_decision(
    login, open_case, caseworker, deciders, present
):
    case = open_case(by=caseworker, residence_status=ResidenceStatus.UNKNOWN)
    presentation = present(case, by=caseworker)
    assert presentation.authority == ""
    client = login(caseworker)

    detail = client.get(url("presentation-detail", presentation))
    assert detail.status_code == 200
    assert detail.context["residence_form"] is not None
    assert detail.context["refusal"] == danish(competent_authority(ResidenceStatus.UNKNOWN).explanation)

    refused = client.get(url("decision-create", presentation))
    assert refused.status_code == 403
    assert refused.context["exception"] == danish(competent_authority(ResidenceStatus.UNKNOWN).explanation)

    resolved = client.post(
        url("presentation-residence", presentation), {"residence_status": ResidenceStatus.NO_LEGAL_RESIDENCE}
    )
    assert resolved.status_code == 302
    presentation.refresh_from_db()
    assert presentation.authority == Authority.IMMIGRATION_SERVICE
    assert client.get(url("presentation-detail", presentation)).context["residence_form"] is None

    # The Immigration Service may now open the case and decide.
    liaison_client = login(deciders["us"])
    assert liaison_client.get(url("decision-create", presentation)).status_code == 200


def test_the_residence_form_is_only_for_roles_that_may_change_presentations(
    login, open_case, users_a, deciders, present
):
    case = open_case(by=users_a[Role.CASEWORKER], residence_status=ResidenceStatus.UNKNOWN)
    presentation = present(case, by=users_a[Role.CASEWORKER])
    client = login(users_a[Role.OUTREACH_WORKER])
    assert client.get(url("presentation-detail", presentation)).context["residence_form"] is None
    response = client.post(
        url("presentation-residence", presentation), {"residence_status": ResidenceStatus.EU_CITIZEN}
    )
    assert response.status_code == 403


# --- The wrong authority ------------------------------------------------------------------------------


def test_a_cmm_coordinator_cannot_decide_on_an_immigration_service_case(
    login, open_case, cmm_coordinator, deciders, present
):
    # CMM's own case, so the coordinator sees it; the person has no legal residence, so US decides.
    case = open_case(by=cmm_coordinator)
    presentation = present(case, by=cmm_coordinator)
    client = login(cmm_coordinator)

    detail = client.get(url("presentation-detail", presentation))
    assert detail.context["refusal"]

    page = client.get(url("decision-create", presentation))
    assert page.status_code == 403
    assert page.context["exception"] == detail.context["refusal"]
    assert danish(Authority.IMMIGRATION_SERVICE.label) in page.context["exception"]

    response = client.post(url("decision-create", presentation), decision_data())
    assert response.status_code == 403
    assert response.context["exception"] == detail.context["refusal"]
    assert not Decision.objects.exists()
    case.refresh_from_db()
    assert case.status != CaseStatus.IDENTIFIED


def test_the_liaison_cannot_decide_on_a_cmm_case(login, us_presentation, caseworker, liaison):
    # The residence status at presentation turns out to be EU citizen: CMM decides, and the Immigration
    # Service loses the access it was given when the case was first presented (issue 17).
    presentation_set_residence_status(
        presentation=us_presentation, by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN
    )
    client = login(liaison)
    assert client.get(url("decision-create", us_presentation)).status_code == 404
    assert client.post(url("decision-create", us_presentation), decision_data()).status_code == 404
    assert not Decision.objects.exists()
    assert client.get(url("presentation-detail", us_presentation)).status_code == 404


# --- The work queue and the decision ------------------------------------------------------------------


def test_the_liaison_decides_from_the_work_queue_and_cmm_gets_the_contact_person_task(
    login, case_a, us_presentation, liaison, cmm_coordinator
):
    client = login(liaison)
    queue = client.get(reverse("identification-queue"))
    assert queue.status_code == 200
    rows = list(queue.context["page"])
    assert [p.pk for p in rows] == [us_presentation.pk]
    assert rows[0].days_waiting == (TODAY - datetime.date(2026, 3, 10)).days

    # The Immigration Service was given access to the case when it was presented.
    assert client.get(url("case-presentations", case_a)).status_code == 200
    detail = client.get(url("presentation-detail", us_presentation))
    assert detail.status_code == 200
    assert detail.context["refusal"] is None
    assert detail.context["can_view_details"] is False

    form = client.get(url("decision-create", us_presentation))
    assert form.status_code == 200
    assert form.context["current"] is None
    assert form.context["form"]["exploitation_types"].value() == [ExploitationType.FORCED_LABOUR]
    assert form.context["form"]["decided_on"].value() == TODAY

    response = client.post(url("decision-create", us_presentation), decision_data())
    assert response.status_code == 302
    assert response["Location"] == url("presentation-detail", us_presentation)
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.IDENTIFIED
    decision = us_presentation.decisions.get()
    assert (decision.outcome, decision.decided_by, decision.authority) == (
        Outcome.IDENTIFIED,
        liaison,
        Authority.IMMIGRATION_SERVICE,
    )
    assert list(client.get(reverse("identification-queue")).context["page"]) == []

    tasks = login(cmm_coordinator).get(reverse("identification-tasks"))
    assert tasks.status_code == 200
    kinds = [(t.case_id, t.kind) for t in tasks.context["page"]]
    assert kinds == [(case_a.pk, TaskKind.APPOINT_CONTACT_PERSON)]


def test_the_work_queue_is_for_deciding_roles_only(login, caseworker, deciders):
    assert login(caseworker).get(reverse("identification-queue")).status_code == 403


def test_a_court_verdict_of_trafficking_forbids_not_identified(login, us_presentation, liaison):
    court_verdict_record(
        presentation=us_presentation,
        by=liaison,
        court="Københavns Byret",
        ruled_on=datetime.date(2026, 3, 15),
        finding=Finding.TRAFFICKED,
    )
    client = login(liaison)
    page = client.get(url("decision-create", us_presentation))
    assert page.context["verdict"].finding == Finding.TRAFFICKED

    response = client.post(
        url("decision-create", us_presentation), decision_data(outcome=Outcome.NOT_IDENTIFIED)
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["outcome"]
    assert form["reasons"].value() == "Indicators of forced labour in cleaning."
    assert not Decision.objects.exists()


def test_identified_without_forms_of_exploitation_is_refused_next_to_the_field(
    login, us_presentation, liaison
):
    response = login(liaison).post(
        url("decision-create", us_presentation), decision_data(exploitation_types=[])
    )
    assert response.status_code == 400
    assert "exploitation_types" in response.context["form"].errors


def test_a_correction_keeps_the_first_decision_in_the_history(login, us_presentation, liaison):
    first = decide(us_presentation, liaison)
    client = login(liaison)
    page = client.get(url("decision-create", us_presentation))
    assert page.status_code == 200
    assert page.context["current"] == first

    response = client.post(
        url("decision-create", us_presentation),
        decision_data(outcome=Outcome.WITHDRAWN, decided_on="2026-03-25", exploitation_types=[]),
    )
    assert response.status_code == 302
    second = us_presentation.decisions.exclude(pk=first.pk).get()
    assert second.corrects == first

    detail = client.get(url("presentation-detail", us_presentation))
    history = detail.context["decisions"]
    assert [d.pk for d in history] == [second.pk, first.pk]
    assert history[1].corrected_by == second
    assert history[0].corrected_by is None
    assert detail.context["current"] == second
    assert b"idhistory__item--corrected" in detail.content


# --- Evidence -----------------------------------------------------------------------------------------


def test_the_evidence_forms_save(login, us_presentation, caseworker, liaison):
    client = login(caseworker)
    detail = client.get(url("presentation-detail", us_presentation))
    assert detail.context["can"] == {"police": True, "form": True, "attachment": True, "verdict": True}

    assert client.get(url("police-assessment-create", us_presentation)).status_code == 200
    response = client.post(
        url("police-assessment-create", us_presentation),
        {"assessed_on": "2026-03-09", "finding": Finding.UNCLEAR, "text": "Met at a raid."},
    )
    assert response.status_code == 302
    assert PoliceAssessment.objects.get().finding == Finding.UNCLEAR

    assert client.get(url("identification-form-create", us_presentation)).status_code == 200
    response = client.post(
        url("identification-form-create", us_presentation),
        {
            "interviewed_on": "2026-03-12",
            "indicators": ["debt_bondage", "withholds_documents"],
            "interpreter_used": "on",
            "interpreter_language": "en",
            "narrative": "She was recruited for cleaning work.",
        },
    )
    assert response.status_code == 302
    form = IdentificationForm.objects.get()
    assert form.indicators == ["debt_bondage", "withholds_documents"]
    assert form.interpreter_used is True
    assert form.narrative == "She was recruited for cleaning work."

    response = client.post(
        url("verdict-create", us_presentation),
        {"court": "Retten i Glostrup", "ruled_on": "2026-03-15", "finding": Finding.TRAFFICKED},
    )
    assert response.status_code == 302
    assert CourtVerdict.objects.get().court == "Retten i Glostrup"

    detail = client.get(url("presentation-detail", us_presentation))
    assert detail.context["can_view_details"] is True
    assert detail.context["forms"][0].indicator_labels
    assert "She was recruited for cleaning work." in detail.content.decode()

    # The liaison reads the evidence but not the narrative, and the identification form is not theirs to fill.
    liaison_client = login(liaison)
    detail = liaison_client.get(url("presentation-detail", us_presentation))
    assert detail.context["can_view_details"] is False
    assert "She was recruited for cleaning work." not in detail.content.decode()
    # Nor the police's reasons: the page hides them as the API does (only the finding shows).
    assert "Met at a raid." not in detail.content.decode()
    with translation.override(detail["Content-Language"]):
        hidden = escape(gettext("Hidden: only the case team can read the police's reasons."))
        assert hidden in detail.content.decode()
    assert "Met at a raid." in client.get(url("presentation-detail", us_presentation)).content.decode()
    assert liaison_client.get(url("identification-form-create", us_presentation)).status_code == 403
    response = liaison_client.post(
        url("police-assessment-create", us_presentation),
        {"assessed_on": "2026-03-09", "finding": Finding.TRAFFICKED, "text": ""},
    )
    assert response.status_code == 302


def test_evidence_dated_in_the_future_is_refused_next_to_the_field(login, us_presentation, caseworker):
    response = login(caseworker).post(
        url("police-assessment-create", us_presentation),
        {"assessed_on": "2026-04-05", "finding": Finding.UNCLEAR, "text": "Typed text"},
    )
    assert response.status_code == 400
    assert "assessed_on" in response.context["form"].errors
    assert response.context["form"]["text"].value() == "Typed text"


def test_an_attachment_is_uploaded_and_downloaded_without_its_name(
    login, us_presentation, caseworker, liaison, users_a, users_b
):
    client = login(caseworker)
    assert client.get(url("attachment-create", us_presentation)).status_code == 200
    response = client.post(url("attachment-create", us_presentation), {"file": upload()})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    download_url = url("attachment-download", us_presentation, attachment_id=attachment.pk)

    download = client.get(download_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    disposition = download["Content-Disposition"]
    assert f"document-{attachment.pk}.pdf" in disposition
    assert "Marker" not in disposition and "passport" not in disposition
    assert download["Content-Type"] == "application/pdf"
    assert "no-store" in download["Cache-Control"]
    assert download["X-Content-Type-Options"] == "nosniff"

    detail = client.get(url("presentation-detail", us_presentation))
    assert "Marker Person Alpha passport.pdf" in detail.content.decode()

    # The deciding authority downloads too, but does not see the name.
    liaison_client = login(liaison)
    detail = liaison_client.get(url("presentation-detail", us_presentation))
    assert detail.context["can_download"] is True
    assert "Marker Person Alpha" not in detail.content.decode()
    assert liaison_client.get(download_url).status_code == 200

    # Another organisation does not find it; an outreach worker of the case's organisation may not have it.
    assert login(users_b[Role.CASEWORKER]).get(download_url).status_code == 404
    assert login(users_a[Role.OUTREACH_WORKER]).get(download_url).status_code == 403


def test_an_executable_is_refused(login, us_presentation, caseworker):
    response = login(caseworker).post(
        url("attachment-create", us_presentation),
        {"file": upload("setup.exe", b"MZ\x90\x00", "application/x-msdownload")},
    )
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert not Attachment.objects.exists()


def test_another_organisation_finds_none_of_the_presentation_pages(
    login, case_a, us_presentation, caseworker, users_b
):
    attachment = attachment_add(presentation=us_presentation, by=caseworker, uploaded_file=upload())
    client = login(users_b[Role.CASEWORKER])
    urls = [
        url("case-presentations", case_a),
        url("presentation-create", case_a),
        url("presentation-detail", us_presentation),
        url("presentation-residence", us_presentation),
        url("police-assessment-create", us_presentation),
        url("identification-form-create", us_presentation),
        url("attachment-create", us_presentation),
        url("attachment-download", us_presentation, attachment_id=attachment.pk),
        url("verdict-create", us_presentation),
        url("decision-create", us_presentation),
    ]
    for page in urls:
        assert client.get(page).status_code == 404, page
        assert client.post(page, {}).status_code in (404, 405), page


# --- Tasks --------------------------------------------------------------------------------------------


def test_marking_a_task_done_before_its_condition_is_met_shows_the_reason(
    login, case_a, us_presentation, liaison, cmm_coordinator
):
    decide(us_presentation, liaison)
    task = us_presentation.tasks.get(kind=TaskKind.APPOINT_CONTACT_PERSON)
    client = login(cmm_coordinator)
    response = client.post(
        reverse("identification-task-done", kwargs={"pk": task.pk}),
        {"next": "/identification/tasks/?status=all"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/identification/tasks/?status=all"
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    page = client.get(response["Location"])
    assert [m.level_tag for m in page.context["messages"]] == ["error"]


def test_a_task_is_marked_done_and_leaves_the_open_list(login, us_presentation, liaison, caseworker):
    decide(us_presentation, liaison)
    task = us_presentation.tasks.get(kind=TaskKind.START_REFLECTION)
    client = login(caseworker)
    open_tasks = client.get(reverse("identification-tasks"))
    assert [t.pk for t in open_tasks.context["page"]] == [task.pk]
    assert open_tasks.context["page"][0].overdue is True  # due on the day of the decision

    response = client.post(
        reverse("identification-task-done", kwargs={"pk": task.pk}), {"next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("identification-tasks")
    task.refresh_from_db()
    assert (task.status, task.done_on, task.done_by) == (TaskStatus.DONE, TODAY, caseworker)
    assert list(client.get(reverse("identification-tasks")).context["page"]) == []
    done = client.get(reverse("identification-tasks"), {"status": "done"})
    assert [t.pk for t in done.context["page"]] == [task.pk]


def test_another_organisation_cannot_complete_a_task(login, us_presentation, liaison, users_b):
    decide(us_presentation, liaison)
    task = us_presentation.tasks.get(kind=TaskKind.START_REFLECTION)
    response = login(users_b[Role.CASEWORKER]).post(
        reverse("identification-task-done", kwargs={"pk": task.pk})
    )
    assert response.status_code == 404


# --- Query counts -------------------------------------------------------------------------------------


def _present_new_case(open_case, present, by):
    return present(open_case(by=by), by=by)


def test_the_work_queue_lists_in_constant_queries(
    login, open_case, present, caseworker, liaison, deciders, django_assert_max_num_queries
):
    _present_new_case(open_case, present, caseworker)
    client = login(liaison)
    client.get(reverse("identification-queue"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("identification-queue"))
    for _ in range(4):
        _present_new_case(open_case, present, caseworker)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("identification-queue"))
    assert len(response.context["page"]) == 5


def test_the_task_list_lists_in_constant_queries(
    login, open_case, present, caseworker, liaison, cmm_coordinator, django_assert_max_num_queries
):
    decide(_present_new_case(open_case, present, caseworker), liaison)
    client = login(cmm_coordinator)
    client.get(reverse("identification-tasks"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("identification-tasks"))
    for _ in range(4):
        decide(_present_new_case(open_case, present, caseworker), liaison)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("identification-tasks"))
    assert len(response.context["page"]) == 5
