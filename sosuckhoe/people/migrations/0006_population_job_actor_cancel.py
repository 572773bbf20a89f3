"""Population jobs: addressed by uuid, started by someone, and cancellable (status
"cancelling"). The uuid is added in three steps so that existing rows each get their own."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def give_each_job_a_uuid(apps, schema_editor):
    PopulationJob = apps.get_model("people", "PopulationJob")
    for job in PopulationJob.objects.filter(uuid__isnull=True).only("id"):
        PopulationJob.objects.filter(pk=job.pk).update(uuid=uuid.uuid4())


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0005_fewer_full_indexes"),
        ("places", "0002_path_binary_collation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="populationjob",
            name="started_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="populationjob",
            name="started_by_name",
            field=models.CharField(default="", max_length=150, verbose_name="started by"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="populationjob",
            name="uuid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_each_job_a_uuid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="populationjob",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="populationjob",
            name="status",
            field=models.CharField(choices=[("pending", "Waiting"), ("running", "Running"), ("cancelling", "Stopping"), ("done", "Done"), ("failed", "Failed"), ("cancelled", "Cancelled")], default="pending", max_length=10, verbose_name="status"),
        ),
        migrations.AlterField(
            model_name="populationjob",
            name="unit",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="places.adminunit", verbose_name="unit"),
        ),
    ]
