"""The export form each list page carries: which list, the format, and what the page narrowed
the list to (hidden fields, checked again by the view and the service)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sosuckhoe.imports.models import ExportFormat, ExportList
from sosuckhoe.vaccination.models import CorrectionStatus, RegistrationStatus

# The statuses a list page narrows to: registrations' and correction requests' (their
# "rejected" is one value).
STATUSES = dict([*RegistrationStatus.choices, *CorrectionStatus.choices])


class ExportForm(forms.Form):
    list_kind = forms.ChoiceField(label=_("List"), choices=ExportList.choices)
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)
    # The code of the unit the page was narrowed to (not "unit": the review pages' picker).
    scope = forms.CharField(required=False, max_length=8)
    site = forms.UUIDField(required=False)
    facility = forms.UUIDField(required=False)
    since = forms.DateField(label=_("From"), required=False)
    until = forms.DateField(label=_("To"), required=False)
    status = forms.ChoiceField(required=False, choices=[("", ""), *STATUSES.items()])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The first day is after the last."))
        return data
