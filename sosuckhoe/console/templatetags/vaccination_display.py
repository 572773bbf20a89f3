"""How vaccination values read on a page."""

from django import template

from sosuckhoe.supply.models import DoseKind

register = template.Library()


@register.filter
def dose_kind(value: str) -> str:
    """A dose kind's label ("primary" → "Primary dose"); an unknown value as it is."""
    return str(DoseKind(value).label) if value in DoseKind.values else value
