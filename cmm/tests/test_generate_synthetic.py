"""The synthetic dataset generator (manage.py generate_synthetic): small scale, seeded, valid rows."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from cases.models import (
    Case,
    CaseExploitation,
    CaseGroupObjectPermission,
    CaseTeamMember,
    CaseUserObjectPermission,
    ClientCode,
    PersonalDetails,
    PersonalRepresentative,
    ShelterStay,
)
from cmm.models import Membership, Organisation, User
from identification.models import Decision, Presentation
from outreach.models import ClinicConsultation, Contact, HotlineCall, MeetingPlaceSession, PoliceRaid
from referrals.models import Referral, ReturnFollowUp, ReturnPlan
from reflection.models import Extension, Postponement, ReflectionPeriod

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 15)
SAMPLE = 20

# Each model with the fields (natural, not ids or creation times) that must come out the same for a seed.
SNAPSHOT = {
    Organisation: ("case_prefix", "name", "kind"),
    User: ("username", "first_name", "last_name"),
    Membership: ("user__username", "organisation__case_prefix", "role"),
    Case: ("number", "opened_on", "closed_on", "status", "gender", "nationality", "residence_status"),
    CaseExploitation: ("case__number", "type", "sector"),
    PersonalDetails: ("case__number",),
    CaseTeamMember: ("case__number", "user__username"),
    CaseUserObjectPermission: ("content_object__number", "user__username", "permission__codename"),
    CaseGroupObjectPermission: ("content_object__number", "group__name", "permission__codename"),
    PersonalRepresentative: ("case__number", "appointed_on"),
    Presentation: ("case__number", "presented_on", "authority"),
    Decision: ("presentation__case__number", "decided_on", "outcome"),
    ReflectionPeriod: ("case__number", "starts_on", "ends_on", "outcome"),
    Extension: ("period__case__number", "decided_on", "new_total_days"),
    Postponement: ("period__case__number", "from_date"),
    ReturnPlan: ("case__number", "status", "channel", "actual_departure_on"),
    ReturnFollowUp: ("plan__case__number", "milestone", "due_on"),
    Referral: ("case__number", "to_organisation__case_prefix", "status"),
    ShelterStay: ("case__number", "admitted_on", "discharged_on"),
    PoliceRaid: ("organisation__case_prefix", "date", "police_district", "persons_met"),
    ClientCode: ("code", "case__number"),
    Contact: (
        "organisation__case_prefix",
        "occurred_at",
        "venue",
        "case__number",
        "client_code",
        "group_size",
    ),
    HotlineCall: ("organisation__case_prefix", "received_at", "caller_category", "wrong_number"),
    MeetingPlaceSession: ("organisation__case_prefix", "place", "date", "visitors"),
    ClinicConsultation: ("organisation__case_prefix", "clinic", "date", "consultations"),
}


def generate(seed=7, **options):
    out = StringIO()
    call_command("generate_synthetic", scale="small", seed=seed, today=TODAY, stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict:
    """The row count of every model and its first rows (in a stable natural order) as plain values."""
    return {
        model.__name__: (
            model.objects.count(),
            list(model.objects.order_by(*fields, "pk").values_list(*fields)[:SAMPLE]),
        )
        for model, fields in SNAPSHOT.items()
    }


def test_small_scale_makes_about_a_thousandth_of_the_national_data():
    output = generate()

    assert Organisation.objects.count() == 6
    assert Case.objects.count() == 50
    assert Contact.objects.count() == 1000
    assert HotlineCall.objects.count() == 100
    assert PoliceRaid.objects.count() == 5
    assert ShelterStay.objects.count() == 20
    assert Presentation.objects.count() == 10
    assert 0 < ReturnPlan.objects.count() <= 3
    assert "contacts" in output and "Done in" in output


def test_the_same_seed_gives_the_same_rows_and_another_seed_does_not():
    def run(seed):
        with transaction.atomic():
            generate(seed=seed)
            taken = snapshot()
            transaction.set_rollback(True)
        return taken

    first, again, other = run(7), run(7), run(8)

    assert first == again
    assert first["Case"][0] == 50 and first["Contact"][0] == 1000
    assert first["Contact"] != other["Contact"]
    assert first["Case"] != other["Case"]


def test_every_generated_model_has_rows_that_pass_full_clean():
    generate()

    for model in SNAPSHOT:
        rows = list(model.objects.order_by("?")[:SAMPLE])
        assert rows, f"no {model.__name__} generated"
        for row in rows:
            row.full_clean()


def test_the_data_follows_the_rules_the_services_keep():
    generate()

    # Case numbers follow the organisation's sequence; the case team sees the personal details.
    case = Case.objects.select_related("organisation").order_by("pk").first()
    assert case.number.startswith(f"{case.organisation.case_prefix}-{case.opened_on.year}-")
    for member in CaseTeamMember.objects.all():
        assert CaseUserObjectPermission.objects.filter(
            user=member.user, content_object=member.case, permission__codename="view_personal_details"
        ).exists()
    # Personal details are stored encrypted and read back through the field.
    details = PersonalDetails.objects.exclude(full_name="").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name FROM cases_personaldetails WHERE id = %s", [details.pk])
        (stored,) = cursor.fetchone()
    assert " " in details.full_name
    assert stored != details.full_name and stored.startswith("gAAAA")
    # An accepted share gives the receiving organisation's group access to the case.
    for referral in Referral.objects.filter(status="accepted"):
        assert CaseGroupObjectPermission.objects.filter(
            content_object=referral.case,
            group=referral.to_organisation.group,
            permission__codename="view_case",
        ).exists()
    # Anonymous contacts may be groups; contacts with a case or client code are one person.
    assert not Contact.objects.filter(group_size__gt=1).exclude(case=None, client_code="").exists()
    assert all(c.has_indicators == bool(c.indicators) for c in Contact.objects.all())
    # Every stay is in a shelter organisation or in other housing; nothing happens after "today".
    assert not ShelterStay.objects.exclude(shelter=None).exclude(shelter__kind="shelter").exists()
    assert not Contact.objects.filter(occurred_at__date__gte=TODAY).exists()


def test_it_refuses_a_database_that_has_cases_unless_forced():
    generate()

    with pytest.raises(CommandError, match="already has cases"):
        generate()
    generate(seed=9, force=True)

    assert Case.objects.count() == 100
    assert Case.objects.values("number").distinct().count() == 100


def test_the_benchmark_floor_computes_the_numbers_of_the_statistics_service_on_the_small_data():
    # bench/ is the benchmark suite (make bench, not run by CI); its floor SQL must stay right as the
    # service changes, so it is checked here on the small dataset. On SQLite the PostgreSQL-only table
    # (hotline calls by local-time quarter) is left out of the floor and out of the comparison.
    from bench.statistics_sql import POSTGRESQL_ONLY, floor_tables, statistics_mismatches
    from reports.periods import Period, Scope
    from reports.services.statistics import statistics_compute

    generate()
    periods = [Period.quarter(year, quarter) for year in (2024, 2025) for quarter in (1, 2, 3, 4)]
    periods += [Period.year(2024), Period.year(2025)]
    scopes = [Scope(None)] + [Scope(o.pk) for o in Organisation.objects.order_by("pk")]
    compared = 0
    for period in periods:
        for scope in scopes:
            floor = floor_tables(period=period, scope=scope)
            tables = statistics_compute(period=period, scope=scope)
            if connection.vendor != "postgresql":
                tables = [table for table in tables if table.key not in POSTGRESQL_ONLY]
            assert statistics_mismatches(tables, floor) == [], (period, scope)
            compared += len(tables)
    assert compared >= len(periods) * len(scopes) * 11
    # The small data has something to count: not a comparison of zeros.
    national = floor_tables(period=Period.year(2025), scope=Scope(None))
    assert national["persons_met"].totals["persons_met"] > 0
    assert national["hotline_calls"].totals["total"] > 0


def test_a_wrong_count_is_reported_as_a_mismatch():
    from bench.statistics_sql import floor_tables, statistics_mismatches
    from reports.periods import Period, Scope
    from reports.services.statistics import statistics_compute

    generate()
    period, scope = Period.quarter(2025, 4), Scope(None)
    tables = statistics_compute(period=period, scope=scope)
    floor = floor_tables(period=period, scope=scope)
    floor["persons_met"].rows["anonymous"]["persons_met"] += 1

    assert statistics_mismatches(tables, floor) == [
        "persons_met [anonymous] persons_met: service "
        f"{tables[0].cell('anonymous', 'persons_met')}, SQL {tables[0].cell('anonymous', 'persons_met') + 1}",
    ]


def test_the_benchmark_top_up_and_due_count_agree_with_the_deadline_scan():
    # The deadline-scan floor of the benchmark: a count in SQL of the reminders the scan makes.
    from django.test import override_settings

    from bench.deadlines import due_reminders_count, running_periods_top_up
    from reflection.services import deadline_scan

    generate()
    running = ReflectionPeriod.objects.filter(outcome="").count()
    made = running_periods_top_up(wanted=running + 8, today=TODAY, mark="bench")

    assert made == 8
    assert ReflectionPeriod.objects.filter(outcome="").count() == running + 8
    assert ReflectionPeriod.objects.filter(short_reason="bench").count() == made
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for day in (TODAY - datetime.timedelta(days=1), TODAY, TODAY + datetime.timedelta(days=6)):
            due = due_reminders_count(today=day)
            assert deadline_scan(today=day) == due
            assert due_reminders_count(today=day) == 0  # all sent: nothing is due twice
