"""The console of `make run` is quiet: a refused request is one log line saying where it was
refused (no traceback, no person); no broker warning without a broker; emails go to files
when working locally."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from config.log_filters import OneLineRefusals
from organisations.models import Membership


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.quiet_console_urls")
def test_a_refused_request_is_one_line_naming_where_it_was_refused(
    client: Client, regional_admin: Membership
) -> None:
    console = next(
        handler
        for handler in logging.getLogger("django").handlers
        if isinstance(handler, logging.StreamHandler)
    )
    written = io.StringIO()
    before = console.setStream(written)
    try:
        response = client.get("/refused/", {"as": regional_admin.user.username})
    finally:
        console.setStream(before)

    assert response.status_code == 403
    logged = [line for line in written.getvalue().splitlines() if line.strip()]
    assert len(logged) == 1, logged
    assert "WARNING django.request Forbidden (Permission denied): /refused/" in logged[0]
    assert "(refused in patients.services.patient_register)" in logged[0]


def test_other_errors_keep_their_traceback() -> None:
    try:
        raise ValueError("a real error")
    except ValueError:
        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error",
            None,
            sys.exc_info(),
        )
    record.status_code = 500
    assert OneLineRefusals().filter(record)
    assert record.exc_info is not None


def test_without_a_broker_tasks_run_in_process_on_a_named_in_memory_broker() -> None:
    # kombu warns "No hostname was supplied" on every command for a bare memory://.
    assert settings.CELERY_BROKER_URL.startswith(("memory://localhost", "redis://"))


def _quietly(*command: str) -> subprocess.CompletedProcess[str]:
    script = Path(settings.BASE_DIR) / "scripts" / "quietly.sh"
    return subprocess.run(  # noqa: S603  (this repository's script, arguments written here)
        ["bash", str(script), "doing a step", *command],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_an_install_step_that_works_says_one_line() -> None:
    done = _quietly("bash", "-c", "echo lots; echo of; echo output >&2")
    assert done.returncode == 0
    assert done.stdout == "make: doing a step\n"
    assert done.stderr == ""


def test_an_install_step_that_fails_shows_all_it_said_and_fails() -> None:
    done = _quietly("bash", "-c", "echo what went wrong >&2; exit 3")
    assert done.returncode == 1
    assert "what went wrong" in done.stdout
    assert done.stdout.rstrip().endswith("make: doing a step failed (its output is above)")
