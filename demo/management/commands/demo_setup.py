"""`make run`'s database: migrated, the demo loaded (once), today's reminders raised, and a
copy of the demo as loaded kept for `make demo-reset`; then a few lines saying what is there
and whom to sign in as, instead of every migration, log line and email."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo.snapshot import Snapshot, sqlite_file
from organisations.demo import PEOPLE
from organisations.models import Organisation, Region
from patients.models import Patient
from reminders.services import reminders_sweep

ONLINE = ("patient", "lpa")


@contextmanager
def warnings_only() -> Iterator[None]:
    """The services narrate each step at INFO; while the demo loads, only what is wrong."""
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


class Command(BaseCommand):
    help = "Migrate, load the demo if it is not there, raise today's reminders, and say so."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        with warnings_only():
            call_command("migrate", interactive=False, verbosity=0)
            fresh = not Region.objects.exists()
            call_command("load_demo", verbosity=0)
            reminders_sweep()
        database = sqlite_file()
        if fresh and database is not None:
            Snapshot(database).take()
        self.stdout.write(self._summary(fresh, time.monotonic() - started))

    def _summary(self, fresh: bool, seconds: float) -> str:
        died = Patient.objects.filter(date_of_death__isnull=False).count()
        living = Patient.objects.count() - died
        staff = ", ".join(person.username for person in PEOPLE)
        mail = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
        where = (
            f"emails are written to {_shown(Path(settings.EMAIL_FILE_PATH))}/"
            if mail == "filebased"
            else f"emails go to the {mail} backend"
        )
        return "\n".join(
            [
                f"OpenEPaCCS demo {'loaded' if fresh else 'ready'} in {seconds:.0f} s: "
                f"{Region.objects.count()} regions, {Organisation.objects.count()} organisations, "
                f"{living} living patients and {died} who have died; {where}.",
                "Sign in with the password " + self.style.SUCCESS(settings.DEMO_PASSWORD) + " as",
                f"  staff: {staff}",
                f"  patients online: {', '.join(ONLINE)}",
                "What each person shows: README.md, 'Demo stories'. Back to the demo as loaded: "
                "make demo-reset.",
            ]
        )


def _shown(path: Path) -> Path:
    """A path as typed from the repository (where make runs), if it is inside it."""
    base = Path(settings.BASE_DIR)
    return path.relative_to(base) if path.is_relative_to(base) else path
