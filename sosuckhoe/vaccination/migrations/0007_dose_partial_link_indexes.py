# Most doses have no booking and are never voided: these links are indexed where they are set.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from sosuckhoe.core.migration_ops import foreign_key_index_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("vaccination", "0006_correction_requests"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="dose",
                name="booking",
                field=models.ForeignKey(
                    blank=True,
                    db_index=False,
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="doses",
                    to="vaccination.booking",
                ),
            ),
            table="vaccination_dose",
            index="vaccination_dose_booking_id_9d2c9890",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="dose",
                name="voided_by",
                field=models.ForeignKey(
                    blank=True,
                    db_index=False,
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                    verbose_name="voided by",
                ),
            ),
            table="vaccination_dose",
            index="vaccination_dose_voided_by_id_eeac31b9",
        ),
        migrations.AddIndex(
            model_name="dose",
            index=models.Index(
                condition=models.Q(("booking__isnull", False)),
                fields=["booking"],
                name="dose_booking",
            ),
        ),
        migrations.AddIndex(
            model_name="dose",
            index=models.Index(
                condition=models.Q(("voided_by__isnull", False)),
                fields=["voided_by"],
                name="dose_voided_by",
            ),
        ),
    ]
