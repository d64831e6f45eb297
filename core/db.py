"""Database helpers that are not about any one app's data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)

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
    PostgreSQL it sends the values apart from the SQL and asks the connection to keep each
    statement prepared (config/settings.py PREPARED_STATEMENTS): parsed once, and planned
    once PostgreSQL finds a plan for any values as cheap as those for each (its plan cache).
    A statement is one text with its values' types: pass ids as bigint (as_bigint), so that
    small and large ids share one. Elsewhere, or with PREPARED_STATEMENTS off, it binds on
    the server unprepared or is the usual cursor. Logged and wrapped as Django's cursors are
    (execute_wrapper). Only for statements with few values: the server takes 65,535 at most.
    Django's own cursors bind on the client and are never prepared."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    # As connection.cursor() opens its cursors (BaseDatabaseWrapper._cursor), on the one
    # connection and in its transaction.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = _preparing_cursor_class()(connection.connection)
    cursor = (
        _LoggedAsWritten(raw, connection)
        if connection.queries_logged
        else connection.make_cursor(raw)
    )
    with cursor:
        yield cursor


class _LoggedAsWritten(CursorDebugWrapper):
    """Logs a statement as written, its values apart: Django's way (last_executed_query)
    gives None for a statement bound on the server by a connection that binds on the
    client."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


def as_bigint(values: Iterable[int]) -> list[Any]:
    """Ids as a prepared statement's values: always bigint on PostgreSQL, where psycopg
    would send a small id as smallint and a large one as integer, a statement each."""
    if connection.vendor != "postgresql":
        return list(values)
    from psycopg.types.numeric import Int8

    return [Int8(value) for value in values]


@cache
def _preparing_cursor_class() -> type[Any]:
    from django.db.backends.postgresql import base  # psycopg 3's cursor classes

    server_binding: type[Any] = base.ServerBindingCursor  # type: ignore[attr-defined]

    class PreparingCursor(server_binding):
        """Django's server-binding cursor, asking for every statement to be prepared."""

        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            return super().execute(query, params, **{**options, "prepare": True})

    return PreparingCursor


def is_prepared_cursor(cursor: Any) -> bool:
    """Whether a database cursor (CursorWrapper.cursor) is prepared_cursor's."""
    return connection.vendor == "postgresql" and isinstance(cursor, _preparing_cursor_class())


def columns_of(model: type[Model], alias: str) -> str:
    """Every column of `model`, in its fields' order, under `alias`: for a hand-written
    SELECT whose rows become instances (instances_from_rows)."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def instances_from_rows(
    model: type[M], rows: Iterable[Sequence[Any]], fields: Sequence[Field[Any, Any]] = ()
) -> list[M]:
    """Instances of `model` from rows of the values of `fields` (by default every column,
    as columns_of gives them; the rest deferred), converted as Django converts what it reads
    (a UUID or date from SQLite's text, JSON from its text)."""
    fields = fields or model._meta.concrete_fields
    readers = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        converters = (
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        )
        readers.append((column, converters))
    names = [field.attname for field in fields]
    found = []
    for values in rows:
        converted = []
        for (column, converters), value in zip(readers, values, strict=True):
            for convert in converters:
                value = convert(value, column, connection)
            converted.append(value)
        found.append(model.from_db(connection.alias, names, converted))
    return found
