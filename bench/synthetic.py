"""Synthetic data generation speed: patients per second for 10,000 and 100,000 patients
with care teams and plans, on PostgreSQL, in a database made for this run.

    .venv/bin/python bench/synthetic.py      (PostgreSQL running: `make services`)

Goal (DESIGN §10): at least 2,000 patients/s.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://openepaccs:openepaccs@127.0.0.1:5432")
DATABASE = "openepaccs_bench_synthetic"
SIZES = [(10_000, 1), (100_000, 2)]
GOAL = 2_000


def _recreate_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def _manage(*args: str) -> str:
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{DATABASE}"}
    result = subprocess.run(  # noqa: S603  (this interpreter running manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    return result.stdout


def main() -> None:
    _recreate_database()
    _manage("migrate", "--noinput", "-v0")
    print(f"{'patients':>10} {'versions':>9} {'seconds':>8} {'patients/s':>11}  goal >= {GOAL}/s")
    for patients, seed in SIZES:
        line = _manage("generate_synthetic", "--patients", str(patients), "--seed", str(seed))
        found = re.search(
            r"(\d+) patients, (\d+) published versions in ([\d.]+) s: (\d+) patients/s", line
        )
        if found is None:
            raise SystemExit(f"unexpected output: {line}")
        count, versions, seconds, rate = found.groups()
        verdict = "meets goal" if int(rate) >= GOAL else "BELOW GOAL"
        figures = f"{int(count):>10,} {int(versions):>9,} {float(seconds):>8.2f} {int(rate):>11,}"
        print(f"{figures}  {verdict}")
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")


if __name__ == "__main__":
    main()
