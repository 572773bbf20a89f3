# The audit's actor is indexed first in audit_actor_at: its index of its own only cost inserts.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from sosuckhoe.core.migration_ops import foreign_key_index_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_staff_phone"),
    ]

    operations = [
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="auditevent",
                name="actor",
                field=models.ForeignKey(
                    db_index=False,
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            table="accounts_auditevent",
            index="accounts_auditevent_actor_id_179eee89",
        ),
    ]
