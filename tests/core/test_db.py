"""core.db: the cursor that keeps a statement prepared."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.db import as_bigint, prepared_cursor
from organisations.models import Region

STATEMENT = "SELECT %s + 1 AS answer"


def _prepared() -> list[str]:
    """The statements psycopg has prepared on this connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [row[0] for row in cursor.fetchall()]


def _answer(value: Any) -> Any:
    with prepared_cursor() as cursor:
        cursor.execute(STATEMENT, [value])
        row = cursor.fetchone()
    assert row is not None
    return row[0]


@pytest.mark.django_db
def test_a_statement_is_prepared_once_for_small_and_large_ids_and_nothing_else_is() -> None:
    seen: list[str] = []

    def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):  # as a page runs it: no debug cursor
        answers = [_answer(value) for value in as_bigint([1, 40_000, 3_000_000_000])]
    assert answers == [2, 40_001, 3_000_000_001]
    assert seen == [STATEMENT] * 3  # wrapped as Django's own statements are
    with CaptureQueriesContext(connection) as captured:
        _answer(as_bigint([7])[0])
    assert len(captured) == 1  # and logged: on PostgreSQL as written, its values apart
    if connection.vendor == "postgresql":  # (Django's own way gave None for it)
        assert captured[0]["sql"] == STATEMENT
    for _ in range(10):  # Django's own statements, however often they run, are not prepared
        list(Region.objects.filter(name__startswith="N"))
    if connection.vendor == "postgresql":
        prepared = _prepared()
        assert prepared.count("SELECT $1 + 1 AS answer") == 1
        assert not any("organisations_region" in statement for statement in prepared)


@pytest.mark.django_db
def test_instances_from_a_hand_written_select_are_as_the_orm_reads_them() -> None:
    """columns_of and instances_from_rows: every field converted as Django converts it
    (on SQLite a UUID and a date come back as text)."""
    from core.db import columns_of, instances_from_rows

    region = Region.objects.create(name="North Central London")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns_of(Region, 'region')} FROM organisations_region region"  # noqa: S608
            " WHERE region.id = %s",
            [region.pk],
        )
        row = cursor.fetchone()
    assert row is not None
    (read,) = instances_from_rows(Region, [row])
    stored = Region.objects.get(pk=region.pk)
    for field in Region._meta.concrete_fields:
        value = getattr(read, field.attname)
        assert value == getattr(stored, field.attname), field.name
        assert type(value) is type(getattr(stored, field.attname)), field.name
    assert not read._state.adding
