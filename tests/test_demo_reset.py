"""`make demo-reset`: after a journey has changed the demo, the demo is back as loaded, in
seconds, on make run's SQLite database; a copy made by other code is never restored; and
another database is refused with a clear message. The commands run as make runs them, in
their own processes, on a database of the test's own."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from demo.snapshot import Snapshot

# As a person meets it: signed in as `patient` (Hyacinth Baptiste, no plan yet), she writes
# what matters to her, which starts her draft; then her home page says where she stands.
JOURNEY = """
import re
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
client = Client()
client.force_login(User.objects.get(username="patient"))
if "{step}" == "write":
    saved = client.post(
        reverse("portal:draft_part", kwargs={{"slug": "what-matters"}}),
        {{"what_is_most_important_to_me": "Being at home with my cat"}},
    )
    assert saved.status_code == 302, saved.status_code
home = client.get(reverse("portal:home")).content.decode()
print("NO PLAN YET" if "There is no plan yet" in home else "HAS A DRAFT")
"""


def _manage(database: Path, *args: str, timeout: int = 300) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "true",
        "REDIS_URL": "",
        "EMAIL_URL": "dummymail://",
        "STAFF_TWO_FACTOR": "false",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(  # noqa: S603  (this repository's manage.py, arguments written here)
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _patient_sees(database: Path, step: str = "look") -> str:
    return _manage(database, "shell", "-c", JOURNEY.format(step=step)).strip().splitlines()[-1]


def test_demo_reset_puts_patient_back_to_no_plan_yet_after_a_journey(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    loaded = _manage(database, "demo_setup")
    assert "OpenEPaCCS demo loaded" in loaded
    assert "make demo-reset" in loaded
    assert len(loaded.splitlines()) <= 10
    assert _patient_sees(database) == "NO PLAN YET"
    assert _patient_sees(database, "write") == "HAS A DRAFT"

    started = time.monotonic()
    said = _manage(database, "demo_reset")
    took = time.monotonic() - started

    assert "The demo is back as it was loaded" in said
    assert took < 30  # a copy put back, not the demo loaded again (that takes a minute)
    assert _patient_sees(database) == "NO PLAN YET"
    # make run again on the reset database loads nothing twice and says it is ready.
    assert "OpenEPaCCS demo ready" in _manage(database, "demo_setup")


def test_a_copy_is_restored_only_if_the_code_that_made_it_is_the_code_now(
    tmp_path: Path,
) -> None:
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as writing:
        writing.execute("CREATE TABLE person (name TEXT)")
        writing.execute("INSERT INTO person VALUES ('as loaded')")
    writing.close()
    snapshot = Snapshot(database)
    assert snapshot.stale() == "there is no copy of the demo as it was loaded yet"

    snapshot.take()
    assert snapshot.stale() == ""
    with sqlite3.connect(database) as writing:
        writing.execute("UPDATE person SET name = 'changed by a journey'")
    writing.close()
    snapshot.restore()
    with sqlite3.connect(database) as reading:
        assert reading.execute("SELECT name FROM person").fetchall() == [("as loaded",)]
    reading.close()

    made = json.loads(snapshot.about.read_text())
    snapshot.about.write_text(json.dumps({**made, "fingerprint": "made by older code"}))
    assert snapshot.stale() == "the migrations or the demo data have changed since it was loaded"
    snapshot.about.write_text("{")
    assert snapshot.stale() == "the copy of the demo as loaded is unreadable"


def test_demo_reset_refuses_a_database_that_is_not_make_runs_sqlite() -> None:
    # The suite's own database is PostgreSQL.
    with pytest.raises(CommandError, match="works on make run's own SQLite database"):
        call_command("demo_reset")
