"""What every endpoint shares: the error body, and references to records by UUID or key."""

import copy
from functools import cached_property
from typing import Any

from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict


class ErrorSerializer(serializers.Serializer):
    """Every error: the refusal's code, its translated message, the fields it concerns."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


_BUILT: dict[type, dict[str, serializers.Field]] = {}
_BOUND: dict[type, Any] = {}  # class -> its fields bound once, or None when they may not be
# Fields whose answer depends on the value alone: never on their serializer (its context, its
# instance) nor on children of their own. A record shown with these only can share them.
_PLAIN_FIELDS = (
    serializers.BooleanField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.DecimalField,
    serializers.FloatField,
    serializers.IntegerField,
    serializers.ReadOnlyField,
    serializers.TimeField,
    serializers.UUIDField,
)


def uuid_of(name: str) -> serializers.UUIDField:
    """A related record shown by its UUID (`person.uuid`)."""
    return serializers.UUIDField(source=f"{name}.uuid", read_only=True)


class RecordOut(serializers.ModelSerializer):
    """A record as the API shows it. Output only: the limits a model field's database puts
    on it (an integer's range differs between SQLite and PostgreSQL) stay out of the schema."""

    @property
    def fields(self) -> Any:
        """The bound fields. A record made of plain fields only (a dose, a lot) shows every
        instance with the fields of one template of its class, bound once: building and
        binding them for every record shown cost more than showing it (copying a dose's
        fifteen fields, 0.3 ms of its answer)."""
        cls = type(self)
        if cls not in _BOUND:
            template = cls()  # no record, no context: nothing of a request kept
            fields = template._fields_bound()
            _BOUND[cls] = fields if all(type(f) in _PLAIN_FIELDS for f in fields.values()) else None
        shared = _BOUND[cls]
        return shared if shared is not None else self._own_fields

    @cached_property
    def _own_fields(self) -> BindingDict:
        return self._fields_bound()

    def _fields_bound(self) -> BindingDict:
        """What Serializer.fields gives: the fields, each bound to this serializer."""
        fields = BindingDict(self)
        for name, field in self.get_fields().items():
            fields[name] = field
        return fields

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
