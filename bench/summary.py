"""The emergency summary under load, on a synthetic region of 10,000 and of 100,000 patients.

    .venv/bin/python bench/summary.py      (PostgreSQL running: `make services`)

For each size, in a PostgreSQL database made for the run with `generate_synthetic`:
- queries per summary: the whole request, and the summary's own (read and audit);
- in-process latency p50 and p95 (Django's test client, no network);
- throughput of the summary page and of a trivial view (/healthz/) on one gunicorn server
  on 127.0.0.1, under the same bounded load (same clients, same signed-in sessions, same
  number of requests), measured one after the other in the same run; and their ratio.

Goals (DESIGN §10, issue 5): <= 5 queries, p50 <= 10 ms, ratio >= 0.5.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from common import ROOT, bench_env, drop_database, generate, measured, recreate_database, run

DATABASE = "openepaccs_bench_summary"
SIZES = [(10_000, 1), (100_000, 2)][: int(os.environ.get("BENCH_SIZES", "2"))]
IN_PROCESS_REQUESTS = 400
LOAD_CLIENTS = 8
LOAD_REQUESTS = 1_600  # per URL, shared by the clients
LOAD_TIME_LIMIT = 120.0  # seconds per URL, whatever happens
WORKERS = 2 * (os.cpu_count() or 1) + 1  # gunicorn's advice: (2 x cores) + 1


def _env() -> dict[str, str]:
    # As in production (docker-compose.yml): sessions and cache in Redis.
    return bench_env(
        DATABASE, REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    )


# --- inside Django: runs as `bench/summary.py --measure SEED` in the bench database ---------


def _measure(seed: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from careplans import selectors
    from organisations.acting import SESSION_KEY
    from organisations.models import Membership, Role

    crew = (
        Membership.objects.filter(
            role=Role.URGENT_CARE, organisation__region__name=f"Synthetic region {seed}"
        )
        .select_related("user", "organisation")
        .first()
    )
    assert crew is not None, "generate_synthetic makes urgent care staff"
    sharable = list(
        selectors.sharable_versions()
        .filter(plan__patient__home_region=crew.organisation.region)
        .values_list("plan__patient__public_id", flat=True)[:5000]
    )
    rng = random.Random(seed)
    sample = [rng.choice(sharable) for _ in range(IN_PROCESS_REQUESTS)]

    def signed_in_client() -> Client:
        client = Client()
        client.force_login(crew.user)
        session = client.session
        session[SESSION_KEY] = str(crew.public_id)
        session.save()
        return client

    client = signed_in_client()
    url = lambda public_id: reverse("careplans:summary", kwargs={"patient_id": public_id})  # noqa: E731
    # Warm up on every sampled patient: the first view of a synthetic patient also creates
    # their audit stream, which real patients have from the day they were registered.
    for public_id in sample:
        assert client.get(url(public_id)).status_code == 200
    # captured_queries reads the connection's log when asked: copy it before clearing.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as request_queries:
        client.get(url(sample[0]))
    statements = [
        q["sql"] for q in request_queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")
    ]
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as own_queries:
        selectors.summary_for(crew, sample[0])
    own_statements = [
        q["sql"] for q in own_queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")
    ]

    timings = []
    for public_id in sample:
        started = time.perf_counter()
        response = client.get(url(public_id))
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    html_bytes = len(client.get(url(sample[0])).content)

    cookies = [signed_in_client().cookies["sessionid"].value for _ in range(LOAD_CLIENTS)]
    print(
        json.dumps(
            {
                "request_queries": len(statements),
                "own_queries": len(own_statements),
                "p50": statistics.median(timings),
                "p95": statistics.quantiles(timings, n=20)[18],
                "html_bytes": html_bytes,
                "cookies": cookies,
                "urls": [url(public_id) for public_id in sample],
            }
        )
    )


# --- outside: gunicorn and a bounded load -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_gunicorn(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_env(),
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def _load(port: int, paths: list[str], cookies: list[str]) -> float:
    """Requests per second for LOAD_REQUESTS requests spread over LOAD_CLIENTS threads,
    each with its own signed-in session; stops at LOAD_TIME_LIMIT whatever happens."""
    done = [0] * LOAD_CLIENTS
    failures: list[str] = []
    deadline = time.monotonic() + LOAD_TIME_LIMIT

    def client(index: int) -> None:
        for n in range(LOAD_REQUESTS // LOAD_CLIENTS):
            if time.monotonic() > deadline:
                return
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(
                "GET",
                paths[(index * 997 + n) % len(paths)],
                headers={"Cookie": f"sessionid={cookies[index]}"},
            )
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                failures.append(f"{response.status}")
                return
            done[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(LOAD_CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"load failed: HTTP {failures[0]}")
    return sum(done) / elapsed


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        _measure(int(sys.argv[2]))
        return
    print(
        f"{'patients':>9} {'queries':>8} {'own':>4} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'HTML KB':>8} {'summary/s':>10} {'trivial/s':>10} {'ratio':>6}"
    )
    try:
        for patients, seed in SIZES:
            recreate_database(DATABASE)
            run(_env(), "manage.py", "migrate", "--noinput", "-v0")
            generate(_env(), patients, seed)
            figures = measured(_env(), __file__, str(seed))
            port = _free_port()
            server = _start_gunicorn(port)
            try:
                _load(port, ["/healthz/"], figures["cookies"])  # warm the workers
                trivial = _load(port, ["/healthz/"], figures["cookies"])
                summary = _load(port, figures["urls"], figures["cookies"])
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
            print(
                f"{patients:>9,} {figures['request_queries']:>8} {figures['own_queries']:>4} "
                f"{figures['p50']:>7.2f} {figures['p95']:>7.2f} "
                f"{figures['html_bytes'] / 1024:>8.1f} {summary:>10.0f} {trivial:>10.0f} "
                f"{summary / trivial:>6.2f}"
            )
    finally:
        drop_database(DATABASE)
    print(
        "queries: every SQL statement of one signed-in summary request (user, acting role,"
        " patient with plan, audit); own: the summary's read and audit alone."
    )
    print("goals: own queries <= 5, p50 <= 10 ms, ratio >= 0.5")


if __name__ == "__main__":
    main()
