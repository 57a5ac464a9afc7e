# syntax=docker/dockerfile:1
# Production image of CMM case management: one image for web (gunicorn), the Celery workers of both queues
# (`--queues=celery`, `--queues=reports`) and Celery beat, each run as many times as docker-compose.yml says.
# Nothing a request or a task needs is kept inside a container: sessions, lockouts and the beat schedule are
# in PostgreSQL, the cache and the broker in Redis, attachments and reports in the volume at var/private.
# Build:  docker build -t cmm-case-management .      Run the whole stack: see docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# WeasyPrint's runtime libraries on Debian (its docs, "Debian >= 11": Pango, PangoFT2, HarfBuzz subset),
# plus a font so that PDFs render text with no other font installed. No compilers: every Python
# dependency (psycopg2-binary, cffi, Pillow, ...) comes as a wheel.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libffi8 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The runtime user owns nothing in the image but its home (gunicorn's control socket) and var/private.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# Install the project itself (its dependencies are already there). The wheel holds only the Python
# packages, not templates/, static/ or locale/, so the code always runs from /app: PYTHONPATH puts
# /app ahead of site-packages for gunicorn, celery and manage.py alike (BASE_DIR comes from __file__).
ENV PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=cmm.settings.production \
    PRIVATE_STORAGE_ROOT=/app/var/private
RUN pip install --no-deps . \
    && rm -rf build ./*.egg-info \
    && python -c "import cmm, cases; assert cmm.__file__.startswith('/app/') and cases.__file__.startswith('/app/'), cmm.__file__"

# Translations and static files at build time. Production settings refuse to load without a real
# secret key and hosts, so this one command gets throwaway values that exist only for its duration.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    ALLOWED_HOSTS=build.invalid \
    FIELD_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    CLIENT_CODE_PEPPER="$(python -c 'import secrets; print(secrets.token_urlsafe(40))')" \
    sh -c 'python manage.py compile_translations && python manage.py collectstatic --noinput -v0' \
    && rm -rf /app/var/broker \
    && python -m compileall -q /app \
    && mkdir -p /app/var/private \
    && chown app:app /app/var/private \
    && chmod 0700 /app/var/private

USER app

EXPOSE 8000

# Workers: WEB_CONCURRENCY (gunicorn reads it; default 3), each with 4 threads. The access log holds
# the request line (path and query string), status, size, referrer and user agent: never a body.
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "cmm.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--threads", "4", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-", \
     "--error-logfile", "-"]
