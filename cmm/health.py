"""Health of the pieces the app needs: the database and the broker."""

from django.conf import settings
from django.db import connection


def health_report() -> dict:
    """Ask the database and the broker whether they answer, each within a few seconds. Never raises."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    status = "ok" if all(c["ok"] for c in checks.values()) else "degraded"
    return {"status": status, "checks": checks}


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _check_broker() -> dict:
    from cmm.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2, interval_start=0, interval_step=0.5)
            transport = conn.transport_cls
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "transport": str(transport)}
