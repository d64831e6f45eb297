"""The Celery app: Redis as broker when REDIS_URL is set (production, `make test`); with no
Redis (`make run`) every task runs eagerly, in-process, so nothing else must be started.

The one beat schedule lives here, in code. Limits, retries and time limits are settings
(config/settings.py, CELERY_* and REMINDER_*), set once.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

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
    # What has turned red overnight for people in their last weeks (expired medicines, a
    # move to stage C or D with something still missing).
    "profiles-readiness": {
        "task": "profiles.readiness_sweep",
        "schedule": crontab(hour=6, minute=10),
    },
}
