# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install translations run test test-fast lint format messages browser-deps check-deploy migrations-check clean bench audit audit-deps backup restore

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# Pure-Python compile of the committed .po files (no GNU gettext needed).
translations: install
	@$(BIN)/python manage.py compile_translations >/dev/null

## Start web, worker and beat with demo data on SQLite and the embedded broker. Ctrl-C stops all.
run: translations
	DEBUG=true $(BIN)/python manage.py migrate --noinput -v0
	DEBUG=true $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  CMM case management: http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo ""
	DEBUG=true PORT=$(PORT) $(BIN)/honcho start -f Procfile.dev

## Install Debian's Chromium for the browser tests when it is missing (root only).
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "NOTE: could not install chromium; browser tests will be skipped (they fail in CI)."; \
	else \
		echo "NOTE: /usr/bin/chromium is missing and you are not root: browser tests will be skipped."; \
		echo "      Install it with: sudo apt-get install chromium"; \
	fi

## The whole suite: SQLite by default; PostgreSQL/Redis when DATABASE_URL / REDIS_URL are set.
test: translations browser-deps
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-auto} --dist loadgroup $(PYTEST_ARGS)

test-fast: translations
	$(BIN)/python -m pytest -n auto -m "not browser and not worker" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Dependency and code scan: no installed package with a known vulnerability (PyPI's advisory data; an
## installed package that cannot be checked fails the scan too), no high-severity bandit finding.
## Static security scan of the code (bandit, high severity and confidence): part of CI.
audit: install
	$(BIN)/bandit -q -r cmm cases outreach identification reflection referrals reports -lll -iii

## Known-vulnerable dependencies (pip-audit). Needs PyPI's per-version JSON API or OSV, which this project's
## CI machine cannot reach (its mirror answers 404), so CI does not run it: run it where PyPI is reachable.
audit-deps: install
	$(BIN)/pip-audit --local --skip-editable --strict --progress-spinner off

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

## Back up DATABASE_URL (PostgreSQL: pg_dump -Fc; SQLite: a file copy) into var/backups/cmm-<UTC time>.*
## See docs/operations.md. The dump holds personal details encrypted only: keep the keys elsewhere.
backup:
	DATABASE_URL="$${DATABASE_URL:-sqlite:///db.sqlite3}" bash ops/backup.sh

## Restore a backup into a fresh, empty database: make restore FILE=var/backups/cmm-....dump TARGET_DATABASE_URL=...
restore:
	@test -n "$(FILE)" && test -n "$(TARGET_DATABASE_URL)" || \
		{ echo "usage: make restore FILE=<backup> TARGET_DATABASE_URL=<new empty database>"; exit 2; }
	bash ops/restore.sh "$(FILE)" "$(TARGET_DATABASE_URL)"

check-deploy: install
	DJANGO_SETTINGS_MODULE=cmm.settings.production \
	SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(64))") \
	FIELD_ENCRYPTION_KEYS=$$($(BIN)/python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
	CLIENT_CODE_PEPPER=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(40))") \
	ALLOWED_HOSTS=cmm.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

## Refresh the .po files from the source (needs GNU gettext: apt-get install gettext).
messages: install
	$(BIN)/python manage.py makemessages -l da -l en --no-obsolete --ignore=.venv --ignore=var

## The benchmark suite (issue 10): ratios against floors on a generated PostgreSQL database (DATABASE_URL; not CI).
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf var/broker var/test-db .pytest_cache
