from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.verification import verify_all


class Command(BaseCommand):
    help = "Check every audit stream's hash chain; exit non-zero naming every broken stream."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_all()
        if not result.intact:
            for found in result.breaks:
                self.stderr.write(f"Broken: {found}")
            raise CommandError(
                f"Audit chain broken in {len(result.breaks)} of {result.streams} streams "
                f"({result.events} events checked): {result.first_break}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {result.events} events in {result.streams} streams."
            )
        )
