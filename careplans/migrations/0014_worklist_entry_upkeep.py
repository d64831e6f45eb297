"""The worklist entries' upkeep, made safe against what 0013's triggers missed:

- a grant added while another transaction changes its person or their plan: the grant's
  trigger first takes a share lock on the patient's and the plan's rows, which that change
  also needs, so whichever comes second waits and then reads what the first committed (row
  locks, not one advisory lock for each person: a bulk change of 50,000 grants ran out of
  PostgreSQL's lock table);
- a grant written before its patient (foreign keys are checked at commit): the patient's
  arrival writes the entries of the grants already there, and a grant's entry is rewritten,
  never skipped, if one is there;
- TRUNCATE, which fires no row triggers;
- a plan saved with nothing the entries copy changed: no longer rewrites them.

Every entry is then written afresh from the grants, the patients and the plans."""

from django.db import migrations

NOT_FOR_CPR = "450476008"  # careplans.terminology.NOT_FOR_CPR, as it was at this migration
# The entries of the grants in `{source}` (named g) that `{where}` keeps, each from its
# patient and plan. Built from this file's constants only, never from input.
ENTRY = f"""
    INSERT INTO careplans_worklistentry
        (group_id, patient_id, living, family_name, given_name, not_for_cpr, review_due_on)
    SELECT g.group_id, p.id, p.date_of_death IS NULL, p.family_name, p.given_name,
           COALESCE(c.cpr_decision = '{NOT_FOR_CPR}', false), c.review_due_on
    FROM {{source}}
    JOIN patients_patient p ON p.id = g.content_object_id
    LEFT JOIN careplans_careplan c ON c.patient_id = p.id
    WHERE {{where}}
    ON CONFLICT (group_id, patient_id) DO UPDATE SET
        living = EXCLUDED.living, family_name = EXCLUDED.family_name,
        given_name = EXCLUDED.given_name, not_for_cpr = EXCLUDED.not_for_cpr,
        review_due_on = EXCLUDED.review_due_on
"""  # noqa: S608  (this file's constants only)
# Before a grant's entry is read from its patient and plan: wait for, or hold off, any change
# to them, until this transaction ends.
HOLD = """
        PERFORM 1 FROM patients_patient WHERE id = NEW.content_object_id FOR SHARE;
        PERFORM 1 FROM careplans_careplan WHERE patient_id = NEW.content_object_id FOR SHARE;"""

VIEW_PATIENT = "g.permission_id = careplans_view_patient_permission()"
ONE_GRANT = "(SELECT NEW.group_id, NEW.content_object_id) AS g (group_id, content_object_id)"
GRANTS = "patients_patientgroupobjectpermission g"
IS_VIEW_PATIENT = "permission_id = careplans_view_patient_permission()"

KEEP = f"""
CREATE OR REPLACE FUNCTION careplans_worklist_grant() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.{IS_VIEW_PATIENT} THEN
        DELETE FROM careplans_worklistentry
        WHERE group_id = OLD.group_id AND patient_id = OLD.content_object_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.{IS_VIEW_PATIENT} THEN
        {HOLD}
        {ENTRY.format(source=ONE_GRANT, where="true")};
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION careplans_worklist_patient() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {ENTRY.format(source=GRANTS, where=f"g.content_object_id = NEW.id AND {VIEW_PATIENT}")};
    ELSE
        UPDATE careplans_worklistentry
        SET living = NEW.date_of_death IS NULL, family_name = NEW.family_name,
            given_name = NEW.given_name
        WHERE patient_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER careplans_worklist_patient_added
AFTER INSERT ON patients_patient
FOR EACH ROW EXECUTE FUNCTION careplans_worklist_patient();

CREATE OR REPLACE FUNCTION careplans_worklist_plan() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.patient_id <> NEW.patient_id) THEN
        UPDATE careplans_worklistentry SET not_for_cpr = false, review_due_on = NULL
        WHERE patient_id = OLD.patient_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE careplans_worklistentry
        SET not_for_cpr = COALESCE(NEW.cpr_decision = '{NOT_FOR_CPR}', false),
            review_due_on = NEW.review_due_on
        WHERE patient_id = NEW.patient_id;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS careplans_worklist_plan ON careplans_careplan;
CREATE TRIGGER careplans_worklist_plan
AFTER INSERT OR DELETE ON careplans_careplan
FOR EACH ROW EXECUTE FUNCTION careplans_worklist_plan();

CREATE OR REPLACE TRIGGER careplans_worklist_plan_changed
AFTER UPDATE OF patient_id, cpr_decision, review_due_on ON careplans_careplan
FOR EACH ROW WHEN (
    OLD.patient_id IS DISTINCT FROM NEW.patient_id
    OR OLD.cpr_decision IS DISTINCT FROM NEW.cpr_decision
    OR OLD.review_due_on IS DISTINCT FROM NEW.review_due_on
) EXECUTE FUNCTION careplans_worklist_plan();

CREATE OR REPLACE FUNCTION careplans_worklist_grants_emptied() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM careplans_worklistentry;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER careplans_worklist_grants_emptied
AFTER TRUNCATE ON patients_patientgroupobjectpermission
FOR EACH STATEMENT EXECUTE FUNCTION careplans_worklist_grants_emptied();

CREATE OR REPLACE FUNCTION careplans_worklist_plans_emptied() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE careplans_worklistentry SET not_for_cpr = false, review_due_on = NULL
    WHERE not_for_cpr OR review_due_on IS NOT NULL;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER careplans_worklist_plans_emptied
AFTER TRUNCATE ON careplans_careplan
FOR EACH STATEMENT EXECUTE FUNCTION careplans_worklist_plans_emptied();

DELETE FROM careplans_worklistentry e WHERE NOT EXISTS (
    SELECT 1 FROM patients_patientgroupobjectpermission g
    WHERE g.group_id = e.group_id AND g.content_object_id = e.patient_id
      AND {VIEW_PATIENT}
);
{ENTRY.format(source=GRANTS, where=VIEW_PATIENT)};
"""  # noqa: S608  (this file's constants only)

FORGET = """
DROP TRIGGER IF EXISTS careplans_worklist_patient_added ON patients_patient;
DROP TRIGGER IF EXISTS careplans_worklist_plan_changed ON careplans_careplan;
DROP TRIGGER IF EXISTS careplans_worklist_grants_emptied ON patients_patientgroupobjectpermission;
DROP TRIGGER IF EXISTS careplans_worklist_plans_emptied ON careplans_careplan;
DROP FUNCTION IF EXISTS careplans_worklist_grants_emptied();
DROP FUNCTION IF EXISTS careplans_worklist_plans_emptied();
DROP TRIGGER IF EXISTS careplans_worklist_plan ON careplans_careplan;
CREATE TRIGGER careplans_worklist_plan
AFTER INSERT OR DELETE OR UPDATE OF patient_id, cpr_decision, review_due_on
ON careplans_careplan
FOR EACH ROW EXECUTE FUNCTION careplans_worklist_plan();
"""


def keep(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(KEEP)


def forget(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORGET)


class Migration(migrations.Migration):
    dependencies = [("careplans", "0013_worklist_entry")]

    operations = [migrations.RunPython(keep, forget)]
