# Every record's uuid time-ordered (sosuckhoe.core.ids.new_uuid): a default Django sets on
# the instance, so nothing changes in the database.

import sosuckhoe.core.ids
from django.db import migrations, models

from sosuckhoe.core.migration_ops import python_default_changed


class Migration(migrations.Migration):

    dependencies = [
        ('places', '0003_unit_successors'),
    ]

    operations = [
        python_default_changed(
            migrations.AlterField(
                model_name='facility',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
        ),
    ]
