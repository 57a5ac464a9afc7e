"""Production settings are checked in fresh processes, as they would be loaded by gunicorn."""

import os
import secrets
import subprocess
import sys

from cryptography.fernet import Fernet
from django.conf import settings

MANAGE = [sys.executable, str(settings.BASE_DIR / "manage.py")]


PRODUCTION_SECRETS = {
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "CLIENT_CODE_PEPPER": secrets.token_urlsafe(40),
}


def run_manage(*args, **env):
    """Run manage.py with production settings; an env value of None leaves that variable unset."""
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", *PRODUCTION_SECRETS}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(DJANGO_SETTINGS_MODULE="cmm.settings.production", **PRODUCTION_SECRETS)
    clean.update(env)
    clean = {k: v for k, v in clean.items() if v is not None}
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


def test_production_refuses_missing_or_development_encryption_keys():
    from cmm.settings.base import DEV_FIELD_ENCRYPTION_KEY

    common = {"SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "cmm.example.org"}
    for keys in (None, DEV_FIELD_ENCRYPTION_KEY):
        result = run_manage("check", FIELD_ENCRYPTION_KEYS=keys, **common)
        assert result.returncode != 0
        assert "FIELD_ENCRYPTION_KEYS must hold your own" in result.stderr


def test_production_refuses_a_short_client_code_pepper():
    result = run_manage(
        "check",
        CLIENT_CODE_PEPPER="short",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="cmm.example.org",
    )
    assert result.returncode != 0
    assert "CLIENT_CODE_PEPPER" in result.stderr


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
