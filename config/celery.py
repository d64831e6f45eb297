"""The Celery app: Redis as broker when REDIS_URL is set (production, `make test`); with no
Redis (`make run`) every task runs eagerly, in-process, so nothing else must be started.

The one beat schedule lives here, in code. Limits, retries and time limits are settings
(config/settings.py, CELERY_* and REMINDER_*), set once.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.schedules import crontab
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("openepaccs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Early, before clinics start, so that the day's reminders are waiting at sign-in.
    "reminders-daily-sweep": {
        "task": "reminders.daily_sweep",
        "schedule": crontab(hour=6, minute=0),
    },
}


def queue_after_commit(task_name: str, *args: Any) -> None:
    """Queue a task by name once the current transaction commits.

    By name, so that an app earlier in the import order (careplans) can ask for follow-up
    work of a later one (reminders) without importing it (DESIGN §2). A broker that is down
    never undoes the committed change: the daily sweep repeats the work.
    """
    transaction.on_commit(lambda: app.signature(task_name, args=args).delay(), robust=True)
