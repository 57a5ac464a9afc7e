"""The rules of identification, through the services: presenting a case, who may decide, what a decision
sets off, and completing the tasks that follow.

"Today" is 1 April 2026 (Copenhagen) in every test here. Cases open on 1 March 2026, are presented on
10 March and decided on 20 March unless a test says otherwise.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from cases.choices import CaseStatus, CloseReason, EventKind, ExploitationType, ResidenceStatus
from cases.models import CaseEvent
from cases.selectors import case_list_for_user
from cases.services import case_close, case_update, representative_appoint
from cmm.models import OrganisationKind, Role
from cmm.services import organisation_create
from identification.choices import Authority, Finding, Outcome, PresentedBy, TaskKind, TaskStatus
from identification.models import Decision, IdentificationTask, Presentation
from identification.rules import competent_authority
from identification.services import (
    attachment_add,
    attachment_open,
    court_verdict_record,
    decision_record,
    presentation_create,
    presentation_set_residence_status,
    task_complete,
)

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
TODAY = datetime.date(2026, 4, 1)
PRESENTED = datetime.date(2026, 3, 10)
DECIDED = datetime.date(2026, 3, 20)


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(datetime.datetime(2026, 4, 1, 12, 0, tzinfo=CPH)):
        yield TODAY


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in English; the Danish texts are the catalogue's business.
    with translation.override("en"):
        yield


@pytest.fixture
def caseworker(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def us_case(caseworker, open_case):
    """A case of NGO A: a person without legal residence, so the Immigration Service decides."""
    return open_case(by=caseworker, residence_status=ResidenceStatus.NO_LEGAL_RESIDENCE)


@pytest.fixture
def cmm_case(caseworker, open_case):
    """A case of NGO A: an EU citizen, so CMM decides."""
    return open_case(by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN)


def decide(presentation, by, outcome=Outcome.IDENTIFIED, decided_on=DECIDED, **kwargs):
    if outcome == Outcome.IDENTIFIED:
        kwargs.setdefault("exploitation_types", [ExploitationType.FORCED_LABOUR])
    return decision_record(presentation=presentation, by=by, outcome=outcome, decided_on=decided_on, **kwargs)


def open_tasks(presentation):
    return {
        t.kind: t
        for t in IdentificationTask.objects.filter(presentation=presentation, status=TaskStatus.OPEN)
    }


# --- Presenting a case --------------------------------------------------------------------------------


def test_presentation_copies_the_case_facts_at_presentation(caseworker, open_case, deciders, present):
    # 16 when the case opened a year earlier: 17 by the day of presentation.
    case = open_case(
        by=caseworker,
        opened_on=datetime.date(2025, 3, 5),
        estimated_age=16,
        unaccompanied_minor=True,
        residence_status=ResidenceStatus.ASYLUM_SEEKER,
    )

    presentation = present(case, by=caseworker)

    presentation.refresh_from_db()
    assert presentation.residence_status == ResidenceStatus.ASYLUM_SEEKER
    assert presentation.age_at_presentation == 17 == case.age_on(PRESENTED)
    assert presentation.unaccompanied_minor is True
    assert presentation.presented_on == PRESENTED
    assert presentation.presented_by == PresentedBy.POLICE
    assert presentation.created_by == caseworker


def test_age_is_empty_when_the_case_has_no_age(caseworker, open_case, deciders, present):
    case = open_case(by=caseworker, estimated_age=None)
    assert present(case, by=caseworker).age_at_presentation is None


@pytest.mark.parametrize(
    "status",
    [
        ResidenceStatus.NO_LEGAL_RESIDENCE,
        ResidenceStatus.ASYLUM_SEEKER,
        ResidenceStatus.REJECTED_ASYLUM_SEEKER,
    ],
)
def test_immigration_service_decides_without_legal_residence(
    status, caseworker, open_case, deciders, org_us, present
):
    presentation = present(open_case(by=caseworker, residence_status=status), by=caseworker)
    assert presentation.authority == Authority.IMMIGRATION_SERVICE
    assert presentation.authority_organisation == org_us


@pytest.mark.parametrize(
    "status", [ResidenceStatus.EU_CITIZEN, ResidenceStatus.RESIDENCE_PERMIT, ResidenceStatus.DANISH_CITIZEN]
)
def test_cmm_decides_for_legal_residents(status, caseworker, open_case, deciders, org_cmm, present):
    presentation = present(open_case(by=caseworker, residence_status=status), by=caseworker)
    assert presentation.authority == Authority.CMM
    assert presentation.authority_organisation == org_cmm


def test_cmm_decides_for_a_minor_with_legal_residence_too(caseworker, open_case, deciders, org_cmm, present):
    case = open_case(
        by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN, estimated_age=14, unaccompanied_minor=True
    )
    assert present(case, by=caseworker).authority_organisation == org_cmm


def test_unknown_residence_status_is_presented_without_an_authority(caseworker, open_case, deciders, present):
    case = open_case(by=caseworker, residence_status=ResidenceStatus.UNKNOWN)

    presentation = present(case, by=caseworker)

    assert presentation.authority == ""
    assert presentation.authority_organisation is None
    assert case not in case_list_for_user(user=deciders["us"])
    assert case not in case_list_for_user(user=deciders["cmm"])


def test_presenting_shares_the_case_with_the_immigration_service(us_case, caseworker, deciders, present):
    liaison = deciders["us"]
    assert us_case not in case_list_for_user(user=liaison)

    present(us_case, by=caseworker)

    assert us_case in case_list_for_user(user=liaison)
    # Only the deciding organisation: CMM is not given the case by a presentation to the Immigration Service.
    assert us_case not in case_list_for_user(user=deciders["cmm"])


def test_presenting_shares_the_case_with_cmm_for_a_legal_resident(cmm_case, caseworker, deciders, present):
    coordinator = deciders["cmm"]
    assert cmm_case not in case_list_for_user(user=coordinator)

    present(cmm_case, by=caseworker)

    assert cmm_case in case_list_for_user(user=coordinator)
    assert cmm_case not in case_list_for_user(user=deciders["us"])


def test_presenting_does_not_share_with_another_ngo(us_case, caseworker, users_b, deciders, present):
    present(us_case, by=caseworker)
    assert us_case not in case_list_for_user(user=users_b[Role.COORDINATOR])


def test_a_later_change_on_the_case_leaves_the_presentation_alone(us_case, caseworker, deciders, present):
    presentation = present(us_case, by=caseworker)

    case_update(
        case=us_case, by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN, unaccompanied_minor=True
    )

    presentation.refresh_from_db()
    assert presentation.residence_status == ResidenceStatus.NO_LEGAL_RESIDENCE
    assert presentation.authority == Authority.IMMIGRATION_SERVICE
    assert presentation.unaccompanied_minor is False
    # ... and the Immigration Service still decides.
    decide(presentation, deciders["us"])


def test_a_second_presentation_while_one_waits_is_refused(us_case, caseworker, deciders, present):
    present(us_case, by=caseworker)

    with pytest.raises(ValidationError) as error:
        present(us_case, by=caseworker, presented_on=datetime.date(2026, 3, 12))

    assert "presented_on" in error.value.message_dict
    assert Presentation.objects.filter(case=us_case).count() == 1


def test_a_new_presentation_is_possible_once_the_first_is_decided(us_case, caseworker, deciders, present):
    first = present(us_case, by=caseworker)
    decide(first, deciders["us"], Outcome.NOT_IDENTIFIED)

    second = present(us_case, by=caseworker, presented_on=datetime.date(2026, 3, 25))

    assert Presentation.objects.filter(case=us_case).count() == 2
    assert second.pk != first.pk


def test_a_presentation_in_the_future_is_refused(us_case, caseworker, deciders, present):
    with pytest.raises(ValidationError) as error:
        present(us_case, by=caseworker, presented_on=TODAY + datetime.timedelta(days=1))
    assert "presented_on" in error.value.message_dict
    assert not Presentation.objects.exists()


def test_a_presentation_today_is_accepted(us_case, caseworker, deciders, present):
    assert present(us_case, by=caseworker, presented_on=TODAY).presented_on == TODAY


def test_presenting_writes_the_timeline_event(us_case, caseworker, deciders, present):
    present(us_case, by=caseworker)

    event = CaseEvent.objects.get(case=us_case, kind=EventKind.IDENTIFICATION)
    assert event.occurred_on == PRESENTED
    assert event.actor == caseworker
    assert event.data == {"step": "presented", "authority": Authority.IMMIGRATION_SERVICE}


@pytest.mark.parametrize(
    ("status", "missing"),
    [
        (ResidenceStatus.ASYLUM_SEEKER, "Danish Immigration Service"),
        (ResidenceStatus.DANISH_CITIZEN, "CMM"),
    ],
)
def test_presenting_without_a_deciding_organisation_is_a_clear_error(
    status, missing, caseworker, open_case, present, request
):
    # Only the other deciding organisation exists.
    request.getfixturevalue("org_cmm" if missing != "CMM" else "org_us")
    case = open_case(by=caseworker, residence_status=status)

    with pytest.raises(ValidationError) as error:
        present(case, by=caseworker)

    assert error.value.message_dict == {
        "residence_status": [
            f"No organisation is designated to decide for {missing}: a platform admin must designate it "
            "(manage.py designate_organisation) before the case can be presented."
        ]
    }
    assert not Presentation.objects.exists()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.IDENTIFICATION).exists()


def test_an_inactive_organisation_does_not_decide(us_case, caseworker, org_us, present):
    org_us.is_active = False
    org_us.save()
    with pytest.raises(ValidationError):
        present(us_case, by=caseworker)


# --- Resolving the residence status -------------------------------------------------------------------


def test_resolving_an_unknown_residence_status_routes_the_presentation(
    caseworker, open_case, deciders, org_us, present
):
    case = open_case(by=caseworker, residence_status=ResidenceStatus.UNKNOWN)
    presentation = present(case, by=caseworker)

    presentation_set_residence_status(
        presentation=presentation, by=caseworker, residence_status=ResidenceStatus.REJECTED_ASYLUM_SEEKER
    )

    presentation.refresh_from_db()
    assert presentation.residence_status == ResidenceStatus.REJECTED_ASYLUM_SEEKER
    assert presentation.authority == Authority.IMMIGRATION_SERVICE
    assert presentation.authority_organisation == org_us
    assert case in case_list_for_user(user=deciders["us"])
    decide(presentation, deciders["us"])  # the liaison can now decide


def test_resolving_to_legal_residence_routes_to_cmm(caseworker, open_case, deciders, org_cmm, present):
    presentation = present(open_case(by=caseworker, residence_status=ResidenceStatus.UNKNOWN), by=caseworker)

    presentation_set_residence_status(
        presentation=presentation, by=caseworker, residence_status=ResidenceStatus.RESIDENCE_PERMIT
    )

    presentation.refresh_from_db()
    assert (presentation.authority, presentation.authority_organisation) == (Authority.CMM, org_cmm)


def test_a_residence_status_that_does_not_exist_is_refused(caseworker, open_case, deciders, present):
    presentation = present(open_case(by=caseworker, residence_status=ResidenceStatus.UNKNOWN), by=caseworker)
    with pytest.raises(ValidationError):
        presentation_set_residence_status(
            presentation=presentation, by=caseworker, residence_status="tourist"
        )


def test_the_residence_status_is_fixed_once_a_decision_exists(us_case, caseworker, deciders, present):
    presentation = present(us_case, by=caseworker)
    decide(presentation, deciders["us"], Outcome.NOT_IDENTIFIED)

    with pytest.raises(ValidationError) as error:
        presentation_set_residence_status(
            presentation=presentation, by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN
        )

    assert "residence_status" in error.value.message_dict
    presentation.refresh_from_db()
    assert presentation.residence_status == ResidenceStatus.NO_LEGAL_RESIDENCE
    assert presentation.authority == Authority.IMMIGRATION_SERVICE


# --- Who may decide -----------------------------------------------------------------------------------


def test_the_immigration_service_liaison_decides_a_us_case(us_case, caseworker, deciders, org_us, present):
    presentation = present(us_case, by=caseworker)

    decision = decide(presentation, deciders["us"], reasons="Indicators found.")

    decision.refresh_from_db()
    assert decision.outcome == Outcome.IDENTIFIED
    assert decision.authority == Authority.IMMIGRATION_SERVICE
    assert decision.organisation == org_us
    assert decision.decided_by == deciders["us"]
    assert decision.exploitation_types == [ExploitationType.FORCED_LABOUR]
    assert decision.corrects is None


def test_the_cmm_coordinator_decides_a_cmm_case(cmm_case, caseworker, deciders, org_cmm, present):
    presentation = present(cmm_case, by=caseworker)

    decision = decide(presentation, deciders["cmm"])

    assert (decision.authority, decision.organisation) == (Authority.CMM, org_cmm)


@pytest.fixture
def second_authority_liaison(deciders, make_member):
    """A liaison of another authority organisation, set up after the Immigration Service."""
    other = organisation_create(
        name="Anden Myndighed Test", kind=OrganisationKind.AUTHORITY, case_prefix="AMT", region="national"
    )
    return make_member(other, Role.AUTHORITY_LIAISON)


@pytest.mark.parametrize(
    ("case_fixture", "who", "authority_label"),
    [
        ("cmm_case", "cmm_caseworker", "CMM"),
        ("cmm_case", "us_liaison", "CMM"),
        ("cmm_case", "ngo_coordinator", "CMM"),
        ("cmm_case", "cmm_analyst", "CMM"),
        ("us_case", "cmm_coordinator", "Danish Immigration Service"),
        ("us_case", "second_authority_liaison", "Danish Immigration Service"),
        ("us_case", "ngo_caseworker", "Danish Immigration Service"),
        ("us_case", "us_caseworker", "Danish Immigration Service"),
    ],
)
def test_the_wrong_body_cannot_decide_and_is_told_who_can(
    case_fixture,
    who,
    authority_label,
    request,
    caseworker,
    users_a,
    deciders,
    org_cmm,
    org_us,
    make_member,
    present,
):
    case = request.getfixturevalue(case_fixture)
    user = {
        "cmm_caseworker": lambda: make_member(org_cmm, Role.CASEWORKER),
        "cmm_analyst": lambda: make_member(org_cmm, Role.ANALYST),
        "us_liaison": lambda: deciders["us"],
        "ngo_coordinator": lambda: users_a[Role.COORDINATOR],
        "cmm_coordinator": lambda: deciders["cmm"],
        "second_authority_liaison": lambda: request.getfixturevalue("second_authority_liaison"),
        "ngo_caseworker": lambda: caseworker,
        "us_caseworker": lambda: make_member(org_us, Role.CASEWORKER),
    }[who]()
    presentation = present(case, by=caseworker)

    with pytest.raises(PermissionDenied) as error:
        decide(presentation, user)

    reason = str(error.value)
    assert reason.startswith(f"Only {authority_label} records this decision.")
    assert competent_authority(presentation.residence_status).explanation in reason
    assert not Decision.objects.exists()
    us_case_status = type(case).objects.get(pk=case.pk).status
    assert us_case_status == CaseStatus.POSSIBLE_VICTIM


def test_a_decider_acting_for_no_organisation_is_refused(us_case, caseworker, deciders, org_b, present):
    # A second membership: the liaison acts under none until they choose.
    liaison = deciders["us"]
    from cmm.services import membership_add

    membership_add(user=liaison, organisation=org_b, role=Role.CASEWORKER)
    liaison = type(liaison).objects.get(pk=liaison.pk)
    presentation = present(us_case, by=caseworker)

    with pytest.raises(PermissionDenied):
        decide(presentation, liaison)


def test_a_decider_whose_membership_ended_is_refused(us_case, caseworker, deciders, present):
    liaison = deciders["us"]
    liaison.memberships.update(is_active=False)
    liaison = type(liaison).objects.get(pk=liaison.pk)
    presentation = present(us_case, by=caseworker)

    with pytest.raises(PermissionDenied):
        decide(presentation, liaison)


def test_nobody_decides_while_the_residence_status_is_unknown(caseworker, open_case, deciders, present):
    presentation = present(open_case(by=caseworker, residence_status=ResidenceStatus.UNKNOWN), by=caseworker)

    for user in (deciders["us"], deciders["cmm"]):
        with pytest.raises(ValidationError) as error:
            decide(presentation, user)
        assert error.value.messages == [competent_authority(ResidenceStatus.UNKNOWN).explanation]
    assert not Decision.objects.exists()


# --- What a decision must say -------------------------------------------------------------------------


@pytest.fixture
def us_presentation(us_case, caseworker, deciders, present):
    return present(us_case, by=caseworker)


def test_a_decision_dated_before_the_presentation_is_refused(us_presentation, deciders):
    with pytest.raises(ValidationError) as error:
        decide(us_presentation, deciders["us"], decided_on=PRESENTED - datetime.timedelta(days=1))
    assert "decided_on" in error.value.message_dict


def test_a_decision_on_the_day_of_presentation_is_accepted(us_presentation, deciders):
    assert decide(us_presentation, deciders["us"], decided_on=PRESENTED).decided_on == PRESENTED


def test_a_decision_in_the_future_is_refused(us_presentation, deciders):
    with pytest.raises(ValidationError) as error:
        decide(us_presentation, deciders["us"], decided_on=TODAY + datetime.timedelta(days=1))
    assert "decided_on" in error.value.message_dict
    assert not Decision.objects.exists()


def test_identified_without_forms_of_exploitation_is_refused(us_presentation, deciders):
    with pytest.raises(ValidationError) as error:
        decide(us_presentation, deciders["us"], exploitation_types=[])
    assert "exploitation_types" in error.value.message_dict


def test_an_unknown_form_of_exploitation_is_refused(us_presentation, deciders):
    with pytest.raises(ValidationError) as error:
        decide(us_presentation, deciders["us"], exploitation_types=[ExploitationType.SEXUAL, "witchcraft"])
    assert "exploitation_types" in error.value.message_dict


def test_forms_of_exploitation_are_kept_once_each(us_presentation, deciders):
    decision = decide(
        us_presentation,
        deciders["us"],
        exploitation_types=[ExploitationType.SEXUAL, ExploitationType.BEGGING, ExploitationType.SEXUAL],
    )
    decision.refresh_from_db()
    assert decision.exploitation_types == [ExploitationType.SEXUAL, ExploitationType.BEGGING]


def test_not_identified_needs_no_forms_of_exploitation(us_presentation, deciders):
    assert decide(us_presentation, deciders["us"], Outcome.NOT_IDENTIFIED).exploitation_types == []


def _verdict(presentation, by, finding):
    return court_verdict_record(
        presentation=presentation,
        by=by,
        court="Københavns Byret",
        ruled_on=datetime.date(2026, 3, 15),
        finding=finding,
    )


def test_a_verdict_of_trafficking_forbids_not_identified(us_presentation, caseworker, deciders):
    _verdict(us_presentation, caseworker, Finding.TRAFFICKED)

    with pytest.raises(ValidationError) as error:
        decide(us_presentation, deciders["us"], Outcome.NOT_IDENTIFIED)
    assert "outcome" in error.value.message_dict
    assert "verdict" in error.value.message_dict["outcome"][0]

    assert decide(us_presentation, deciders["us"]).outcome == Outcome.IDENTIFIED


def test_a_verdict_of_no_trafficking_forbids_identified(us_presentation, caseworker, deciders):
    _verdict(us_presentation, caseworker, Finding.NOT_TRAFFICKED)

    with pytest.raises(ValidationError) as error:
        decide(us_presentation, deciders["us"], Outcome.IDENTIFIED)
    assert "outcome" in error.value.message_dict

    assert decide(us_presentation, deciders["us"], Outcome.NOT_IDENTIFIED).outcome == Outcome.NOT_IDENTIFIED


def test_a_verdict_binds_a_correction_too(us_presentation, caseworker, deciders):
    first = decide(us_presentation, deciders["us"])
    _verdict(us_presentation, caseworker, Finding.TRAFFICKED)
    with pytest.raises(ValidationError):
        decide(us_presentation, deciders["us"], Outcome.NOT_IDENTIFIED, corrects=first)


def test_a_verdict_recorded_with_an_earlier_presentation_binds_a_later_one(
    us_case, caseworker, deciders, present
):
    earlier = present(us_case, by=caseworker)
    decide(earlier, deciders["us"], Outcome.WITHDRAWN)
    _verdict(earlier, caseworker, Finding.TRAFFICKED)
    later = present(us_case, by=caseworker, presented_on=datetime.date(2026, 3, 21))

    with pytest.raises(ValidationError) as error:
        decide(later, deciders["us"], Outcome.NOT_IDENTIFIED, decided_on=datetime.date(2026, 3, 25))
    assert "outcome" in error.value.message_dict


def test_the_latest_verdict_counts(us_presentation, caseworker, deciders):
    _verdict(us_presentation, caseworker, Finding.NOT_TRAFFICKED)
    court_verdict_record(
        presentation=us_presentation,
        by=caseworker,
        court="Østre Landsret",
        ruled_on=datetime.date(2026, 3, 18),
        finding=Finding.TRAFFICKED,
    )

    with pytest.raises(ValidationError):
        decide(us_presentation, deciders["us"], Outcome.NOT_IDENTIFIED)
    assert decide(us_presentation, deciders["us"]).outcome == Outcome.IDENTIFIED


def test_a_withdrawal_is_possible_whatever_the_verdict(us_presentation, caseworker, deciders):
    _verdict(us_presentation, caseworker, Finding.TRAFFICKED)
    assert decide(us_presentation, deciders["us"], Outcome.WITHDRAWN).outcome == Outcome.WITHDRAWN


# --- Corrections --------------------------------------------------------------------------------------


def test_a_second_decision_without_correcting_the_first_is_refused(us_presentation, deciders):
    decide(us_presentation, deciders["us"])

    with pytest.raises(ValidationError) as error:
        decide(us_presentation, deciders["us"], Outcome.NOT_IDENTIFIED)

    assert "outcome" in error.value.message_dict
    assert Decision.objects.count() == 1


def test_a_correction_without_a_decision_to_correct_is_refused(us_case, caseworker, deciders, present):
    earlier = present(us_case, by=caseworker)
    stray = decide(earlier, deciders["us"], Outcome.NOT_IDENTIFIED)
    presentation = present(us_case, by=caseworker, presented_on=datetime.date(2026, 3, 21))

    with pytest.raises(ValidationError):
        decide(presentation, deciders["us"], decided_on=datetime.date(2026, 3, 25), corrects=stray)


def test_a_correction_keeps_the_first_decision_in_history(us_presentation, deciders):
    first = decide(us_presentation, deciders["us"])

    correction = decide(
        us_presentation,
        deciders["us"],
        Outcome.NOT_IDENTIFIED,
        decided_on=datetime.date(2026, 3, 25),
        reasons="New information from the police.",
        corrects=first,
    )

    first.refresh_from_db()
    assert first.outcome == Outcome.IDENTIFIED  # never edited in place
    assert first.superseded_by == correction
    assert correction.corrects == first
    assert list(us_presentation.decisions.current()) == [correction]
    assert set(us_presentation.decisions.all()) == {first, correction}
    steps = list(
        CaseEvent.objects.filter(case=us_presentation.case, kind=EventKind.IDENTIFICATION)
        .order_by("id")
        .values_list("data__step", flat=True)
    )
    assert steps == ["presented", "decided", "corrected"]


def test_only_the_current_decision_can_be_corrected(us_presentation, deciders):
    first = decide(us_presentation, deciders["us"])
    decide(us_presentation, deciders["us"], Outcome.NOT_IDENTIFIED, corrects=first)

    with pytest.raises(ValidationError):
        decide(us_presentation, deciders["us"], Outcome.WITHDRAWN, corrects=first)
    assert Decision.objects.count() == 2


def test_a_decision_of_another_presentation_cannot_be_corrected_here(us_case, caseworker, deciders, present):
    earlier = present(us_case, by=caseworker)
    other = decide(earlier, deciders["us"], Outcome.NOT_IDENTIFIED)
    presentation = present(us_case, by=caseworker, presented_on=datetime.date(2026, 3, 21))
    decide(presentation, deciders["us"], decided_on=datetime.date(2026, 3, 22))

    with pytest.raises(ValidationError):
        decide(
            presentation,
            deciders["us"],
            Outcome.WITHDRAWN,
            decided_on=datetime.date(2026, 3, 23),
            corrects=other,
        )


def test_a_correction_by_the_wrong_body_is_refused(us_presentation, deciders):
    first = decide(us_presentation, deciders["us"])
    with pytest.raises(PermissionDenied):
        decide(us_presentation, deciders["cmm"], Outcome.NOT_IDENTIFIED, corrects=first)


# --- The case status follows --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (Outcome.IDENTIFIED, CaseStatus.IDENTIFIED),
        (Outcome.NOT_IDENTIFIED, CaseStatus.NOT_IDENTIFIED),
        (Outcome.WITHDRAWN, CaseStatus.POSSIBLE_VICTIM),
    ],
)
def test_the_case_status_follows_the_decision(outcome, status, us_presentation, deciders):
    decide(us_presentation, deciders["us"], outcome)
    us_presentation.case.refresh_from_db()
    assert us_presentation.case.status == status


def test_the_case_status_follows_a_correction(us_presentation, deciders):
    first = decide(us_presentation, deciders["us"])
    decide(us_presentation, deciders["us"], Outcome.WITHDRAWN, corrects=first)
    us_presentation.case.refresh_from_db()
    assert us_presentation.case.status == CaseStatus.POSSIBLE_VICTIM


def test_a_closed_case_stays_closed(us_presentation, caseworker, deciders):
    case_close(case=us_presentation.case, by=caseworker, closed_on=DECIDED, reason=CloseReason.choices[0][0])

    decide(us_presentation, deciders["us"])

    us_presentation.case.refresh_from_db()
    assert us_presentation.case.status == CaseStatus.CLOSED


def test_the_decision_is_on_the_timeline(us_presentation, deciders):
    decide(us_presentation, deciders["us"], Outcome.NOT_IDENTIFIED)
    event = CaseEvent.objects.get(
        case=us_presentation.case, kind=EventKind.IDENTIFICATION, data__step="decided"
    )
    assert event.occurred_on == DECIDED
    assert event.actor == deciders["us"]
    assert event.data["outcome"] == Outcome.NOT_IDENTIFIED


# --- What an identification sets off ------------------------------------------------------------------


@override_settings(IDENTIFICATION_CONTACT_PERSON_DAYS=5)
def test_after_a_us_identification_cmm_must_appoint_a_contact_person(us_presentation, deciders, org_cmm):
    decide(us_presentation, deciders["us"])

    task = open_tasks(us_presentation)[TaskKind.APPOINT_CONTACT_PERSON]
    assert task.responsible_organisation == org_cmm
    assert task.due_on == DECIDED + datetime.timedelta(days=5)
    assert task.case == us_presentation.case


def test_a_cmm_identification_needs_no_contact_person_task(cmm_case, caseworker, deciders, present):
    presentation = present(cmm_case, by=caseworker)
    decide(presentation, deciders["cmm"])
    assert TaskKind.APPOINT_CONTACT_PERSON not in open_tasks(presentation)
    # An adult EU citizen does not have to leave either: nothing to do.
    assert open_tasks(presentation) == {}


@pytest.mark.parametrize(
    ("status", "reflection"),
    [
        (ResidenceStatus.NO_LEGAL_RESIDENCE, True),
        (ResidenceStatus.REJECTED_ASYLUM_SEEKER, True),
        (ResidenceStatus.ASYLUM_SEEKER, False),
    ],
)
def test_a_person_who_must_leave_gets_a_reflection_period_task(
    status, reflection, caseworker, open_case, deciders, org_a, present
):
    presentation = present(open_case(by=caseworker, residence_status=status), by=caseworker)

    decide(presentation, deciders["us"])

    tasks = open_tasks(presentation)
    assert (TaskKind.START_REFLECTION in tasks) is reflection
    if reflection:
        assert tasks[TaskKind.START_REFLECTION].responsible_organisation == org_a
        assert tasks[TaskKind.START_REFLECTION].due_on == DECIDED


@pytest.mark.parametrize("outcome", [Outcome.NOT_IDENTIFIED, Outcome.WITHDRAWN])
def test_only_an_identification_sets_off_tasks(outcome, us_presentation, deciders):
    decide(us_presentation, deciders["us"], outcome)
    assert not IdentificationTask.objects.exists()


@pytest.fixture
def minor_case(caseworker, open_case):
    return open_case(
        by=caseworker,
        residence_status=ResidenceStatus.ASYLUM_SEEKER,
        estimated_age=15,
        unaccompanied_minor=True,
    )


def _representative(case, by, *, professional, appointed_on=datetime.date(2026, 3, 5)):
    return representative_appoint(
        case=case,
        by=by,
        name="Repræsentant",
        organisation_name="Red Barnet",
        is_professional=professional,
        appointed_on=appointed_on,
    )


@override_settings(IDENTIFICATION_REPRESENTATIVE_DAYS=4)
def test_an_unaccompanied_minor_without_a_professional_representative_gets_a_task(
    minor_case, caseworker, deciders, org_a, present
):
    presentation = present(minor_case, by=caseworker)

    decide(presentation, deciders["us"])

    task = open_tasks(presentation)[TaskKind.PROFESSIONAL_REPRESENTATIVE]
    assert task.responsible_organisation == org_a
    assert task.due_on == DECIDED + datetime.timedelta(days=4)


def test_a_minor_with_a_professional_representative_needs_no_task(minor_case, caseworker, deciders, present):
    _representative(minor_case, caseworker, professional=True)
    presentation = present(minor_case, by=caseworker)

    decide(presentation, deciders["us"])

    assert TaskKind.PROFESSIONAL_REPRESENTATIVE not in open_tasks(presentation)


def test_a_representative_who_is_not_a_professional_does_not_count(minor_case, caseworker, deciders, present):
    _representative(minor_case, caseworker, professional=False)
    presentation = present(minor_case, by=caseworker)

    decide(presentation, deciders["us"])

    assert TaskKind.PROFESSIONAL_REPRESENTATIVE in open_tasks(presentation)


def test_a_professional_representative_who_has_ended_does_not_count(
    minor_case, caseworker, deciders, present
):
    _representative(minor_case, caseworker, professional=True, appointed_on=datetime.date(2026, 3, 2))
    _representative(minor_case, caseworker, professional=False, appointed_on=datetime.date(2026, 3, 6))
    presentation = present(minor_case, by=caseworker)

    decide(presentation, deciders["us"])

    assert TaskKind.PROFESSIONAL_REPRESENTATIVE in open_tasks(presentation)


def test_an_unaccompanied_minor_with_legal_residence_gets_the_task_from_a_cmm_decision(
    caseworker, open_case, deciders, present
):
    case = open_case(
        by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN, estimated_age=15, unaccompanied_minor=True
    )
    presentation = present(case, by=caseworker)

    decide(presentation, deciders["cmm"])

    assert set(open_tasks(presentation)) == {TaskKind.PROFESSIONAL_REPRESENTATIVE}


def test_a_person_who_has_turned_18_by_the_decision_needs_no_representative(
    caseworker, open_case, deciders, present
):
    # Opened a year earlier as a 17-year-old unaccompanied minor; the flag is still on the case.
    case = open_case(
        by=caseworker,
        opened_on=datetime.date(2025, 3, 15),
        estimated_age=17,
        unaccompanied_minor=True,
        residence_status=ResidenceStatus.ASYLUM_SEEKER,
    )
    presentation = present(case, by=caseworker)  # 10 March 2026: still 17

    decide(presentation, deciders["us"])  # 20 March 2026: 18

    assert TaskKind.PROFESSIONAL_REPRESENTATIVE not in open_tasks(presentation)


def test_a_minor_of_unknown_age_flagged_unaccompanied_gets_the_task(caseworker, open_case, deciders, present):
    case = open_case(
        by=caseworker,
        estimated_age=None,
        unaccompanied_minor=True,
        residence_status=ResidenceStatus.ASYLUM_SEEKER,
    )
    presentation = present(case, by=caseworker)
    decide(presentation, deciders["us"])
    assert TaskKind.PROFESSIONAL_REPRESENTATIVE in open_tasks(presentation)


def test_an_accompanied_person_gets_no_representative_task(us_presentation, deciders):
    decide(us_presentation, deciders["us"])
    assert TaskKind.PROFESSIONAL_REPRESENTATIVE not in open_tasks(us_presentation)


@pytest.mark.parametrize("outcome", [Outcome.NOT_IDENTIFIED, Outcome.WITHDRAWN])
def test_a_correction_away_from_identified_cancels_the_open_tasks(
    outcome, minor_case, caseworker, deciders, present
):
    presentation = present(minor_case, by=caseworker)
    first = decide(presentation, deciders["us"])
    assert len(open_tasks(presentation)) == 2

    decide(presentation, deciders["us"], outcome, corrects=first)

    assert open_tasks(presentation) == {}
    assert set(presentation.tasks.values_list("status", flat=True)) == {TaskStatus.CANCELLED}


def test_re_deciding_identified_does_not_duplicate_open_tasks(us_presentation, deciders):
    first = decide(us_presentation, deciders["us"])
    before = {kind: task.pk for kind, task in open_tasks(us_presentation).items()}

    decide(
        us_presentation,
        deciders["us"],
        exploitation_types=[ExploitationType.SEXUAL],
        decided_on=datetime.date(2026, 3, 22),
        corrects=first,
    )

    after = {kind: task.pk for kind, task in open_tasks(us_presentation).items()}
    assert after == before
    assert us_presentation.tasks.count() == 2


def test_re_deciding_identified_does_not_reopen_a_task_already_done(
    us_case, caseworker, users_a, deciders, present
):
    presentation = present(us_case, by=caseworker)
    first = decide(presentation, deciders["us"])
    case_update(case=us_case, by=caseworker, contact_person=users_a[Role.COORDINATOR])
    task_complete(task=open_tasks(presentation)[TaskKind.APPOINT_CONTACT_PERSON], by=deciders["cmm"])

    decide(presentation, deciders["us"], exploitation_types=[ExploitationType.SEXUAL], corrects=first)

    assert TaskKind.APPOINT_CONTACT_PERSON not in open_tasks(presentation)
    assert presentation.tasks.filter(kind=TaskKind.APPOINT_CONTACT_PERSON).count() == 1


def test_identified_again_after_a_correction_opens_the_tasks_again(us_presentation, deciders):
    first = decide(us_presentation, deciders["us"])
    second = decide(us_presentation, deciders["us"], Outcome.NOT_IDENTIFIED, corrects=first)

    decide(us_presentation, deciders["us"], decided_on=datetime.date(2026, 3, 28), corrects=second)

    tasks = open_tasks(us_presentation)
    assert set(tasks) == {TaskKind.APPOINT_CONTACT_PERSON, TaskKind.START_REFLECTION}
    assert tasks[TaskKind.START_REFLECTION].due_on == datetime.date(2026, 3, 28)


# --- Completing a task --------------------------------------------------------------------------------


@pytest.fixture
def identified_minor(minor_case, caseworker, deciders, present):
    """An unaccompanied minor asylum seeker identified by the Immigration Service: two open tasks."""
    presentation = present(minor_case, by=caseworker)
    decide(presentation, deciders["us"])
    return presentation


def test_only_the_responsible_organisation_completes_a_task(
    identified_minor, caseworker, users_a, users_b, deciders
):
    appoint = open_tasks(identified_minor)[TaskKind.APPOINT_CONTACT_PERSON]  # CMM's
    case_update(case=identified_minor.case, by=caseworker, contact_person=users_a[Role.COORDINATOR])

    for outsider in (caseworker, users_b[Role.COORDINATOR], deciders["us"]):
        with pytest.raises(PermissionDenied):
            task_complete(task=appoint, by=outsider)
    appoint.refresh_from_db()
    assert appoint.status == TaskStatus.OPEN

    assert task_complete(task=appoint, by=deciders["cmm"]).status == TaskStatus.DONE


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ORG_ADMIN, Role.OUTREACH_WORKER])
def test_a_member_whose_role_does_not_handle_tasks_cannot_complete_one(
    role, identified_minor, caseworker, users_a, org_cmm, make_member
):
    appoint = open_tasks(identified_minor)[TaskKind.APPOINT_CONTACT_PERSON]
    case_update(case=identified_minor.case, by=caseworker, contact_person=users_a[Role.COORDINATOR])

    with pytest.raises(PermissionDenied):
        task_complete(task=appoint, by=make_member(org_cmm, role))
    appoint.refresh_from_db()
    assert appoint.status == TaskStatus.OPEN


def test_appointing_the_contact_person_is_done_only_once_there_is_one(
    identified_minor, caseworker, users_a, deciders
):
    appoint = open_tasks(identified_minor)[TaskKind.APPOINT_CONTACT_PERSON]

    with pytest.raises(ValidationError):
        task_complete(task=appoint, by=deciders["cmm"])
    appoint.refresh_from_db()
    assert appoint.status == TaskStatus.OPEN

    case_update(case=identified_minor.case, by=caseworker, contact_person=users_a[Role.COORDINATOR])
    done = task_complete(task=appoint, by=deciders["cmm"])

    done.refresh_from_db()
    assert (done.status, done.done_on, done.done_by) == (TaskStatus.DONE, TODAY, deciders["cmm"])


def test_the_representative_task_is_done_only_with_a_professional_representative(
    identified_minor, caseworker
):
    task = open_tasks(identified_minor)[TaskKind.PROFESSIONAL_REPRESENTATIVE]

    with pytest.raises(ValidationError):
        task_complete(task=task, by=caseworker)
    _representative(identified_minor.case, caseworker, professional=False)
    with pytest.raises(ValidationError):
        task_complete(task=task, by=caseworker)

    _representative(
        identified_minor.case, caseworker, professional=True, appointed_on=datetime.date(2026, 3, 25)
    )
    assert task_complete(task=task, by=caseworker).status == TaskStatus.DONE


def test_completing_twice_is_harmless(us_presentation, caseworker, users_a, deciders):
    decide(us_presentation, deciders["us"])
    task = open_tasks(us_presentation)[TaskKind.START_REFLECTION]
    task_complete(task=task, by=caseworker)

    with time_machine.travel(datetime.datetime(2026, 4, 3, 12, 0, tzinfo=CPH)):
        again = task_complete(task=task, by=users_a[Role.COORDINATOR])

    again.refresh_from_db()
    assert (again.status, again.done_on, again.done_by) == (TaskStatus.DONE, TODAY, caseworker)


def test_a_cancelled_task_cannot_be_completed(us_presentation, caseworker, deciders):
    first = decide(us_presentation, deciders["us"])
    task = open_tasks(us_presentation)[TaskKind.START_REFLECTION]
    decide(us_presentation, deciders["us"], Outcome.NOT_IDENTIFIED, corrects=first)

    task_complete(task=task, by=caseworker)

    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED
    assert task.done_on is None


# --- Evidence: attachments ----------------------------------------------------------------------------


def test_an_attachment_is_stored_privately_under_a_random_name(us_presentation, caseworker):
    upload = SimpleUploadedFile("Ottoline Vexbridge pas.pdf", b"%PDF-1.4 x", content_type="application/pdf")

    attachment = attachment_add(presentation=us_presentation, by=caseworker, uploaded_file=upload)
    try:
        attachment.refresh_from_db()
        assert attachment.name == "Ottoline Vexbridge pas.pdf"
        assert "Vexbridge" not in attachment.file.name
        assert attachment.file.name.startswith(f"identification/{us_presentation.pk}/")
        stored_at = attachment.file.storage.path(attachment.file.name)
        assert stored_at.startswith(str(settings.PRIVATE_STORAGE_ROOT))
        with attachment_open(attachment=attachment, by=caseworker) as handle:
            assert handle.read() == b"%PDF-1.4 x"
    finally:
        attachment.file.delete(save=False)


def test_an_attachment_of_another_type_is_refused(us_presentation, caseworker):
    upload = SimpleUploadedFile("run.sh", b"#!/bin/sh", content_type="application/x-sh")
    with pytest.raises(ValidationError) as error:
        attachment_add(presentation=us_presentation, by=caseworker, uploaded_file=upload)
    assert "file" in error.value.message_dict


def test_presentation_create_keeps_its_keyword_arguments(us_case, caseworker, deciders):
    # Pages and the API call the service by these names.
    presentation = presentation_create(
        case=us_case, by=caseworker, presented_on=PRESENTED, presented_by=PresentedBy.NGO
    )
    assert presentation.presented_by == PresentedBy.NGO
