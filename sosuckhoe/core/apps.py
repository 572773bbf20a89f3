from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sosuckhoe.core"
    label = "core"
