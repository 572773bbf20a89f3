# Filled by hand with the operations of this part's models (see the module named in the
# models package); generated operations are copied in, never written by makemigrations here.

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0006_population_job_actor_cancel"),
        ("places", "0003_unit_successors"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DuplicateRun",
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
                ("threshold", models.FloatField(verbose_name="threshold")),
                (
                    "pairs_compared",
                    models.PositiveBigIntegerField(default=0, verbose_name="pairs compared"),
                ),
                (
                    "pairs_queued",
                    models.PositiveIntegerField(default=0, verbose_name="pairs queued"),
                ),
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
                "verbose_name": "duplicate search",
                "verbose_name_plural": "duplicate searches",
            },
        ),
        migrations.CreateModel(
            name="DuplicatePair",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("score", models.FloatField(verbose_name="score")),
                ("reasons", models.JSONField(default=dict, verbose_name="reasons")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "To review"),
                            ("merged", "Merged"),
                            ("dismissed", "Not the same person"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("decided_by_name", models.CharField(blank=True, max_length=150)),
                (
                    "person_a",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="people.person",
                    ),
                ),
                (
                    "person_b",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="people.person",
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="pairs",
                        to="people.duplicaterun",
                    ),
                ),
            ],
            options={
                "verbose_name": "possible duplicate",
                "verbose_name_plural": "possible duplicates",
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "open")),
                        fields=["-score"],
                        name="duplicate_pair_open_score",
                    ),
                    models.Index(fields=["person_b"], name="duplicate_pair_person_b"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("person_a", "person_b"), name="duplicate_pair_uniq"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("person_a__lt", models.F("person_b"))),
                        name="duplicate_pair_ordered",
                    ),
                ],
            },
        ),
    ]
