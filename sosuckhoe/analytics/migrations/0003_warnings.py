# Filled by hand with the operations of this part's models (see the module named in the
# models package); generated operations are copied in, never written by makemigrations here.

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_targets"),
        ("places", "0003_unit_successors"),
    ]

    operations = [
        migrations.CreateModel(
            name="WarningDigest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(unique=True, verbose_name="day")),
                ("sent_at", models.DateTimeField(verbose_name="sent at")),
                ("warnings", models.PositiveIntegerField(verbose_name="warnings")),
                ("recipients", models.PositiveIntegerField(verbose_name="recipients")),
            ],
            options={
                "verbose_name": "warning digest",
                "verbose_name_plural": "warning digests",
            },
        ),
        migrations.CreateModel(
            name="Warning",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("serious_reaction", "Serious reaction"),
                            ("reaction_prr", "Reaction signal (disproportionality)"),
                            ("reaction_oe", "Reaction signal (observed against expected)"),
                            ("lot_expiring", "Lot expiring with stock left"),
                            ("stock_out", "Stock running out"),
                            ("overdue", "People overdue for their next dose"),
                            ("entry_backlog", "Doses not entered at the end of the day"),
                            ("data_quality", "Data quality"),
                            ("declaration_surge", "Surge of symptomatic health declarations"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("key", models.CharField(max_length=200, unique=True)),
                ("numbers", models.JSONField(default=dict, verbose_name="numbers")),
                (
                    "link",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="link to the records"
                    ),
                ),
                ("raised_at", models.DateTimeField(db_index=True, verbose_name="raised at")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                ("recipients", models.PositiveIntegerField(default=0, verbose_name="recipients")),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.adminunit",
                        verbose_name="unit responsible",
                    ),
                ),
            ],
            options={
                "verbose_name": "warning",
                "verbose_name_plural": "warnings",
                "ordering": ["-raised_at", "-id"],
                "indexes": [models.Index(fields=["unit", "raised_at"], name="warning_unit_raised")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "kind__in",
                                [
                                    "serious_reaction",
                                    "reaction_prr",
                                    "reaction_oe",
                                    "lot_expiring",
                                    "stock_out",
                                    "overdue",
                                    "entry_backlog",
                                    "data_quality",
                                    "declaration_surge",
                                ],
                            )
                        ),
                        name="warning_kind_valid",
                    )
                ],
            },
        ),
    ]
