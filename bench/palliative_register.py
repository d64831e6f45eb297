"""Case finding and the practice meeting's list for a practice of 20,000 patients with 300
on its palliative care register, in a region of 1,000,000 patients.

    .venv/bin/python bench/palliative_register.py      (PostgreSQL running: `make services`)

In a PostgreSQL database made for the run, `generate_synthetic` builds the region (twenty
practices); one practice keeps 20,000 of its patients (the rest move to another), 300 of
them go on its register across the four stages, and the surprise question or SPICT mark
others as candidates, and the access log is filled to two years of a region's use (five
million events, urgent care's among them). Each page's work is timed five times (p50
printed), its queries are counted at two sizes of list (the count must not grow with the
people listed), and the EXPLAIN of every SELECT each page runs is searched for sequential
scans of the big tables.

Goals (issue 21): query count constant in the number of people listed; p50 printed; the
plans use indexes: no sequential scan of a big table (10,000 rows or more; a small table is
read whole because that is cheaper, and the figures say which and how big).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from typing import Any

from common import bench_env, drop_database, generate, measured, recreate_database, run

DATABASE = "openepaccs_bench_register"
PATIENTS, SEED = 1_000_000, 3
PRACTICE_SIZE, ON_REGISTER = 20_000, 300
# The access log a region builds over two years: every page a clinician opens is a row. One
# in twenty-five of them is urgent care reading a summary, one in five hundred a break-glass.
AUDIT_EVENTS, AUDIT_DAYS = 5_000_000, 730
RUNS = 5
BIG_TABLES = {
    "patients_patient",
    "audit_accessevent",
    "register_registerentry",
    "register_surprisequestion",
    "register_spictassessment",
    "careplans_plansection",
    "careplans_careplan",
    "careplans_publishedversion",
    "coordination_referral",
    "patients_patientgroupobjectpermission",
    "patients_careteammember",
    "reminders_notification",
    "practice_outcome",
}


def _seq_scans(plan: object) -> set[str]:
    found: set[str] = set()
    if isinstance(plan, dict):
        if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in BIG_TABLES:
            found.add(str(plan["Relation Name"]))
        for value in plan.values():
            found |= _seq_scans(value)
    elif isinstance(plan, list):
        for value in plan:
            found |= _seq_scans(value)
    return found


def _audit_volume(cursor: Any) -> None:
    """Fill the access log to a region's size, once, in SQL (the app's chain is not needed
    to read it): events spread over the region's patients and the last two years."""
    from django.utils import timezone

    cursor.execute("SELECT 1 FROM audit_auditstream WHERE key = 'bench-volume'")
    if cursor.fetchone():
        return
    cursor.execute(
        "INSERT INTO audit_auditstream (key, head_hash, length) VALUES ('bench-volume', '', 0)"
        " RETURNING id"
    )
    stream = cursor.fetchone()[0]
    cursor.execute(
        "CREATE TEMP TABLE bench_ids AS"
        " SELECT row_number() OVER (ORDER BY id) AS n, public_id FROM patients_patient"
    )
    cursor.execute("SELECT count(*) FROM bench_ids")
    patients = cursor.fetchone()[0]
    cursor.execute(
        """
        INSERT INTO audit_accessevent (stream_id, sequence, occurred_at, username,
            organisation_name, role, patient_public_id, action, reason, detail, user_agent,
            previous_hash, hash)
        SELECT %(stream)s, g, %(now)s - random() * %(days)s * interval '1 day', 'bench', 'Bench',
            CASE WHEN g %% 25 = 0 OR g %% 500 = 1 THEN 'urgent_care' ELSE 'clinician' END,
            bench_ids.public_id,
            CASE WHEN g %% 500 = 1 THEN 'break_glass' WHEN g %% 25 = 0 THEN 'view_summary'
                ELSE 'view_plan' END,
            '', '{}', '', '', md5(g::text)
        FROM generate_series(1, %(events)s) AS g
        JOIN bench_ids ON bench_ids.n = 1 + (g::bigint * 7919) %% %(patients)s
        """,
        {
            "stream": stream,
            "now": timezone.now(),
            "days": AUDIT_DAYS,
            "events": AUDIT_EVENTS,
            "patients": patients,
        },
    )
    cursor.execute("DROP TABLE bench_ids")


def _measure(seed: int) -> None:
    import datetime as dt
    import time

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from audit.models import AccessEvent
    from organisations.models import Membership, Organisation, OrganisationKind
    from patients.models import Patient
    from practice import selectors
    from practice.models import Meeting
    from register.models import RegisterEntry, SurpriseQuestion
    from register.terminology import STAGES

    gp = Membership.objects.select_related("organisation").get(
        user__username=f"synthetic-{seed}-gp-0"
    )
    practice = gp.organisation
    other = Organisation.objects.filter(
        region_id=practice.region_id, kind=OrganisationKind.GP_PRACTICE
    ).exclude(pk=practice.pk)[0]
    kept = list(
        Patient.objects.filter(registered_gp_practice=practice, date_of_death__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:PRACTICE_SIZE]
    )
    Patient.objects.filter(registered_gp_practice=practice).exclude(pk__in=kept).update(
        registered_gp_practice=other
    )
    today = timezone.localdate()
    registered = RegisterEntry.objects.filter(practice=practice).exists()
    RegisterEntry.objects.bulk_create(  # once: a second measure of the same database adds none
        RegisterEntry(
            patient_id=pk,
            practice=practice,
            added_on=today - dt.timedelta(days=30),
            added_by=gp.user,
            route="surprise_question",
            stage=STAGES[index % 4],
        )
        for index, pk in enumerate(kept[:ON_REGISTER])
        if not registered
    )

    def candidates(first: int, count: int) -> None:
        SurpriseQuestion.objects.bulk_create(
            SurpriseQuestion(
                patient_id=pk,
                recorded_on=today,
                recorded_by=gp.user,
                organisation=practice,
                would_be_surprised=False,
            )
            for pk in kept[first : first + count]
        )

    meeting = Meeting.objects.create(
        practice=practice, held_on=today, attendees="GP, nurses", created_by=gp.user
    )
    with connection.cursor() as cursor:
        _audit_volume(cursor)
        cursor.execute("VACUUM ANALYZE")

    def queries(work: object) -> int:
        with CaptureQueriesContext(connection) as captured:
            work()  # type: ignore[operator]
        return len(captured)

    def scans(work: object) -> set[str]:
        """The big tables that any SELECT of the page's work reads whole."""
        with CaptureQueriesContext(connection) as captured:
            work()  # type: ignore[operator]
        found: set[str] = set()
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                if query["sql"].lstrip().upper().startswith("SELECT"):
                    cursor.execute(f"EXPLAIN (FORMAT JSON) {query['sql']}")
                    found |= _seq_scans(cursor.fetchone()[0])
        return found

    def timed(work: object) -> float:
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            work()  # type: ignore[operator]
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    def finding() -> object:
        return selectors.case_finding(gp)

    def meeting_list() -> object:
        return selectors.review_list(gp, meeting)

    candidates(ON_REGISTER, 5)
    finding()
    few = queries(finding)
    candidates(ON_REGISTER + 5, 600)
    many = queries(finding)
    meeting_list()
    listed_queries = queries(meeting_list)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    scanned = {"finding": scans(finding), "meeting": scans(meeting_list)}
    with connection.cursor() as cursor:
        # How big each scanned table is: a sequential scan of a small table is the right plan.
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)",
            [sorted(scanned["finding"] | scanned["meeting"])],
        )
        scanned_rows = dict(cursor.fetchall())
    print(
        json.dumps(
            {
                "region": Patient.objects.filter(home_region_id=practice.region_id).count(),
                "audit_events": AccessEvent.objects.count(),
                "practice": Patient.objects.filter(registered_gp_practice=practice).count(),
                "on_register": RegisterEntry.objects.filter(practice=practice).count(),
                "candidates": selectors.case_finding(gp).page.paginator.count,
                "finding_queries": [few, many],
                "meeting_queries": listed_queries,
                "finding_p50": timed(finding),
                "meeting_p50": timed(meeting_list),
                "seq_scans": {
                    page: {name: scanned_rows.get(name) for name in sorted(tables)}
                    for page, tables in scanned.items()
                },
            }
        )
    )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        _measure(int(sys.argv[2]))
        return
    recreate_database(DATABASE)
    env = bench_env(DATABASE, REDIS_URL="")
    try:
        run(env, "manage.py", "migrate", "--noinput", "-v0")
        generate(env, PATIENTS, SEED)
        row = measured(env, "bench/palliative_register.py", str(SEED))
    finally:
        drop_database(DATABASE)
    print(json.dumps(row, indent=2))
    few, many = row["finding_queries"]
    print(
        f"region {row['region']:,} patients; practice {row['practice']:,}; "
        f"{row['on_register']} on the register; {row['candidates']} candidates"
    )
    print(f"case finding: p50 {row['finding_p50']:.3f} s; queries {few} then {many}")
    print(f"meeting list: p50 {row['meeting_p50']:.3f} s; queries {row['meeting_queries']}")
    print(f"access log: {row['audit_events']:,} events")
    big = {
        f"{page}: {name}": rows
        for page, tables in row["seq_scans"].items()
        for name, rows in tables.items()
        if (rows or 0) >= 10_000
    }
    small = {
        f"{page}: {name}": rows
        for page, tables in row["seq_scans"].items()
        for name, rows in tables.items()
        if (rows or 0) < 10_000
    }
    verdicts = [
        "queries constant: " + ("yes" if few == many else "NO"),
        "no sequential scan of a table of 10,000 rows or more: "
        + ("yes" if not big else f"NO {big}"),
        f"sequential scans of smaller tables: {small or 'none'}",
    ]
    print("; ".join(verdicts))


if __name__ == "__main__":
    main()
