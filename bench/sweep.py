"""The daily reminder sweep on synthetic regions of 100,000 and of 1,000,000 plans with the
same number of due plans: its cost must follow the due plans, not all plans (DESIGN §7).

    .venv/bin/python bench/sweep.py      (PostgreSQL running: `make services`)

In a PostgreSQL database made for the run: `generate_synthetic` builds a region of about
100,000 plans; every plan's review dates are moved far ahead, then the same DUE plans (spread
through the table) are given reviews due soon, overdue, overdue by more than 7 days and CPR
reviews due; the sweep runs (raising their reminders, emailing in-process) and runs again
(nothing to raise). Then a second region brings the total to about 1,000,000 plans and the
same is measured. Printed: plans, due plans, reminders raised, both sweeps' times, the time
per due plan, and the ratio of the first sweeps' times, 1,000,000 over 100,000.

Goal (issue 7): ratio <= 1.5.
"""

from __future__ import annotations

import json
import os
import sys

from common import bench_env, drop_database, generate, measured, recreate_database, run

DATABASE = "openepaccs_bench_sweep"
DUE = int(os.environ.get("BENCH_DUE_PLANS", "2000"))
# generate_synthetic gives 9 in 10 patients a plan: these make ~100,000 and ~1,000,000 plans.
REGIONS = [(111_112, 1), (1_000_000, 2)]
GOAL = 1.5


def _env() -> dict[str, str]:
    # Tasks (the emails) run in-process; emails go to memory: the sweep's whole cost.
    return bench_env(DATABASE, REDIS_URL="", CELERY_EAGER="true", EMAIL_URL="memorymail://")


# --- inside Django: runs as `bench/sweep.py --measure` in the bench database -------------


def _measure() -> None:
    import datetime as dt
    import time

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection
    from django.utils import timezone

    from careplans.models import CarePlan
    from reminders.models import Notification
    from reminders.services import reminders_sweep

    today = timezone.localdate()
    far = today + dt.timedelta(days=400)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE reminders_delivery, reminders_notification")
        cursor.execute(
            "UPDATE careplans_careplan SET review_due_on = %s, cpr_review_due_on = %s "
            "WHERE review_due_on IS NOT NULL OR cpr_review_due_on IS NOT NULL",
            [far, far],
        )
        plans = CarePlan.objects.filter(current_version__isnull=False).count()
        step = max(1, plans // DUE)
        cursor.execute(
            "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n "
            "FROM careplans_careplan WHERE current_version_id IS NOT NULL) AS numbered "
            "WHERE n %% %s = 0 LIMIT %s",
            [step, DUE],
        )
        chosen = [row[0] for row in cursor.fetchall()]
        # A quarter each: due in a week; 3 days overdue; 10 days overdue (escalated too);
        # CPR decision due for review in 5 days.
        for kind in range(4):
            ids = chosen[kind::4]
            if kind == 3:
                cursor.execute(
                    "UPDATE careplans_careplan SET cpr_review_due_on = %s WHERE id = ANY(%s)",
                    [today + dt.timedelta(days=5), ids],
                )
            else:
                day = today + dt.timedelta(days=(7, -3, -10)[kind])
                cursor.execute(
                    "UPDATE careplans_careplan SET review_due_on = %s WHERE id = ANY(%s)",
                    [day, ids],
                )
        cursor.execute("ANALYZE careplans_careplan")
        cursor.execute("ANALYZE reminders_notification")
        cursor.execute("ANALYZE reminders_delivery")
    started = time.perf_counter()
    first = reminders_sweep()
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = reminders_sweep()
    again_seconds = time.perf_counter() - started
    assert again.raised == 0, "a second sweep raises nothing"
    print(
        json.dumps(
            {
                "plans": CarePlan.objects.count(),
                "due": len(chosen),
                "raised": first.raised,
                "notifications": Notification.objects.count(),
                "first": first_seconds,
                "again": again_seconds,
            }
        )
    )


def main() -> None:
    if len(sys.argv) == 2 and sys.argv[1] == "--measure":
        _measure()
        return
    recreate_database(DATABASE)
    env = _env()
    rows = []
    try:
        run(env, "manage.py", "migrate", "--noinput", "-v0")
        for patients, seed in REGIONS:
            generate(env, patients, seed)
            rows.append(measured(env, "bench/sweep.py"))
    finally:
        drop_database(DATABASE)
    print(
        f"{'plans':>10} {'due plans':>9} {'raised':>7} {'sweep s':>8} {'ms per due plan':>16} "
        f"{'re-run s':>9}"
    )
    for row in rows:
        print(
            f"{row['plans']:>10,} {row['due']:>9,} {row['raised']:>7,} {row['first']:>8.2f} "
            f"{1000 * row['first'] / row['due']:>16.2f} {row['again']:>9.2f}"
        )
    ratio = rows[1]["first"] / rows[0]["first"]
    verdict = "meets goal" if ratio <= GOAL else "ABOVE GOAL"
    print(
        f"ratio of sweep times, 1,000,000 / 100,000 plans: {ratio:.2f}  (goal <= {GOAL}) {verdict}"
    )
    again = rows[1]["again"] / rows[0]["again"]
    print(f"ratio of re-run times (nothing to raise): {again:.2f}")


if __name__ == "__main__":
    main()
