"""The one task layer: Celery, configured from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sosuckhoe.settings")

app = Celery("sosuckhoe")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _loaded_frozen(**_: object) -> None:
    """A worker process has loaded the application (core.memory)."""
    from sosuckhoe.core.memory import loaded_frozen

    loaded_frozen()
