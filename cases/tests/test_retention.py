"""Retention: closed cases lose the person's data RETENTION_YEARS calendar years after closing; the facts
that feed statistics stay; the job is idempotent, audited, and its dry run lists counts only."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.choices import CloseReason, EventKind, ServiceMode, ServiceType
from cases.lifecycle import case_anonymise, retention_cutoff, retention_due, retention_run
from cases.models import (
    ActionPlan,
    Case,
    CaseService,
    CaseTeamMember,
    PersonalDetails,
    PersonalRepresentative,
)
from cases.services import (
    action_plan_update,
    case_close,
    case_soft_delete,
    personal_details_update,
    representative_appoint,
    service_record,
)
from cases.tasks import retention_run_task
from cmm.models import AuditAction, AuditEvent, Role
from reports.periods import Period, Scope, years_later
from reports.services.statistics import statistics_compute

pytestmark = pytest.mark.django_db

D = datetime.date
OPENED, CLOSED = D(2019, 1, 10), D(2020, 6, 30)


def _closed_case(open_case, by, *, opened=OPENED, closed=CLOSED, **overrides):
    case = open_case(by=by, opened_on=opened, **overrides)
    case_close(case=case, by=by, closed_on=closed, reason=CloseReason.RETURNED)
    case.refresh_from_db()
    return case


def _snapshot(period):
    return [
        (t.key, [(r.key, dict(r.cells)) for r in t.rows], dict(t.totals))
        for t in statistics_compute(period=period, scope=Scope(None))
    ]


def test_cutoff_matches_calendar_years_including_29_february(settings):
    settings.RETENTION_YEARS = 5
    start = D(2027, 1, 1)
    for offset in range(0, 3 * 366, 1):
        today = start + datetime.timedelta(days=offset)
        cutoff = retention_cutoff(today=today)
        # The rule in words: due when closed_on + 5 calendar years (years_later) is today or before.
        for closed in (cutoff, cutoff + datetime.timedelta(days=1)):
            assert (years_later(closed, 5) <= today) == (closed <= cutoff), (today, closed)


def test_29_february_closing_is_due_on_1_march_of_a_common_year(settings, users_a, open_case):
    settings.RETENTION_YEARS = 5
    caseworker = users_a[Role.CASEWORKER]
    case = _closed_case(open_case, caseworker, opened=D(2024, 1, 1), closed=D(2024, 2, 29))
    assert not retention_due(today=D(2029, 2, 28)).filter(pk=case.pk).exists()
    assert retention_due(today=D(2029, 3, 1)).filter(pk=case.pk).exists()


def test_due_selects_closed_and_long_deleted_cases_but_not_open_or_recent_ones(settings, users_a, open_case):
    settings.RETENTION_YEARS = 5
    caseworker = users_a[Role.CASEWORKER]
    old = _closed_case(open_case, caseworker, closed=D(2020, 6, 30))
    recent = _closed_case(open_case, caseworker, closed=D(2021, 7, 1))
    still_open = open_case(by=caseworker, opened_on=D(2019, 1, 1))
    deleted_closed = _closed_case(open_case, caseworker, closed=D(2020, 1, 5))
    case_soft_delete(case=deleted_closed, by=caseworker, reason="registered twice")
    due = set(retention_due(today=D(2025, 6, 30)).values_list("pk", flat=True))
    assert old.pk in due and deleted_closed.pk in due
    assert recent.pk not in due and still_open.pk not in due
    settings.RETENTION_YEARS = 6
    assert not retention_due(today=D(2025, 6, 30)).filter(pk=old.pk).exists()


def test_a_case_deleted_long_ago_without_closing_is_due(settings, users_a, open_case, time_machine):
    settings.RETENTION_YEARS = 5
    caseworker = users_a[Role.CASEWORKER]
    case = open_case(by=caseworker, opened_on=D(2019, 1, 1))
    time_machine.move_to(datetime.datetime(2019, 2, 1, 12, tzinfo=datetime.UTC))
    case_soft_delete(case=case, by=caseworker, reason="mistake")
    assert retention_due(today=D(2024, 2, 1)).filter(pk=case.pk).exists()
    assert not retention_due(today=D(2024, 1, 31)).filter(pk=case.pk).exists()


def test_anonymise_removes_personal_data_keeps_facts_and_audits(settings, users_a, open_case):
    caseworker = users_a[Role.CASEWORKER]
    case = open_case(by=caseworker, opened_on=D(2019, 1, 10), estimated_age=16, unaccompanied_minor=True)
    personal_details_update(case=case, by=caseworker, full_name="Changed Name", addresses="Somewhere 1")
    representative_appoint(
        case=case,
        by=caseworker,
        name="Rep Name",
        organisation_name="Rep Org",
        is_professional=True,
        appointed_on=D(2019, 1, 11),
    )
    action_plan_update(case=case, by=caseworker, goals="goal text", wishes_after_stay="wish text")
    service_record(
        case=case,
        by=caseworker,
        service_type=ServiceType.choices[0][0],
        mode=ServiceMode.REFERRED,
        provided_on=D(2019, 2, 1),
        provider="Dr Provider",
        notes="service note",
    )
    case_close(case=case, by=caseworker, closed_on=D(2020, 1, 1), reason=CloseReason.RETURNED)
    facts_before = Case.objects.values(
        "gender",
        "age_at_opening",
        "nationality",
        "residence_status",
        "status",
        "opened_on",
        "closed_on",
        "unaccompanied_minor",
    ).get(pk=case.pk)

    removal = case_anonymise(case=case, by=None, reason="retention")

    assert removal.counts["personal_details"] == 1
    assert removal.counts["history_rows"] >= 3
    assert not PersonalDetails.objects.filter(case=case).exists()
    assert not PersonalDetails.history.filter(case_id=case.pk).exists()
    assert not PersonalRepresentative.history.filter(case_id=case.pk).exists()
    representative = PersonalRepresentative.objects.get(case=case)
    assert (representative.name, representative.organisation_name, representative.is_professional) == (
        "",
        "",
        True,
    )
    plan = ActionPlan.objects.get(case=case)
    assert (plan.goals, plan.wishes_after_stay) == ("", "")
    service = CaseService.objects.get(case=case)
    assert (service.provider, service.notes, service.mode) == ("", "", ServiceMode.REFERRED)
    assert not CaseTeamMember.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert Case.objects.values(*facts_before).get(pk=case.pk) == facts_before
    assert case.events.filter(kind=EventKind.ANONYMISED, data={}).count() == 1
    audit = AuditEvent.objects.filter(target_id=str(case.pk), action=AuditAction.DELETED).get()
    assert audit.actor is None
    assert audit.detail["what"] == "personal_data" and audit.detail["reason"] == "retention"
    assert audit.detail["counts"]["personal_details"] == 1
    assert "Changed Name" not in str(audit.detail)


def test_statistics_are_the_same_after_retention(settings, users_a, open_case, identified_case):
    settings.RETENTION_YEARS = 5
    caseworker = users_a[Role.CASEWORKER]
    case_close(case=identified_case, by=caseworker, closed_on=D(2026, 3, 25), reason=CloseReason.RETURNED)
    _closed_case(open_case, caseworker, opened=D(2026, 1, 2), closed=D(2026, 2, 2))
    period = Period(D(2026, 1, 1), D(2026, 12, 31))
    before = _snapshot(period)

    removals = retention_run(today=D(2031, 12, 31))

    assert len(removals) == 2
    assert _snapshot(period) == before


def test_retention_run_is_idempotent_and_the_task_takes_no_arguments(settings, users_a, open_case):
    settings.RETENTION_YEARS = 5
    caseworker = users_a[Role.CASEWORKER]
    case = _closed_case(open_case, caseworker, closed=D(2020, 6, 30))
    settings_today = timezone.localdate()
    assert years_later(D(2020, 6, 30), 5) <= settings_today  # the task counts from the real today

    assert retention_run_task.delay().get() == 1
    assert retention_run_task.delay().get() == 0
    assert retention_run(today=settings_today) == []
    assert AuditEvent.objects.filter(target_id=str(case.pk), action=AuditAction.DELETED).count() == 1
    assert case.events.filter(kind=EventKind.ANONYMISED).count() == 1


def test_retention_handles_more_cases_than_one_batch(settings, users_a, open_case, monkeypatch):
    from cases import lifecycle

    monkeypatch.setattr(lifecycle, "RETENTION_BATCH", 2)
    caseworker = users_a[Role.CASEWORKER]
    cases = [_closed_case(open_case, caseworker, closed=D(2020, 1, 1 + i)) for i in range(5)]
    removals = retention_run(today=D(2030, 1, 1))
    assert sorted(r.number for r in removals) == sorted(c.number for c in cases)
    assert Case.objects.filter(anonymised_at__isnull=True).count() == 0


def test_dry_run_command_lists_numbers_dates_and_counts_and_changes_nothing(settings, users_a, open_case):
    settings.RETENTION_YEARS = 5
    caseworker = users_a[Role.CASEWORKER]
    case = _closed_case(open_case, caseworker, closed=D(2020, 6, 30))
    out = StringIO()

    call_command("retention", "--dry-run", "--today", "2025-07-01", stdout=out)

    text = out.getvalue()
    assert case.number in text and "2020-06-30" in text and "personal_details 1" in text
    assert "Marker Person Alpha" not in text and "+45" not in text
    assert "Dry run" in text
    case.refresh_from_db()
    assert case.anonymised_at is None
    assert PersonalDetails.objects.filter(case=case).exists()
    assert not AuditEvent.objects.filter(target_id=str(case.pk), action=AuditAction.DELETED).exists()


def test_command_anonymises_and_refuses_a_bad_date(settings, users_a, open_case):
    from django.core.management.base import CommandError

    caseworker = users_a[Role.CASEWORKER]
    case = _closed_case(open_case, caseworker, closed=D(2020, 6, 30))
    out = StringIO()
    call_command("retention", "--today", "2025-07-01", stdout=out)
    assert "1 cases anonymised" in out.getvalue()
    assert not PersonalDetails.objects.filter(case=case).exists()
    with pytest.raises(CommandError):
        call_command("retention", "--today", "1 July", stdout=StringIO())


def test_retention_is_scheduled_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["case-retention"]
    assert entry["task"] == "cases.tasks.retention_run_task"
    assert entry["schedule"].hour == {2}
