"""Time the statistics service (DESIGN.md §3) on the database in DATABASE_URL (PostgreSQL only).

    DATABASE_URL=postgres://... python -m bench.statistics_bench [--runs 5] [--organisation CODE] [--explain]

Fill the database first with `manage.py generate_synthetic --scale national`. For the latest full quarter and
the last full year, for all organisations and for one organisation, `statistics_compute` is run once to warm
up and then `--runs` times; the table shows the median, 95th percentile and fastest wall time and the number
of queries per run. Then the per-table timings of the quarter for all organisations (so a slow table stands
out) and, with `--explain`, EXPLAIN (ANALYZE, BUFFERS) of the slowest query. The target of issue 9: the
quarterly statistics for all organisations in under 2 seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

TARGET_SECONDS = 2.0


@dataclass
class QueryLog:
    """Every query run while active, with its duration and the statistics table that ran it."""

    queries: list[tuple[float, str, tuple, str]] = field(default_factory=list)
    table: str = "-"

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - started, sql, params, self.table))


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmm.settings.base")
    import django

    django.setup()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


@contextmanager
def _timed_builders(log: QueryLog, timings: dict[str, list[float]]):
    """Wrap each table builder the statistics service calls, to time it and tag its queries."""
    from reports.services import statistics as service

    originals = {
        name: builder
        for name, builder in vars(service).items()
        if name.endswith("_table")
        and callable(builder)
        and builder.__module__.startswith("reports.statistics")
    }

    def wrap(name, builder):
        def timed(**kwargs):
            log.table = name
            started = time.perf_counter()
            try:
                return builder(**kwargs)
            finally:
                timings[name].append(time.perf_counter() - started)
                log.table = "-"

        return timed

    for name, builder in originals.items():
        setattr(service, name, wrap(name, builder))
    try:
        yield
    finally:
        for name, builder in originals.items():
            setattr(service, name, builder)


def _measure(compute, *, period, scope, runs: int) -> dict:
    from django.db import connection

    compute(period=period, scope=scope)  # warm-up: caches, plans, pages in memory
    times, counts = [], []
    for _ in range(runs):
        log = QueryLog()
        with connection.execute_wrapper(log):
            started = time.perf_counter()
            compute(period=period, scope=scope)
            times.append(time.perf_counter() - started)
        counts.append(len(log.queries))
    return {
        "median": statistics.median(times),
        "p95": _percentile(times, 0.95),
        "min": min(times),
        "queries": max(counts),
    }


def _explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.statistics_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=5, help="Timed runs after the warm-up (default 5).")
    parser.add_argument(
        "--organisation", help="Case prefix of the organisation for the one-organisation runs."
    )
    parser.add_argument("--explain", action="store_true", help="Print EXPLAIN ANALYZE of the slowest query.")
    options = parser.parse_args(argv)

    _setup_django()
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from cmm.models import Organisation
    from reports.periods import Period, Scope, quarter_containing
    from reports.services.statistics import statistics_compute

    if connection.vendor != "postgresql":
        print(
            "The statistics benchmark measures PostgreSQL, not SQLite: set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmm_bench python -m bench.statistics_bench",
            file=sys.stderr,
        )
        return 2
    if options.organisation:
        organisation = Organisation.objects.filter(case_prefix=options.organisation).first()
        if organisation is None:
            print(f"No organisation with the case prefix {options.organisation}.", file=sys.stderr)
            return 2
    else:  # the busiest organisation: the most outreach contacts
        organisation = Organisation.objects.annotate(n=Count("contacts")).order_by("-n", "pk").first()
    if organisation is None:
        print(
            "The database is empty: run manage.py generate_synthetic --scale national first.", file=sys.stderr
        )
        return 2

    today = timezone.localdate()
    quarter = quarter_containing(today).previous()
    year = Period.year(today.year - 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM outreach_contact")
        (contacts,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM cases_case")
        (cases,) = cursor.fetchone()
    print(f"Database: {connection.settings_dict['NAME']} ({version.split(',')[0]})")
    print(f"Data: {cases:,} cases, {contacts:,} contacts; {options.runs} runs after one warm-up each.")
    print(f"Machine: {os.cpu_count()} CPUs\n")

    header = f"{'period':<10} {'scope':<28} {'median s':>9} {'p95 s':>8} {'min s':>8} {'queries':>8}"
    print(header)
    print("-" * len(header))
    results = {}
    for period in (quarter, year):
        for scope, label in ((Scope(None), "all organisations"), (Scope(organisation.pk), organisation.name)):
            measured = _measure(statistics_compute, period=period, scope=scope, runs=options.runs)
            results[(period, scope.is_national)] = measured
            print(
                f"{period.code:<10} {label[:28]:<28} {measured['median']:>9.3f} {measured['p95']:>8.3f} "
                f"{measured['min']:>8.3f} {measured['queries']:>8}"
            )

    # Per table, for the quarter and all organisations: which table costs what.
    timings: dict[str, list[float]] = defaultdict(list)
    log = QueryLog()
    with _timed_builders(log, timings), connection.execute_wrapper(log):
        for _ in range(options.runs):
            statistics_compute(period=quarter, scope=Scope(None))
    queries_per_table: dict[str, int] = defaultdict(int)
    for _duration, _sql, _params, table in log.queries:
        queries_per_table[table] += 1
    print(f"\nPer table, {quarter.code}, all organisations (median of {options.runs} runs):")
    print(f"{'table builder':<36} {'median s':>9} {'max s':>8} {'queries':>8}")
    for name, values in sorted(timings.items(), key=lambda item: -statistics.median(item[1])):
        print(
            f"{name:<36} {statistics.median(values):>9.3f} {max(values):>8.3f} "
            f"{queries_per_table[name] // options.runs:>8}"
        )

    national = results[(quarter, True)]["median"]
    verdict = "meets" if national < TARGET_SECONDS else "MISSES"
    print(
        f"\nQuarterly statistics, all organisations: {national:.3f} s median: "
        f"{verdict} the {TARGET_SECONDS} s target."
    )

    slowest = max(log.queries, key=lambda query: query[0])
    print(f"Slowest query: {slowest[0]:.3f} s in {slowest[3]}.")
    if options.explain:
        print(f"\n{slowest[1]}\nparams: {slowest[2]!r}\n")
        print(_explain(slowest[1], slowest[2]))
    return 0 if national < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
