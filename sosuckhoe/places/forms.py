from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sosuckhoe.places.services import CURRENT_EDITION, EDITIONS


def edition_label(key: str) -> str:
    """`2025-03 (until 30/06/2025)`, in the reader's language."""
    edition = next(e for e in EDITIONS if e.key == key)
    if edition.valid_until is None:
        since = date_format(edition.valid_from, "d/m/Y")
        return gettext("%(edition)s (since %(date)s)") % {"edition": key, "date": since}
    until = date_format(edition.valid_until, "d/m/Y")
    return gettext("%(edition)s (until %(date)s)") % {"edition": key, "date": until}


def _edition_choices() -> list[tuple[str, str]]:
    """Made each time the form is shown: in the language of the request."""
    return [(e.key, edition_label(e.key)) for e in reversed(EDITIONS)]


class UnitLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Unit code"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("The official code, e.g. 13741 or 37."),
    )
    edition = forms.ChoiceField(
        label=_("Edition of the list"), choices=_edition_choices, initial=CURRENT_EDITION.key
    )
