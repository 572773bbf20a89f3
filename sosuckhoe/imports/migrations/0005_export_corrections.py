# Correction requests become a list staff may export.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0004_export_overdue"),
        ("places", "0003_unit_successors"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="exportjob",
            name="export_job_list_kind_valid",
        ),
        migrations.AlterField(
            model_name="exportjob",
            name="list_kind",
            field=models.CharField(
                choices=[
                    ("persons", "persons"),
                    ("doses", "doses"),
                    ("reactions", "reactions after vaccination"),
                    ("stock_movements", "stock movements"),
                    ("registrations", "registrations"),
                    ("overdue", "people overdue"),
                    ("corrections", "correction requests"),
                ],
                max_length=20,
                verbose_name="list of",
            ),
        ),
        migrations.AddConstraint(
            model_name="exportjob",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "list_kind__in",
                        [
                            "persons",
                            "doses",
                            "reactions",
                            "stock_movements",
                            "registrations",
                            "overdue",
                            "corrections",
                        ],
                    )
                ),
                name="export_job_list_kind_valid",
            ),
        ),
    ]
