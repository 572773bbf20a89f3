from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sosuckhoe.core"
    label = "core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from sosuckhoe.core.lookups import lookups_register
        from sosuckhoe.core.pg import fast_timestamps

        lookups_register()
        connection_created.connect(fast_timestamps)
        # Register every app's tasks with the Celery app now that the apps are loaded, in the
        # web process as in the worker: a task first imported after the Celery app was
        # finalized would otherwise be unknown to it.
        from sosuckhoe.celery import app

        app.autodiscover_tasks(force=True)
