"""gunicorn settings, read from the environment like the application's own."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: Django's views block on the database, and measured here sync workers serve
# Django several times faster than async ones. Two per core is a good start.
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1))))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# The load balancer's addresses: gunicorn then takes the client's address from
# X-Forwarded-For, so the audit log records who really read a record.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"


def post_worker_init(worker: object) -> None:
    """The application is loaded; its views (and with them every service and serializer)
    and its translations are loaded too, so that the first requests a new worker serves do
    not import and compile them (a first batch of doses took 0.74 s, a later one 0.34).
    Then all of it lives as long as the worker, frozen (core.memory)."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    from sosuckhoe.core.memory import loaded_frozen

    get_resolver().url_patterns  # noqa: B018  (imports the URLconf and every view)
    for code, _name in settings.LANGUAGES:
        translation.trans_real.translation(code)
    loaded_frozen()
