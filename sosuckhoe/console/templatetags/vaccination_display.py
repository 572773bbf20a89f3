"""How vaccination values read on a page."""

from django import template

from sosuckhoe.supply.dose_names import dose_kind, dose_name

register = template.Library()


register.filter("dose_kind", dose_kind)
register.filter("dose_name", dose_name)
