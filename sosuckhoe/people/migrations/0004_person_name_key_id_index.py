from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0003_population_job")]

    operations = [
        # Search orders by (name_key, id): with the id in the index, no namesakes are sorted.
        migrations.RemoveIndex(model_name="person", name="person_name_key"),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["name_key", "id"], name="person_name_key_id"),
        ),
    ]
