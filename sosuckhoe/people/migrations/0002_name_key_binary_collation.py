from django.db import migrations

from sosuckhoe.core.migration_ops import binary_collation


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [binary_collation("people_person", "name_key", 120)]
