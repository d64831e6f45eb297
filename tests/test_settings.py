"""Settings come from the environment and refuse bad values by name."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

GOOD_SECRET = "a-production-secret-that-is-long-enough-0123456789"
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": GOOD_SECRET, "ALLOWED_HOSTS": "epaccs.example.nhs.uk"}


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE)",
        ],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"DEBUG": "false"}, "SECRET_KEY must be set"),
        ({"DEBUG": "false", "SECRET_KEY": "short"}, "at least 32 characters"),
        ({"DEBUG": "false", "SECRET_KEY": GOOD_SECRET}, "ALLOWED_HOSTS must be set"),
        (PRODUCTION, "AUDIT_CHAIN_KEY must be set"),
        ({"DATABASE_URL": "nonsense://x"}, "nonsense"),
    ],
)
def test_bad_settings_stop_start_up_and_say_why(env: dict[str, str], message: str) -> None:
    result = _load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_turn_on_secure_cookies() -> None:
    result = _load_settings(**PRODUCTION, AUDIT_CHAIN_KEY="another-long-secret-kept-elsewhere")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_the_embedded_default_needs_no_environment() -> None:
    result = _load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "True"


def _database_options(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "DB_PREPARED_STATEMENTS"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; o = s.DATABASES['default'].get('OPTIONS', {});"
            " print(o.get('server_side_binding'), o.get('prepare_threshold'))",
        ],
        env={**clean, "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_postgresql_prepares_a_statement_run_often_unless_told_not_to() -> None:
    assert _database_options() == "True 5"
    assert _database_options(DB_PREPARED_STATEMENTS="false") == "True None"


@pytest.mark.django_db
def test_the_connection_in_use_binds_on_the_server_and_prepares() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":  # SQLite (make run) has no such thing
        assert "prepare_threshold" not in connection.settings_dict.get("OPTIONS", {})
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        for _ in range(6):
            cursor.execute("SELECT %s::int", [1])
    raw = connection.connection
    assert raw.prepare_threshold == 5
    with raw.cursor() as raw_cursor:
        raw_cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        row = raw_cursor.fetchone()
    assert row is not None
    assert row[0] >= 1
