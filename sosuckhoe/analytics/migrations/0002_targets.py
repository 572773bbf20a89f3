import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_rollups"),
        ("places", "0003_unit_successors"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TargetPopulation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("priority_group", models.PositiveSmallIntegerField(default=0, verbose_name="priority group")),
                ("age_band", models.CharField(blank=True, default="", max_length=8, verbose_name="age band")),
                ("persons", models.PositiveIntegerField(verbose_name="people")),
                ("source", models.CharField(blank=True, max_length=200, verbose_name="source")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("updated_by_name", models.CharField(max_length=150, verbose_name="updated by")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="places.adminunit")),
                ("updated_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "target population",
                "verbose_name_plural": "target populations",
                "constraints": [
                    models.UniqueConstraint(fields=("unit", "priority_group", "age_band"), name="targetpopulation_key"),
                    models.CheckConstraint(
                        condition=models.Q(("age_band__in", ["", "0-4", "5-11", "12-17", "18-49", "50-64", "65+"])),
                        name="targetpopulation_age_band_known",
                    ),
                ],
            },
        ),
        # The overdue counts the daily run writes (analytics.overdue), beside the targets
        # that coverage divides by.
        migrations.CreateModel(
            name="OverdueCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=12, verbose_name="kind")),
                ("number", models.PositiveSmallIntegerField(verbose_name="number")),
                ("persons", models.PositiveIntegerField(verbose_name="people")),
                ("counted_on", models.DateField(verbose_name="counted on")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="places.adminunit")),
            ],
            options={
                "verbose_name": "overdue count",
                "verbose_name_plural": "overdue counts",
                "constraints": [models.UniqueConstraint(fields=("unit", "kind", "number"), name="overduecount_key")],
            },
        ),
    ]
