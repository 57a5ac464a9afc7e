"""The benchmark suite of issue 10: every figure beside a floor measured in the same run on the same data.

    DATABASE_URL=postgres://... python -m bench [--runs 30] [--only statistics,pages,...]   (or: make bench)

PostgreSQL only (SQLite is refused). It reads a database filled by `manage.py generate_synthetic --scale
national` and leaves it as it found it: the 8,000 running reflection periods the deadline scan needs are
added at the start and removed at the end (also after a crash, by the next run), the reminders a scan makes
are deleted after each timed run, and the contact logged through the form is rolled back. It prints one
table: median and p95 of each measure, its floor, the ratio, the queries per run and PASS/MISS against the
target of issue 10. It always exits 0 unless it cannot run at all: it is a report, not a test; CI does not
run it.

  statistics   statistics_compute of the latest full quarter, all organisations / the hand-written SQL
               (bench.statistics_sql), whose numbers are checked against the service's      target <= 1.5
  pages        /cases/, /outreach/contacts/, the deadline dashboard as a caseworker of the largest NGO
               / a trivial authenticated page                                        target p95 <= 150 ms
  api          /api/cases/ (a page of 50) / the case list page                               ratio reported
  contact      logging one contact through the form (POST, rolled back)                      median and p95
  scan         the deadline scan over 8,000 running periods / one SQL count of the due reminders  <= 3
  pdf          the quarterly PDF (render_report, not saved) / a one-page WeasyPrint document   < 5 s
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

RUNNING_PERIODS = 8000
TOP_UP_MARK = "bench top-up (bench.run): removed at the end of the run"
SECTIONS = ["statistics", "pages", "api", "contact", "scan", "pdf"]


@dataclass
class Figure:
    """One row of the table."""

    number: str
    name: str
    times: list[float]
    floor: list[float] | None = None
    floor_name: str = ""
    queries: int | None = None
    target: str = ""
    passed: bool | None = None  # None: reported, no target

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        return percentile(self.times, 0.95)

    @property
    def ratio(self) -> float | None:
        if not self.floor:
            return None
        floor = statistics.median(self.floor)
        return self.median / floor if floor else None


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95 of 30 runs is the 29th fastest)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(action: Callable[[], object], *, runs: int, warm_up: int = 1) -> tuple[list[float], int]:
    """Run `action` warm_up times untimed, then `runs` times; return the wall times and the most queries."""
    from django.db import connection

    for _ in range(warm_up):
        action()
    times, most = [], 0
    for _ in range(runs):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            action()
            times.append(time.perf_counter() - started)
        most = max(most, counter.count)
    return times, most


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


# --- The data and the machine ---------------------------------------------------------------------------


def machine_lines() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
        cursor.execute("SHOW jit")
        (jit,) = cursor.fetchone()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return [
        f"Machine: {os.cpu_count()} CPUs, {memory:.1f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}",
        f"Database: PostgreSQL {version} ({connection.settings_dict['NAME']}), jit={jit}",
    ]


def data_line() -> str:
    from django.db import connection

    counted = [
        ("cases_case", "cases"),
        ("outreach_contact", "contacts"),
        ("outreach_hotlinecall", "hotline calls"),
        ("cases_shelterstay", "shelter stays"),
        ("identification_presentation", "presentations"),
        ("reflection_reflectionperiod", "reflection periods"),
        ("cmm_user", "users"),
    ]
    parts = []
    with connection.cursor() as cursor:
        for table, label in counted:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            parts.append(f"{cursor.fetchone()[0]:,} {label}")
        cursor.execute("SELECT count(*) FROM reflection_reflectionperiod WHERE outcome = ''")
        parts.append(f"of which {cursor.fetchone()[0]:,} running")
    return "Data: " + ", ".join(parts)


def top_up_remove() -> int:
    """Delete the running periods a benchmark run added (with their extensions and reminders)."""
    from reflection.models import Extension, Notification, ReflectionPeriod

    added = ReflectionPeriod.objects.filter(short_reason=TOP_UP_MARK)
    Notification.objects.filter(period__in=added).delete()
    Extension.objects.filter(period__in=added).delete()
    return added.delete()[0]


def top_up(today: datetime.date) -> int:
    """Add running periods (committed, marked) until RUNNING_PERIODS run; refresh the planner's statistics."""
    from django.db import connection, transaction

    from bench.deadlines import running_periods_top_up

    with transaction.atomic():
        made = running_periods_top_up(wanted=RUNNING_PERIODS, today=today, mark=TOP_UP_MARK)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reflection_reflectionperiod")
        cursor.execute("ANALYZE reflection_extension")
    return made


# --- 1. Statistics ----------------------------------------------------------------------------------------


def bench_statistics(*, runs: int, today: datetime.date, notes: list[str]) -> list[Figure]:
    from bench.statistics_sql import floor_tables, statistics_mismatches
    from reports.periods import Scope, quarter_containing
    from reports.services.statistics import statistics_compute

    quarter = quarter_containing(today).previous()
    scope = Scope(None)
    problems = statistics_mismatches(
        statistics_compute(period=quarter, scope=scope), floor_tables(period=quarter, scope=scope)
    )
    if problems:
        notes.append(
            f"!!! MISMATCH: the service and the hand-written SQL disagree on {len(problems)} numbers:"
        )
        notes += [f"!!!   {problem}" for problem in problems[:20]]
    else:
        notes.append(f"Statistics {quarter.code}: every count of the service equals the hand-written SQL's.")
    times, queries = timed(lambda: statistics_compute(period=quarter, scope=scope), runs=runs)
    floor, _floor_queries = timed(lambda: floor_tables(period=quarter, scope=scope), runs=runs)
    figure = Figure(
        "1",
        f"statistics_compute {quarter.code}, all organisations",
        times,
        floor,
        "hand-written SQL",
        queries,
        "ratio <= 1.5",
    )
    figure.passed = not problems and figure.ratio <= 1.5
    return [figure]


# --- 2, 5, 6. Pages, API, contact -------------------------------------------------------------------------


def page_user():
    """A caseworker of the NGO with the most cases (the one with the most cases on their team), logged in
    the way the app does it: with several memberships, the NGO one is chosen in the session."""
    from django.db.models import Count

    from cases.models import Case
    from cmm.models import Membership, OrganisationKind, Role

    largest = (
        Case.objects.filter(organisation__kind=OrganisationKind.NGO, deleted_at__isnull=True)
        .values("organisation")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation")
        .first()
    )
    membership = (
        Membership.objects.active()
        .filter(organisation_id=largest["organisation"], role=Role.CASEWORKER)
        .annotate(
            memberships=Count("user__memberships", distinct=True),
            teams=Count("user__case_teams", distinct=True),
        )
        .order_by("memberships", "-teams", "pk")
        .select_related("user", "organisation")
        .first()
    )
    return membership


def logged_in_client(membership):
    from django.test import Client
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY

    from cmm.middleware import SESSION_KEY
    from cmm.two_factor.selectors import SESSION_VERIFIED_AT
    from cmm.two_factor.testing import totp_device_ensure

    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = membership.pk
    # Past the second factor, as if a code had just been entered (cmm.two_factor).
    session[DEVICE_ID_SESSION_KEY] = totp_device_ensure(membership.user).persistent_id
    session[SESSION_VERIFIED_AT] = int(timezone.now().timestamp())
    session.save()
    return client


def _get(client, url: str, **headers) -> Callable[[], None]:
    def action():
        response = client.get(url, **headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")

    return action


def bench_pages(*, runs: int, membership, notes: list[str]) -> tuple[list[Figure], Figure | None]:
    from django.urls import reverse

    client = logged_in_client(membership)
    floor, _q = timed(_get(client, reverse("bench-trivial")), runs=runs, warm_up=3)
    figures, case_list = [], None
    for number, name, url in [
        ("2a", "case list /cases/", reverse("case-list")),
        ("2b", "contact list /outreach/contacts/", reverse("contact-list")),
        ("2c", "deadline dashboard /reflection/", reverse("reflection-dashboard")),
    ]:
        times, queries = timed(_get(client, url), runs=runs, warm_up=3)
        figure = Figure(number, name, times, floor, "trivial authenticated page", queries, "p95 <= 150 ms")
        figure.passed = figure.p95 <= 0.150
        figures.append(figure)
        if number == "2a":
            case_list = figure
    notes.append(
        f"Pages as {membership.user.username} ({membership.get_role_display()}, "
        f"{membership.organisation.name}); trivial page: median {_ms(statistics.median(floor))}."
    )
    return figures, case_list


def bench_api(*, runs: int, membership, case_list: Figure) -> Figure:
    from django.urls import reverse

    client = logged_in_client(membership)
    times, queries = timed(
        _get(client, reverse("api-case-list"), HTTP_X_ORGANISATION=str(membership.organisation_id)),
        runs=runs,
        warm_up=3,
    )
    return Figure("5", "API /api/cases/ (page of 50)", times, case_list.times, "case list page", queries)


def bench_contact(*, runs: int, membership) -> Figure:
    from django.db import transaction
    from django.urls import reverse

    client = logged_in_client(membership)
    url = reverse("contact-create")

    def action():
        with transaction.atomic():
            response = client.post(
                url,
                {
                    "venue": "street",
                    "gender": "female",
                    "age_band": "21-23",
                    "indicators": ["withholds_documents"],
                    "city": "Vesterbro",
                    "services_offered": ["harm_reduction"],
                },
            )
            if response.status_code != 302:
                raise RuntimeError(f"POST {url} answered {response.status_code}")
            transaction.set_rollback(True)

    times, queries = timed(action, runs=runs, warm_up=3)
    return Figure("6", "log one contact (POST, rolled back)", times, queries=queries)


# --- 3. The deadline scan -----------------------------------------------------------------------------


def _scan_and_forget(today: datetime.date) -> tuple[float, int, int]:
    """Run the deadline scan for `today` as the beat does (autocommit); time it; delete the reminders and
    e-mails it made. Returns (seconds, reminders made, queries)."""
    from django.db import connection

    from cmm.models import OutboundEmail
    from reflection.models import Notification
    from reflection.services import deadline_scan

    last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_email = OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        made = deadline_scan(today=today)
        seconds = time.perf_counter() - started
    Notification.objects.filter(pk__gt=last_notification).delete()
    OutboundEmail.objects.filter(pk__gt=last_email).delete()
    return seconds, made, counter.count


def bench_scan(*, runs: int, today: datetime.date, notes: list[str]) -> list[Figure]:
    from django.db import connection, transaction

    from bench.deadlines import due_reminders_count, due_reminders_write
    from cmm.models import OutboundEmail
    from reflection.models import Notification, ReflectionPeriod
    from reflection.services import deadline_scan

    running = ReflectionPeriod.objects.filter(outcome="").count()
    yesterday = today - datetime.timedelta(days=1)
    last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_email = OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    figures = []
    try:
        deadline_scan(today=yesterday)  # yesterday's reminders are out: today is a normal day
        floor, _q = timed(lambda: due_reminders_count(today=today), runs=max(runs, 5))
        due = due_reminders_count(today=today)
        written = []

        def write_and_commit():
            # Committed, as the scan's writes are (a commit waits for the WAL to reach the disk); the rows
            # are deleted again between runs, outside the timing.
            last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            last_mail = OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            with transaction.atomic():
                started = time.perf_counter()
                written.append(due_reminders_write(today=today))
            seconds = time.perf_counter() - started
            Notification.objects.filter(pk__gt=last).delete()
            OutboundEmail.objects.filter(pk__gt=last_mail).delete()
            return seconds

        write_floor = [write_and_commit() for _ in range(max(runs, 5) + 1)][1:]  # after a warm-up
        if set(written) != {due}:
            notes.append(f"!!! MISMATCH: the SQL wrote {sorted(set(written))}, it counts {due} due.")
        scans = [_scan_and_forget(today) for _ in range(runs)]
        made = {m for _s, m, _q in scans}
        if made != {due}:
            notes.append(f"!!! MISMATCH: the scan made {sorted(made)} reminders, the SQL counts {due} due.")
        figure = Figure(
            "3a",
            f"deadline scan, a new day ({running:,} running, {due:,} reminders)",
            [s for s, _m, _q in scans],
            write_floor,
            "SQL INSERT of the same reminders and e-mails",
            max(q for _s, _m, q in scans),
            "ratio <= 3",
        )
        figure.passed = made == {due} and figure.ratio <= 3
        figures.append(figure)
        # The beat runs the scan every hour: the other 23 runs of the day find everything already sent.
        deadline_scan(today=today)
        again = [_scan_and_forget(today) for _ in range(runs)]
        figure = Figure(
            "3b",
            "deadline scan, hourly re-run (nothing new)",
            [s for s, _m, _q in again],
            floor,
            "SQL count of due reminders",
            max(q for _s, _m, q in again),
            "ratio <= 3",
        )
        figure.passed = figure.ratio <= 3
        figures.append(figure)
        with connection.cursor() as cursor:
            cursor.execute("SELECT setting FROM pg_settings WHERE name = 'synchronous_commit'")
            notes.append(
                f"Deadline scan: {running:,} running periods, {due:,} reminders due on {today} after "
                f"the scan of {yesterday}; synchronous_commit={cursor.fetchone()[0]}. A new day writes "
                f"them in chunks of 500; against the SQL count alone ({_ms(statistics.median(floor))}) "
                f"its ratio is {figures[0].median / statistics.median(floor):.1f}."
            )
    finally:
        Notification.objects.filter(pk__gt=last_notification).delete()
        OutboundEmail.objects.filter(pk__gt=last_email).delete()
    return figures


# --- 4. The quarterly PDF -----------------------------------------------------------------------------

MINIMAL_HTML = "<!doctype html><html><head><meta charset='utf-8'></head><body><h1>Side 1</h1></body></html>"


def bench_pdf(*, runs: int, today: datetime.date, notes: list[str]) -> Figure:
    from django.utils import translation

    from reports.documents import render_report
    from reports.documents.base import html_to_pdf
    from reports.models import ReportJob, ReportKind
    from reports.periods import quarter_containing

    quarter = quarter_containing(today).previous()
    job = ReportJob(
        kind=ReportKind.QUARTERLY,
        language="da",
        period_start=quarter.start,
        period_end=quarter.end,
        suppressed=False,
    )
    pages = []

    def render():
        with translation.override(job.language):
            pages.append(render_report(job, on_progress=lambda _percent: None).pages)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    floor, _q = timed(lambda: html_to_pdf(MINIMAL_HTML), runs=max(runs, 3))
    times, queries = timed(render, runs=runs)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    render()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    notes.append(
        f"Quarterly PDF {quarter.code}, all organisations: {pages[-1]} pages; Python heap peak (tracemalloc) "
        f"{peak / 2**20:.0f} MiB; process max RSS {rss_before / 1024:.0f} MiB before the PDFs, "
        f"{rss_after / 1024:.0f} MiB after."
    )
    figure = Figure(
        "4",
        f"quarterly PDF {quarter.code} ({pages[-1]} pages)",
        times,
        floor,
        "one-page WeasyPrint",
        queries,
        "< 5 s",
    )
    figure.passed = figure.p95 < 5
    return figure


# --- The table --------------------------------------------------------------------------------------------


def table_lines(figures: list[Figure]) -> list[str]:
    header = (
        f"{'#':<3} {'measure':<58} {'median':>9} {'p95':>9} {'floor median':>13} {'ratio':>7} "
        f"{'queries':>7}  {'target':<14} {'result':<6}  floor"
    )
    lines = [header, "-" * len(header)]
    for f in sorted(figures, key=lambda figure: figure.number):
        floor = _ms(statistics.median(f.floor)) if f.floor else "-"
        ratio = f"{f.ratio:.2f}" if f.ratio is not None else "-"
        result = {True: "PASS", False: "MISS", None: "-"}[f.passed]
        lines.append(
            f"{f.number:<3} {f.name[:58]:<58} {_ms(f.median):>9} {_ms(f.p95):>9} {floor:>13} {ratio:>7} "
            f"{f.queries if f.queries is not None else '-':>7}  {f.target or 'reported':<14} {result:<6}  "
            f"{f.floor_name}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="Timed requests per page (default 30).")
    parser.add_argument("--heavy-runs", type=int, default=5, help="Timed runs of statistics (default 5).")
    parser.add_argument(
        "--scan-runs", type=int, default=3, help="Timed runs of the deadline scan (default 3)."
    )
    parser.add_argument("--pdf-runs", type=int, default=3, help="Timed runs of the PDF (default 3).")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"Sections, comma-separated: {SECTIONS}.")
    parser.add_argument("--keep-top-up", action="store_true", help="Leave the added running periods.")
    options = parser.parse_args(argv)
    sections = [s.strip() for s in options.only.split(",") if s.strip()]

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmm.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone

    from cmm.celery import app as celery_app

    if connection.vendor != "postgresql":
        print(
            "The benchmark measures PostgreSQL, not SQLite: set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmm_bench make bench",
            file=sys.stderr,
        )
        return 2
    from cases.models import Case

    if not Case.objects.exists():
        print(
            "The database is empty: run manage.py generate_synthetic --scale national first.", file=sys.stderr
        )
        return 2
    # E-mail stays in memory and queued tasks in this process: nothing leaves the machine. Not Django's
    # setup_test_environment(): its instrumented template rendering keeps every context for the test client,
    # which a server does not do - the garbage made full collections (100 ms) land in the pages' p95.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    for noisy in ("weasyprint", "fontTools", "kombu"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    celery_app.conf.broker_url = "memory://"
    celery_app.conf.task_always_eager = False
    today = timezone.localdate()
    print("CMM benchmark (issue 10): each figure beside a floor measured in this run on the same data")
    for line in machine_lines():
        print(line)
    left_over = top_up_remove()
    if left_over:
        print(f"(removed {left_over:,} running periods left by an interrupted run)")
    figures: list[Figure] = []
    notes: list[str] = []
    made = 0
    try:
        if {"scan", "pages"} & set(sections):
            made = top_up(today)
        print(data_line() + (f" (incl. {made:,} added for this run)" if made else ""))
        print(
            f"Runs: pages {options.runs}, statistics {options.heavy_runs}, scan {options.scan_runs}, "
            f"PDF {options.pdf_runs}, each after a warm-up; today {today}; DEBUG={settings.DEBUG}\n"
        )
        with override_settings(ROOT_URLCONF="bench.urls"):
            if "statistics" in sections:
                figures += bench_statistics(runs=options.heavy_runs, today=today, notes=notes)
            if "pdf" in sections:
                figures.append(bench_pdf(runs=options.pdf_runs, today=today, notes=notes))
            membership = page_user() if {"pages", "api", "contact"} & set(sections) else None
            case_list = None
            if {"pages", "api"} & set(sections):
                page_figures, case_list = bench_pages(runs=options.runs, membership=membership, notes=notes)
                if "pages" in sections:
                    figures += page_figures
            if "api" in sections:
                figures.append(bench_api(runs=options.runs, membership=membership, case_list=case_list))
            if "contact" in sections:
                figures.append(bench_contact(runs=options.runs, membership=membership))
            if "scan" in sections:
                figures += bench_scan(runs=options.scan_runs, today=today, notes=notes)
    finally:
        if not options.keep_top_up:
            top_up_remove()
    for line in table_lines(figures):
        print(line)
    print()
    for note in notes:
        print(note)
    print(
        "ratio = median / floor median. PASS/MISS against the targets of issue 10; this is a report (exit 0)."
    )
    return 0
