"""Copy each plan's review dates and responsibility from its current version, for plans
published before careplan_publish began to keep them on the plan: one set-based UPDATE."""

from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    CarePlan = apps.get_model("careplans", "CarePlan")
    PublishedVersion = apps.get_model("careplans", "PublishedVersion")
    Membership = apps.get_model("organisations", "Membership")
    Patient = apps.get_model("patients", "Patient")
    current = PublishedVersion.objects.filter(pk=OuterRef("current_version_id"))
    # The approver's organisation is the one of their memberships that carries the name the
    # version recorded; failing that, the patient's registered GP practice.
    approving = Membership.objects.filter(
        user_id=OuterRef("approved_by_id"),
        organisation__name=OuterRef("approved_by_organisation"),
    ).order_by("-ended_at", "pk")
    current_organisation = current.annotate(
        organisation_id=Subquery(approving.values("organisation_id")[:1])
    )
    practice = Patient.objects.filter(pk=OuterRef("patient_id"))
    CarePlan.objects.filter(current_version__isnull=False).update(
        review_due_on=Subquery(current.values("planned_review_date")[:1]),
        cpr_review_due_on=Subquery(current.values("cpr_review_date")[:1]),
        review_clinician_id=Subquery(current.values("approved_by_id")[:1]),
        review_organisation_id=Coalesce(
            Subquery(current_organisation.values("organisation_id")[:1]),
            Subquery(practice.values("registered_gp_practice_id")[:1]),
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("careplans", "0006_careplan_cpr_review_due_on_careplan_review_clinician_and_more"),
        ("organisations", "0002_organisation_team_email"),
        ("patients", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
