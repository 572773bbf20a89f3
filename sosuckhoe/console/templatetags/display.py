"""How stored values read to Vietnamese staff."""

from django import template

from sosuckhoe.people.identity import phone_for_display

register = template.Library()


@register.filter
def phone(e164: str) -> str:
    """+84912345678 → 0912 345 678; an empty phone stays empty."""
    return phone_for_display(e164)
