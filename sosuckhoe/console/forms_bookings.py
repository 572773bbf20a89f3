"""Forms of a booking's changes by staff: cancel it, move it to another time slot. Each carries
the page it was sent from, to go back there."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sosuckhoe.vaccination.models import SessionSlot


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SessionSlot) -> str:
        session = obj.session
        return _("%(day)s %(slot)s · %(site)s · %(vaccine)s · %(free)s places left") % {
            "day": f"{session.date:%d/%m/%Y}",
            "slot": obj,
            "site": session.site.name,
            "vaccine": session.product.name,
            "free": obj.free,
        }


class _BackForm(forms.Form):
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class BookingCancelForm(_BackForm):
    reason = forms.CharField(label=_("Reason for the cancellation"), max_length=300, required=False)


class BookingMoveForm(_BackForm):
    slot = SlotChoiceField(
        queryset=SessionSlot.objects.none(), label=_("Move to"), to_field_name="uuid"
    )

    def __init__(self, *args, slots: QuerySet[SessionSlot], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = slots
