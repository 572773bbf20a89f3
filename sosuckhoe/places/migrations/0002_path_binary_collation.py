from django.db import migrations

from sosuckhoe.core.migration_ops import binary_collation


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]
    operations = [binary_collation("places_adminunit", "path", 64)]
