"""The demo as loaded, kept beside `make run`'s SQLite database so that `make demo-reset`
puts it back in seconds: a copy taken by SQLite's online backup (safe while the server has
the database open), and a fingerprint of what built it (the migrations and the demo
loaders), so that a copy made by older code is never restored over newer tables."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

# What decides the demo's tables and rows: a change to any of these makes the copy stale.
BUILT_FROM = (
    "*/migrations/*.py",
    "*/demo.py",
    "demo/*.py",
    "demo/management/commands/load_demo.py",
)


def sqlite_file() -> Path | None:
    """The database file when the database is SQLite (make run's), else None."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return None
    return Path(database["NAME"])


def sqlite_database() -> Path:
    """The database file of `make run`; refuses any other database."""
    found = sqlite_file()
    if found is None:
        raise CommandError(
            "The demo reset works on make run's own SQLite database, and DATABASE_URL points "
            "at another database. Unset DATABASE_URL, or reload that database yourself with "
            "manage.py load_demo."
        )
    return found


@dataclass(frozen=True)
class Snapshot:
    database: Path

    @property
    def copy(self) -> Path:
        return self.database.with_name(self.database.name + ".as-loaded")

    @property
    def about(self) -> Path:
        return self.database.with_name(self.database.name + ".as-loaded.json")

    def take(self) -> None:
        """Copy the database as it is now (just loaded)."""
        connection.close()
        self.copy.unlink(missing_ok=True)
        _backup(self.database, self.copy)
        self.about.write_text(
            json.dumps({"fingerprint": fingerprint(), "loaded_at": timezone.now().isoformat()})
        )

    def stale(self) -> str:
        """Why the copy cannot be restored ("" when it can)."""
        if not (self.copy.exists() and self.about.exists()):
            return "there is no copy of the demo as it was loaded yet"
        try:
            made_by = json.loads(self.about.read_text())["fingerprint"]
        except (ValueError, KeyError):
            return "the copy of the demo as loaded is unreadable"
        if made_by != fingerprint():
            return "the migrations or the demo data have changed since it was loaded"
        return ""

    def loaded_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(json.loads(self.about.read_text())["loaded_at"])

    def restore(self) -> None:
        """Put the copy back over the live database, in one step of SQLite's backup: a
        server with the database open sees the demo as loaded on its next query."""
        connection.close()
        _backup(self.copy, self.database)


def _backup(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as reading, sqlite3.connect(target) as writing:
        reading.backup(writing)
    reading.close()
    writing.close()


def fingerprint() -> str:
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    files = sorted({path for pattern in BUILT_FROM for path in base.glob(pattern)})
    for path in files:
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
