#!/usr/bin/env bash
# Restore a backup made by ops/backup.sh into a fresh, empty database:
#   ops/restore.sh FILE TARGET_DATABASE_URL
#   (or FILE=... TARGET_DATABASE_URL=... ops/restore.sh; `make restore FILE=... TARGET_DATABASE_URL=...`)
# PostgreSQL (.dump): pg_restore --no-owner --exit-on-error into an existing empty database.
# SQLite (.sqlite3): written to the target path, which must not hold a database yet.
# It refuses a target that already has tables: a restore never overwrites data.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
file="${1:-${FILE:-}}"
target="${2:-${TARGET_DATABASE_URL:-}}"
python="${PYTHON:-$root/.venv/bin/python}"
[ -x "$python" ] || python="python3"

if [ -z "$file" ] || [ -z "$target" ]; then
  echo "usage: ops/restore.sh FILE TARGET_DATABASE_URL" >&2
  exit 2
fi
if [ ! -f "$file" ]; then
  echo "restore.sh: no such backup file: $file" >&2
  exit 2
fi

case "$target" in
  postgres://*|postgresql://*)
    tables="$(psql --no-password --dbname="$target" -Atc \
      "select count(*) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')")"
    if [ "$tables" != "0" ]; then
      echo "restore.sh: the target database is not empty ($tables tables); restore into a new database" >&2
      exit 3
    fi
    pg_restore --no-owner --exit-on-error --no-password --dbname="$target" "$file"
    ;;
  sqlite:*)
    (cd "$root" && "$python" "$here/sqlite_copy.py" restore "$file" "$target")
    ;;
  *)
    echo "restore.sh: unsupported TARGET_DATABASE_URL scheme (postgres:// or sqlite:/// expected)" >&2
    exit 2
    ;;
esac
echo "restored $file"
