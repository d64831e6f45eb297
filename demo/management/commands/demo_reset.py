"""`make demo-reset`: the demo back as `make run` loaded it, in seconds, without reinstalling;
loaded afresh when there is no usable copy (first time, or the code has moved on)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from demo.snapshot import Snapshot, sqlite_database


class Command(BaseCommand):
    help = "Put make run's SQLite database back to the demo as loaded."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        database = sqlite_database()
        snapshot = Snapshot(database)
        why_not = snapshot.stale()
        if why_not:
            self.stdout.write(f"Loading the demo afresh: {why_not}.")
            connection.close()
            for leftover in (database, database.with_name(database.name + "-journal")):
                leftover.unlink(missing_ok=True)
            call_command("demo_setup")
            return
        snapshot.restore()
        loaded = timezone.localtime(snapshot.loaded_at())
        self.stdout.write(
            f"The demo is back as it was loaded at {loaded:%H:%M on %-d %B %Y} "
            f"({time.monotonic() - started:.1f} s). Everyone has been signed out."
        )
