import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import sosuckhoe.imports.models.jobs

# Filled by hand with the operations of this part's models (imports/models/exports.py).


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0002_layouts"),
        ("places", "0003_unit_successors"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ExportJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting"),
                            ("running", "Running"),
                            ("cancelling", "Stopping"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("progress_done", models.PositiveBigIntegerField(default=0, verbose_name="done")),
                ("progress_total", models.PositiveBigIntegerField(default=0, verbose_name="total")),
                ("started_by_name", models.CharField(max_length=150, verbose_name="started by")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="started")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished"),
                ),
                ("error", models.TextField(blank=True, verbose_name="error")),
                (
                    "list_kind",
                    models.CharField(
                        choices=[
                            ("persons", "persons"),
                            ("doses", "doses"),
                            ("reactions", "reactions after vaccination"),
                            ("stock_movements", "stock movements"),
                            ("registrations", "registrations"),
                        ],
                        max_length=20,
                        verbose_name="list of",
                    ),
                ),
                (
                    "format",
                    models.CharField(
                        choices=[
                            ("xlsx", "Excel (.xlsx)"),
                            ("csv", "CSV (.csv)"),
                            ("national", "National template (.xlsx)"),
                        ],
                        max_length=10,
                        verbose_name="format",
                    ),
                ),
                ("filters", models.JSONField(blank=True, default=dict)),
                ("language", models.CharField(max_length=10)),
                (
                    "file",
                    models.FileField(
                        max_length=200,
                        storage=sosuckhoe.imports.models.jobs.import_storage,
                        upload_to="exports/%Y/%m/",
                    ),
                ),
                ("file_name", models.CharField(blank=True, max_length=200, verbose_name="file")),
                ("rows_written", models.PositiveBigIntegerField(default=0, verbose_name="rows")),
                ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                (
                    "expires_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="download until"),
                ),
                ("downloads", models.PositiveIntegerField(default=0, verbose_name="downloads")),
                ("last_downloaded_at", models.DateTimeField(blank=True, null=True)),
                ("purged_at", models.DateTimeField(blank=True, null=True)),
                (
                    "started_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.adminunit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "export",
                "verbose_name_plural": "exports",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "list_kind__in",
                                [
                                    "persons",
                                    "doses",
                                    "reactions",
                                    "stock_movements",
                                    "registrations",
                                ],
                            )
                        ),
                        name="export_job_list_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("format__in", ["xlsx", "csv", "national"])),
                        name="export_job_format_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("format", "national"), _negated=True),
                            ("list_kind", "doses"),
                            _connector="OR",
                        ),
                        name="export_job_national_only_doses",
                    ),
                ],
            },
        ),
    ]
