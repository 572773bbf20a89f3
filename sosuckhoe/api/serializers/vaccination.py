"""Vaccination records as the API shows them: registrations, bookings, sessions, screenings,
doses and reactions. Read-only: writes go through the services with the input serializers."""

from rest_framework import serializers

from sosuckhoe.api.serializers.common import RecordOut, uuid_of
from sosuckhoe.vaccination.models import (
    Booking,
    Dose,
    Reaction,
    Registration,
    Screening,
    SessionSlot,
    VaccinationSession,
)


class RegistrationOut(RecordOut):
    person = uuid_of("person")
    priority_group = serializers.IntegerField(source="priority_group.code", read_only=True)
    preferred_site = serializers.UUIDField(
        source="preferred_site.uuid", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Registration
        fields = [
            "uuid",
            "person",
            "priority_group",
            "preferred_site",
            "preferred_date",
            "status",
            "channel",
            "reason",
            "created_at",
        ]


class BookingOut(RecordOut):
    person = uuid_of("person")
    session = uuid_of("session")
    slot = serializers.UUIDField(source="slot.uuid", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Booking
        fields = ["uuid", "person", "session", "slot", "status", "walk_in", "created_at"]


class SlotOut(RecordOut):
    class Meta:
        model = SessionSlot
        fields = ["uuid", "starts_at", "ends_at", "capacity", "booked", "free"]

    free = serializers.IntegerField(read_only=True)


class SessionOut(RecordOut):
    site = uuid_of("site")
    product = serializers.CharField(source="product.key", read_only=True)
    slots = SlotOut(many=True, read_only=True)

    class Meta:
        model = VaccinationSession
        fields = ["uuid", "site", "date", "product", "status", "slots"]


class ScreeningOut(RecordOut):
    person = uuid_of("person")
    site = uuid_of("site")
    decisive = serializers.SerializerMethodField()

    class Meta:
        model = Screening
        fields = ["uuid", "person", "site", "screened_at", "outcome", "decisive"]

    def get_decisive(self, screening: Screening) -> list[str]:
        """The answers that set the outcome."""
        return [a.item.code for a in screening.answers.all() if a.decisive]


class DoseOut(RecordOut):
    person = uuid_of("person")
    product = serializers.CharField(source="product.key", read_only=True)
    lot = serializers.CharField(source="lot.number", read_only=True)
    site = uuid_of("site")

    class Meta:
        model = Dose
        fields = [
            "uuid",
            "person",
            "product",
            "lot",
            "site",
            "given_at",
            "given_on",
            "kind",
            "number",
            "series_doses",
            "late_entry_reason",
            "voided_at",
            "void_kind",
            "void_reason",
        ]


class ReactionOut(RecordOut):
    dose = uuid_of("dose")
    terms = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    investigation = serializers.SerializerMethodField()

    class Meta:
        model = Reaction
        fields = [
            "uuid",
            "dose",
            "onset_at",
            "terms",
            "serious",
            "outcome",
            "treatment",
            "treated_at",
            "during_watch",
            "investigation",
        ]

    def get_investigation(self, reaction: Reaction) -> str | None:
        investigation = getattr(reaction, "investigation", None)
        return str(investigation.uuid) if investigation else None
