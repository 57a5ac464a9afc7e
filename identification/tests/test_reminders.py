"""Overdue identification tasks are e-mailed to the responsible organisation's coordinators and caseworkers,
once a day, naming the case number and never the person.

The person is identified on 20 March 2026; CMM must appoint a contact person by 23 March (3 days).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from cases.choices import ExploitationType, ResidenceStatus
from cases.services import case_soft_delete, case_update
from cmm.models import OutboundEmail, Role
from cmm.services import membership_change
from identification.choices import Outcome, TaskKind, TaskStatus
from identification.models import IdentificationTask
from identification.services import decision_record, task_complete, tasks_remind_overdue
from identification.tasks import tasks_remind_overdue_task

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
DECIDED = datetime.date(2026, 3, 20)
DUE = datetime.date(2026, 3, 23)
NAME = "Ottoline Vexbridge"
ALIAS = "Tilly Quorn"
PHONE = "+45 55 44 33 22"


def noon(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 12, 0, tzinfo=CPH))


@pytest.fixture(autouse=True)
def fixed_today():
    with noon(datetime.date(2026, 4, 1)):
        yield


@pytest.fixture
def cmm_team(org_cmm, cmm_coordinator, make_member):
    """CMM's people: who gets the reminder (coordinators, caseworkers) and who does not."""
    return {
        "coordinator": cmm_coordinator,
        "caseworker": make_member(org_cmm, Role.CASEWORKER),
        "analyst": make_member(org_cmm, Role.ANALYST),
        "admin": make_member(org_cmm, Role.ORG_ADMIN),
        "outreach": make_member(org_cmm, Role.OUTREACH_WORKER),
        "no_email": make_member(org_cmm, Role.CASEWORKER, email=""),
    }


@pytest.fixture
def marked_case(users_a, open_case):
    """An asylum seeker's case (no reflection task) whose personal details carry names that must not leak."""
    return open_case(
        by=users_a[Role.CASEWORKER],
        residence_status=ResidenceStatus.ASYLUM_SEEKER,
        personal={"full_name": NAME, "aliases": ALIAS, "phone_numbers": PHONE},
    )


@pytest.fixture
def task(marked_case, users_a, deciders, cmm_team, present):
    """CMM's open "appoint a contact person" task, due 23 March."""
    presentation = present(marked_case, by=users_a[Role.CASEWORKER])
    decision_record(
        presentation=presentation,
        by=deciders["us"],
        outcome=Outcome.IDENTIFIED,
        decided_on=DECIDED,
        exploitation_types=[ExploitationType.SEXUAL],
    )
    task = presentation.tasks.get()
    assert (task.kind, task.due_on) == (TaskKind.APPOINT_CONTACT_PERSON, DUE)
    mail.outbox.clear()
    return task


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """Run the reminders and send what they queued, as after the commit."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return tasks_remind_overdue()

    return run


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_an_overdue_task_is_mailed_to_the_coordinators_and_caseworkers_of_the_responsible_organisation(
    task, cmm_team, users_a, remind
):
    assert remind() == 1

    assert recipients() == sorted([cmm_team["coordinator"].email, cmm_team["caseworker"].email])
    # Not the case's own organisation: CMM is responsible for this task.
    assert users_a[Role.CASEWORKER].email not in recipients()
    assert OutboundEmail.objects.count() == 2


def test_the_mail_names_the_case_number_and_never_the_person(task, remind):
    remind()

    assert mail.outbox
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert task.case.number in message.subject
        assert task.case.number in message.body
        for secret in (NAME, "Ottoline", "Vexbridge", ALIAS, PHONE):
            assert secret not in text
    for row in OutboundEmail.objects.all():
        assert NAME not in row.subject + row.body


def test_a_second_run_the_same_day_sends_nothing(task, remind):
    remind()
    sent = len(mail.outbox)

    with noon(datetime.date(2026, 4, 1)) as traveller:
        traveller.shift(datetime.timedelta(hours=6))  # the beat runs again at 18:00
        assert remind() == 0

    assert len(mail.outbox) == sent
    task.refresh_from_db()
    assert task.last_reminded_on == datetime.date(2026, 4, 1)


def test_the_next_day_it_is_sent_again(task, remind):
    remind()
    first = len(mail.outbox)

    with noon(datetime.date(2026, 4, 2)):
        assert remind() == 1

    assert len(mail.outbox) == 2 * first


def test_the_day_is_the_copenhagen_day(task, remind):
    remind()
    # 23:30 UTC on 1 April is already 2 April in Copenhagen.
    with time_machine.travel(datetime.datetime(2026, 4, 1, 23, 30, tzinfo=datetime.UTC)):
        assert remind() == 1


def test_a_task_is_not_overdue_on_its_due_day(task, remind):
    with noon(DUE):
        assert remind() == 0
    assert mail.outbox == []

    with noon(DUE + datetime.timedelta(days=1)):
        assert remind() == 1
    assert mail.outbox


def test_a_done_task_is_not_reminded(task, users_a, cmm_team, remind):
    case_update(case=task.case, by=users_a[Role.CASEWORKER], contact_person=users_a[Role.COORDINATOR])
    task_complete(task=task, by=cmm_team["coordinator"])

    assert remind() == 0
    assert mail.outbox == []


def test_a_cancelled_task_is_not_reminded(task, deciders, remind):
    decision_record(
        presentation=task.presentation,
        by=deciders["us"],
        outcome=Outcome.NOT_IDENTIFIED,
        decided_on=datetime.date(2026, 3, 25),
        corrects=task.presentation.decisions.current().get(),
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED

    assert remind() == 0
    assert mail.outbox == []


def test_a_member_who_left_gets_no_reminder(task, cmm_team, remind):
    caseworker = cmm_team["caseworker"]
    membership_change(
        membership=caseworker.memberships.get(),
        role=Role.CASEWORKER,
        is_active=False,
        by=cmm_team["coordinator"],
    )

    remind()

    assert recipients() == [cmm_team["coordinator"].email]


def test_a_task_of_a_deleted_case_is_not_reminded(task, users_a, remind):
    case_soft_delete(case=task.case, by=users_a[Role.CASEWORKER], reason="Registered twice")

    assert remind() == 0
    assert mail.outbox == []


def test_a_task_of_a_case_erased_on_request_is_neither_reminded_nor_listed(task, cmm_team, remind):
    from cases.lifecycle import case_erase
    from identification.selectors import task_list_for_user

    coordinator = cmm_team["coordinator"]
    assert list(task_list_for_user(user=coordinator)) == [task]
    case_erase(case=task.case, by=coordinator, reason="Request by letter, journal 2026-114")

    assert remind() == 0
    assert mail.outbox == []
    assert list(task_list_for_user(user=coordinator)) == []


def test_each_overdue_task_is_reminded(task, users_a, open_case, deciders, present, remind):
    # A second identified person: another CMM task, and a reflection task for NGO A.
    other = open_case(by=users_a[Role.CASEWORKER], residence_status=ResidenceStatus.NO_LEGAL_RESIDENCE)
    presentation = present(other, by=users_a[Role.CASEWORKER])
    decision_record(
        presentation=presentation,
        by=deciders["us"],
        outcome=Outcome.IDENTIFIED,
        decided_on=DECIDED,
        exploitation_types=[ExploitationType.BEGGING],
    )
    assert IdentificationTask.objects.filter(status=TaskStatus.OPEN).count() == 3

    assert remind() == 3

    ngo_a = sorted([users_a[Role.COORDINATOR].email, users_a[Role.CASEWORKER].email])
    reflection_mails = [m for m in mail.outbox if m.to[0] in ngo_a]
    assert sorted(m.to[0] for m in reflection_mails) == ngo_a
    assert all(other.number in m.subject for m in reflection_mails)


def test_the_celery_entry_point_runs_the_reminders_once_a_day(task, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_remind_overdue_task.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_remind_overdue_task.delay().get() == 0
    assert len(mail.outbox) == 2


@override_settings(SITE_URL="https://cmm.example.dk")
def test_the_mail_links_to_the_task_list(task, remind):
    remind()
    assert "https://cmm.example.dk/identification/tasks/" in mail.outbox[0].body
