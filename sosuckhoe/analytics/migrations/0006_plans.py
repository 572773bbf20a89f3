# Filled by hand with the operations of this part's models: coverage plans (a unit's target by a
# date, models/plans.py), the persons behind each commune's overdue count (models/overdue.py),
# and the warning kind of a unit behind its plan (models/warnings.py).

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

WARNING_KINDS = [
    ("serious_reaction", "Serious reaction"),
    ("reaction_prr", "Reaction signal (disproportionality)"),
    ("reaction_oe", "Reaction signal (observed against expected)"),
    ("lot_expiring", "Lot expiring with stock left"),
    ("stock_out", "Stock running out"),
    ("overdue", "People overdue for their next dose"),
    ("behind_plan", "Unit behind its coverage plan"),
    ("entry_backlog", "Doses not entered at the end of the day"),
    ("data_quality", "Data quality"),
    ("declaration_surge", "Surge of symptomatic health declarations"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0005_dashboard_rollups"),
        ("people", "0007_duplicate_finder"),
        ("places", "0003_unit_successors"),
        ("vaccination", "0005_reactions_and_investigations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CoveragePlan",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("kind", models.CharField(choices=[("primary", "Primary dose"), ("additional", "Additional dose"), ("booster", "Booster dose")], default="primary", max_length=12, verbose_name="kind")),
                ("number", models.PositiveSmallIntegerField(verbose_name="dose number")),
                ("coverage", models.PositiveSmallIntegerField(verbose_name="target coverage (%)")),
                ("due_on", models.DateField(verbose_name="to reach by")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("updated_by_name", models.CharField(max_length=150, verbose_name="updated by")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="places.adminunit", verbose_name="unit")),
                ("updated_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "coverage plan",
                "verbose_name_plural": "coverage plans",
                "ordering": ["due_on", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("unit", "kind", "number", "due_on"), name="coverageplan_key"),
                    models.CheckConstraint(condition=models.Q(("coverage__gte", 1), ("coverage__lte", 100)), name="coverageplan_percent"),
                    models.CheckConstraint(condition=models.Q(("number__gte", 1), ("number__lte", 9)), name="coverageplan_number"),
                    models.CheckConstraint(condition=models.Q(("kind__in", ["primary", "additional", "booster"])), name="coverageplan_kind_valid"),
                ],
            },
        ),
        migrations.CreateModel(
            name="OverduePerson",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=12, verbose_name="kind")),
                ("number", models.PositiveSmallIntegerField(verbose_name="number")),
                ("due_by", models.DateField(verbose_name="due by")),
                ("counted_on", models.DateField(verbose_name="counted on")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="places.adminunit")),
                ("person", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="people.person")),
                ("last_dose", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="vaccination.dose")),
            ],
            options={
                "verbose_name": "person overdue",
                "verbose_name_plural": "people overdue",
                "indexes": [models.Index(fields=["unit", "due_by"], name="overdueperson_unit_due")],
            },
        ),
        migrations.RemoveConstraint(model_name="warning", name="warning_kind_valid"),
        migrations.AlterField(
            model_name="warning",
            name="kind",
            field=models.CharField(choices=WARNING_KINDS, max_length=20, verbose_name="kind"),
        ),
        migrations.AddConstraint(
            model_name="warning",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", [kind for kind, _label in WARNING_KINDS])),
                name="warning_kind_valid",
            ),
        ),
    ]
