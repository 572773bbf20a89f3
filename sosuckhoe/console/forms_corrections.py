"""Forms of the correction requests: one entered for a citizen, and the officer's answer. The
doses offered are those the page read (scoped and audited); the services check them again."""

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from sosuckhoe.vaccination.models import (
    CorrectionChannel,
    CorrectionKind,
    CorrectionStatus,
    Dose,
    RequesterRelation,
)
from sosuckhoe.vaccination.services.corrections import RESOLUTIONS, STAFF_CHANNELS

VOIDED = _("voided")


def dose_label(dose: Dose) -> str:
    label = f"{date_format(dose.given_on, 'd/m/Y')} · {dose.product.name} · {dose.lot.number}"
    label += f" · {dose.site.name}"
    # Outside the f-string: xgettext reads no call within one.
    return f"{label} ({VOIDED})" if dose.voided_at else label


class DoseChoiceField(forms.ChoiceField):
    """One of the doses the page read, by uuid; none when left empty."""

    def __init__(self, *, doses: Sequence[Dose], **kwargs: Any) -> None:
        self.doses = {str(d.uuid): d for d in doses}
        choices = [("", "—"), *((key, dose_label(d)) for key, d in self.doses.items())]
        super().__init__(choices=choices, required=False, **kwargs)

    def clean(self, value: Any) -> Dose | None:
        key = super().clean(value)
        return self.doses[key] if key else None


class CorrectionRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is wrong"),
        choices=CorrectionKind.choices,
        widget=forms.Select(attrs={"autofocus": True}),
    )
    should_read = forms.CharField(
        label=_("What the record should say"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("As the citizen said it: the vaccine, the day, the place, the right name…"),
    )
    evidence = forms.CharField(
        label=_("Evidence seen"),
        max_length=300,
        required=False,
        help_text=_("For example: the paper vaccination card, the certificate."),
    )
    channel = forms.ChoiceField(
        label=_("Received via"),
        choices=[(c, CorrectionChannel(c).label) for c in STAFF_CHANNELS],
        initial=CorrectionChannel.AT_STATION,
        widget=forms.RadioSelect,
    )
    requester_name = forms.CharField(label=_("Asked by"), max_length=120)
    requester_relation = forms.ChoiceField(
        label=_("Relation to the person"),
        choices=RequesterRelation.choices,
        initial=RequesterRelation.SELF,
    )
    requester_phone = forms.CharField(label=_("Phone of who asked"), max_length=20, required=False)
    # Made when the form is shown: a second sending enters one request.
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args: Any, doses: Sequence[Dose], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dose"] = DoseChoiceField(
            doses=doses,
            label=_("Dose concerned"),
            help_text=_("None for a dose missing from the record."),
        )
        self.order_fields(["kind", "dose"])


class ResolveForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Answer"),
        choices=[(s, CorrectionStatus(s).label) for s in RESOLUTIONS],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was done, or why not: the citizen is told."),
    )

    def __init__(self, *args: Any, doses: Sequence[Dose], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        voided = [d for d in doses if d.voided_at is not None]
        valid = [d for d in doses if d.voided_at is None]
        self.fields["voided_dose"] = DoseChoiceField(doses=voided, label=_("Dose voided"))
        self.fields["added_dose"] = DoseChoiceField(doses=valid, label=_("Dose entered"))
