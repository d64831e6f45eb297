# Deaths keep the region and GP practice the person belonged to at death (for reports).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_in(apps, schema_editor):
    """Existing deaths take the patient's region and practice as they are now."""
    for name in ("Death", "HistoricalDeath"):
        model = apps.get_model("careplans", name)
        Patient = apps.get_model("patients", "Patient")
        patient = Patient.objects.filter(pk=models.OuterRef("patient_id"))
        model.objects.update(
            region_id=models.Subquery(patient.values("home_region_id")[:1]),
            gp_practice_id=models.Subquery(patient.values("registered_gp_practice_id")[:1]),
        )


class Migration(migrations.Migration):

    dependencies = [
        ('careplans', '0009_publishedversion_mandatory_missing_and_more'),
        ('organisations', '0002_organisation_team_email'),
        ('patients', '0003_historicalpatient_date_of_death_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='death',
            name='death_by_date',
        ),
        migrations.AddField(
            model_name='death',
            name='gp_practice',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation'),
        ),
        migrations.AddField(
            model_name='death',
            name='region',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.region'),
        ),
        migrations.AddField(
            model_name='historicaldeath',
            name='gp_practice',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organisations.organisation'),
        ),
        migrations.AddField(
            model_name='historicaldeath',
            name='region',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organisations.region'),
        ),
        migrations.RunPython(fill_in, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='death',
            name='region',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.region'),
        ),
        migrations.AddIndex(
            model_name='death',
            index=models.Index(condition=models.Q(('entered_in_error', False)), fields=['region', 'date_of_death'], include=('gp_practice', 'place_of_death', 'preferred_place_of_death', 'version_at_death', 'diagnosis_group', 'age_at_death'), name='death_report'),
        ),
    ]
