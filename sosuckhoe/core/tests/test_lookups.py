"""`__any` finds what `__in` finds, on every database, for a list, an empty one and a set."""

import pytest

from sosuckhoe.people.models import Person
from sosuckhoe.testing.factories import PersonFactory


@pytest.fixture
def make(cast):
    """Persons of the cast's commune."""
    return lambda **fields: PersonFactory(home_unit=cast.own_person.home_unit, **fields)


def test_any_finds_what_in_finds(make):
    persons = [make() for _ in range(5)]
    wanted = [persons[0].pk, persons[3].pk, persons[4].pk, 10**12]  # one id of no one

    found = Person.objects.filter(pk__any=wanted).order_by("pk")
    assert list(found) == list(Person.objects.filter(pk__in=wanted).order_by("pk"))
    assert [p.pk for p in found] == [persons[0].pk, persons[3].pk, persons[4].pk]
    assert Person.objects.filter(pk__any={persons[1].pk}).get() == persons[1]


def test_any_of_no_ids_finds_nothing(make):
    make()
    assert not Person.objects.filter(pk__any=[]).exists()
    assert Person.objects.exclude(pk__any=[]).count() == Person.objects.count() > 0


def test_any_works_on_a_foreign_key(make):
    guardian = make()
    ward = make(guardian=guardian)
    make(guardian=make())
    assert list(Person.objects.filter(guardian__any=[guardian.pk])) == [ward]
    assert list(Person.objects.filter(guardian_id__any=[guardian.pk])) == [ward]
