"""My patients (the worklist) for a clinician whose organisation has 5,000 and then 50,000
people in its care teams, in a region of 1,000,000 patients.

    .venv/bin/python bench/worklist.py      (PostgreSQL running: `make services`)

In a PostgreSQL database made for the run, `generate_synthetic` builds the region; one
practice's care-team grants are cut to 5,000 people, then grown to 50,000. At each size the
whole page (Django's test client, in-process: session, audit and template included) is
requested 100 times for each of four views of the list — the first page by name, a page
deep in the list, sorted by review date, filtered to "Not for CPR" — and its p50 and p95
printed; the queries per page are counted at both sizes, and the EXPLAIN of every SELECT
is searched for sequential scans of the big tables (and, for a statement the connection
keeps prepared, core.db.prepared_cursor, the plan it may run for any values too; how often
it ran on each kind of plan is printed).

The views take turns, one request each, rather than each view's requests one after another:
this machine's speed wanders by up to twice over a few seconds (the same page, 26 ms p50 in
one stretch and 50 ms in the next), and in turns every view meets the same stretches, so
that no view's p95 is just the slow stretch it happened to fall in. A hundred requests give
the p95 five requests above it, where thirty gave it two. Between rounds the same Django
work, with no database, is timed (`reference_p50_ms`): when it is slower than usual, so is
every page, whatever the code.

Goals (issue 22): p95 <= 50 ms per page at 5,000; at 50,000 within 1.5 x of that; the same
queries at both sizes; index scans only on tables of 10,000 rows or more.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from functools import partial
from typing import Any

from common import bench_env, drop_database, generate, measured, recreate_database, run

DATABASE = "openepaccs_bench_worklist"
PATIENTS, SEED = 1_000_000, 4
SIZES = (5_000, 50_000)
RUNS = 100
VIEWS = {
    "first page": {},
    "page 40": {"page": "40"},
    "by review date": {"sort": "review"},
    "not for CPR": {"cpr": "not_for_cpr"},
}
BIG = 10_000
REFERENCE_QUERIES = 10


def _seq_scans(plan: object, sizes: dict[str, int]) -> set[str]:
    found: set[str] = set()
    if isinstance(plan, dict):
        name = plan.get("Relation Name")
        if plan.get("Node Type") == "Seq Scan" and sizes.get(str(name), 0) >= BIG:
            found.add(str(name))
        for value in plan.values():
            found |= _seq_scans(value, sizes)
    elif isinstance(plan, list):
        for value in plan:
            found |= _seq_scans(value, sizes)
    return found


def _reference_work() -> None:
    """The same Django work every time, with no database: building and compiling one query
    REFERENCE_QUERIES times, timed between the rounds, to show how fast the machine ran
    while the pages were measured (see the docstring). A pure arithmetic loop did not show
    it: the slow stretches slow code that reaches across much memory, as Django does, and
    left the loop alone (correlation with the page 0.41, against 0.82 for this)."""
    from patients.models import Patient

    for _ in range(REFERENCE_QUERIES):
        str(
            Patient.objects.filter(family_name__startswith="A", date_of_death__isnull=True)
            .select_related("care_plan__current_version")
            .order_by("family_name", "given_name")
            .query
        )


def _kept(
    into: list[tuple[str, Any, bool]], execute: Any, sql: str, params: Any, *rest: Any
) -> Any:
    """An execute wrapper keeping each statement (its values apart), and whether it went
    through core.db.prepared_cursor: the connection keeps those prepared, and PostgreSQL may
    then run one plan for any values, which EXPLAIN of the statement with its values does
    not show."""
    from core.db import is_prepared_cursor

    into.append((sql, params, is_prepared_cursor(rest[-1]["cursor"].cursor)))
    return execute(sql, params, *rest)


def _generic_plan(sql: str, params: Any) -> object:
    """The plan PostgreSQL may run for any values of the connection's own prepared statement
    (found in pg_prepared_statements by its text, its values numbered as psycopg sent it)."""
    from django.db import connection, transaction

    numbered = sql
    for number in range(1, len(params) + 1):
        numbered = numbered.replace("%s", f"${number}", 1)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM pg_prepared_statements WHERE NOT from_sql AND statement = %s",
            [numbered],
        )
        found = cursor.fetchone()
        if found is None:
            raise RuntimeError("the page's statement was not prepared (core.db.prepared_cursor)")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(
            f"EXPLAIN (FORMAT JSON) EXECUTE {found[0]} ({', '.join(['%s'] * len(params))})",
            [int(value) if isinstance(value, int) else value for value in params],
        )
        return cursor.fetchone()[0]


def _prepared_plans() -> dict[str, int]:
    """How often the connection's prepared statements ran on a plan for any values
    (generic) and on one made for the values (custom)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0)"
            " FROM pg_prepared_statements WHERE NOT from_sql"
        )
        generic, custom = cursor.fetchone()
    return {"generic": int(generic), "custom": int(custom)}


def _measure(seed: int) -> None:
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    # The app started as gunicorn starts it: set up, then out of the garbage collector's
    # full collections (config/wsgi.py).
    import config.wsgi  # noqa: F401
    from organisations.acting import SESSION_KEY
    from organisations.models import Membership
    from patients.models import Patient, PatientGroupObjectPermission

    gp = Membership.objects.select_related("organisation").get(
        user__username=f"synthetic-{seed}-gp-0"
    )
    group = gp.organisation.group_id
    grant = PatientGroupObjectPermission.objects.filter(group_id=group).first()
    assert grant is not None  # the generator gave the practice its patients
    url = reverse("careplans:worklist")
    client = Client()
    client.force_login(gp.user)
    session = client.session
    session[SESSION_KEY] = str(gp.public_id)
    session.save()

    def grants_to(size: int) -> None:
        """Exactly `size` living people in the practice's care teams."""
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM patients_patientgroupobjectpermission WHERE group_id = %s", [group]
            )
            cursor.execute(
                "INSERT INTO patients_patientgroupobjectpermission"
                " (group_id, permission_id, content_object_id)"
                " SELECT %s, %s, id FROM patients_patient"
                " WHERE date_of_death IS NULL ORDER BY id LIMIT %s",
                [group, grant.permission_id, size],
            )
            cursor.execute("VACUUM ANALYZE patients_patientgroupobjectpermission")
            cursor.execute("VACUUM ANALYZE careplans_worklistentry")  # kept by the triggers

    def page(query: dict[str, str]) -> None:
        response = client.get(url, query)
        assert response.status_code == 200

    sizes: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'")
        sizes = dict(cursor.fetchall())

    figures: dict[str, Any] = {"region": Patient.objects.count()}
    plans_before = _prepared_plans()  # the connection's counts run on: each size's own below
    for size in SIZES:
        grants_to(size)
        for query in VIEWS.values():
            page(query)  # warm
        row: dict[str, Any] = {"in_care_teams": size, "views": {}, "seq_scans": set()}
        queries: dict[str, int] = {}
        for name, query in VIEWS.items():
            connection.queries_log.clear()  # a full log (9,000) would capture nothing more
            executed: list[tuple[str, Any, bool]] = []
            with (
                CaptureQueriesContext(connection) as captured,
                connection.execute_wrapper(partial(_kept, executed)),
            ):
                page(query)
            queries[name] = len(captured.captured_queries)  # every statement the page sent
            # Replayed as the page ran them: its settings (one process per query) first.
            with transaction.atomic(), connection.cursor() as cursor:
                for sql, params, _ in executed:
                    statement = sql.lstrip()
                    if statement.upper().startswith("SET"):
                        cursor.execute(statement, params)
                    elif statement.upper().startswith("SELECT"):
                        cursor.execute(f"EXPLAIN (FORMAT JSON) {statement}", params)
                        row["seq_scans"] |= _seq_scans(cursor.fetchone()[0], sizes)
            for sql, params, prepared in executed:  # as the connection runs it, for any values
                if prepared:
                    row["seq_scans"] |= _seq_scans(_generic_plan(sql, params), sizes)
        times: dict[str, list[float]] = {name: [] for name in VIEWS}
        reference: list[float] = []
        for _ in range(RUNS):
            for name, query in VIEWS.items():  # in turns: see the docstring
                started = time.perf_counter()
                page(query)
                times[name].append(time.perf_counter() - started)
            started = time.perf_counter()
            _reference_work()
            reference.append(time.perf_counter() - started)
        row["reference_p50_ms"] = round(statistics.median(reference) * 1000, 1)
        plans_now = _prepared_plans()
        row["prepared_plans"] = {kind: plans_now[kind] - plans_before[kind] for kind in plans_now}
        plans_before = plans_now
        for name, taken in times.items():
            taken.sort()
            row["views"][name] = {
                "queries": queries[name],
                "p50_ms": round(statistics.median(taken) * 1000, 1),
                "p95_ms": round(taken[int(0.95 * (RUNS - 1))] * 1000, 1),
            }
        row["seq_scans"] = sorted(row["seq_scans"])
        figures[str(size)] = row
    print(json.dumps(figures))


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        _measure(int(sys.argv[2]))
        return
    recreate_database(DATABASE)
    # The second factor is asked for at sign-in; the page's own work is what is measured.
    env = bench_env(DATABASE, REDIS_URL="", STAFF_TWO_FACTOR="false")
    try:
        run(env, "manage.py", "migrate", "--noinput", "-v0")
        generate(env, PATIENTS, SEED)
        row = measured(env, "bench/worklist.py", str(SEED))
    finally:
        drop_database(DATABASE)
    print(json.dumps(row, indent=2))
    small, large = (row[str(size)] for size in SIZES)
    print(
        f"region {row['region']:,} patients; the reference work took "
        f"{small['reference_p50_ms']} ms and {large['reference_p50_ms']} ms (p50)"
    )
    for name in VIEWS:
        a, b = small["views"][name], large["views"][name]
        print(
            f"{name}: {SIZES[0]:,} in care teams p50 {a['p50_ms']} ms p95 {a['p95_ms']} ms "
            f"({a['queries']} queries); {SIZES[1]:,}: p50 {b['p50_ms']} ms p95 {b['p95_ms']} ms "
            f"({b['queries']} queries); ratio of p95 {b['p95_ms'] / a['p95_ms']:.2f}"
        )
    verdicts = [
        "p95 <= 50 ms at 5,000: "
        + ("yes" if all(v["p95_ms"] <= 50 for v in small["views"].values()) else "NO"),
        "50,000 within 1.5 x: "
        + (
            "yes"
            if all(large["views"][n]["p95_ms"] <= 1.5 * small["views"][n]["p95_ms"] for n in VIEWS)
            else "NO"
        ),
        "queries constant: "
        + (
            "yes"
            if all(large["views"][n]["queries"] == small["views"][n]["queries"] for n in VIEWS)
            else "NO"
        ),
        "no sequential scan of a table of 10,000 rows or more: "
        + ("yes" if not (small["seq_scans"] or large["seq_scans"]) else "NO")
        + f" {small['seq_scans'] + large['seq_scans']}",
    ]
    print("; ".join(verdicts))


if __name__ == "__main__":
    main()
