# ruff: noqa: S608 - the SQL is put together from constant fragments; every value is a parameter.
"""The floor of the statistics benchmark: hand-written SQL that computes the numbers of `statistics_compute`.

One SQL statement per table of DESIGN.md §3, written once here and nowhere else, as fast as we know how to
write it (filters on indexed columns first, anti-joins for "first contact", pre-aggregated joins instead of
DISTINCT over fan-out). Python only folds the few aggregated rows into {row key: {column: value}}, the shape
`Table` has, so `statistics_mismatches` can check every count of the service against the floor.

The SQL runs on PostgreSQL and SQLite alike except for the hotline calls by quarter (local-time quarters need
PostgreSQL's time zones) and the bed-day arithmetic, which has one expression per engine. Derived columns
(averages, shares) are not recomputed: they come from the counts compared here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from cases.choices import _AGE_BAND_LIMITS, AgeBand, ResidenceStatus
from reports.periods import Period, Scope


@dataclass
class FloorTable:
    """The counts of one statistics table as computed by the floor SQL."""

    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)


def _fetch(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _bounds(period: Period) -> tuple:
    """The period as the database compares it: the first and last day, and the instants around them."""
    ops = connection.ops
    return (
        ops.adapt_datefield_value(period.start),
        ops.adapt_datefield_value(period.end),
        ops.adapt_datetimefield_value(period.starts_at()),
        ops.adapt_datetimefield_value(period.ends_before()),
    )


def _org(scope: Scope, column: str) -> tuple[str, list]:
    if scope.is_national:
        return "", []
    return f" AND {column} = %s", [scope.organisation_id]


def _sum_rows(rows: dict[str, dict[str, int]]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for cells in rows.values():
        for column, value in cells.items():
            totals[column] += value or 0
    return dict(totals)


# --- 1-5: outreach ------------------------------------------------------------------------------------

# The contacts of the period in scope, without those of deleted cases (reports.statistics.outreach._contacts).
_CONTACTS = """
    FROM outreach_contact c LEFT JOIN cases_case k ON k.id = c.case_id
    WHERE c.occurred_at >= %s AND c.occurred_at < %s AND (c.case_id IS NULL OR k.deleted_at IS NULL)
"""


def persons_met(period: Period, scope: Scope) -> FloorTable:
    _start, _end, since, before = _bounds(period)
    org_sql, org_params = _org(scope, "c.organisation_id")
    (found,) = _fetch(
        f"""
        SELECT
          count(DISTINCT c.case_id) AS case_met,
          count(DISTINCT c.case_id) FILTER (WHERE c.has_indicators) AS case_ind,
          count(DISTINCT c.client_code) FILTER (WHERE c.case_id IS NULL AND c.client_code <> '')
            AS client_code_met,
          count(DISTINCT c.client_code)
            FILTER (WHERE c.case_id IS NULL AND c.client_code <> '' AND c.has_indicators) AS client_code_ind,
          sum(c.group_size) FILTER (WHERE c.case_id IS NULL AND c.client_code = '') AS anonymous_met,
          sum(c.group_size) FILTER (WHERE c.case_id IS NULL AND c.client_code = '' AND c.has_indicators)
            AS anonymous_ind
        {_CONTACTS} {org_sql}
        """,
        [since, before, *org_params],
    )
    rows = {
        key: {"persons_met": found[f"{key}_met"] or 0, "with_indicators": found[f"{key}_ind"] or 0}
        for key in ("case", "client_code", "anonymous")
    }
    return FloorTable(rows, _sum_rows(rows))


def new_persons(period: Period, scope: Scope) -> FloorTable:
    _start, _end, since, before = _bounds(period)
    org_sql, org_params = _org(scope, "c.organisation_id")
    # "First" is an anti-join: no contact of the same organisation with the same case (or, without a case,
    # the same client code) before it in (occurred_at, id) order. The first condition on occurred_at lets
    # the (case_id, occurred_at) and (organisation_id, client_code, occurred_at) indexes do the work.
    earlier = """
        e.organisation_id = c.organisation_id AND e.occurred_at <= c.occurred_at
        AND (e.occurred_at < c.occurred_at OR e.id < c.id)
    """
    found = _fetch(
        f"""
        SELECT c.venue,
          count(*) FILTER (WHERE c.case_id IS NOT NULL) AS new_case,
          count(*) FILTER (WHERE c.case_id IS NULL AND c.client_code <> '') AS new_client_code,
          sum(c.group_size) FILTER (WHERE c.case_id IS NULL AND c.client_code = '' AND c.first_time_met)
            AS new_anonymous
        {_CONTACTS} {org_sql}
        AND (
          (c.case_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM outreach_contact e WHERE e.case_id = c.case_id AND {earlier}))
          OR (c.case_id IS NULL AND c.client_code <> '' AND NOT EXISTS (
            SELECT 1 FROM outreach_contact e
            WHERE e.case_id IS NULL AND e.client_code = c.client_code AND {earlier}))
          OR (c.case_id IS NULL AND c.client_code = '' AND c.first_time_met)
        )
        GROUP BY c.venue
        """,
        [since, before, *org_params],
    )
    columns = ("case", "client_code", "anonymous")
    rows = {key: dict.fromkeys([*columns, "total"], 0) for key in ("street", "massage_clinic", "other")}
    for group in found:
        cells = rows[group["venue"] if group["venue"] in rows else "other"]
        for column in columns:
            cells[column] += group[f"new_{column}"] or 0
            cells["total"] += group[f"new_{column}"] or 0
    return FloorTable(rows, _sum_rows(rows))


def meeting_place(period: Period, scope: Scope) -> FloorTable:
    start, end, _since, _before = _bounds(period)
    org_sql, org_params = _org(scope, "organisation_id")
    found = _fetch(
        f"""
        SELECT organisation_id, place, count(*) AS opening_days, sum(visitors) AS visits,
          sum(returning_visitors) AS returning_visits,
          count(*) FILTER (WHERE health_clinic_open) AS clinic_days,
          sum(visitors) FILTER (WHERE health_clinic_open) AS clinic_visits
        FROM outreach_meetingplacesession WHERE date >= %s AND date <= %s {org_sql}
        GROUP BY organisation_id, place
        """,
        [start, end, *org_params],
    )
    columns = ("opening_days", "visits", "returning_visits", "clinic_days", "clinic_visits")
    rows = {f"{g['organisation_id']}:{g['place']}": {c: g[c] or 0 for c in columns} for g in found}
    return FloorTable(rows, _sum_rows(rows) if rows else dict.fromkeys(columns, 0))


def clinic_consultations(period: Period, scope: Scope) -> FloorTable:
    start, end, _since, _before = _bounds(period)
    org_sql, org_params = _org(scope, "organisation_id")
    found = _fetch(
        f"""
        SELECT organisation_id, clinic, count(*) AS days, sum(consultations) AS consultations
        FROM outreach_clinicconsultation WHERE date >= %s AND date <= %s {org_sql}
        GROUP BY organisation_id, clinic
        """,
        [start, end, *org_params],
    )
    rows = {
        f"{g['organisation_id']}:{g['clinic']}": {"days": g["days"], "consultations": g["consultations"] or 0}
        for g in found
    }
    return FloorTable(rows, _sum_rows(rows) if rows else {"days": 0, "consultations": 0})


def police_raids(period: Period, scope: Scope) -> FloorTable:
    start, end, _since, _before = _bounds(period)
    org_sql, org_params = _org(scope, "organisation_id")
    found = _fetch(
        f"""
        SELECT police_district, count(*) AS raids, sum(persons_met) AS persons_met,
          sum(persons_with_indicators) AS with_indicators
        FROM outreach_policeraid WHERE date >= %s AND date <= %s {org_sql}
        GROUP BY police_district
        """,
        [start, end, *org_params],
    )
    columns = ("raids", "persons_met", "with_indicators")
    rows = {g["police_district"]: {c: g[c] or 0 for c in columns} for g in found}
    return FloorTable(rows, _sum_rows(rows) if rows else dict.fromkeys(columns, 0))


_CALLS = "FROM outreach_hotlinecall WHERE NOT wrong_number AND received_at >= %s AND received_at < %s"


def hotline_calls(period: Period, scope: Scope) -> FloorTable:
    _start, _end, since, before = _bounds(period)
    org_sql, org_params = _org(scope, "organisation_id")
    found = _fetch(
        f"SELECT caller_category, purpose, count(*) AS calls {_CALLS} {org_sql} GROUP BY 1, 2",
        [since, before, *org_params],
    )
    rows: dict[str, dict[str, int]] = defaultdict(lambda: {"total": 0})
    for group in found:
        cells = rows[group["caller_category"]]
        cells[group["purpose"]] = group["calls"]
        cells["total"] += group["calls"]
    return FloorTable(dict(rows), _sum_rows(rows) if rows else {"total": 0})


def hotline_calls_by_quarter(period: Period, scope: Scope) -> FloorTable:
    """PostgreSQL only: the quarter of the local date needs the database's time zones."""
    _start, _end, since, before = _bounds(period)
    org_sql, org_params = _org(scope, "organisation_id")
    found = _fetch(
        f"""
        SELECT extract(year FROM received_at AT TIME ZONE %s)::int AS year,
          extract(quarter FROM received_at AT TIME ZONE %s)::int AS quarter, caller_category,
          count(*) AS calls
        {_CALLS} {org_sql} GROUP BY 1, 2, 3
        """,
        ["Europe/Copenhagen", "Europe/Copenhagen", since, before, *org_params],
    )
    rows: dict[str, dict[str, int]] = defaultdict(lambda: {"total": 0})
    for group in found:
        cells = rows[f"{group['year']}-Q{group['quarter']}"]
        cells[group["caller_category"]] = group["calls"]
        cells["total"] += group["calls"]
    return FloorTable(dict(rows), _sum_rows(rows) if rows else {"total": 0})


# --- 6-10: casework -----------------------------------------------------------------------------------


def _nights_sql() -> str:
    """A stay's nights with the evening in [start, end]: min(discharge, end + 1) - max(admission, start)."""
    if connection.vendor == "postgresql":
        return "(LEAST(COALESCE(s.discharged_on, %s::date + 1), %s::date + 1) - GREATEST(s.admitted_on, %s))"
    return (
        "CAST(julianday(min(COALESCE(s.discharged_on, date(%s, '+1 day')), date(%s, '+1 day')))"
        " - julianday(max(s.admitted_on, %s)) AS INTEGER)"
    )


def shelters(period: Period, scope: Scope) -> FloorTable:
    start, end, _since, _before = _bounds(period)
    org_sql, org_params = "", []
    if not scope.is_national:  # the organisation's own cases and the stays in its shelter
        org_sql, org_params = (
            " AND (k.organisation_id = %s OR s.shelter_id = %s)",
            [scope.organisation_id] * 2,
        )
    night = "(s.discharged_on IS NULL OR (s.discharged_on > %s AND s.discharged_on > s.admitted_on))"
    measures = f"""
          count(*) FILTER (WHERE s.admitted_on >= %s AND s.admitted_on <= %s) AS admissions,
          count(*) FILTER (WHERE s.discharged_on >= %s AND s.discharged_on <= %s) AS discharges,
          sum({_nights_sql()}) FILTER (WHERE {night}) AS bed_days,
          count(DISTINCT s.case_id) FILTER (WHERE {night}) AS persons
    """
    measure_params = [start, end, start, end, end, end, start, start, start]
    where = f"""
        FROM cases_shelterstay s JOIN cases_case k ON k.id = s.case_id
        WHERE k.deleted_at IS NULL AND s.admitted_on <= %s
          AND (s.discharged_on IS NULL OR s.discharged_on >= %s)
        {org_sql}
    """
    where_params = [end, start, *org_params]
    found = _fetch(
        f"""
        SELECT 0 AS overall, s.shelter_id, {measures} {where} GROUP BY s.shelter_id
        UNION ALL
        SELECT 1 AS overall, NULL, {measures} {where}
        """,
        [*measure_params, *where_params] * 2,
    )
    columns = ("admissions", "discharges", "bed_days", "persons")
    rows, totals = {}, {}
    for group in found:
        cells = {column: int(group[column] or 0) for column in columns}
        if group["overall"]:
            totals = cells
        else:
            rows[str(group["shelter_id"] or "none")] = cells
    return FloorTable(rows, totals)


def _band_sql(column: str) -> str:
    whens = " ".join(f"WHEN {column} <= {upper} THEN '{band.value}'" for upper, band in _AGE_BAND_LIMITS)
    unknown, oldest = AgeBand.UNKNOWN.value, AgeBand.A48_PLUS.value
    return f"CASE WHEN {column} IS NULL THEN '{unknown}' {whens} ELSE '{oldest}' END"


def _identification_groups(
    period: Period, scope: Scope, *, minors_only: bool
) -> tuple[list, list, list, list]:
    start, end, _since, _before = _bounds(period)
    org_sql, org_params = _org(scope, "k.organisation_id")
    minors = " AND p.unaccompanied_minor" if minors_only else ""
    presentations = f"""
        FROM identification_presentation p JOIN cases_case k ON k.id = p.case_id
        WHERE p.presented_on >= %s AND p.presented_on <= %s AND k.deleted_at IS NULL {org_sql} {minors}
    """
    # The current decision: none corrects it.
    decisions = f"""
        FROM identification_decision d
        JOIN identification_presentation p ON p.id = d.presentation_id JOIN cases_case k ON k.id = p.case_id
        WHERE d.decided_on >= %s AND d.decided_on <= %s AND k.deleted_at IS NULL {org_sql} {minors}
          AND NOT EXISTS (SELECT 1 FROM identification_decision n WHERE n.corrects_id = d.id)
    """
    params = [start, end, *org_params]
    outcomes = """
          count(*) AS decisions,
          count(*) FILTER (WHERE d.outcome = 'identified') AS identified,
          count(*) FILTER (WHERE d.outcome = 'not_identified') AS not_identified
    """
    band = _band_sql("p.age_at_presentation")
    presented = _fetch(
        f"""
        SELECT p.authority, k.gender, {band} AS band, k.nationality, p.residence_status,
          count(*) AS presentations
        {presentations} GROUP BY 1, 2, 3, 4, 5
        """,
        params,
    )
    decided = _fetch(
        f"SELECT d.authority, k.gender, {band} AS band, k.nationality, p.residence_status, {outcomes} "
        f"{decisions} GROUP BY 1, 2, 3, 4, 5",
        params,
    )
    if minors_only:
        return presented, decided, [], []
    # Per form of exploitation: a case has each form at most once (a unique constraint), so no DISTINCT.
    exploitation = "LEFT JOIN cases_caseexploitation x ON x.case_id = k.id"
    presented_by_type = _fetch(
        "SELECT x.type, count(*) AS presentations "
        f"{presentations.replace('WHERE', exploitation + ' WHERE', 1)} GROUP BY x.type",
        params,
    )
    decided_by_type = _fetch(
        f"SELECT x.type, {outcomes} {decisions.replace('WHERE', exploitation + ' WHERE', 1)} GROUP BY x.type",
        params,
    )
    return presented, decided, presented_by_type, decided_by_type


_ID_COLUMNS = ("presentations", "decisions", "identified", "not_identified")


def identification(period: Period, scope: Scope) -> FloorTable:
    presented, decided, presented_by_type, decided_by_type = _identification_groups(
        period, scope, minors_only=False
    )
    rows: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_ID_COLUMNS, 0))
    totals = dict.fromkeys(_ID_COLUMNS, 0)
    for group in [*presented, *decided]:
        keys = [
            f"authority:{group['authority']}",
            f"gender:{group['gender']}",
            f"age:{group['band']}",
            f"nationality:{group['nationality']}",
        ]
        if group["residence_status"] == ResidenceStatus.ASYLUM_SEEKER:
            keys.append("asylum_seekers")
        for column in _ID_COLUMNS:
            value = group.get(column, 0)
            totals[column] += value
            for key in keys:
                rows[key][column] += value
    for group in [*presented_by_type, *decided_by_type]:
        for column in _ID_COLUMNS:
            rows[f"exploitation:{group['type'] or ''}"][column] += group.get(column, 0)
    return FloorTable(dict(rows), totals)


def minors(period: Period, scope: Scope) -> FloorTable:
    presented, decided, _p, _d = _identification_groups(period, scope, minors_only=True)
    rows: dict[str, dict[str, int]] = defaultdict(lambda: {"presented": 0, "identified": 0})
    totals = {"presented": 0, "identified": 0}
    for group, source, target in [
        *((g, "presentations", "presented") for g in presented),
        *((g, "identified", "identified") for g in decided),
    ]:
        for key in (f"gender:{group['gender']}", f"age:{group['band']}"):
            rows[key][target] += group[source]
        totals[target] += group[source]
    return FloorTable(dict(rows), totals)


def reflection(period: Period, scope: Scope) -> FloorTable:
    start, end, _since, _before = _bounds(period)
    org_sql, org_params = _org(scope, "k.organisation_id")
    # Only periods with something in the period; extensions and postponements pre-aggregated per period.
    found = _fetch(
        f"""
        SELECT r.outcome,
          count(*) FILTER (WHERE r.starts_on >= %s AND r.starts_on <= %s) AS started,
          count(*) FILTER (WHERE r.starts_on >= %s AND r.starts_on <= %s AND r.kind = 'statutory')
            AS statutory,
          coalesce(sum(x.n), 0) AS extended,
          coalesce(sum(y.n), 0) AS postponed,
          count(*) FILTER (WHERE r.outcome_on >= %s AND r.outcome_on <= %s) AS ended
        FROM reflection_reflectionperiod r JOIN cases_case k ON k.id = r.case_id
        LEFT JOIN (SELECT period_id, count(*) AS n FROM reflection_extension
                   WHERE decided_on >= %s AND decided_on <= %s GROUP BY period_id) x ON x.period_id = r.id
        LEFT JOIN (SELECT period_id, count(*) AS n FROM reflection_postponement
                   WHERE from_date >= %s AND from_date <= %s GROUP BY period_id) y ON y.period_id = r.id
        WHERE k.deleted_at IS NULL {org_sql}
          AND ((r.starts_on >= %s AND r.starts_on <= %s) OR (r.outcome_on >= %s AND r.outcome_on <= %s)
               OR x.n IS NOT NULL OR y.n IS NOT NULL)
        GROUP BY r.outcome
        """,
        [*([start, end] * 5), *org_params, start, end, start, end],
    )
    columns = ("started", "statutory", "extended", "postponed", "ended")
    rows = {g["outcome"] or "running": {c: int(g[c] or 0) for c in columns} for g in found}
    return FloorTable(rows, _sum_rows(rows) if rows else dict.fromkeys(columns, 0))


def returns(period: Period, scope: Scope) -> FloorTable:
    start, end, _since, _before = _bounds(period)
    org_sql, org_params = _org(scope, "k.organisation_id")
    found = _fetch(
        f"""
        SELECT r.destination_country, r.channel, count(*) AS plans
        FROM referrals_returnplan r JOIN cases_case k ON k.id = r.case_id
        WHERE r.status IN ('departed', 'follow_up', 'completed')
          AND r.actual_departure_on >= %s AND r.actual_departure_on <= %s AND k.deleted_at IS NULL {org_sql}
        GROUP BY 1, 2
        """,
        [start, end, *org_params],
    )
    rows: dict[str, dict[str, int]] = defaultdict(lambda: {"total": 0})
    for group in found:
        cells = rows[str(group["destination_country"])]
        cells[group["channel"]] = group["plans"]
        cells["total"] += group["plans"]
    return FloorTable(dict(rows), _sum_rows(rows) if rows else {"total": 0})


# --- All of them --------------------------------------------------------------------------------------

BUILDERS = {
    "persons_met": persons_met,
    "new_persons": new_persons,
    "meeting_place": meeting_place,
    "clinic_consultations": clinic_consultations,
    "police_raids": police_raids,
    "hotline_calls": hotline_calls,
    "hotline_calls_by_quarter": hotline_calls_by_quarter,
    "shelters": shelters,
    "identification": identification,
    "reflection": reflection,
    "returns": returns,
    "minors": minors,
}
POSTGRESQL_ONLY = {"hotline_calls_by_quarter"}


def floor_tables(*, period: Period, scope: Scope) -> dict[str, FloorTable]:
    """Compute every table `statistics_compute` prints for the period and scope with the floor SQL (on SQLite
    all but the PostgreSQL-only ones)."""
    spans_quarters = (period.start.year, (period.start.month - 1) // 3) != (
        period.end.year,
        (period.end.month - 1) // 3,
    )
    computed = {}
    for key, build in BUILDERS.items():
        if key == "hotline_calls_by_quarter" and not spans_quarters:
            continue
        if key in POSTGRESQL_ONLY and connection.vendor != "postgresql":
            continue
        computed[key] = build(period, scope)
    return computed


def statistics_mismatches(tables, floor: dict[str, FloorTable]) -> list[str]:
    """Compare the service's tables with the floor's counts; return one line per difference (none: equal).

    Every row of either side is compared on the floor's columns (a row missing on one side counts as zeros),
    and so are the totals. A service table the floor did not compute is reported too.
    """
    problems = []
    for table in tables:
        computed = floor.get(table.key)
        if computed is None:
            problems.append(f"{table.key}: not computed by the floor SQL")
            continue
        columns = {column for cells in computed.rows.values() for column in cells} | set(computed.totals)
        service_rows = {row.key: row.cells for row in table.rows}
        for key in sorted(set(service_rows) | set(computed.rows)):
            for column in sorted(columns):
                mine = (service_rows.get(key) or {}).get(column) or 0
                theirs = (computed.rows.get(key) or {}).get(column) or 0
                if mine != theirs:
                    problems.append(f"{table.key} [{key}] {column}: service {mine}, SQL {theirs}")
        for column in sorted(columns):
            mine, theirs = table.totals.get(column) or 0, computed.totals.get(column) or 0
            if mine != theirs:
                problems.append(f"{table.key} [total] {column}: service {mine}, SQL {theirs}")
    return problems
