from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplyConfig(AppConfig):
    name = "sosuckhoe.supply"
    label = "supply"
    verbose_name = _("Vaccine supply")
