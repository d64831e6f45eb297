from __future__ import annotations

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = "Review reminders"

    def ready(self) -> None:
        # Register the tasks in every process, so that a task queued by name (from careplans,
        # which may not import this app) runs eagerly in `make run` as it would on a worker.
        from reminders import tasks  # noqa: F401
