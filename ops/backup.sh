#!/usr/bin/env bash
# Back up the database named by DATABASE_URL into $BACKUP_DIR (default var/backups):
#   PostgreSQL: pg_dump -Fc                       -> cmm-<UTC timestamp>.dump
#   SQLite:     Python's sqlite3 online backup    -> cmm-<UTC timestamp>.sqlite3
# Prints the path of the new file. Backups older than BACKUP_KEEP_DAYS (default 35) are deleted afterwards.
# A backup holds personal details only as ciphertext: keep FIELD_ENCRYPTION_KEYS elsewhere (docs/operations.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
url="${DATABASE_URL:-sqlite:///db.sqlite3}"
dir="${BACKUP_DIR:-$root/var/backups}"
keep_days="${BACKUP_KEEP_DAYS:-35}"
python="${PYTHON:-$root/.venv/bin/python}"
[ -x "$python" ] || python="python3"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"

umask 077  # dumps are readable by their owner only
mkdir -p "$dir"

case "$url" in
  postgres://*|postgresql://*)
    out="$dir/cmm-$stamp.dump"
    # -Fc: compressed custom format, restored with pg_restore (ops/restore.sh). pg_dump must be of the
    # server's major version or newer.
    pg_dump --format=custom --no-password --dbname="$url" --file="$out.partial"
    ;;
  sqlite:*)
    out="$dir/cmm-$stamp.sqlite3"
    (cd "$root" && "$python" "$here/sqlite_copy.py" backup "$url" "$out.partial")
    ;;
  *)
    echo "backup.sh: unsupported DATABASE_URL scheme (postgres:// or sqlite:/// expected)" >&2
    exit 2
    ;;
esac
# Only a complete dump gets its final name, so a failed run never looks like a backup.
mv "$out.partial" "$out"

if [ "$keep_days" -gt 0 ] 2>/dev/null; then
  find "$dir" -maxdepth 1 -type f -name 'cmm-*' -mtime "+$keep_days" -delete
fi
echo "$out"
