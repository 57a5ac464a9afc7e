"""Production settings are checked in fresh processes, as they would be loaded by gunicorn."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

MANAGE = [sys.executable, str(settings.BASE_DIR / "manage.py")]


def run_manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(DJANGO_SETTINGS_MODULE="cmm.settings.production", **env)
    return subprocess.run([*MANAGE, *args], env=clean, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", ALLOWED_HOSTS="cmm.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_key_and_short_keys():
    from cmm.settings.base import DEV_SECRET_KEY

    for key in (DEV_SECRET_KEY, "short"):
        result = run_manage("check", SECRET_KEY=key, ALLOWED_HOSTS="cmm.example.org")
        assert result.returncode != 0
        assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_passes_the_deployment_checklist():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="cmm.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_defaults_need_no_services():
    from cmm.settings import base

    assert base.LANGUAGE_CODE == "da"
    assert base.TIME_ZONE == "Europe/Copenhagen"
    assert base.USE_TZ
    min_length = next(v for v in base.AUTH_PASSWORD_VALIDATORS if "MinimumLength" in v["NAME"])
    assert min_length["OPTIONS"]["min_length"] == 12
    if not os.environ.get("REDIS_URL") and not os.environ.get("CELERY_BROKER_URL"):
        assert base.CELERY_BROKER_URL == "filesystem://"
    if not os.environ.get("DATABASE_URL"):
        assert base.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
