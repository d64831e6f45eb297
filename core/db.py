"""Database helpers that are not about any one app's data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

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


@contextmanager
def prepared_cursor() -> Iterator[CursorWrapper]:
    """A cursor for a statement that many pages run and PostgreSQL takes longer to plan than
    to run (careplans.worklist.ROWS_SQL: 2 to 3 ms of planning, 1 ms of running). On
    PostgreSQL it sends the values apart from the SQL, so that the connection prepares the
    statement once it has run it prepare_threshold times (config/settings.py): parsed once,
    and planned once PostgreSQL finds a plan for any values as cheap as those for each (its
    plan cache). Django's own cursors send values inside the SQL and never prepare.
    Elsewhere, the usual cursor. Logged and wrapped as Django's are (execute_wrapper).

    Only for statements with few values: a server-side statement takes at most 65,535."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql import base  # its cursor classes: psycopg 3's

    server_binding = base.ServerBindingCursor  # type: ignore[attr-defined]

    # As connection.cursor() opens its cursors (BaseDatabaseWrapper._cursor), on the one
    # connection and in its transaction, whatever cursor class the settings name.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = server_binding(connection.connection)
    cursor = (
        connection.make_debug_cursor(raw)
        if connection.queries_logged
        else connection.make_cursor(raw)
    )
    with cursor:
        yield cursor
