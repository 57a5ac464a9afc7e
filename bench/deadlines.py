# ruff: noqa: S608 - the SQL is put together from constant fragments; every value is a parameter.
"""The deadline scan at scale: enough running reflection periods, and the floor for the scan.

The generator makes 8,000 reflection periods of which only those not yet ended are running (about 140 at
national scale); the benchmark needs 8,000 running ones. `running_periods_top_up` adds them in bulk on open
cases that have none, meant to run inside a transaction that is rolled back (the benchmark leaves the
database as it found it). `due_reminders_count` is the floor: one SQL statement that counts the reminders the
scan would send today, (period, deadline, milestone, recipient) not yet sent - the key of a reminder, so a
deadline that moved is reminded again - by the rules of reflection.selectors.milestone_reached and
reminders_due.
"""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.db import connection

from cases.models import Case
from identification.rules import MUST_LEAVE
from reflection.choices import ExtensionGround, PeriodKind
from reflection.models import Extension, ReflectionPeriod

STANDARD_DAYS = 30


def running_periods_top_up(*, wanted: int, today: datetime.date, seed: int = 10, mark: str = "") -> int:
    """Create running periods on open cases without one until `wanted` periods are running; return how many
    were made. Deadlines spread over the coming 30 days (a third extended to 60-100 days, one in 30 already
    expired without an outcome), as a normal day would see them. `mark` goes into `short_reason`, so that the
    rows can be found and removed again."""
    running = ReflectionPeriod.objects.filter(outcome="").count()
    missing = wanted - running
    if missing <= 0:
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not a secret
    candidates = list(
        Case.objects.filter(deleted_at__isnull=True, closed_on__isnull=True)
        .exclude(reflection_periods__outcome="")
        .order_by("pk")
        .values_list("pk", "residence_status", "created_by_id")
    )
    if len(candidates) < missing:
        raise RuntimeError(f"Only {len(candidates)} open cases without a running period; {missing} needed.")
    chosen = rng.sample(candidates, missing)
    periods, extended = [], []
    for case_id, residence, created_by in chosen:
        draw = rng.random()
        total = STANDARD_DAYS
        if draw < 1 / 30:  # expired, waiting for an outcome: flagged every day
            starts_on = today - datetime.timedelta(days=STANDARD_DAYS + rng.randint(1, 10))
        elif draw < 0.35:
            total = rng.choice([60, 70, 100])
            starts_on = today - datetime.timedelta(days=rng.randint(20, total - 1))
        else:
            starts_on = today - datetime.timedelta(days=rng.randint(0, STANDARD_DAYS - 1))
        period = ReflectionPeriod(
            case_id=case_id,
            kind=PeriodKind.STATUTORY if residence in MUST_LEAVE else PeriodKind.ACTION_PLAN,
            starts_on=starts_on,
            initial_days=STANDARD_DAYS,
            total_days=total,
            ends_on=starts_on + datetime.timedelta(days=total),
            short_reason=mark,
            created_by_id=created_by,
        )
        periods.append(period)
        if total != STANDARD_DAYS:
            extended.append((period, starts_on + datetime.timedelta(days=rng.randint(10, 19)), created_by))
    ReflectionPeriod.objects.bulk_create(periods, batch_size=2000)
    Extension.objects.bulk_create(
        [
            Extension(
                period=period,
                new_total_days=period.total_days,
                ground=ExtensionGround.PREPARED_RETURN,
                decided_on=decided_on,
                recorded_by_id=by,
            )
            for period, decided_on, by in extended
        ],
        batch_size=2000,
    )
    return len(periods)


def _milestone_sql() -> str:
    """The milestone a running period has reached, as a CASE over `days_left` and `unextended` (the rule of
    reflection.services.due_milestone, built from the same settings); NULL when none."""
    consider = settings.REFLECTION_CONSIDER_EXTENSION_DAYS
    milestones = sorted(settings.REFLECTION_MILESTONES)
    whens = ["WHEN days_left < 0 THEN %s"]  # 'expired:<today>', a parameter
    whens += [f"WHEN days_left <= {m} THEN 'd{m}'" for m in milestones if m <= consider]
    whens.append(f"WHEN unextended AND days_left <= {consider} THEN 'consider_extension'")
    whens += [f"WHEN days_left <= {m} THEN 'd{m}'" for m in milestones if m > consider]
    return f"CASE {' '.join(whens)} END"


def _due_sql(today: datetime.date, final: str) -> tuple[str, list]:
    """The recipients (period, milestone, user) due today and not yet reminded, as CTEs named `due` and
    `recipient` filtered into `owed`, followed by `final`; returns the SQL and its parameters."""
    milestone = _milestone_sql()
    horizon = max([*settings.REFLECTION_MILESTONES, settings.REFLECTION_CONSIDER_EXTENSION_DAYS])
    ops = connection.ops
    day = ops.adapt_datefield_value(today)
    last_day = ops.adapt_datefield_value(today + datetime.timedelta(days=horizon))
    if connection.vendor == "postgresql":
        days_left = "(r.ends_on - %s::date)"
    else:
        days_left = "CAST(julianday(r.ends_on) - julianday(%s) AS INTEGER)"
    sql = f"""
        WITH candidate AS (
          SELECT r.id, r.case_id, r.ends_on, k.number, k.organisation_id, k.contact_person_id,
            {days_left} AS days_left,
            (r.total_days = {STANDARD_DAYS}
             AND NOT EXISTS (SELECT 1 FROM reflection_extension x WHERE x.period_id = r.id)) AS unextended
          FROM reflection_reflectionperiod r JOIN cases_case k ON k.id = r.case_id
          WHERE r.outcome = '' AND r.ends_on IS NOT NULL AND r.ends_on <= %s AND k.deleted_at IS NULL
            AND k.anonymised_at IS NULL
        ), due AS (
          SELECT id, case_id, ends_on, number, days_left, organisation_id, contact_person_id,
            {milestone} AS milestone
          FROM candidate
        ), recipient AS (
          SELECT d.id, d.case_id, d.ends_on, d.number, d.days_left, d.milestone, d.organisation_id, t.user_id
          FROM due d JOIN cases_caseteammember t ON t.case_id = d.case_id WHERE d.milestone IS NOT NULL
          UNION
          SELECT d.id, d.case_id, d.ends_on, d.number, d.days_left, d.milestone, d.organisation_id,
            d.contact_person_id
          FROM due d WHERE d.milestone IS NOT NULL AND d.contact_person_id IS NOT NULL
        ), owed AS (
          SELECT rc.*, u.email FROM recipient rc
          JOIN cmm_user u ON u.id = rc.user_id AND u.is_active
          WHERE EXISTS (
              SELECT 1 FROM cmm_membership m JOIN cmm_organisation o ON o.id = m.organisation_id
              WHERE m.user_id = rc.user_id AND m.organisation_id = rc.organisation_id AND m.is_active
                AND o.is_active)
            AND NOT EXISTS (
              SELECT 1 FROM reflection_notification n
              WHERE n.period_id = rc.id AND n.deadline = rc.ends_on AND n.milestone = rc.milestone
                AND n.recipient_id = rc.user_id)
        )
        {final}
    """
    return sql, [day, last_day, f"expired:{today.isoformat()}"]


def due_reminders_count(*, today: datetime.date) -> int:
    """Count the reminders the deadline scan would create today: per running period (of a case neither
    deleted nor erased) with a milestone reached and per recipient (the case team and the contact person,
    active and still an active member of the case's organisation) not yet reminded of that milestone."""
    sql, params = _due_sql(today, "SELECT count(*) FROM owed")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (count,) = cursor.fetchone()
    return count


def due_reminders_write(*, today: datetime.date) -> int:
    """Write what the scan writes for today's due reminders - an outbox e-mail for each recipient with an
    address and a notification row each, naming its deadline and pointing to its e-mail - in one PostgreSQL
    statement (data-modifying CTEs), the fastest the database can do it; return the number of notifications.
    The floor of a scan that has reminders to send; run it inside a transaction that is rolled back."""
    sql, params = _due_sql(
        today,
        """, numbered AS (
          -- Referenced twice and volatile: materialised once, so each e-mail keeps the id drawn for it.
          SELECT owed.*, CASE WHEN email <> ''
                 THEN nextval(pg_get_serial_sequence('cmm_outboundemail', 'id')) END AS email_id
          FROM owed
        ), mailed AS (
          INSERT INTO cmm_outboundemail (id, \"to\", subject, body, status, attempts, last_error, created_at)
          SELECT email_id, email, 'A deadline in case ' || number || ' is due',
                 'The reflection period in case ' || number || ' has a deadline on ' || ends_on::text,
                 'pending', 0, '', now()
          FROM numbered WHERE email_id IS NOT NULL RETURNING 1
        ), notified AS (
          INSERT INTO reflection_notification (recipient_id, period_id, case_id, milestone, days_left,
                                               deadline, outbound_email_id, created_at)
          SELECT user_id, id, case_id, milestone, days_left, ends_on, email_id, now()
          FROM numbered RETURNING 1
        )
        SELECT (SELECT count(*) FROM notified), (SELECT count(*) FROM mailed)""",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        notified, _mailed = cursor.fetchone()
    return notified
