"""What each write endpoint accepts. Records are named by UUID (products by key, lots by
number); the services decide every rule and check the scope, so a reference is looked up
unscoped here and refused by the service (as not found) when it is not the caller's."""

from typing import Any

from django.db import models
from django.utils.encoding import smart_str
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sosuckhoe.core import rows
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import Product
from sosuckhoe.vaccination.models import (
    Booking,
    Dose,
    PriorityGroup,
    ReactionOutcome,
    SessionSlot,
    TreatmentPlace,
    VoidKind,
)

# The most items one batch request may carry.
BATCH_LIMIT = 1000


class ByUuid(serializers.SlugRelatedField):
    """A record named by its UUID, read by a statement written once (`core.rows.first`) where
    SlugRelatedField compiles its queryset on every request; the same answers and errors."""

    def to_internal_value(self, data: Any) -> models.Model:
        model = self.get_queryset().model
        found = rows.first(model, "uuid", data)  # a malformed UUID: Django's ValidationError
        if found is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=smart_str(data))
        return found


def by_uuid(model: type[models.Model], **options: Any) -> ByUuid:
    return ByUuid(slug_field="uuid", queryset=model._default_manager.all(), **options)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 99})
class PriorityGroupField(serializers.SlugRelatedField):
    """A priority group by its code in QĐ 3355 (1–16)."""

    def __init__(self) -> None:
        super().__init__(slug_field="code", queryset=PriorityGroup.objects.all())


class RegistrationIn(serializers.Serializer):
    person = by_uuid(Person)
    priority_group = PriorityGroupField()
    preferred_site = by_uuid(Facility, required=False, allow_null=True, default=None)
    preferred_date = serializers.DateField(required=False, allow_null=True, default=None)
    submission_key = serializers.UUIDField(required=False, allow_null=True, default=None)


class BookingIn(serializers.Serializer):
    person = by_uuid(Person)
    slot = by_uuid(SessionSlot)
    submission_key = serializers.UUIDField(required=False, allow_null=True, default=None)


class BookingCancelIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class AnswerIn(serializers.Serializer):
    yes = serializers.BooleanField()
    detail = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class VitalsIn(serializers.Serializer):
    temperature_c = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    pulse_per_min = serializers.IntegerField(required=False, allow_null=True, default=None)
    systolic_mmhg = serializers.IntegerField(required=False, allow_null=True, default=None)
    diastolic_mmhg = serializers.IntegerField(required=False, allow_null=True, default=None)
    respiratory_rate = serializers.IntegerField(required=False, allow_null=True, default=None)


class ScreeningIn(serializers.Serializer):
    person = by_uuid(Person)
    site = by_uuid(Facility)
    answers = serializers.DictField(child=AnswerIn(), help_text="question code → answer")
    vitals = VitalsIn()
    product = serializers.SlugRelatedField(
        slug_field="key",
        queryset=Product.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    booking = by_uuid(Booking, required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


def uuid_field(**options: Any) -> serializers.UUIDField:
    return serializers.UUIDField(error_messages={"invalid": _("Give a UUID.")}, **options)


class DoseItemIn(serializers.Serializer):
    """One dose, as plain values: the batch service looks the records of all items up at once."""

    person = uuid_field()
    product = serializers.CharField(max_length=40, help_text="product key, e.g. comirnaty")
    lot = serializers.CharField(max_length=40, help_text="lot number")
    site = uuid_field()
    given_at = serializers.DateTimeField()
    screening = uuid_field(required=False, allow_null=True, default=None)
    submission_key = uuid_field(required=False, allow_null=True, default=None)
    late_entry_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )


class DoseIn(DoseItemIn):
    use_stock = serializers.BooleanField(
        required=False, default=True, help_text="false: a dose from a paper record of past days"
    )


class DoseBatchIn(serializers.Serializer):
    # Items are checked one by one by the endpoint: one bad item refuses itself alone.
    items = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=BATCH_LIMIT
    )
    use_stock = serializers.BooleanField(required=False, default=True)


class DoseVoidIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=VoidKind.choices)
    reason = serializers.CharField(max_length=300)


class ReactionIn(serializers.Serializer):
    dose = by_uuid(Dose)
    onset_at = serializers.DateTimeField()
    terms = serializers.ListField(child=serializers.CharField(max_length=4), min_length=1)
    outcome = serializers.ChoiceField(
        choices=ReactionOutcome.choices, required=False, default=ReactionOutcome.RECOVERING
    )
    treatment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    treated_at = serializers.ChoiceField(
        choices=TreatmentPlace.choices, required=False, default=TreatmentPlace.NONE
    )
    reporter_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=120
    )
    reporter_phone = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=16
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    during_watch = serializers.BooleanField(required=False, default=False)


class BatchResultOut(serializers.Serializer):
    index = serializers.IntegerField()
    accepted = serializers.BooleanField()
    uuid = serializers.UUIDField(required=False)
    kind = serializers.CharField(required=False)
    number = serializers.IntegerField(required=False)
    code = serializers.CharField(required=False)
    message = serializers.CharField(required=False)
    fields = serializers.DictField(required=False)


class DoseBatchOut(serializers.Serializer):
    results = BatchResultOut(many=True)
