# The dose counts of all days (DoseTotal) and per lot (LotDoses) that the dashboards read, filled
# from what is on record: the totals from the per-day counts, the lots from the valid doses.

import django.db.models.deletion
from django.db import migrations, models

# Plain SQL of both engines. Reversing drops the tables, so nothing is undone by hand.
FILL_TOTALS = """
INSERT INTO analytics_dosetotal (unit_id, product_id, kind, number, age_band, priority_group, doses)
SELECT unit_id, product_id, kind, number, age_band, priority_group, SUM(doses)
FROM analytics_doserollup
GROUP BY unit_id, product_id, kind, number, age_band, priority_group
"""
FILL_LOTS = """
INSERT INTO analytics_lotdoses (unit_id, lot_id, doses)
SELECT person.home_unit_id, dose.lot_id, COUNT(*)
FROM vaccination_dose dose JOIN people_person person ON person.id = dose.person_id
WHERE dose.voided_at IS NULL
GROUP BY person.home_unit_id, dose.lot_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0004_planning_reports"),
        ("places", "0003_unit_successors"),
        ("supply", "0002_stock_ledger_append_only"),
        ("vaccination", "0005_reactions_and_investigations"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DoseTotal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=12, verbose_name="kind")),
                ("number", models.PositiveSmallIntegerField(verbose_name="number")),
                ("age_band", models.CharField(max_length=8, verbose_name="age band")),
                ("priority_group", models.PositiveSmallIntegerField(verbose_name="priority group")),
                ("doses", models.IntegerField(verbose_name="doses")),
                ("product", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="supply.product")),
                ("unit", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="places.adminunit")),
            ],
            options={
                "verbose_name": "dose total",
                "verbose_name_plural": "dose totals",
                "constraints": [models.UniqueConstraint(fields=("unit", "product", "kind", "number", "age_band", "priority_group"), name="dosetotal_key")],
            },
        ),
        migrations.CreateModel(
            name="LotDoses",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("doses", models.IntegerField(verbose_name="doses")),
                ("lot", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="supply.lot")),
                ("unit", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="places.adminunit")),
            ],
            options={
                "verbose_name": "doses of a lot",
                "verbose_name_plural": "doses of lots",
                "constraints": [models.UniqueConstraint(fields=("unit", "lot"), name="lotdoses_key")],
            },
        ),
        migrations.RunSQL(FILL_TOTALS, migrations.RunSQL.noop),
        migrations.RunSQL(FILL_LOTS, migrations.RunSQL.noop),
    ]
