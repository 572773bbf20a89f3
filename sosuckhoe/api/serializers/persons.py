"""Persons: the search results and one person with their vaccination history."""

from rest_framework import serializers

from sosuckhoe.api.serializers.common import RecordOut
from sosuckhoe.api.serializers.vaccination import (
    BookingOut,
    DoseOut,
    ReactionOut,
    RegistrationOut,
    ScreeningOut,
)
from sosuckhoe.people.models import Person


class PersonOut(RecordOut):
    home_unit = serializers.CharField(source="home_unit.name", read_only=True)
    home_unit_code = serializers.CharField(source="home_unit.code", read_only=True)
    merged_into = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "uuid",
            "full_name",
            "birth_date",
            "birth_year",
            "sex",
            "id_kind",
            "id_number",
            "phone",
            "home_unit",
            "home_unit_code",
            "merged_into",
        ]

    def get_merged_into(self, person: Person) -> str | None:
        return str(person.merged_into.uuid) if person.merged_into else None


class NextDoseOut(serializers.Serializer):
    kind = serializers.CharField()
    number = serializers.IntegerField()
    due = serializers.DateField()
    overdue_after = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    products = serializers.ListField(child=serializers.CharField())


class PersonDetailOut(serializers.Serializer):
    """A person with what the console's person page shows of their vaccination."""

    person = PersonOut()
    registrations = RegistrationOut(many=True)
    bookings = BookingOut(many=True)
    screenings = ScreeningOut(many=True)
    doses = DoseOut(many=True)
    reactions = ReactionOut(many=True)
    next_due = NextDoseOut(allow_null=True)
