import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.people import services
from sosuckhoe.people.models import IdKind, Person
from sosuckhoe.people.services import persons_check_batch, persons_create_batch
from sosuckhoe.testing.factories import cccd_for


def _row(cast, serial, **overrides):
    row = {
        "full_name": f"nguyễn thị  hoa {'abcdefghij'[serial % 10]}",
        "sex": "F",
        "birth_date": dt.date(1990, 2, 3),
        "id_kind": IdKind.CCCD,
        "id_number": cccd_for(birth_year=1990, sex="F", serial=800 + serial),
        "phone": "0912 000 111",
        "home_unit": cast.units.commune_a,
    }
    return row | overrides


def test_valid_rows_are_registered_normalized_and_audited_one_row_each(cast):
    results = persons_create_batch(actor=cast.actor("commune"), rows=[_row(cast, 1), _row(cast, 2)])
    assert [r.accepted for r in results] == [True, True]
    person = Person.objects.get(pk=results[0].person.pk)
    assert (person.full_name, person.name_key, person.phone, person.birth_year) == (
        "Nguyễn Thị Hoa B",
        "nguyen thi hoa b",
        "+84912000111",
        1990,
    )
    events = AuditEvent.objects.filter(object_uuid__in=[r.person.uuid for r in results])
    assert (
        sorted((e.action, e.actor_username, e.scope_path) for e in events)
        == [(AuditAction.CREATE, "commune", cast.units.commune_a.path)] * 2
    )


def test_each_invalid_row_is_refused_alone_with_the_field_at_fault(cast):
    rows = [
        _row(cast, 1),
        _row(cast, 2, id_number="036305000001"),  # born 2005, not 1990
        _row(cast, 3, phone="0521234567"),
        _row(cast, 4, birth_date=dt.date(2999, 1, 1)),
        _row(cast, 5, home_unit=None),
        _row(cast, 6, full_name="  "),
        _row(cast, 7),
    ]
    before = Person.objects.count()
    results = persons_create_batch(actor=cast.actor("commune"), rows=rows)
    assert [r.accepted for r in results] == [True, False, False, False, False, False, True]
    assert [sorted(r.error.message_dict) for r in results if r.error] == [
        ["id_number"],
        ["phone"],
        ["birth_date", "birth_year"],
        ["home_unit"],
        ["full_name"],
    ]
    assert Person.objects.count() == before + 2


def test_a_document_registered_or_on_an_earlier_row_is_refused(cast):
    registered = cast.own_person
    rows = [
        _row(cast, 1, id_kind=registered.id_kind, id_number=registered.id_number,
             sex=registered.sex, birth_date=None, birth_year=registered.birth_year),
        _row(cast, 2),
        _row(cast, 2, full_name="Người Khác"),
    ]  # fmt: skip
    with translation.override("en"):
        results = persons_create_batch(actor=cast.actor("commune"), rows=rows)
        assert [r.accepted for r in results] == [False, True, False]
        assert "already registered" in str(results[0].error)
        assert "earlier row" in str(results[2].error)


def test_a_commune_outside_the_unit_is_refused(cast):
    rows = [_row(cast, 1, home_unit=cast.units.commune_b), _row(cast, 2)]
    results = persons_create_batch(actor=cast.actor("commune"), rows=rows)
    assert [r.accepted for r in results] == [False, True]
    assert list(results[0].error.message_dict) == ["home_unit"]
    assert not Person.objects.filter(home_unit=cast.units.commune_b, full_name__startswith="Ng")


def test_a_check_writes_nothing_and_judges_as_the_batch_does(cast):
    rows = [_row(cast, 1), _row(cast, 1), _row(cast, 2, phone="12")]
    before = (Person.objects.count(), AuditEvent.objects.count())
    results = persons_check_batch(actor=cast.actor("commune"), rows=rows)
    assert [r.accepted for r in results] == [True, False, False]
    assert (Person.objects.count(), AuditEvent.objects.count()) == before


def test_the_rows_are_judged_with_one_query_for_their_documents(cast, django_assert_num_queries):
    rows = [_row(cast, n) for n in range(50)]
    with django_assert_num_queries(1):
        persons_check_batch(actor=cast.actor("commune"), rows=rows)


def test_a_document_a_concurrent_writer_registered_is_refused_and_the_rest_written(
    cast, monkeypatch
):
    """The other writer commits between the check and the insert: the insert fails, the
    row of that document is refused, the others are written."""
    rows = [_row(cast, 1), _row(cast, 2)]
    check = services._documents_taken
    calls = []

    def late_writer(persons):
        taken = check(persons)
        if not calls:
            services.person_create(actor=cast.actor("commune"), **_row(cast, 2))
        calls.append(1)
        return taken

    monkeypatch.setattr(services, "_documents_taken", late_writer)
    with transaction.atomic():
        results = persons_create_batch(actor=cast.actor("commune"), rows=rows)
    assert [r.accepted for r in results] == [True, False]
    assert Person.objects.filter(id_number=rows[1]["id_number"]).count() == 1


def test_a_second_conflict_refuses_the_chunk_with_its_reason(cast, monkeypatch):
    def always_conflicting(actor, persons):
        raise IntegrityError("person_id_document_uniq")

    monkeypatch.setattr(services, "_persons_insert", always_conflicting)
    with translation.override("en"):
        results = persons_create_batch(actor=cast.actor("commune"), rows=[_row(cast, 1)])
        assert not results[0].accepted
        assert "at the same time" in str(results[0].error)


@pytest.mark.parametrize("role", ["commune", "province", "national_admin"])
def test_staff_register_within_their_subtree(cast, role):
    results = persons_create_batch(actor=cast.actor(role), rows=[_row(cast, 1)])
    assert results[0].accepted
