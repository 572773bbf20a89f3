import datetime as dt

from sosuckhoe.imports.tests.conftest import persons_csv
from sosuckhoe.imports.tests.test_import_file import run
from sosuckhoe.people.models import DuplicatePair, IdKind, Person
from sosuckhoe.testing.factories import PersonFactory


def _registered_without_document(cast) -> Person:
    return PersonFactory(
        home_unit=cast.units.commune_a,
        full_name="Nguyễn Văn Bình",
        birth_date=dt.date(1985, 4, 12),
        id_kind=IdKind.NONE,
        id_number="",
        phone="+84912345678",
    )


def test_an_imported_person_like_a_registered_one_is_created_and_queued_for_review(cast, tmp_path):
    registered = _registered_without_document(cast)
    summary, _code = run(persons_csv(tmp_path), "--unit", "37")
    assert summary["rows"]["new"] == 2
    imported = Person.objects.get(id_number="036085001234")
    pair = DuplicatePair.objects.get()
    assert {pair.person_a_id, pair.person_b_id} == {registered.pk, imported.pk}
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_a_dry_run_queues_no_candidate(cast, tmp_path):
    _registered_without_document(cast)
    run(persons_csv(tmp_path), "--unit", "37", "--dry-run")
    assert not DuplicatePair.objects.exists()
