"""The duplicate finder on a database: injected duplicates found, the queue filled once,
pairs dismissed or closed by a merge, candidates of an import queued."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.people.duplicate_services import (
    _candidates_known,
    duplicate_pair_dismiss,
    duplicate_pairs_queue,
    duplicate_pairs_settle,
    duplicate_run_cancel,
    duplicate_run_create,
    duplicate_run_run,
    person_candidates_queue,
)
from sosuckhoe.people.duplicates import Comparison, ScoredPair
from sosuckhoe.people.generator import NOISES, duplicates_inject, population_generate
from sosuckhoe.people.models import DuplicatePair, DuplicatePairStatus, IdKind, Person
from sosuckhoe.people.services import person_merge
from sosuckhoe.places.models import AdminUnit, UnitLevel
from sosuckhoe.places.services import EDITIONS, units_load
from sosuckhoe.testing.factories import PersonFactory

SYSTEM = Actor.system("test")


@pytest.fixture
def ninh_binh(db):
    units_load(edition=EDITIONS[-1])
    return AdminUnit.objects.get(edition="2025-07", code="37", level=UnitLevel.PROVINCE)


def _search(unit: AdminUnit):
    run = duplicate_run_create(actor=SYSTEM, unit=unit)
    return duplicate_run_run(actor=SYSTEM, job_id=run.pk)


def test_injected_duplicates_are_new_records_carrying_their_noise(ninh_binh):
    population_generate(unit=ninh_binh, persons=1500, seed=2)
    truth = duplicates_inject(unit=ninh_binh, share=0.05, seed=2)
    assert len(truth) == 75
    assert Person.objects.count() == 1575
    seen = set()
    for injected in truth:
        original = Person.objects.get(pk=injected.original_id)
        duplicate = Person.objects.get(pk=injected.duplicate_id)
        assert injected.noises
        assert set(injected.noises) <= set(NOISES)
        seen |= set(injected.noises)
        assert (duplicate.sex, duplicate.birth_year) == (original.sex, original.birth_year)
        if "year_only" in injected.noises:
            assert duplicate.birth_date is None
        if "leading_zero" in injected.noises:
            assert duplicate.id_number == original.id_number[1:]
        if "cmnd" in injected.noises:
            assert duplicate.id_kind == IdKind.CMND
            assert len(duplicate.id_number) == 9
        if not {"cmnd", "leading_zero"} & set(injected.noises):
            assert duplicate.id_kind == IdKind.NONE
    assert len(seen) >= 6


def test_queueing_pairs_counts_those_it_added_whatever_else_the_queue_holds(cast):
    persons = PersonFactory.create_batch(6, home_unit=cast.units.commune_a)
    a, b, c, d, e, f = (person.pk for person in persons)
    like = Comparison({"name": "exact"}, 20.0)
    assert duplicate_pairs_queue(actor=SYSTEM, pairs=[ScoredPair(e, f, like)]) == 1
    assert duplicate_pairs_queue(actor=SYSTEM, pairs=[ScoredPair(a, b, like)]) == 1
    again = [ScoredPair(a, b, like), ScoredPair(c, d, like), ScoredPair(a, d, like)]
    assert duplicate_pairs_queue(actor=SYSTEM, pairs=again) == 2
    assert DuplicatePair.objects.count() == 4


def test_the_finder_recovers_injected_duplicates_and_queues_little_else(ninh_binh):
    population_generate(unit=ninh_binh, persons=3000, seed=4)
    truth = duplicates_inject(unit=ninh_binh, share=0.05, seed=4)
    run = _search(ninh_binh)
    assert run.status == JobStatus.DONE
    assert run.progress_done == run.progress_total == 3150
    expected = {tuple(sorted((t.original_id, t.duplicate_id))) for t in truth}
    queued = set(DuplicatePair.objects.values_list("person_a_id", "person_b_id"))
    assert run.pairs_queued == len(queued)
    assert len(expected & queued) / len(expected) >= 0.9
    assert len(expected & queued) / len(queued) >= 0.9


def test_a_second_search_queues_nothing_twice_and_keeps_a_dismissed_pair_dismissed(ninh_binh):
    population_generate(unit=ninh_binh, persons=800, seed=6)
    duplicates_inject(unit=ninh_binh, share=0.05, seed=6)
    first = _search(ninh_binh)
    pair = DuplicatePair.objects.order_by("id").first()
    duplicate_pair_dismiss(actor=SYSTEM, pair=pair)
    second = _search(ninh_binh)
    assert first.pairs_queued > 0
    assert second.pairs_queued == 0
    assert DuplicatePair.objects.count() == first.pairs_queued
    pair.refresh_from_db()
    assert pair.status == DuplicatePairStatus.DISMISSED


def test_a_cancelled_search_reads_nothing_and_queues_nothing(ninh_binh):
    run = duplicate_run_create(actor=SYSTEM, unit=ninh_binh)
    duplicate_run_cancel(actor=SYSTEM, job=run)
    run = duplicate_run_run(actor=SYSTEM, job_id=run.pk)
    assert run.status == JobStatus.CANCELLED
    assert not DuplicatePair.objects.exists()


def _pair(cast, **other) -> DuplicatePair:
    first = PersonFactory(home_unit=cast.units.commune_a, full_name="Phạm Thị Lan", sex="F")
    second = PersonFactory(
        home_unit=cast.units.commune_a, full_name="Pham Thi Lan", sex="F", **other
    )
    return DuplicatePair.objects.create(
        person_a=first, person_b=second, score=0.95, reasons={"name": "folded"}
    )


def test_dismissing_a_pair_is_audited_and_refused_outside_the_officers_unit(cast):
    pair = _pair(cast)
    with pytest.raises(ValidationError):
        duplicate_pair_dismiss(actor=cast.actor("province_other"), pair=pair)
    duplicate_pair_dismiss(actor=cast.actor("commune"), pair=pair)
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by_name) == (DuplicatePairStatus.DISMISSED, "commune")
    event = AuditEvent.objects.get(object_uuid=pair.uuid)
    assert event.scope_path == cast.units.commune_a.path
    with pytest.raises(ValidationError):
        duplicate_pair_dismiss(actor=cast.actor("commune"), pair=pair)


def test_a_pair_merged_on_the_merge_page_is_closed_by_the_next_settling(cast):
    pair = _pair(cast)
    person_merge(actor=cast.actor("commune"), keep=pair.person_a, duplicate=pair.person_b)
    pair.refresh_from_db()
    # The merge moved nothing of the queue: the pair still names both records.
    assert (pair.person_a_id, pair.person_b_id) == (pair.person_a.pk, pair.person_b.pk)
    assert duplicate_pairs_settle() == 1
    pair.refresh_from_db()
    assert pair.status == DuplicatePairStatus.MERGED


def test_the_candidates_of_new_persons_share_their_name_and_year_of_birth_or_their_phone(cast):
    def person(name: str, born: dt.date, phone: str, **kwargs) -> Person:  # type: ignore[no-untyped-def]
        return PersonFactory(
            home_unit=cast.units.commune_a, full_name=name, birth_date=born, phone=phone, **kwargs
        )

    new = person("Lê Thị Hoa", dt.date(1990, 1, 1), "+84912000001")
    namesake = person("LE THI HOA", dt.date(1990, 6, 1), "+84912000002")
    same_phone = person("Phạm Văn Khác", dt.date(1970, 1, 1), "+84912000001")
    person("Lê Thị Hoa", dt.date(1991, 1, 1), "+84912000003")  # another year
    person("Lê Thị Hoa", dt.date(1990, 1, 1), "+84912000004", merged_into=namesake)
    found = {record.id for record in _candidates_known([new])}
    assert found == {new.pk, namesake.pk, same_phone.pk}


def test_a_new_person_like_a_registered_one_is_queued_never_merged(cast):
    registered = PersonFactory(
        home_unit=cast.units.commune_a, full_name="Trần Văn Bình", phone="+84912345678"
    )
    namesake = PersonFactory(
        home_unit=cast.units.commune_b,
        full_name="Trần Văn Bình",
        birth_date=dt.date(1985, 11, 30),
        phone="+84987654321",
    )
    new = PersonFactory(
        home_unit=cast.units.commune_a,
        full_name="Tran Van Binh",
        id_kind=IdKind.NONE,
        id_number="",
        phone="+84912345678",
    )
    assert person_candidates_queue(actor=cast.actor("commune"), persons=[new]) == 1
    pair = DuplicatePair.objects.get()
    assert {pair.person_a_id, pair.person_b_id} == {registered.pk, new.pk}
    assert pair.run is None
    assert pair.status == DuplicatePairStatus.OPEN
    assert not Person.objects.filter(merged_into__isnull=False).exists()
    assert namesake.pk not in (pair.person_a_id, pair.person_b_id)
    # Queued once, however often the import runs.
    assert person_candidates_queue(actor=cast.actor("commune"), persons=[new]) == 0
