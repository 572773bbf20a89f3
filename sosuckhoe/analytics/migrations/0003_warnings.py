# Filled by hand with the operations of this part's models (see the module named in the
# models package); generated operations are copied in, never written by makemigrations here.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_targets"),
    ]

    operations = []
