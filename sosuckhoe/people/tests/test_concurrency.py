"""Races that only a real server shows: run on PostgreSQL, skipped on SQLite (one writer)."""

import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.people.jobs import population_job_create, population_job_run
from sosuckhoe.people.models import IdKind, Person, PopulationJob
from sosuckhoe.people.services import person_create
from sosuckhoe.testing.concurrency import in_threads
from sosuckhoe.testing.factories import cccd_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]
JOBS = Actor.system("generate_province")


def test_two_clerks_registering_the_same_cccd_at_once_store_one_person(
    cast, transactional_db, monkeypatch
):
    barrier = threading.Barrier(2, timeout=10)
    real_clean = Person.full_clean

    def clean_then_wait(self, *args, **kwargs):
        real_clean(self, *args, **kwargs)
        barrier.wait()  # both have passed validation before either saves

    monkeypatch.setattr(Person, "full_clean", clean_then_wait)
    number = cccd_for(birth_year=1970, sex="M", serial=31337)

    def register(i: int) -> Person:
        return person_create(
            actor=cast.actor("commune"), full_name=f"Đỗ Văn {'AB'[i]}", sex="M", birth_year=1970,
            id_kind=IdKind.CCCD, id_number=number, home_unit=cast.units.commune_a,
        )  # fmt: skip

    results = in_threads(2, register)
    assert sorted(type(r).__name__ for r in results) == ["Person", "ValidationError"]
    error = next(r for r in results if isinstance(r, ValidationError))
    assert "id_number" in error.message_dict
    assert Person.objects.filter(id_number=number).count() == 1


def test_of_many_workers_only_one_claims_a_job(cast, transactional_db):
    job = population_job_create(actor=JOBS, unit=cast.units.province, persons=1)
    barrier = threading.Barrier(4, timeout=10)

    def claim(_: int) -> bool:
        mine = PopulationJob.objects.get(pk=job.pk)
        barrier.wait()
        return mine.claim()

    assert sorted(in_threads(4, claim)) == [False, False, False, True]


def test_progress_of_a_running_job_is_visible_to_others_before_it_commits(cast, transactional_db):
    job = population_job_create(actor=JOBS, unit=cast.units.province, persons=120_000, seed=1)
    reported: list[int] = []
    seen_by_others: list[object] = []

    def look_from_another_connection(done: int) -> None:
        reported.append(done)
        seen_by_others.extend(
            in_threads(1, lambda _: PopulationJob.objects.get(pk=job.pk).progress_done)
        )

    before = Person.objects.count()
    population_job_run(actor=JOBS, job_id=job.pk, on_progress=look_from_another_connection)
    assert len(reported) == 2
    assert seen_by_others == reported
    assert Person.objects.count() - before == 120_000


def test_a_double_click_on_register_stores_one_person(cast, transactional_db, monkeypatch):
    barrier = threading.Barrier(2, timeout=10)
    real_clean = Person.full_clean

    def clean_then_wait(self, *args, **kwargs):
        real_clean(self, *args, **kwargs)
        barrier.wait()  # both requests are inside person_create before either commits

    monkeypatch.setattr(Person, "full_clean", clean_then_wait)
    key = uuid.uuid4()

    def register(_: int) -> Person:
        return person_create(
            actor=cast.actor("commune"), submission_key=key, full_name="Đỗ Bảo Anh", sex="F",
            birth_year=2020, id_kind=IdKind.NONE, home_unit=cast.units.commune_a,
        )  # fmt: skip

    first, second = in_threads(2, register)
    assert isinstance(first, Person), first
    assert isinstance(second, Person), second
    assert first.uuid == second.uuid
    assert Person.objects.filter(full_name="Đỗ Bảo Anh").count() == 1
