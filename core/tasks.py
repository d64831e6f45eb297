"""Background work, queued after the change that asks for it commits."""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction


def queue_after_commit(task_name: str, *args: Any) -> None:
    """Queue a task by name once the current transaction commits.

    By name, so that an app lower in the layers (careplans) can ask for follow-up work of a
    higher one (reminders) without importing it. A broker that is down never undoes the
    committed change: the daily sweep repeats the work. The app is the project's Celery app
    (config/celery.py), loaded with Django.
    """
    transaction.on_commit(lambda: current_app.signature(task_name, args=args).delay(), robust=True)
