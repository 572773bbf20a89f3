# Filled by hand with the operations of this part's models (see the module named in the
# models package); generated operations are copied in, never written by makemigrations here.

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_warnings"),
        ("places", "0003_unit_successors"),
        ("supply", "0002_stock_ledger_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ExpectedShipment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("doses", models.PositiveIntegerField(verbose_name="doses")),
                ("expected_on", models.DateField(verbose_name="expected on")),
                ("reference", models.CharField(blank=True, max_length=80, verbose_name="reference")),
                ("status", models.CharField(choices=[("expected", "Expected"), ("distributed", "Shared out"), ("cancelled", "Cancelled")], default="expected", max_length=12, verbose_name="status")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("created_by_name", models.CharField(max_length=150, verbose_name="recorded by")),
                ("distributed_at", models.DateTimeField(blank=True, null=True, verbose_name="shared out at")),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("product", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="supply.product", verbose_name="vaccine")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="places.adminunit", verbose_name="receiving unit")),
            ],
            options={
                "verbose_name": "expected shipment",
                "verbose_name_plural": "expected shipments",
                "ordering": ["expected_on", "id"],
                "indexes": [models.Index(fields=["unit", "status"], name="shipment_unit_status")],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("doses__gte", 1)), name="shipment_doses_positive"),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["expected", "distributed", "cancelled"])),
                        name="shipment_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("distributed_at__isnull", False), ("status", "distributed")),
                            models.Q(models.Q(("status", "distributed"), _negated=True), ("distributed_at__isnull", True)),
                            _connector="OR",
                        ),
                        name="shipment_distributed_when",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ReportSubscription",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("kind", models.CharField(choices=[("daily", "Daily vaccination report"), ("reactions", "Reactions after vaccination report"), ("stock", "Vaccine stock report")], max_length=10, verbose_name="report")),
                ("recipients", models.TextField(verbose_name="recipients' e-mail addresses")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("last_sent_on", models.DateField(blank=True, null=True, verbose_name="last report sent for")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("created_by_name", models.CharField(max_length=150, verbose_name="recorded by")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="places.adminunit", verbose_name="unit")),
            ],
            options={
                "verbose_name": "report subscription",
                "verbose_name_plural": "report subscriptions",
                "ordering": ["unit__path", "kind", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["daily", "reactions", "stock"])),
                        name="reportsubscription_kind_valid",
                    )
                ],
            },
        ),
    ]
