"""The batch judges a row as Django's constructor and full clean_fields do (the way it judged
before it built rows without descriptors and vouched for plain fields itself): the same
refusals with the same messages and codes, the same person when accepted."""

import copy
import datetime as dt
import string

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sosuckhoe.people import services
from sosuckhoe.people.clean_fields import fields_certainly_clean
from sosuckhoe.people.models import Household, IdKind, Person, Sex
from sosuckhoe.testing.factories import cccd_for

LINKS = ("home_unit", "guardian", "household")


def _as_django_judges(actor, fields):
    """person_check without queries, every field through Django: the reference."""
    try:
        services._check_editable(dict(fields))
        person = Person(**fields)
        services._normalize_values(person)
        given_links = {n for n in LINKS if getattr(person, f"{n}_id") is not None}
        errors: dict = {}
        for step in (lambda: person.clean_fields(exclude=given_links), person.clean):
            try:
                step()
            except ValidationError as error:
                error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
        services._check_scope(actor, person)
    except ValidationError as error:
        return error
    return person


def _outcome(judge, fields):
    """What a judge made of a row, comparable: its refusal, the person's row and state, or
    what it raised."""
    try:
        found = judge(copy.copy(fields))
    except Exception as error:  # Django's constructor refuses a link of another model so
        return ("raised", type(error), str(error))
    if isinstance(found, ValidationError):
        with translation.override("en"):
            messages = found.message_dict
        codes = {field: [e.code for e in errors] for field, errors in found.error_dict.items()}
        return ("refused", messages, codes)
    values = {
        name: (type(value), value)
        for name, value in found.__dict__.items()
        if name not in ("_state", "uuid")
    }
    state = found._state
    cached = {name: id(row) for name, row in state.fields_cache.items()}
    return ("accepted", values, state.db, state.adding, cached, type(found.uuid))


@pytest.fixture
def household(cast):
    return Household.objects.create(home_unit=cast.units.commune_a)


def _tricky(cast, household):
    """Values of each field that Django refuses, converts or lets through."""
    units = cast.units
    return {
        "full_name": st.text(alphabet=string.ascii_letters + " \x00ăđÁẫệ\u0301", max_size=130),
        "sex": st.sampled_from(["", "X", "m", None, 1]),
        "id_kind": st.sampled_from(["", "bogus", None, "CCCD"]),
        "birth_date": st.one_of(
            st.none(),
            st.dates(dt.date(1870, 1, 1), dt.date(2100, 12, 31)),
            st.just(dt.datetime(1990, 2, 3, 4, 5)),
            st.just("1990-02-03"),
        ),
        "birth_year": st.one_of(
            st.none(), st.integers(-3, 40000), st.just(True), st.just("1990"), st.just(1990.0)
        ),
        "id_number": st.one_of(st.text(alphabet="0123456789 abcXYZ\x00", max_size=24), st.none()),
        "phone": st.sampled_from(["0521234567", "12", "+1 202 555 0100", None]),
        "home_unit": st.sampled_from(
            [units.commune_b, units.province, units.district_commune, units.other_commune, None]
        ),
        "address_line": st.one_of(
            st.text(alphabet="ab \x00", min_size=195, max_size=205), st.integers(0, 99)
        ),
        "insurance_number": st.sampled_from(["gd 401 0123456789", "X", "GD40101234567890", None]),
        "ethnicity": st.sampled_from(["99", "x", "1", None]),
        "occupation": st.sampled_from(["99", "x", None]),
        "guardian": st.sampled_from([cast.sibling_person, cast.foreign_person, units.commune_a]),
        "household": st.sampled_from([units.commune_a, Household(home_unit=units.commune_b)]),
        "merged_into": st.just(cast.sibling_person),  # not a field a row may give
    }


@st.composite
def _rows(draw, cast, household):
    """A row that the batch would accept, with up to three of its fields made tricky."""
    sex = draw(st.sampled_from([Sex.MALE, Sex.FEMALE, "M", "F"]))
    birth = draw(st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)))
    document = draw(
        st.sampled_from(
            [
                {"id_kind": IdKind.NONE},
                {"id_kind": IdKind.CCCD, "id_number": cccd_for(birth_year=birth.year, sex=sex)},
                {"id_kind": "cmnd", "id_number": " 123 456 789"},
                {"id_kind": IdKind.PASSPORT, "id_number": "b1234567"},
            ]
        )
    )
    row = {
        "full_name": draw(st.text(alphabet=string.ascii_letters + " ăđÁẫệ", min_size=1)) + "a",
        "sex": sex,
        **draw(st.sampled_from([{"birth_date": birth}, {"birth_year": birth.year}])),
        **document,
        "home_unit": cast.units.commune_a,
    }
    optional = {
        "phone": st.sampled_from(["", "0912 000 111", "+84 912 000 112"]),
        "address_line": st.text(max_size=50),
        "insurance_number": st.sampled_from(["", "GD4010123456789", "0123456789"]),
        "ethnicity": st.sampled_from(["", "01", "54"]),
        "occupation": st.sampled_from(["", "0", "9"]),
        "guardian": st.sampled_from([None, cast.own_person]),
        "household": st.sampled_from([None, household]),
    }
    row |= draw(st.fixed_dictionaries({}, optional=optional))
    tricky = _tricky(cast, household)
    for name in draw(st.sets(st.sampled_from(sorted(tricky)), max_size=3)):
        row[name] = draw(tricky[name])
    return row


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_row_is_judged_as_django_judges_it(cast, household, data):
    fields = data.draw(_rows(cast, household))
    actor = cast.actor(data.draw(st.sampled_from(["commune", "province"])))
    judge = services._ChunkJudge(actor)
    outcome = _outcome(judge.check, fields)
    event(outcome[0])
    assert outcome == _outcome(lambda f: _as_django_judges(actor, f), fields)


def _usual_row(cast):
    return {
        "full_name": "nguyễn  văn an",
        "sex": "M",
        "birth_date": dt.date(1990, 2, 3),
        "id_kind": IdKind.CCCD,
        "id_number": cccd_for(birth_year=1990, sex="M", serial=7),
        "phone": "0912 000 111",
        "home_unit": cast.units.commune_a,
        "ethnicity": "01",
    }


def test_the_usual_row_is_vouched_for_without_django_cleaning_its_fields(cast):
    person = services._new_person(_usual_row(cast))
    services._normalize_values(person)
    assert fields_certainly_clean(person, exclude={"home_unit"})
    assert type(person.__dict__["uuid"]) is type(Person().uuid)


@pytest.mark.parametrize(
    "change",
    [
        {"full_name": "x" * 121},
        {"birth_date": dt.datetime(1990, 2, 3, 4, 5)},
        {"birth_year": True},
        {"birth_year": "1990"},
        {"birth_year": -1},
        {"sex": "X"},
        {"ethnicity": "99"},
        {"address_line": "x" * 201},
        {"phone_network": "x" * 31},
    ],
)
def test_a_value_django_would_refuse_or_convert_is_not_vouched_for(cast, change):
    person = services._new_person(_usual_row(cast))
    services._normalize_values(person)
    person.__dict__.update(change)
    assert not fields_certainly_clean(person, exclude={"home_unit"})
    ((name, value),) = change.items()
    refused = None
    try:
        person.clean_fields(exclude={"home_unit"})
    except ValidationError as error:
        refused = error
    stored = person.__dict__[name]
    if refused is not None:
        assert list(refused.message_dict) == [name]
    else:
        assert (type(stored), stored) != (type(value), value)
