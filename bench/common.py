"""What every benchmark needs: a PostgreSQL database made for the run, an environment that
runs the app as in production (DEBUG off), and a way to run our own scripts in it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://openepaccs:openepaccs@127.0.0.1:5432")


def bench_env(database: str, **overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{database}",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0000000000",
        "AUDIT_CHAIN_KEY": "bench-only-audit-key",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **overrides,
    }


def _server(sql: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def recreate_database(database: str) -> None:
    _server(f"DROP DATABASE IF EXISTS {database}")
    _server(f"CREATE DATABASE {database}")


def drop_database(database: str) -> None:
    _server(f"DROP DATABASE IF EXISTS {database}")


def run(env: dict[str, str], *args: str, timeout: int = 3600) -> str:
    """Run this interpreter on our own script in `env`; stop the benchmark if it fails."""
    result = subprocess.run(  # noqa: S603  (this interpreter, our own scripts)
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def generate(env: dict[str, str], patients: int, seed: int) -> None:
    """A synthetic region of `patients` (manage.py generate_synthetic)."""
    run(env, "manage.py", "generate_synthetic", "--patients", str(patients), "--seed", str(seed))


def measured(env: dict[str, str], script: str, *args: str) -> dict[str, Any]:
    """Run a benchmark's measuring half; its figures are the JSON of its last line."""
    return dict(json.loads(run(env, script, "--measure", *args).strip().splitlines()[-1]))
