# Every record's uuid time-ordered (sosuckhoe.core.ids.new_uuid): a default Django sets on
# the instance, so nothing changes in the database.

from django.db import migrations

from sosuckhoe.core.migration_ops import uuids_time_ordered


class Migration(migrations.Migration):
    dependencies = [
        ('messaging', '0001_initial'),
    ]

    operations = [uuids_time_ordered('outboundmessage')]
