"""Database helpers that are not about any one app's data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

# PostgreSQL starts parallel workers for a query it expects to be long; for a query that
# reads one page of a list the workers' start costs more than the whole query (bench/
# worklist.py measured 13 ms of a 14 ms count spent starting two workers on two cores).
WITHOUT_PARALLEL_WORKERS = "SET LOCAL max_parallel_workers_per_gather = 0"


@contextmanager
def without_parallel_workers() -> Iterator[None]:
    """Run the block's queries in one transaction, each on one process (PostgreSQL only;
    other databases have nothing to turn off)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(WITHOUT_PARALLEL_WORKERS)
        yield
