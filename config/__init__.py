"""Project configuration. The Celery app is loaded with Django so that `shared_task`
functions bind to it in every process (web, worker, beat, management commands)."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
