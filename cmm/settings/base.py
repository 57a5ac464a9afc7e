"""Settings shared by every mode, read from the environment (12-factor).

Development and tests run on these with no services at all: SQLite in the project folder and Celery on
kombu's filesystem transport. `production.py` only tightens what is here.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from cmm.country_names import countries_override

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The development key is refused by production.py; it only exists so that a fresh clone runs at once.
DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address of the app, used in links inside e-mails (which never carry identifying details).
SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    "django_countries",
    "simple_history",
    "cmm",
    "cases",
    "outreach",
    "identification",
    "reflection",
    "referrals",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy, Referrer-Policy, no-store on authenticated pages (cmm.security).
    "cmm.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # NUL bytes in query strings and API bodies -> 400, huge API bodies -> 413, API 404s in JSON.
    "cmm.request_guard.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The absolute session lifetime (the idle timeout is SESSION_COOKIE_AGE).
    "cmm.security.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every page but login, the second step and static files needs a verified second factor.
    "cmm.two_factor.middleware.TwoFactorRequiredMiddleware",
    "cmm.middleware.ActiveMembershipMiddleware",
    # The client address of every audit event; a 403/404 on a case is recorded as a refused access.
    "cmm.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A form sent after the session ended is kept (encrypted) and filled in again after logging in.
    "cmm.kept_forms.KeptFormMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cmm.urls"
# Panels of the home page besides the agenda (cmm.dashboard): the outreach worker's quick contact first.
DASHBOARD_PANELS = ["outreach.agenda.home_panel"]
# The selectors of the user's work items, one per kind (cmm.agenda): the home page, the case page's alert
# strip and /api/me/agenda/ all read these.
AGENDA_SOURCES = [
    "reflection.agenda.deadline_items",
    "identification.agenda.task_items",
    "identification.agenda.presentation_items",
    "identification.agenda.partner_task_items",
    "referrals.agenda.referral_items",
    "referrals.agenda.return_items",
    "referrals.agenda.group_action_items",
    "cases.agenda.plan_review_items",
    "cases.agenda.minor_items",
    "outreach.agenda.meeting_place_items",
    "reports.agenda.report_items",
    "reports.agenda.data_problem_items",
    "cmm.agenda.admin_items",
]
# The kinds of deadline that make a case's "next deadline" in the case list (cases.agenda): each a function
# (*, user) -> a subquery of dates over OuterRef("pk"), or None when the user's role does not see that kind.
CASE_DEADLINE_SOURCES = [
    "reflection.agenda.deadline_next_due",
    "identification.agenda.task_next_due",
    "referrals.agenda.follow_up_next_due",
    "cases.agenda.plan_review_next_due",
]
WSGI_APPLICATION = "cmm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cmm.context_processors.navigation",
                "reflection.context_processors.notifications",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file in development: wait for the lock instead of failing,
    # and take the write lock at BEGIN so that two writers never deadlock on an upgrade.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiler costs more than it saves on the statistics queries (measured with
    # bench/statistics_bench.py: 0.60 s -> 0.30 s for a national quarter); the app runs no long analytics.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# An optional PostgreSQL read replica for the statistics and the statistics PDFs: cmm.routers sends the
# reads made inside `reading_reports()` there, and everything else (every write) to "default". Without it
# there is no "reports" alias and every query goes to "default". REPORTS_READ_REPLICA=false stops using a
# configured replica (e.g. while it lags) without removing it.
REPORTS_DATABASE_URL = env("REPORTS_DATABASE_URL", default="")
if REPORTS_DATABASE_URL:
    DATABASES["reports"] = env.db_url_config(REPORTS_DATABASE_URL)
    if DATABASES["reports"]["ENGINE"] != "django.db.backends.sqlite3":
        DATABASES["reports"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        DATABASES["reports"]["CONN_HEALTH_CHECKS"] = True
        # Read-only sessions: even a replica URL that names the primary by mistake can never be written to.
        DATABASES["reports"].setdefault("OPTIONS", {}).setdefault(
            "options", "-c jit=off -c default_transaction_read_only=on"
        )
REPORTS_READ_REPLICA = env.bool("REPORTS_READ_REPLICA", default=True)
DATABASE_ROUTERS = ["cmm.routers.ReportsReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker ---------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Django's Redis cache, but a Redis that is down or hangs lifts the API rate limit instead of failing
    # the request (cmm/cache.py); nothing else lives in the cache.
    CACHES = {
        "default": {
            "BACKEND": "cmm.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            # The broker may use the same Redis database: clear() deletes the keys under this prefix only.
            "KEY_PREFIX": "cmm",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "cmm.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Installed for django-guardian's checks; the app asks object questions only through cmm.permissions.
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after this much idle time; every request renews the cookie.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# However busy, a session ends this many hours after its login (cmm.security.SessionLifetimeMiddleware).
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
# The page warns this many seconds before the idle timeout and offers to stay logged in (session-keeper.js).
SESSION_WARN_SECONDS = env.int("SESSION_WARN_SECONDS", default=120)
# A form sent after the session ended is kept (encrypted) this long for its author to log in again.
KEPT_FORM_MINUTES = env.int("KEPT_FORM_MINUTES", default=120)

# Lockout: this many failures for one username or from one address locks both out for the cool-off time.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Reverse proxies in front of the app (the bundled nginx of docker-compose.yml is one): the lockout and the
# audit log take the client's address from X-Forwarded-For accordingly (cmm.views.client_ip).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "cmm.views.client_ip"
AXES_VERBOSE = False
# Password-reset requests per PASSWORD_RESET_LIMIT_MINUTES: from one client address (more get 429), and for
# one e-mail address, known or not (more are answered as usual but send nothing) (cmm.password_reset).
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env.int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", default=3)
PASSWORD_RESET_LIMIT_MINUTES = env.int("PASSWORD_RESET_LIMIT_MINUTES", default=60)

# django-guardian: no anonymous user with permissions; permissions never come from a model-wide grant.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False
GUARDIAN_MONKEY_PATCH_GROUP = False

# --- Two-factor authentication ------------------------------------------------------------------------
# Every role that sees personal details or exports must confirm a TOTP code after the password
# (cmm.two_factor); exports need a second factor verified within the last TWO_FACTOR_FRESH_MINUTES.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="CMM")
TWO_FACTOR_FRESH_MINUTES = env.int("TWO_FACTOR_FRESH_MINUTES", default=15)
TWO_FACTOR_RECOVERY_CODES = 10
# An API token (cmm.authentication) ends this many days after it was last issued with the password and the
# second factor (an expired one is refused with 401 and deleted), and at once when the trust it was issued on
# changes: a password change or reset, a second-factor reset, deactivation, a membership ending.
API_TOKEN_MAX_AGE_DAYS = env.int("API_TOKEN_MAX_AGE_DAYS", default=30)

# --- Internationalisation -----------------------------------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates day first ("5 Feb 2027"), never in the US order; Danish keeps Django's Danish formats.
FORMAT_MODULE_PATH = ["cmm.formats"]
# Danish country names where django-countries' Danish is English or out of date (cmm.country_names).
COUNTRIES_OVERRIDE = countries_override()
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "cmm_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

# --- Static files -------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Without DEBUG (the default) WhiteNoise serves static files straight from the apps in development.
WHITENOISE_USE_FINDERS = True
# Files that must never be reachable by URL (attachments, generated reports) live here; the "private" storage
# has no base URL, so they are only ever served by a view that checks permission first.
PRIVATE_STORAGE_ROOT = Path(env("PRIVATE_STORAGE_ROOT", default=str(VAR_DIR / "private")))
STORAGES["private"] = {
    "BACKEND": "cmm.storage.PrivateFileStorage",
    "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT)},
}
# Days after an Immigration Service decision to appoint a contact person (and a minor's representative).
IDENTIFICATION_CONTACT_PERSON_DAYS = env.int("IDENTIFICATION_CONTACT_PERSON_DAYS", default=3)
IDENTIFICATION_REPRESENTATIVE_DAYS = env.int("IDENTIFICATION_REPRESENTATIVE_DAYS", default=3)
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024

# Keys for identifying details encrypted at rest (cmm.encryption): comma-separated Fernet keys, the first
# encrypts, all decrypt. The development key is refused by production.py. Generate one with
#   python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
DEV_FIELD_ENCRYPTION_KEY = "pnKiJ5nhyb0bOVq7E6u-dPjyEfiKHRK5KbE8Qr1jKDM="
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[]) or [DEV_FIELD_ENCRYPTION_KEY]
# Secret pepper of the anonymous client codes (cases.client_codes); changing it changes every code.
CLIENT_CODE_PEPPER = env("CLIENT_CODE_PEPPER", default="") or "dev-only-client-code-pepper"

# --- E-mail -------------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CMM sagsstyring <no-reply@cmm.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# --- Retention -----------------------------------------------------------------------------------------
# Closed cases lose the person's data this many calendar years after closing (cases.lifecycle); the facts
# that feed statistics stay. Beat runs it daily ("case-retention"); `manage.py retention --dry-run` lists.
RETENTION_YEARS = env.int("RETENTION_YEARS", default=5)

# --- Celery -------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_DIR = Path(env("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: messages are files in one folder that web, worker and beat all read.
    (CELERY_BROKER_DIR / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Redis: the visibility timeout must exceed every countdown and retry delay, or a task runs twice
    # (tests/test_celery_reliability.py holds it to that). A publish while Redis is down or hangs gives up
    # after one attempt of at most a second to connect or two to answer (the socket timeout stays above
    # kombu's one-second BRPOP): the work waits in its table (the e-mail outbox, report jobs) for the sweeps.
    # Workers reconnect on their own loop (broker_connection_max_retries), not on max_retries here.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 6 * 3600,
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
        "max_retries": 0,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker waits for the broker for as long as it takes; a publish with retry (beat, task.retry) tries twice.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Two queues, so that PDF work cannot starve e-mail and reminders: generating a report (seconds of CPU each)
# goes to "reports", everything else (e-mail, reminder scans, report-job recovery) to the default "celery".
# A worker started without --queues consumes both (development); docker-compose.yml runs workers of each.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("celery", routing_key="celery"), Queue("reports", routing_key="reports"))
CELERY_TASK_ROUTES = {"reports.tasks.report_job_generate_task": {"queue": "reports"}}
# Reflection-period reminders: days before the deadline, and "consider extension" for an unextended 30-day
# period; the scan runs every REFLECTION_SCAN_MINUTES.
REFLECTION_MILESTONES = [
    int(d) for d in env.list("REFLECTION_MILESTONES", default=["14", "7", "3", "1", "0"])
]
REFLECTION_CONSIDER_EXTENSION_DAYS = env.int("REFLECTION_CONSIDER_EXTENSION_DAYS", default=5)
# Referral-group follow-up actions: reminded these many days before their due date, then daily while overdue.
GROUP_ACTION_MILESTONES = [int(d) for d in env.list("GROUP_ACTION_MILESTONES", default=["7", "1", "0"])]
CELERY_BEAT_SCHEDULE = {
    "reflection-deadline-scan": {
        "task": "reflection.tasks.deadline_scan_task",
        "schedule": timedelta(minutes=env.int("REFLECTION_SCAN_MINUTES", default=60)),
    },
    # Overdue identification tasks (contact person, representative, reflection period): reminded once a day.
    "identification-overdue-tasks": {
        "task": "identification.tasks.tasks_remind_overdue_task",
        "schedule": timedelta(hours=env.int("IDENTIFICATION_REMINDER_HOURS", default=6)),
    },
    # Return follow-ups (one and three months after departure) and referral-group actions: each reminder
    # once, under the same unique-notification rule as the reflection milestones.
    "return-follow-up-scan": {
        "task": "referrals.tasks.follow_up_scan_task",
        "schedule": timedelta(minutes=env.int("REFERRALS_SCAN_MINUTES", default=60)),
    },
    "group-action-scan": {
        "task": "referrals.tasks.action_scan_task",
        "schedule": timedelta(minutes=env.int("REFERRALS_SCAN_MINUTES", default=60)),
    },
    # Report jobs whose worker died or whose message was lost are queued again once their lease runs out.
    "report-jobs-recover": {
        "task": "reports.tasks.report_jobs_recover_task",
        "schedule": timedelta(minutes=env.int("REPORT_JOBS_RECOVER_MINUTES", default=5)),
    },
    # Case status reports are copies of a person's file: their files are deleted after REPORT_CASE_FILE_DAYS.
    "report-files-expire": {
        "task": "reports.tasks.report_files_expire_task",
        "schedule": timedelta(hours=6),
    },
    # The national quarterly statistics report of the quarter just ended, early on each quarter's first day.
    "quarterly-report": {
        "task": "reports.tasks.quarterly_report_schedule_task",
        "schedule": crontab(minute=30, hour=5, day_of_month=1, month_of_year="1,4,7,10"),
    },
    # Closed cases past RETENTION_YEARS lose the person's data (cases.lifecycle), once a day at night.
    "case-retention": {
        "task": "cases.tasks.retention_run_task",
        "schedule": crontab(minute=30, hour=2),
    },
    # The outbox sweep: e-mails whose task was lost (broker down, worker killed) are queued again.
    "email-outbox-flush": {
        "task": "cmm.tasks.email_outbox_flush_task",
        "schedule": timedelta(minutes=env.int("EMAIL_OUTBOX_FLUSH_MINUTES", default=5)),
    },
    # Forms kept after a session ended (cmm.kept_forms) are deleted once expired.
    "kept-forms-purge": {
        "task": "cmm.tasks.kept_submissions_purge_task",
        "schedule": timedelta(minutes=30),
    },
}
# A worker holds a report job this long past its last progress step before the job may be taken over; a job
# is tried at most this many times (a report that kills its worker every time must stop being retried).
REPORT_JOB_LEASE_SECONDS = env.int("REPORT_JOB_LEASE_SECONDS", default=600)
REPORT_JOB_MAX_ATTEMPTS = env.int("REPORT_JOB_MAX_ATTEMPTS", default=4)
REPORT_CASE_FILE_DAYS = env.int("REPORT_CASE_FILE_DAYS", default=30)
# Case-level exports keep a record only if its combination of gender, age band, citizenship and exploitation
# type is shared by at least this many records (DESIGN.md §3).
EXPORT_K_ANONYMITY = env.int("EXPORT_K_ANONYMITY", default=5)
# How long an e-mail may sit claimed by a worker before the sweep assumes the worker died.
EMAIL_OUTBOX_STALE_AFTER = timedelta(minutes=15)
EMAIL_MAX_ATTEMPTS = 6

# --- REST API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cmm.authentication.MembershipSessionAuthentication",
        "cmm.authentication.MembershipTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only, in every mode: the API's human face is Swagger UI at /api/docs/. DRF's browsable API
    # (`?format=api`) builds HTML forms from each view's serializer and filter queryset, which most of our
    # views choose per method, so it was a 500 on 17 endpoints (issue 17); and it answers HTML where the
    # schema promises JSON. A `?format=` no renderer knows is a 404, an Accept no renderer a 406, both JSON.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # OPTIONS answers the view's name, description and media types; the fields are the schema's job.
    "DEFAULT_METADATA_CLASS": "cmm.api_metadata.ApiMetadata",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Anonymous clients are counted by their address as the lockout sees it (PROXY_COUNT), never by the whole
    # X-Forwarded-For header a client can fill (cmm.throttling).
    "DEFAULT_THROTTLE_CLASSES": ["cmm.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_USER_RATE", default="2000/hour"),
        "token": env("API_TOKEN_RATE", default="30/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CMM case management API",
    "DESCRIPTION": (
        "The same rules as the pages. Authenticate with a session or with `Authorization: Token <key>`; "
        "a user of several organisations picks one with the `X-Organisation` header (organisation id)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # 400/401/403/404/413/429 on every operation (cmm.openapi); the enum hook is drf-spectacular's default.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cmm.openapi.add_error_responses",
    ],
}
# API bodies (not multipart uploads) above this answer 413 (cmm.request_guard).
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=512 * 1024)

# --- Security headers that hold in every mode ---------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Logging: never log request bodies or identifying details -----------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- Audit --------------------------------------------------------------------------------------------
# The PostgreSQL role the app connects as in production (not the tables' owner). The migration that makes
# the audit log append-only revokes UPDATE, DELETE and TRUNCATE on it from this role (cmm migration 0004).
AUDIT_DB_APP_ROLE = env("AUDIT_DB_APP_ROLE", default="")
