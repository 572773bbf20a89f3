from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sosuckhoe.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from sosuckhoe.api import schema  # noqa: F401  (registers the key's description)
