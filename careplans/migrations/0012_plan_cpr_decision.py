"""Each plan keeps its current version's CPR decision, as it keeps the review dates, for the
worklist's CPR filter and sort; plans published before this are filled in with one
set-based UPDATE. The partial index holds the few plans that say "not for CPR"."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    CarePlan = apps.get_model("careplans", "CarePlan")
    PublishedVersion = apps.get_model("careplans", "PublishedVersion")
    current = PublishedVersion.objects.filter(pk=OuterRef("current_version_id"))
    CarePlan.objects.filter(current_version__isnull=False).update(
        cpr_decision=Subquery(current.values("cpr_decision")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("careplans", "0011_review_index_with_patient"),
    ]

    operations = [
        migrations.AddField(
            model_name="careplan",
            name="cpr_decision",
            field=models.CharField(blank=True, default="", max_length=20),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="careplan",
            index=models.Index(
                condition=models.Q(("cpr_decision", "450476008")),
                fields=["patient"],
                name="care_plan_not_for_cpr",
            ),
        ),
    ]
