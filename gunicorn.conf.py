"""gunicorn settings, read from the environment like the application's own."""

import gc
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
    """The application is loaded: its modules, settings and caches live as long as the
    worker. Frozen, the collector no longer walks them on each full collection, which the
    many objects of a batch of doses or an import set off several times a request (a
    tenth of a batch's time, measured)."""
    gc.freeze()
