"""Run the daily reminder sweep now (beat runs it every morning; `make run` once at start)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from reminders.services import reminders_sweep


class Command(BaseCommand):
    help = "Raise the reminders that are due and resolve those that no longer are."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = reminders_sweep()
        self.stdout.write(
            f"Reminder sweep: {outcome.plans} plans needing attention, "
            f"{outcome.raised} reminders raised, {outcome.resolved} resolved."
        )
