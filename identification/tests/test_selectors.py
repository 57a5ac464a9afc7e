"""Reads of identification: who sees a presentation, the deciding organisation's work queue, the tasks of the
responsible organisation, the overview panel, and the counts the statistics build on.

"Today" is 15 April 2026 (Copenhagen).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory

from cases.choices import ExploitationType, ResidenceStatus
from cases.services import case_soft_delete
from cmm.models import Role
from identification.choices import Authority, Outcome, TaskKind, TaskStatus
from identification.dashboard import identification_panel
from identification.models import IdentificationTask
from identification.selectors import (
    identification_counts,
    presentation_get_for_user,
    presentation_list_for_user,
    task_get_for_user,
    task_list_for_user,
    work_queue_for_user,
)
from identification.services import decision_record, presentation_create

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
TODAY = datetime.date(2026, 4, 15)
Q1 = {"start": datetime.date(2026, 1, 1), "end": datetime.date(2026, 3, 31)}


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(datetime.datetime(2026, 4, 15, 12, 0, tzinfo=CPH)):
        yield TODAY


@pytest.fixture
def caseworker(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def new_case(caseworker, open_case):
    def make(status=ResidenceStatus.NO_LEGAL_RESIDENCE, **overrides):
        overrides.setdefault("opened_on", datetime.date(2025, 12, 1))
        return open_case(by=caseworker, residence_status=status, **overrides)

    return make


def present(case, by, on):
    return presentation_create(case=case, by=by, presented_on=on, presented_by="police")


def decide(presentation, by, outcome, on, corrects=None):
    return decision_record(
        presentation=presentation,
        by=by,
        outcome=outcome,
        decided_on=on,
        exploitation_types=[ExploitationType.SEXUAL] if outcome == Outcome.IDENTIFIED else [],
        corrects=corrects,
    )


# --- Who sees a presentation --------------------------------------------------------------------------


@pytest.fixture
def us_presentation(new_case, caseworker, deciders):
    return present(new_case(), caseworker, datetime.date(2026, 3, 10))


def test_the_owning_organisation_sees_its_presentations(us_presentation, users_a):
    for role in (Role.CASEWORKER, Role.COORDINATOR, Role.OUTREACH_WORKER):
        assert list(presentation_list_for_user(user=users_a[role])) == [us_presentation]


def test_the_deciding_organisation_sees_the_presentation(us_presentation, deciders):
    assert list(presentation_list_for_user(user=deciders["us"])) == [us_presentation]
    assert (
        presentation_get_for_user(user=deciders["us"], presentation_id=us_presentation.pk) == us_presentation
    )


def test_cmm_does_not_see_a_presentation_to_the_immigration_service(us_presentation, deciders):
    assert list(presentation_list_for_user(user=deciders["cmm"])) == []


def test_another_ngo_does_not_see_the_presentation(us_presentation, users_b):
    for user in users_b.values():
        assert list(presentation_list_for_user(user=user)) == []
    with pytest.raises(Http404):
        presentation_get_for_user(user=users_b[Role.COORDINATOR], presentation_id=us_presentation.pk)


@pytest.mark.parametrize("org", ["org_a", "org_us", "org_cmm"])
def test_an_analyst_sees_no_presentation(org, us_presentation, users_a, make_member, request):
    analyst = (
        users_a[Role.ANALYST] if org == "org_a" else make_member(request.getfixturevalue(org), Role.ANALYST)
    )
    assert list(presentation_list_for_user(user=analyst)) == []
    with pytest.raises(Http404):
        presentation_get_for_user(user=analyst, presentation_id=us_presentation.pk)


def test_a_presentation_of_a_deleted_case_is_hidden(us_presentation, caseworker, deciders):
    case_soft_delete(case=us_presentation.case, by=caseworker, reason="Registered twice")
    assert list(presentation_list_for_user(user=caseworker)) == []
    assert list(presentation_list_for_user(user=deciders["us"])) == []


def test_nobody_logged_in_sees_nothing(us_presentation):
    assert list(presentation_list_for_user(user=AnonymousUser())) == []
    assert list(work_queue_for_user(user=AnonymousUser())) == []
    assert list(task_list_for_user(user=AnonymousUser())) == []


# --- The work queue -----------------------------------------------------------------------------------


def test_the_work_queue_holds_the_undecided_presentations_of_the_deciding_organisation_oldest_first(
    new_case, caseworker, deciders, users_a
):
    late = present(new_case(), caseworker, datetime.date(2026, 3, 20))
    early = present(new_case(ResidenceStatus.ASYLUM_SEEKER), caseworker, datetime.date(2026, 3, 2))
    middle = present(new_case(ResidenceStatus.REJECTED_ASYLUM_SEEKER), caseworker, datetime.date(2026, 3, 11))
    same_day = present(new_case(), caseworker, datetime.date(2026, 3, 11))
    for_cmm = present(new_case(ResidenceStatus.EU_CITIZEN), caseworker, datetime.date(2026, 3, 1))
    present(new_case(ResidenceStatus.UNKNOWN), caseworker, datetime.date(2026, 3, 1))

    assert list(work_queue_for_user(user=deciders["us"])) == [early, middle, same_day, late]
    assert list(work_queue_for_user(user=deciders["cmm"])) == [for_cmm]
    # The presenting NGO sees its presentations but decides none of them.
    assert list(work_queue_for_user(user=users_a[Role.COORDINATOR])) == []

    decide(middle, deciders["us"], Outcome.NOT_IDENTIFIED, datetime.date(2026, 3, 15))
    decide(early, deciders["us"], Outcome.WITHDRAWN, datetime.date(2026, 3, 15))

    assert list(work_queue_for_user(user=deciders["us"])) == [same_day, late]


def test_another_authority_organisation_has_an_empty_queue(us_presentation, make_member):
    from cmm.services import organisation_create

    other = organisation_create(
        name="Anden Myndighed", kind="authority", case_prefix="AMY", region="national"
    )
    assert list(work_queue_for_user(user=make_member(other, Role.AUTHORITY_LIAISON))) == []


def test_the_work_queue_does_not_grow_in_queries(new_case, caseworker, deciders, django_assert_num_queries):
    present(new_case(), caseworker, datetime.date(2026, 3, 2))
    liaison = deciders["us"]
    list(work_queue_for_user(user=liaison))  # warm the membership and role caches

    def read():
        return [
            (p.case.number, p.case.organisation.name, p.authority_organisation.name)
            for p in work_queue_for_user(user=liaison)
        ]

    with django_assert_num_queries(1):
        assert len(read()) == 1
    for day in (3, 4, 5):
        present(new_case(), caseworker, datetime.date(2026, 3, day))
    with django_assert_num_queries(1):
        assert len(read()) == 4


# --- Tasks --------------------------------------------------------------------------------------------


@pytest.fixture
def identified(new_case, caseworker, deciders):
    """A person without legal residence identified by the Immigration Service on 20 March:
    CMM appoints a contact person (due 23 March), NGO A starts the reflection period (due 20 March)."""
    presentation = present(new_case(), caseworker, datetime.date(2026, 3, 10))
    decide(presentation, deciders["us"], Outcome.IDENTIFIED, datetime.date(2026, 3, 20))
    return presentation


def test_tasks_are_listed_for_the_responsible_organisation_only(
    identified, caseworker, users_a, users_b, deciders
):
    appoint = identified.tasks.get(kind=TaskKind.APPOINT_CONTACT_PERSON)
    reflection = identified.tasks.get(kind=TaskKind.START_REFLECTION)

    assert list(task_list_for_user(user=deciders["cmm"])) == [appoint]
    assert list(task_list_for_user(user=caseworker)) == [reflection]
    assert list(task_list_for_user(user=users_a[Role.COORDINATOR])) == [reflection]
    assert list(task_list_for_user(user=deciders["us"])) == []
    assert list(task_list_for_user(user=users_b[Role.CASEWORKER])) == []
    assert list(task_list_for_user(user=users_a[Role.ANALYST])) == []

    assert task_get_for_user(user=deciders["cmm"], task_id=appoint.pk) == appoint
    with pytest.raises(Http404):
        task_get_for_user(user=deciders["cmm"], task_id=reflection.pk)
    with pytest.raises(Http404):
        task_get_for_user(user=users_b[Role.CASEWORKER], task_id=reflection.pk)


def test_task_list_shows_open_tasks_most_urgent_first_and_all_when_asked(new_case, caseworker, deciders):
    later = present(new_case(), caseworker, datetime.date(2026, 3, 10))
    decide(later, deciders["us"], Outcome.IDENTIFIED, datetime.date(2026, 3, 25))
    sooner = present(new_case(), caseworker, datetime.date(2026, 3, 10))
    decide(sooner, deciders["us"], Outcome.IDENTIFIED, datetime.date(2026, 3, 12))
    IdentificationTask.objects.filter(presentation=later).update(status=TaskStatus.DONE, done_on=TODAY)

    assert [t.presentation for t in task_list_for_user(user=caseworker)] == [sooner]
    everything = task_list_for_user(user=caseworker, status=None)
    assert [(t.presentation, t.status) for t in everything] == [
        (sooner, TaskStatus.OPEN),
        (later, TaskStatus.DONE),
    ]


def test_tasks_of_a_deleted_case_are_not_listed(identified, caseworker, deciders):
    case_soft_delete(case=identified.case, by=caseworker, reason="Registered twice")
    assert list(task_list_for_user(user=deciders["cmm"])) == []
    assert list(task_list_for_user(user=caseworker)) == []


def test_the_task_list_does_not_grow_in_queries(new_case, caseworker, deciders, django_assert_num_queries):
    coordinator = deciders["cmm"]

    def add_identified():
        presentation = present(new_case(), caseworker, datetime.date(2026, 3, 10))
        decide(presentation, deciders["us"], Outcome.IDENTIFIED, datetime.date(2026, 3, 20))

    def read():
        return [
            (t.case.number, t.presentation.presented_on, t.get_kind_display())
            for t in task_list_for_user(user=coordinator)
        ]

    add_identified()
    read()
    with django_assert_num_queries(1):
        assert len(read()) == 1
    for _i in range(3):
        add_identified()
    with django_assert_num_queries(1):
        assert len(read()) == 4


# --- The overview panel -------------------------------------------------------------------------------


def panel_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return identification_panel(request)


def test_the_liaison_sees_how_many_presentations_wait(us_presentation, new_case, caseworker, deciders):
    present(new_case(), caseworker, datetime.date(2026, 3, 12))

    panel = panel_for(deciders["us"])

    assert panel["waiting"] == 2
    assert panel["tasks"] == []
    assert panel["template"] == "identification/_dashboard_panel.html"
    assert panel["today"] == TODAY


def test_the_panel_shows_the_open_tasks_of_the_responsible_organisation(identified, caseworker, deciders):
    cmm_panel = panel_for(deciders["cmm"])
    assert [t.kind for t in cmm_panel["tasks"]] == [TaskKind.APPOINT_CONTACT_PERSON]
    assert cmm_panel["waiting"] == 0

    ngo_panel = panel_for(caseworker)
    assert [t.kind for t in ngo_panel["tasks"]] == [TaskKind.START_REFLECTION]


def test_the_panel_is_left_out_for_users_with_nothing_to_do(identified, users_a, users_b, deciders):
    # The liaison decided the only presentation; the others have no tasks and decide nothing.
    assert panel_for(deciders["us"]) is None
    assert panel_for(users_a[Role.ANALYST]) is None
    assert panel_for(users_a[Role.ORG_ADMIN]) is None
    assert panel_for(users_b[Role.COORDINATOR]) is None
    assert panel_for(AnonymousUser()) is None


def test_the_panel_shows_at_most_ten_tasks(new_case, caseworker, deciders):
    for _i in range(12):
        presentation = present(new_case(), caseworker, datetime.date(2026, 3, 10))
        decide(presentation, deciders["us"], Outcome.IDENTIFIED, datetime.date(2026, 3, 20))
    assert len(panel_for(deciders["cmm"])["tasks"]) == 10


# --- Counts for the statistics ------------------------------------------------------------------------


@pytest.fixture
def counted(new_case, caseworker, deciders):
    """Presentations and decisions around the first quarter of 2026, for hand-checked counts."""
    us, cmm = deciders["us"], deciders["cmm"]
    d = datetime.date
    # Immigration Service
    p1 = present(new_case(), caseworker, d(2026, 1, 1))  # first day of the quarter
    decide(p1, us, Outcome.IDENTIFIED, d(2026, 1, 10))
    present(new_case(ResidenceStatus.ASYLUM_SEEKER), caseworker, d(2026, 3, 31))  # last day, undecided
    p3 = present(new_case(), caseworker, d(2025, 12, 31))  # presented before the quarter...
    decide(p3, us, Outcome.NOT_IDENTIFIED, d(2026, 1, 5))  # ... decided in it
    present(new_case(), caseworker, d(2026, 4, 1))  # after the quarter
    # CMM
    p4 = present(new_case(ResidenceStatus.EU_CITIZEN), caseworker, d(2026, 2, 1))
    first = decide(p4, cmm, Outcome.IDENTIFIED, d(2026, 2, 5))
    decide(p4, cmm, Outcome.NOT_IDENTIFIED, d(2026, 2, 20), corrects=first)  # counts once, as corrected
    p5 = present(new_case(ResidenceStatus.DANISH_CITIZEN), caseworker, d(2026, 3, 1))
    decide(p5, cmm, Outcome.WITHDRAWN, d(2026, 4, 1))  # decided after the quarter
    p6 = present(new_case(ResidenceStatus.RESIDENCE_PERMIT), caseworker, d(2026, 2, 10))
    decide(p6, cmm, Outcome.WITHDRAWN, d(2026, 3, 31))  # last day
    p7 = present(new_case(ResidenceStatus.EU_CITIZEN), caseworker, d(2026, 3, 5))
    earlier = decide(p7, cmm, Outcome.IDENTIFIED, d(2026, 3, 10))
    decide(p7, cmm, Outcome.IDENTIFIED, d(2026, 4, 2), corrects=earlier)  # corrected after the quarter
    # Residence status still unknown: presented, nobody decides yet.
    present(new_case(ResidenceStatus.UNKNOWN), caseworker, d(2026, 2, 15))
    # A case registered by mistake counts nowhere.
    mistake = present(new_case(), caseworker, d(2026, 2, 1))
    decide(mistake, us, Outcome.IDENTIFIED, d(2026, 2, 2))
    case_soft_delete(case=mistake.case, by=caseworker, reason="Registered twice")


def test_presentations_count_by_presentation_date_per_authority(counted):
    counts = identification_counts(**Q1)
    assert counts["presentations"] == {Authority.IMMIGRATION_SERVICE: 2, Authority.CMM: 4, "": 1}


def test_current_decisions_count_by_decision_date_per_authority(counted):
    counts = identification_counts(**Q1)
    assert counts["decisions"] == {
        Authority.IMMIGRATION_SERVICE: {"total": 2, "identified": 1, "not_identified": 1, "withdrawn": 0},
        Authority.CMM: {"total": 2, "identified": 0, "not_identified": 1, "withdrawn": 1},
    }


def test_a_decision_corrected_later_counts_where_the_correction_falls(counted):
    april = identification_counts(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 4, 30))
    assert april["presentations"] == {Authority.IMMIGRATION_SERVICE: 1}
    assert april["decisions"] == {
        Authority.CMM: {"total": 2, "identified": 1, "not_identified": 0, "withdrawn": 1},
    }


def test_a_single_day_period_includes_that_day(counted):
    day = identification_counts(start=datetime.date(2026, 3, 31), end=datetime.date(2026, 3, 31))
    assert day["presentations"] == {Authority.IMMIGRATION_SERVICE: 1}
    assert day["decisions"] == {
        Authority.CMM: {"total": 1, "identified": 0, "not_identified": 0, "withdrawn": 1}
    }


def test_an_empty_period_counts_nothing(counted):
    assert identification_counts(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 30)) == {
        "presentations": {},
        "decisions": {},
    }


def test_counts_are_two_queries_however_many_rows(counted, django_assert_num_queries):
    with django_assert_num_queries(2):
        identification_counts(**Q1)
