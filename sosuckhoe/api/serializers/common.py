"""What every endpoint shares: the error body, and references to records by UUID or key."""

import copy
from typing import Any

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Every error: the refusal's code, its translated message, the fields it concerns."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


_BUILT: dict[type, dict[str, serializers.Field]] = {}


def uuid_of(name: str) -> serializers.UUIDField:
    """A related record shown by its UUID (`person.uuid`)."""
    return serializers.UUIDField(source=f"{name}.uuid", read_only=True)


class RecordOut(serializers.ModelSerializer):
    """A record as the API shows it. Output only: the limits a model field's database puts
    on it (an integer's range differs between SQLite and PostgreSQL) stay out of the schema."""

    def get_fields(self) -> dict[str, serializers.Field]:
        # Worked out from the model once a class and copied for each instance, where
        # ModelSerializer works them out again for every record shown: 0.25 ms of a dose's
        # answer against 0.08 for the copy. The fields depend on the class alone.
        built = _BUILT.get(type(self))
        if built is None:
            built = _BUILT[type(self)] = super().get_fields()
        return copy.deepcopy(built)

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type, dict]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        for limit in ("max_value", "min_value", "max_length", "validators"):
            kwargs.pop(limit, None)
        return field_class, kwargs
