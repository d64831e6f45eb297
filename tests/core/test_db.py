"""core.db: the cursor that keeps a statement prepared."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.db import prepared_cursor

STATEMENT = "SELECT %s + 1 AS answer"


def _prepared_here(statement: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [statement]
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.django_db
def test_a_statement_run_often_through_it_is_prepared_and_still_logged() -> None:
    seen: list[str] = []

    def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(keep):
        for value in range(6):
            with prepared_cursor() as cursor:
                cursor.execute(STATEMENT, [value])
                assert cursor.fetchone() == (value + 1,)
    assert len(captured) == 6  # each run logged, as Django's own cursors log theirs
    assert seen == [STATEMENT] * 6  # and wrapped
    if connection.vendor == "postgresql":
        assert _prepared_here("SELECT $1 + 1 AS answer") == 1
        # Django's own cursors put the values in the SQL, and never prepare.
        with connection.cursor() as cursor:
            for value in range(6):
                cursor.execute("SELECT %s + 2 AS other", [value])
        assert _prepared_here("%+ 2 AS other") == 0
