"""Forms of a facility's stock page that take doses out or correct the count: waste, return to
the supplier, expiry, a physical count, a recall. Each offers the lots on hand only; the
service decides the rest."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sosuckhoe.console.forms_vaccination import LotChoiceField
from sosuckhoe.supply.models import ADJUST_REASONS, WASTE_REASONS, Lot, StockReason


def _choices(reasons: tuple[StockReason, ...]) -> list[tuple[str, str]]:
    return [(reason.value, reason.label) for reason in reasons]


class _LotForm(forms.Form):
    lot = LotChoiceField(queryset=Lot.objects.none(), label=_("Vaccine and lot"))

    def __init__(self, *args, lots: QuerySet[Lot], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots


class StockWasteForm(_LotForm):
    doses = forms.IntegerField(label=_("Doses"), min_value=1)
    # Leftovers of an opened vial are counted by closing the vial, not here.
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=_choices(tuple(r for r in WASTE_REASONS if r != StockReason.OPEN_VIAL)),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class StockReturnForm(_LotForm):
    doses = forms.IntegerField(label=_("Doses"), min_value=1)
    reference = forms.CharField(label=_("Return note"), max_length=80, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class StockExpireForm(_LotForm):
    """Only the lot: what is left of it past its expiry date is written off."""


class StockAdjustForm(_LotForm):
    counted = forms.IntegerField(label=_("Doses counted"), min_value=0)
    reason = forms.ChoiceField(label=_("Reason"), choices=_choices(ADJUST_REASONS))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class LotRecallForm(_LotForm):
    reason = forms.CharField(label=_("Reason for the recall"), max_length=300)
