"""A record named by UUID in a request (api.serializers.requests.by_uuid) is read by a
statement written once, and found or refused exactly as DRF's SlugRelatedField does it."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from sosuckhoe.api.serializers.requests import by_uuid
from sosuckhoe.people.models import Person
from sosuckhoe.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

FAST = by_uuid(Person)
ORM = serializers.SlugRelatedField(slug_field="uuid", queryset=Person.objects.all())


def _outcome(field: serializers.Field, value: object) -> object:
    """The person found, or the words of the refusal."""
    try:
        return field.to_internal_value(value).pk
    except serializers.ValidationError as error:
        return ("drf", [str(m) for m in error.detail])
    except DjangoValidationError as error:
        return ("django", error.messages)


def test_a_person_named_by_uuid_is_the_orms_row(cast):
    made = PersonFactory(home_unit=cast.units.commune_a)
    found = FAST.to_internal_value(str(made.uuid))
    assert found.pk == made.pk
    assert found.full_name == made.full_name
    assert found.birth_date == made.birth_date  # converted on SQLite as the ORM converts it


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.uuids().map(str),
        st.uuids().map(lambda u: u.hex),
        st.text(max_size=40),
        st.integers(),
        st.lists(st.integers(), max_size=2),
        st.just("known"),
    )
)
def test_any_value_is_found_or_refused_as_slug_related_field_does(cast, value):
    if value == "known":
        known = Person.objects.first() or PersonFactory(home_unit=cast.units.commune_a)
        value = str(known.uuid)
    assert _outcome(FAST, value) == _outcome(ORM, value)
