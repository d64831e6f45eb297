"""The PPD-achievement report for a regional admin, on synthetic regions of 100,000 and
1,000,000 patients, against a plain COUNT(*) over the same patients in the same run.

    .venv/bin/python bench/report.py      (PostgreSQL running: `make services`)

In a PostgreSQL database made for the run, `generate_synthetic` builds a region (a quarter
of those with a published plan have died in the last 330 days); the report runs for the
region's admin (this year, by GP practice) five times, and so does the count; the medians
are printed, with their ratio. Then a region of 1,000,000 joins and the same is measured
for it. The plan-quality part of the page is timed too.

Goals (issue 8): report <= 2 s at 1,000,000 patients and <= 10 x the count.
"""

from __future__ import annotations

import json
import os
import statistics
import sys

from common import bench_env, drop_database, generate, measured, recreate_database, run

DATABASE = "openepaccs_bench_report"
REGIONS = [(100_000, 1), (1_000_000, 2)]
RUNS = 5


def _measure(seed: int) -> None:
    import time

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection
    from django.utils import timezone

    from careplans.models import Death
    from organisations.models import Membership
    from patients.models import Patient
    from reports.periods import parse_period
    from reports.selectors import Filters, plan_quality, ppd_achievement

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    admin = Membership.objects.select_related("organisation").get(
        user__username=f"synthetic-{seed}-admin"
    )
    region = admin.organisation.region_id
    filters = Filters(parse_period("year", str(timezone.localdate().year)))

    def timed(work: object, runs: int = RUNS) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            work()  # type: ignore[operator]
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    report = timed(lambda: ppd_achievement(admin, filters))
    count = timed(lambda: Patient.objects.filter(home_region_id=region).count())
    quality = timed(lambda: plan_quality(admin, filters), runs=3)
    result = ppd_achievement(admin, filters)
    print(
        json.dumps(
            {
                "patients": Patient.objects.filter(home_region_id=region).count(),
                "deaths": Death.objects.filter(region_id=region).count(),
                "achieved": result.total.counts["achieved"],
                "with_ppd": result.total.counts["with_ppd"],
                "report": report,
                "count": count,
                "quality": quality,
            }
        )
    )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        _measure(int(sys.argv[2]))
        return
    recreate_database(DATABASE)
    env = bench_env(DATABASE, REDIS_URL="")
    rows = []
    try:
        run(env, "manage.py", "migrate", "--noinput", "-v0")
        for patients, seed in REGIONS:
            generate(env, patients, seed)
            rows.append(measured(env, "bench/report.py", str(seed)))
    finally:
        drop_database(DATABASE)
    print(
        f"{'patients':>10} {'deaths':>8} {'PPD achieved':>14} {'report s':>9} {'COUNT(*) s':>11} "
        f"{'ratio':>6} {'quality s':>10}"
    )
    for row in rows:
        achieved = f"{row['achieved']}/{row['with_ppd']}"
        print(
            f"{row['patients']:>10,} {row['deaths']:>8,} {achieved:>14} {row['report']:>9.3f} "
            f"{row['count']:>11.3f} {row['report'] / row['count']:>6.1f} {row['quality']:>10.3f}"
        )
    big = rows[-1]
    verdicts = [
        "report <= 2 s at 1,000,000: " + ("yes" if big["report"] <= 2 else "NO"),
        "report <= 10 x COUNT(*): " + ("yes" if big["report"] <= 10 * big["count"] else "NO"),
    ]
    print("; ".join(verdicts))


if __name__ == "__main__":
    main()
