"""Forms of the vaccination pages: a site's day, screening, dose, tally, void."""

import datetime as dt
import re
import uuid
from collections.abc import Sequence

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.vaccination.models import (
    PriorityGroup,
    ScreeningItem,
    VaccinationSession,
    VoidKind,
)
from sosuckhoe.vaccination.services import SlotSpec, Vitals

NO, YES = "0", "1"


class SiteDayForm(forms.Form):
    site = forms.ModelChoiceField(
        queryset=Facility.objects.none(),
        label=_("Vaccination site"),
        to_field_name="uuid",
        widget=forms.Select(attrs={"autofocus": True}),
    )
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, sites: QuerySet[Facility], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class FindForm(forms.Form):
    q = forms.CharField(
        label=_("Scan the CCCD card's QR code, or type a CCCD, phone or name"),
        max_length=400,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "type": "search",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )


class ScreeningAnswersForm(forms.Form):
    """Each question of the form in force as No/Yes, then the vital signs."""

    temperature_c = forms.DecimalField(
        label=_("Temperature (°C)"), max_digits=3, decimal_places=1, min_value=30, max_value=45
    )
    pulse_per_min = forms.IntegerField(label=_("Pulse (/min)"), required=False, min_value=0)
    systolic_mmhg = forms.IntegerField(label=_("Systolic (mmHg)"), required=False, min_value=0)
    diastolic_mmhg = forms.IntegerField(label=_("Diastolic (mmHg)"), required=False, min_value=0)
    respiratory_rate = forms.IntegerField(label=_("Breaths (/min)"), required=False, min_value=0)

    def __init__(self, *args, items: Sequence[ScreeningItem], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.questions = [item for item in items if item.is_question]
        vitals = {name: self.fields.pop(name) for name in list(self.fields)}
        for position, item in enumerate(self.questions):
            # Keyboard first: the first question takes the focus, arrows move between answers.
            attrs = {"autofocus": True} if position == 0 else {}
            self.fields[f"item_{item.code}"] = forms.ChoiceField(
                label=f"{item.code}. {item.text}",
                choices=[(NO, _("No")), (YES, _("Yes"))],
                widget=forms.RadioSelect(attrs=attrs),
            )
        self.fields.update(vitals)

    def answers(self) -> dict[str, bool]:
        return {item.code: self.cleaned_data[f"item_{item.code}"] == YES for item in self.questions}

    def vitals(self) -> Vitals:
        return Vitals(**{name: self.cleaned_data[name] for name in Vitals.__dataclass_fields__})


class LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Lot) -> str:
        return f"{obj.product.name} · {obj.number} · {obj.expiry_date:%d/%m/%Y}"


class DoseForm(forms.Form):
    lot = LotChoiceField(queryset=Lot.objects.none(), label=_("Vaccine and lot"), empty_label=None)
    # Made when the form is shown: a second sending records one dose.
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, lots: QuerySet[Lot], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots


class TallyForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), label=_("Vaccine"), to_field_name="key"
    )
    doses = forms.IntegerField(label=_("Doses on the paper tally"), min_value=0)

    def __init__(self, *args, products: QuerySet[Product], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products


class VoidForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=VoidKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class StockReceiptForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), label=_("Vaccine"), to_field_name="key"
    )
    number = forms.CharField(label=_("Lot number"), max_length=40)
    expiry_date = forms.DateField(
        label=_("Expiry date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    doses = forms.IntegerField(label=_("Doses"), min_value=1)
    reference = forms.CharField(label=_("Delivery note"), max_length=80, required=False)

    def __init__(self, *args, products: QuerySet[Product], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products


class StockTransferForm(forms.Form):
    lot = LotChoiceField(queryset=Lot.objects.none(), label=_("Vaccine and lot"))
    destination = forms.ModelChoiceField(
        queryset=Facility.objects.none(), label=_("Send to"), to_field_name="uuid"
    )
    doses = forms.IntegerField(label=_("Doses"), min_value=1)
    reference = forms.CharField(label=_("Delivery note"), max_length=80, required=False)

    def __init__(  # type: ignore[no-untyped-def]
        self, *args, lots: QuerySet[Lot], destinations: QuerySet[Facility], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots
        self.fields["destination"].queryset = destinations


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the rejection"), max_length=300)


class DuplicateForm(forms.Form):
    of = forms.CharField(
        label=_("CCCD, CMND or passport of the record it duplicates"), max_length=20
    )
    merge = forms.BooleanField(label=_("Merge the two records now"), required=False)


MISSING_CHOICES = [("registration", _("Not registered")), ("dose", _("Not vaccinated"))]


class NotReachedForm(forms.Form):
    missing = forms.ChoiceField(label=_("Who"), choices=MISSING_CHOICES, initial="dose")
    band = forms.ChoiceField(label=_("Age band"), required=False)
    group = forms.ModelChoiceField(
        queryset=PriorityGroup.objects.order_by("code"),
        label=_("Priority group"),
        required=False,
        to_field_name="code",
    )

    def __init__(self, *args, bands: Sequence[str], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["band"].choices = [("", "—"), *((b, b) for b in bands)]


class SessionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: VaccinationSession) -> str:
        return f"{obj.date:%d/%m/%Y} · {obj.site.name} · {obj.product.name}"


class AssignForm(forms.Form):
    sessions = SessionChoiceField(
        queryset=VaccinationSession.objects.none(),
        label=_("Sessions to fill"),
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, sessions: QuerySet[VaccinationSession], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["sessions"].queryset = sessions


_SLOT_LINE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s+(\d{1,4})\s*$")


class SessionForm(forms.Form):
    site = forms.ModelChoiceField(
        queryset=Facility.objects.none(), label=_("Vaccination site"), to_field_name="uuid"
    )
    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), label=_("Vaccine"), to_field_name="key"
    )
    slots = forms.CharField(
        label=_("Time slots"),
        help_text=_("One a line: start-end places, e.g. 07:30-09:00 40"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="07:30-09:00 40\n09:00-10:30 40",
    )

    def __init__(  # type: ignore[no-untyped-def]
        self, *args, sites: QuerySet[Facility], products: QuerySet[Product], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["product"].queryset = products

    def clean_slots(self) -> list[SlotSpec]:
        """Each line as a slot; the service checks that they make sense together."""
        bad = forms.ValidationError(_("Write each slot as start-end places, e.g. 07:30-09:00 40."))
        specs = []
        for line in filter(str.strip, self.cleaned_data["slots"].splitlines()):
            match = _SLOT_LINE.match(line)
            if match is None:
                raise bad
            h1, m1, h2, m2, places = (int(g) for g in match.groups())
            try:
                specs.append(SlotSpec(dt.time(h1, m1), dt.time(h2, m2), places))
            except ValueError:
                raise bad from None
        return specs
