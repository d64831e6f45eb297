"""Published versions are never updated or deleted, in the database too."""

from __future__ import annotations

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION careplans_publishedversion_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'published versions are immutable: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER careplans_publishedversion_immutable
    BEFORE UPDATE OR DELETE ON careplans_publishedversion
    FOR EACH ROW EXECUTE FUNCTION careplans_publishedversion_refuse_change();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS careplans_publishedversion_immutable ON careplans_publishedversion;
DROP FUNCTION IF EXISTS careplans_publishedversion_refuse_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER careplans_publishedversion_no_update BEFORE UPDATE ON careplans_publishedversion
       BEGIN SELECT RAISE(ABORT, 'published versions are immutable: UPDATE refused'); END;""",
    """CREATE TRIGGER careplans_publishedversion_no_delete BEFORE DELETE ON careplans_publishedversion
       BEGIN SELECT RAISE(ABORT, 'published versions are immutable: DELETE refused'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS careplans_publishedversion_no_update;",
    "DROP TRIGGER IF EXISTS careplans_publishedversion_no_delete;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("careplans", "0002_initial")]
    operations = [migrations.RunPython(forward, reverse)]
