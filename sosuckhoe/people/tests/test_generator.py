from collections import Counter

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from sosuckhoe.people.generator import _series_member, population_generate
from sosuckhoe.people.identity import normalize_phone
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit, UnitLevel
from sosuckhoe.places.services import EDITIONS, units_load
from sosuckhoe.testing.factories import PersonFactory


@pytest.fixture
def ninh_binh(db):
    units_load(edition=EDITIONS[-1])
    return AdminUnit.objects.get(edition="2025-07", code="37", level=UnitLevel.PROVINCE)


def test_a_generated_province_is_valid_person_by_person(ninh_binh):
    result = population_generate(unit=ninh_binh, persons=600, seed=7)
    persons = list(Person.objects.select_related("home_unit"))
    assert result.persons == len(persons) == 600
    for person in persons:
        person.full_clean()  # CCCD agrees with sex and birth year, and the unit is a commune
        assert person.home_unit.path.startswith(ninh_binh.path)
        if person.phone:
            assert normalize_phone(person.phone) == (person.phone, person.phone_network)


def test_children_have_a_guardian_and_no_document_and_adults_have_one(ninh_binh):
    population_generate(unit=ninh_binh, persons=800, seed=3)
    today = timezone.localdate()
    for person in Person.objects.all():
        child = relativedelta(today, person.birth_date).years < 14
        assert (person.id_kind == "none") == child
        if child:
            assert person.guardian_id is not None


def test_the_population_looks_like_the_province(ninh_binh):
    population_generate(unit=ninh_binh, persons=3000, seed=11)
    persons = Person.objects.all()
    family = Counter(p.full_name.split()[0] for p in persons)
    assert family.most_common(1)[0][0] == "Nguyễn"
    sexes = Counter(p.sex for p in persons)
    assert 0.4 < sexes["F"] / 3000 < 0.6
    birth_codes = Counter(p.id_number[:3] for p in persons if p.id_kind == "cccd")
    home = sum(birth_codes[c] for c in ("035", "036", "037"))
    assert home / sum(birth_codes.values()) > 0.8
    assert len({p.home_unit_id for p in persons}) > 100
    assert persons.exclude(phone="").values("phone").distinct().count() < persons.count()


def test_a_second_generation_adds_persons_without_clashing(ninh_binh):
    population_generate(unit=ninh_binh, persons=300, seed=1)
    population_generate(unit=ninh_binh, persons=300, seed=1)
    assert Person.objects.count() == 600
    assert (
        Person.objects.values("id_number").distinct().count()
        == 600 - Person.objects.filter(id_kind="none").count() + 1
    )


def test_households_of_the_oldest_stay_within_the_oldest_age(ninh_binh, monkeypatch):
    from sosuckhoe.people.generator import MAX_AGE, Generator

    monkeypatch.setattr(Generator, "_adult_age", lambda self, sex, minimum: MAX_AGE)
    population_generate(unit=ninh_binh, persons=200, seed=2)
    assert Person.objects.count() == 200
    today = timezone.localdate()
    ages = [relativedelta(today, p.birth_date).years for p in Person.objects.all()]
    assert max(ages) == MAX_AGE  # the heads themselves
    assert all(age <= MAX_AGE for age in ages)  # their spouses and parents too


def test_a_number_held_by_a_person_the_generator_did_not_make_is_skipped(ninh_binh):
    """A person entered by staff (or made by a test) may hold the very CCCD that a series
    reaches next: the generation skips it instead of failing on the unique document."""
    population_generate(unit=ninh_binh, persons=300, seed=1)
    prefix, count = Counter(
        p.id_number[:6] for p in Person.objects.filter(id_kind="cccd")
    ).most_common(1)[0]
    # The entered person adds one to the prefix's count: the next run starts its walk there.
    held = prefix + _series_member(prefix, count + 1, 6)
    PersonFactory(home_unit=Person.objects.first().home_unit, id_number=held)
    population_generate(unit=ninh_binh, persons=300, seed=1)
    assert Person.objects.count() == 601
    assert Person.objects.filter(id_number=held).count() == 1
