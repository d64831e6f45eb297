"""Copy each plan's review dates and responsibility from its current version, for plans
published before careplan_publish began to keep them on the plan."""

from django.db import migrations


def backfill(apps, schema_editor):
    CarePlan = apps.get_model("careplans", "CarePlan")
    Membership = apps.get_model("organisations", "Membership")
    plans = CarePlan.objects.filter(current_version__isnull=False).select_related(
        "current_version", "patient"
    )
    for plan in plans.iterator(chunk_size=2000):
        version = plan.current_version
        approver_organisation = (
            Membership.objects.filter(
                user_id=version.approved_by_id,
                organisation__name=version.approved_by_organisation,
            )
            .values_list("organisation_id", flat=True)
            .first()
        )
        CarePlan.objects.filter(pk=plan.pk).update(
            review_due_on=version.planned_review_date,
            cpr_review_due_on=version.cpr_review_date,
            review_clinician_id=version.approved_by_id,
            review_organisation_id=approver_organisation
            or plan.patient.registered_gp_practice_id,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("careplans", "0006_careplan_cpr_review_due_on_careplan_review_clinician_and_more"),
        ("organisations", "0002_organisation_team_email"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
