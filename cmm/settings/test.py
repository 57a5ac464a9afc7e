"""Tests: base settings with fast hashing, eager Celery and in-memory e-mail."""

import copy
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

# The read replica of cmm.routers is, in tests, Django's test mirror of "default": the same test database
# through a second, read-only connection (whatever REPORTS_DATABASE_URL says). Reading through it is off
# (REPORTS_READ_REPLICA): a test that wants it declares django_db(transaction=True, databases=["default",
# "reports"]) and switches it on. On for every test, it would fail the many tests that declare only
# "default", and a mirror connection cannot see the rows of a test's uncommitted transaction.
DATABASES["reports"] = copy.deepcopy(DATABASES["default"])
DATABASES["reports"]["TEST"] = {"MIRROR": "default"}
if DATABASES["reports"]["ENGINE"] == "django.db.backends.sqlite3":
    # Reads only: take no lock at BEGIN (the default connection may hold the write lock) and refuse writes.
    DATABASES["reports"]["OPTIONS"] = {"timeout": 20, "init_command": "PRAGMA query_only = ON;"}
else:
    DATABASES["reports"]["OPTIONS"]["options"] = "-c jit=off -c default_transaction_read_only=on"
REPORTS_READ_REPLICA = False

# A test-only app with an organisation-owned model, to test the permission module without a domain app.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.permapp"]

# Attachments written by tests go to a throwaway folder.
PRIVATE_STORAGE_ROOT = VAR_DIR / "test-private"
STORAGES = {
    **STORAGES,
    "private": {**STORAGES["private"], "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT)}},
}

# Every test client builds its own middleware chain, and WhiteNoise scans every static file of every finder
# when it starts (about 450 files, a tenth to a third of a second): over two thousand tests that was minutes
# of the suite. In autorefresh mode it looks a file up when it is asked for instead (what DEBUG does).
WHITENOISE_AUTOREFRESH = True
