"""Database helpers that are not about any one app's data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

# How PostgreSQL should plan a query that reads one page of a long list (bench/worklist.py):
# - no parallel workers: for a query that reads one page, starting them costs more than the
#   whole query (13 ms of a 14 ms count, on two cores);
# - random reads priced as on the solid-state disks the service runs on (1.1), not the
#   spinning disks of PostgreSQL's default (4): at the default, page 40 of a practice of
#   5,000 was planned as a read of all 800,000 living patients (557 ms) rather than an index
#   read of the practice's 5,000 (16 ms), depending on the last ANALYZE's sample.
FOR_ONE_PAGE = (
    "SET LOCAL max_parallel_workers_per_gather = 0",
    "SET LOCAL random_page_cost = 1.1",
)


@contextmanager
def planned_for_one_page() -> Iterator[None]:
    """Run the block's queries in one transaction, planned as reads of one page of a list
    (PostgreSQL only; other databases have nothing to set). SET LOCAL: the settings end with
    the transaction, so reports and everything else keep PostgreSQL's own."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for setting in FOR_ONE_PAGE:
                    cursor.execute(setting)
        yield
