"""Tests: base settings with fast hashing, eager Celery and in-memory e-mail."""

import os

from .base import *
from .base import DATABASES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "http://testserver"
LANGUAGE_CODE = "da"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a real Celery worker process started by a test sees the same rows.
    run_id = os.environ.get("CMM_TEST_RUN_ID", str(os.getpid()))
    (VAR_DIR / "test-db").mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db" / f"test-{run_id}.sqlite3")}

# A test-only app with an organisation-owned model, to test the permission module without a domain app.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.permapp"]

# Attachments written by tests go to a throwaway folder.
PRIVATE_STORAGE_ROOT = VAR_DIR / "test-private"
STORAGES = {
    **STORAGES,
    "private": {**STORAGES["private"], "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT)}},
}
