"""The plan's "On the palliative care register" tick box becomes a view of the register:
every person whose plan has it ticked, on a practice's list and alive, is put on that
practice's register from the day the box was last saved, identified as "ticked in the care
plan", with the plan's GSF stage. Nothing in the plans is changed (published versions are
never rewritten)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    PlanSection = apps.get_model("careplans", "PlanSection")
    RegisterEntry = apps.get_model("register", "RegisterEntry")
    ticked = PlanSection.objects.filter(
        key="clinical", data__on_palliative_care_register=True
    ).select_related("working_copy__plan__patient")
    for section in ticked.iterator():
        patient = section.working_copy.plan.patient
        if patient.registered_gp_practice_id is None or patient.date_of_death is not None:
            continue
        RegisterEntry.objects.get_or_create(
            patient_id=patient.pk,
            practice_id=patient.registered_gp_practice_id,
            removed_on=None,
            defaults={
                "added_on": section.updated_at.date(),
                "added_by_id": section.updated_by_id,
                "route": "care_plan",
                "stage": section.data.get("gsf_prognostic_indicator_stage", ""),
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0001_initial"),
        ("careplans", "0010_death_region_practice"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
