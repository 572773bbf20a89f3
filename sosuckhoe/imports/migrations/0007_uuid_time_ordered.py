# Every record's uuid time-ordered (sosuckhoe.core.ids.new_uuid): a default Django sets on
# the instance, so nothing changes in the database.

import sosuckhoe.core.ids
from django.db import migrations, models

from sosuckhoe.core.migration_ops import python_default_changed


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0006_import_parts'),
    ]

    operations = [
        python_default_changed(
            migrations.AlterField(
                model_name='exportjob',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
            migrations.AlterField(
                model_name='importjob',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
        ),
    ]
