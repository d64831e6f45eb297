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


def _prepare_threshold(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "DB_PREPARED_STATEMENTS"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s;"
            " print(s.DATABASES['default'].get('OPTIONS', {}).get('prepare_threshold'))",
        ],
        env={**clean, "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_prepared_statements_are_asked_for_only_and_can_be_turned_off() -> None:
    """Out of reach: psycopg prepares only what core.db.prepared_cursor asks it to."""
    assert _prepare_threshold() == str(2**31 - 1)
    assert _prepare_threshold(DB_PREPARED_STATEMENTS="false") == "None"
    assert (
        "DB_PREPARED_STATEMENTS must be true or false"
        in _load_settings(DB_PREPARED_STATEMENTS="maybe").stderr
    )
