"""Send the reads of statistics and statistics reports to a read replica, and everything else to the primary.

`DATABASES["reports"]` exists when REPORTS_DATABASE_URL names a PostgreSQL read replica (settings). Code
that only counts - the statistics tables, the statistics PDFs, the case-level export - runs its queries
inside `reading_reports()`; the router sends the reads made there to "reports". Every write, every read
outside that block, and every query that must see the latest state (access checks, job claims, audited
reads of identifying details) goes to "default". Without a "reports" alias nothing changes.

The flag is a context variable, not a module global: a gunicorn thread or a Celery task that enters the
block changes nothing for the others running in the same process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPORTS_DB_ALIAS = "reports"

_reading_reports: ContextVar[bool] = ContextVar("cmm_reading_reports", default=False)


@contextmanager
def reading_reports() -> Iterator[None]:
    """Read from the reports replica (when there is one) until the block ends; writes still go to the
    primary. Blocks nest. The replica lags the primary a little, so use it only for counting, never for
    a read that decides access or that a write in the same block must see."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def reports_database() -> str:
    """The alias that reads inside `reading_reports()` go to now: "reports" when it is configured and
    switched on (REPORTS_READ_REPLICA), else "default"."""
    if getattr(settings, "REPORTS_READ_REPLICA", False) and REPORTS_DB_ALIAS in settings.DATABASES:
        return REPORTS_DB_ALIAS
    return DEFAULT_DB_ALIAS


class ReportsReplicaRouter:
    """Reads inside `reading_reports()` to the replica; everything else, writes and migrations included,
    to the primary."""

    def db_for_read(self, model, **hints) -> str:
        # Explicitly "default" outside the block, not None: an object read from the replica must not pull
        # its related objects from there later (Django would otherwise follow the instance's own database).
        return reports_database() if _reading_reports.get() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        # Never the instance's database: a row read from the replica and saved goes to the primary.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # A replica follows its primary; migrating it would fail (it is read-only) or fork it.
        return db == DEFAULT_DB_ALIAS
