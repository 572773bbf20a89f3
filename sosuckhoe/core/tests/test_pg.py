"""psycopg's C loader for timestamps gives what Django's own loader gives; the array literal
of ids holds integers only; a statement planned once is prepared with one plan."""

import datetime as dt

import pytest
from django.db import connection

from sosuckhoe.core.pg import int_array, text_array
from sosuckhoe.core.rows import planned_once

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="psycopg's loaders are PostgreSQL's"
)

MOMENTS_SQL = """
SELECT t FROM unnest(ARRAY[
    TIMESTAMPTZ '2021-07-31 23:59:59.999999+07', TIMESTAMPTZ '1900-01-01 00:00:00+00',
    TIMESTAMPTZ '2024-02-29 12:00:00.5+00', TIMESTAMPTZ '9999-12-31 23:59:59+00',
    TIMESTAMPTZ '0001-01-01 00:00:00+00', now()]) AS t
"""


def test_int_array_is_the_literal_of_its_integers():
    assert int_array([3, 1, 20]) == "{3,1,20}"
    assert int_array(range(0)) == "{}"
    assert int_array({7}) == "{7}"


def test_int_array_refuses_what_is_not_an_integer():
    with pytest.raises(ValueError, match="invalid literal for int"):
        int_array(["1}, {2"])


@on_postgresql
@pytest.mark.django_db
def test_text_array_reads_back_as_its_strings():
    values = ["012345678901", 'B"1\\2', "a,b", "{x}", "", "NULL", " sp ", "Nguyễn"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [text_array(values)])
        assert cursor.fetchone()[0] == values


@on_postgresql
@pytest.mark.django_db
def test_timestamps_are_loaded_by_psycopgs_c_loader():
    from psycopg import adapters
    from psycopg.pq import Format

    connection.ensure_connection()
    oid = adapters.types["timestamptz"].oid
    loader_class = connection.connection.adapters.get_loader(oid, Format.TEXT)
    with connection.cursor() as cursor:
        loader = loader_class(oid, cursor.cursor)
    assert type(loader).__module__.split(".")[0] in ("psycopg_binary", "psycopg_c")


@on_postgresql
@pytest.mark.django_db
def test_the_c_loader_gives_the_values_of_djangos_loader():
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    with connection.cursor() as cursor:
        cursor.execute(MOMENTS_SQL)
        fast = [row[0] for row in cursor.fetchall()]
    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor.cursor)  # Django's, on this cursor alone
        cursor.execute(MOMENTS_SQL)
        djangos = [row[0] for row in cursor.fetchall()]
    assert fast == djangos
    assert [moment.tzinfo for moment in fast] == [dt.UTC] * len(fast)
    assert fast[0] == dt.datetime(2021, 7, 31, 16, 59, 59, 999999, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_statement_planned_once_runs_on_every_database():
    with planned_once() as cursor:
        cursor.execute("SELECT %s + 1", [41])
        assert cursor.fetchone()[0] == 42


@on_postgresql
@pytest.mark.django_db
def test_a_statement_planned_once_is_prepared_with_one_generic_plan():
    statement = "SELECT count(*) FROM people_person WHERE id = ANY(%s::bigint[])"
    for ids in ([1], [1, 2, 3], []):
        with planned_once() as cursor:
            cursor.execute(statement, [int_array(ids)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ["SELECT count(*) FROM people_person WHERE id = ANY($1::bigint[])%"],
        )
        assert cursor.fetchall() == [(3, 0)]


@on_postgresql
@pytest.mark.django_db
def test_a_statement_planned_for_its_values_is_never_prepared():
    statement = "SELECT count(*) FROM people_person WHERE id = ANY(%s::bigint[]) AND 2 = 2"
    for ids in ([1, 2], [1, 2, 3]):
        with planned_once(generic=False) as cursor:
            cursor.execute(statement, [int_array(ids)])
            assert cursor.fetchone() == (0,)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%AND 2 = 2%"],
        )
        assert cursor.fetchone() == (0,)
