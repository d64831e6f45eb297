"""Refuse changes to the audit log in the database itself, not only in the ORM.

Events: no UPDATE, no DELETE. Stream heads: no DELETE, and an UPDATE only when the stream
grows by exactly one event, so removing events from the end cannot be hidden by rewinding
the head. TRUNCATE is left to the table owner (test databases are flushed with it); an
event table truncated alone is noticed because the heads still count its events.
"""

from __future__ import annotations

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION audit_accessevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_accessevent_append_only
    BEFORE UPDATE OR DELETE ON audit_accessevent
    FOR EACH ROW EXECUTE FUNCTION audit_accessevent_refuse_change();

CREATE OR REPLACE FUNCTION audit_auditstream_grow_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit streams are append-only: DELETE refused';
    END IF;
    IF NEW.key <> OLD.key OR NEW.length <> OLD.length + 1 THEN
        RAISE EXCEPTION 'audit streams are append-only: a head only moves one event forward';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditstream_grow_only
    BEFORE UPDATE OR DELETE ON audit_auditstream
    FOR EACH ROW EXECUTE FUNCTION audit_auditstream_grow_only();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS audit_accessevent_append_only ON audit_accessevent;
DROP FUNCTION IF EXISTS audit_accessevent_refuse_change();
DROP TRIGGER IF EXISTS audit_auditstream_grow_only ON audit_auditstream;
DROP FUNCTION IF EXISTS audit_auditstream_grow_only();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER audit_accessevent_no_update BEFORE UPDATE ON audit_accessevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER audit_accessevent_no_delete BEFORE DELETE ON audit_accessevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END;""",
    """CREATE TRIGGER audit_auditstream_no_delete BEFORE DELETE ON audit_auditstream
       BEGIN SELECT RAISE(ABORT, 'audit streams are append-only: DELETE refused'); END;""",
    """CREATE TRIGGER audit_auditstream_grow_only BEFORE UPDATE ON audit_auditstream
       WHEN NEW.key <> OLD.key OR NEW.length <> OLD.length + 1
       BEGIN SELECT RAISE(ABORT, 'audit streams are append-only: a head only moves one event forward'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_accessevent_no_update;",
    "DROP TRIGGER IF EXISTS audit_accessevent_no_delete;",
    "DROP TRIGGER IF EXISTS audit_auditstream_no_delete;",
    "DROP TRIGGER IF EXISTS audit_auditstream_grow_only;",
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
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
