"""One real Celery worker, on Redis, against the test database: a task queued by the web
side is run by the worker and its effect is seen in the database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from careplans.models import CarePlan
from config.celery import app
from organisations.models import Membership
from patients.models import Patient
from reminders.models import Delivery, Kind, Notification
from reminders.tasks import update_plan_reminders
from tests.reminders.conftest import publish

ROOT = Path(settings.BASE_DIR)
WAIT_SECONDS = 90
# A Redis database of its own, so that nothing else's keys are touched.
BROKER_DB = 14

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis (REDIS_URL): `make test` provides it"
)


def _broker_url() -> str:
    base = settings.REDIS_URL.rsplit("/", 1)[0]
    return f"{base}/{BROKER_DB}"


@pytest.fixture
def worker(transactional_db: None) -> Iterator[str]:
    """A worker process on its own queue, reading the test database; stopped afterwards."""
    queue = f"test-{uuid.uuid4()}"
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        ),
        "REDIS_URL": _broker_url(),
        "CELERY_EAGER": "false",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(  # noqa: S603  (this interpreter, Celery's own CLI)
        [
            sys.executable,
            "-m",
            "celery",
            "--app",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the worker process reads the PostgreSQL test DB"
)
def test_a_worker_on_redis_runs_the_task_and_its_reminder_appears(
    worker: str, their_gp: Membership, consented: Patient
) -> None:
    plan: CarePlan = publish(their_gp, consented, review_in=3)
    # Publishing ran the update in-process (eager, as in every other test): start afresh,
    # so that only the worker can raise the reminder.
    Delivery.objects.all().delete()
    Notification.objects.all().delete()
    with app.connection_for_write(_broker_url()) as broker:
        update_plan_reminders.apply_async(
            args=[str(plan.public_id)], queue=worker, connection=broker
        )
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if Notification.objects.filter(plan=plan).exists():
            break
        time.sleep(0.5)
    notification = Notification.objects.get(plan=plan)
    assert notification.kind == Kind.REVIEW_DUE
    assert notification.deliveries.filter(membership=their_gp).exists()
