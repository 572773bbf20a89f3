# Every record's uuid time-ordered (sosuckhoe.core.ids.new_uuid): a default Django sets on
# the instance, so nothing changes in the database.

import sosuckhoe.core.ids
from django.db import migrations, models

from sosuckhoe.core.migration_ops import python_default_changed


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0007_duplicate_finder'),
    ]

    operations = [
        python_default_changed(
            migrations.AlterField(
                model_name='duplicatepair',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
            migrations.AlterField(
                model_name='duplicaterun',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
            migrations.AlterField(
                model_name='household',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
            migrations.AlterField(
                model_name='person',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
            migrations.AlterField(
                model_name='populationjob',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
        ),
    ]
