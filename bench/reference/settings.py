"""Plain Django with no middleware, on the benchmark's database: the floor of a request.

Served by the same gunicorn configuration as the application (bench/search.py), so that the
ratio of a console page to this one says what the application adds, whatever the machine.
"""

import os
import secrets

import dj_database_url

# Nothing here is signed or kept between runs; a key only because Django wants one.
SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["bench.reference"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.reference.urls"
# The application's own database configuration: persistent connections, health-checked.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# DRF for the token-authenticated view, with nothing the application does not do either.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
USE_TZ = True
