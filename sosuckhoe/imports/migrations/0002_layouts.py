# Filled by hand with the operations of this part's models (see the module named in the
# models package); generated operations are copied in, never written by makemigrations here.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_import_jobs"),
        ("places", "0003_unit_successors"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="records_matched",
            field=models.PositiveIntegerField(default=0, verbose_name="records already there"),
        ),
        migrations.AddField(
            model_name="importjob",
            name="records_new",
            field=models.PositiveIntegerField(default=0, verbose_name="records written"),
        ),
        migrations.CreateModel(
            name="ImportLayout",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("signature", models.CharField(max_length=64)),
                (
                    "list_kind",
                    models.CharField(
                        choices=[
                            ("persons", "persons"),
                            ("registrations", "registrations"),
                            ("doses", "doses"),
                        ],
                        max_length=15,
                        verbose_name="list of",
                    ),
                ),
                ("mapping", models.JSONField(default=dict)),
                ("header", models.JSONField(blank=True, default=list)),
                ("confirmed_by_name", models.CharField(blank=True, max_length=150)),
                ("confirmed_at", models.DateTimeField()),
                ("uses", models.PositiveIntegerField(default=0)),
                (
                    "confirmed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="places.adminunit",
                    ),
                ),
            ],
            options={
                "verbose_name": "file layout",
                "verbose_name_plural": "file layouts",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("signature", "list_kind", "unit"),
                        name="import_layout_signature_kind_unit_uniq",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("unit", None)),
                        fields=("signature", "list_kind"),
                        name="import_layout_signature_kind_country_uniq",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="importjob",
            name="layout",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="imports.importlayout",
            ),
        ),
    ]
