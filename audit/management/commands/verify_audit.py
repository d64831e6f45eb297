from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.verification import verify_all


class Command(BaseCommand):
    help = "Check every audit stream's hash chain; exit non-zero naming the first bad event."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_all()
        if not result.intact:
            raise CommandError(
                f"Audit chain broken after checking {result.events} events: {result.first_break}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {result.events} events in {result.streams} streams."
            )
        )
