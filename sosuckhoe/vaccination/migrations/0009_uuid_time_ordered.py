# Every record's uuid time-ordered (sosuckhoe.core.ids.new_uuid): a default Django sets on
# the instance, so nothing changes in the database.

import sosuckhoe.core.ids
from django.db import migrations, models

from sosuckhoe.core.migration_ops import python_default_changed


class Migration(migrations.Migration):

    dependencies = [
        ('vaccination', '0008_booking_open_index_by_person'),
    ]

    operations = [
        python_default_changed(
            migrations.AlterField(
                model_name='booking',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
            migrations.AlterField(
                model_name='correctionrequest',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
            migrations.AlterField(
                model_name='dailytally',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
            migrations.AlterField(
                model_name='dose',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
            migrations.AlterField(
                model_name='investigation',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
            migrations.AlterField(
                model_name='reaction',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
            migrations.AlterField(
                model_name='registration',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
            migrations.AlterField(
                model_name='screening',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
            migrations.AlterField(
                model_name='sessionslot',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
            migrations.AlterField(
                model_name='vaccinationsession',
                name='uuid',
                field=models.UUIDField(default=sosuckhoe.core.ids.new_uuid, editable=False, unique=True),
            ),
        ),
    ]
