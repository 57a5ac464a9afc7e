"""The SQLite half of ops/backup.sh and ops/restore.sh, with Python's online backup API (a consistent copy
even while the app writes).

    python ops/sqlite_copy.py backup  sqlite:///db.sqlite3  var/backups/cmm-....sqlite3
    python ops/sqlite_copy.py restore var/backups/cmm-....sqlite3  sqlite:///restored.sqlite3
"""

import sqlite3
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse


def sqlite_path(url: str) -> Path:
    """The file of a django-environ SQLite URL: sqlite:///relative.db or sqlite:////absolute/path.db."""
    parsed = urlparse(url)
    if parsed.scheme != "sqlite" or not parsed.path or parsed.path == "/":
        raise SystemExit(f"not a SQLite database URL: {url.split(':', 1)[0]}:...")
    path = unquote(parsed.path)
    # sqlite:///x -> path "/x" (relative "x"); sqlite:////abs/x -> path "//abs/x" (absolute "/abs/x").
    return Path(path[1:])


def copy(source: Path, target: Path) -> None:
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        count = connection.execute("select count(*) from sqlite_master where type = 'table'").fetchone()[0]
    connection.close()
    return count > 0


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[1] not in ("backup", "restore"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "backup":
        source, target = sqlite_path(argv[2]), Path(argv[3])
        if not source.exists():
            print(f"sqlite_copy: no database at {source}", file=sys.stderr)
            return 2
    else:
        source, target = Path(argv[2]), sqlite_path(argv[3])
        if has_tables(target):
            print("sqlite_copy: the target database is not empty; restore into a new file", file=sys.stderr)
            return 3
    target.parent.mkdir(parents=True, exist_ok=True)
    copy(source, target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
