"""How well and how fast the duplicate finder recovers injected duplicates, against Splink
(DuckDB) on the very same records in the same run.

    make bench B=duplicates                        # 200,000 persons, 2 % duplicated
    BENCH_PERSONS=50000 make bench B=duplicates    # a quick try

A population is generated into its own database (default
postgres://postgres@127.0.0.1:5432/bench_duplicates, emptied first), `duplicates_inject`
registers 2 % of it a second time with the noise of imported lists (diacritics dropped, one
typo, day and month swapped, year only, a family member's phone, a CMND instead of the CCCD,
a lost leading zero, another commune) and keeps the truth. Then:

- ours: the finder as a job (`duplicate_run_run`: read from PostgreSQL, block, score, queue
  the pairs above the review threshold); seconds from the claim to the queued pairs;
- Splink 5 on DuckDB: the same records read from PostgreSQL into an Arrow table with the same
  derived keys, a model of the same fields (name by Jaro-Winkler, birth date exact or day and
  month swapped, phone, document digits, commune), the same blocking keys, u by random
  sampling, m by expectation maximisation; seconds from the read to its predictions (both
  start from the persons in PostgreSQL; the read and the model are also printed apart). Its
  recall is read at the precision ours reached (the likeliest pairs first, as many as keep
  that precision).

Recall and precision are of the queued pairs against the injected ones (a pair of two
persons that the generator made separately counts as a false one, even if a human would
hesitate). The last line: BENCH duplicates recall=… precision=… seconds=… splink_seconds=…
splink_recall=… splink_precision=…
"""

import gc
import os
import time

from _common import bench_line, bench_persons_wanted, django_ready

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_duplicates")
SHARE = float(os.environ.get("BENCH_DUPLICATE_SHARE", "0.02"))
SEED = int(os.environ.get("BENCH_SEED", "17"))


def population(persons: int) -> set[tuple[int, int]]:
    """A fresh population with its injected duplicates; the true pairs (lower id first)."""
    from django.db import connection

    from sosuckhoe.people.generator import duplicates_inject, population_generate
    from sosuckhoe.places.selectors import province_by_code

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE people_duplicatepair, people_person, people_household CASCADE")
    province = province_by_code(code="37")
    population_generate(unit=province, persons=persons, seed=SEED)
    truth = duplicates_inject(unit=province, share=SHARE, seed=SEED)
    with connection.cursor() as cursor:
        # A table at rest, as the finder meets it in production: no hint bits left to set on
        # the first read after the bulk load.
        cursor.execute("VACUUM ANALYZE people_person")
    print(f"{persons:,} persons, {len(truth):,} duplicates injected", flush=True)
    return {(min(t.original_id, t.duplicate_id), max(t.original_id, t.duplicate_id)) for t in truth}


def ours() -> tuple[set[tuple[int, int]], float]:
    from sosuckhoe.accounts.audit import Actor
    from sosuckhoe.people.duplicate_services import duplicate_run_create, duplicate_run_run
    from sosuckhoe.people.models import DuplicatePair
    from sosuckhoe.places.selectors import province_by_code

    actor = Actor.system("bench")
    run = duplicate_run_create(actor=actor, unit=province_by_code(code="37"))
    started = time.perf_counter()
    run = duplicate_run_run(actor=actor, job_id=run.pk)
    seconds = time.perf_counter() - started
    print(f"ours: {run.pairs_compared:,} pairs compared, {run.pairs_queued:,} queued", flush=True)
    pairs = set(DuplicatePair.objects.filter(run=run).values_list("person_a_id", "person_b_id"))
    return pairs, seconds


def persons_table():
    """The persons as Splink reads them, with the same derived keys our blocking uses."""
    import pyarrow as pa

    from sosuckhoe.people.duplicates import document_digits
    from sosuckhoe.people.models import Person

    columns: dict[str, list] = {
        name: []
        for name in (
            "unique_id", "name_key", "family", "middle", "given", "birth_date", "birth_year",
            "day_month", "sex", "phone", "document", "document_length", "home_unit_id",
        )
    }  # fmt: skip
    rows = Person.objects.values_list(
        "id", "name_key", "birth_date", "birth_year", "sex", "phone", "id_number", "home_unit_id"
    )
    for pk, name, born, year, sex, phone, number, unit in rows.iterator(chunk_size=20_000):
        words = name.split() or [""]
        day_month = f"{min(born.day, born.month)}-{max(born.day, born.month)}" if born else None
        values = (
            pk, name, words[0], " ".join(words[1:-1]), words[-1], born, year, day_month, sex,
            phone or None, document_digits(number) or None, len(number) or None, unit,
        )  # fmt: skip
        for column, value in zip(columns, values, strict=True):
            columns[column].append(value)
    return pa.table(columns)


def splink_model():
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    birth = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            {
                "sql_condition": "birth_date_l IS NULL OR birth_date_r IS NULL",
                "label_for_charts": "year only",
                "is_null_level": True,
            },
            {"sql_condition": "birth_date_l = birth_date_r", "label_for_charts": "exact"},
            {
                "sql_condition": "day(birth_date_l) = month(birth_date_r) "
                "AND month(birth_date_l) = day(birth_date_r)",
                "label_for_charts": "day and month swapped",
            },
            {"sql_condition": "ELSE", "label_for_charts": "differs"},
        ],
    )
    document = cl.CustomComparison(
        output_column_name="document",
        comparison_levels=[
            {
                "sql_condition": "document_l IS NULL OR document_r IS NULL",
                "label_for_charts": "missing",
                "is_null_level": True,
            },
            {"sql_condition": "document_l = document_r", "label_for_charts": "same digits"},
            {
                # A CMND (9 digits) beside a CCCD (12): another document, no evidence.
                "sql_condition": "document_length_l <> document_length_r",
                "label_for_charts": "another kind",
            },
            {"sql_condition": "ELSE", "label_for_charts": "differs"},
        ],
    )
    blocking = [
        block_on("sex", "birth_year", "name_key"),
        block_on("sex", "birth_year", "phone"),
        block_on("sex", "birth_year", "document"),
        block_on("sex", "birth_year", "home_unit_id", "given"),
        block_on("sex", "birth_year", "home_unit_id", "family", "middle"),
        block_on("sex", "birth_year", "day_month", "substr(family, 1, 1)"),
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name_key", [0.97, 0.92, 0.85]),
            birth,
            document,
            cl.ExactMatch("phone"),
            cl.ExactMatch("home_unit_id"),
        ],
        blocking_rules_to_generate_predictions=blocking,
        retain_matching_columns=False,
    )


def splink(table) -> tuple[list[tuple[float, int, int]], float]:
    """Splink's scored pairs (probability, lower id, higher id), and its seconds."""
    import duckdb
    from splink import DuckDBAPI, Linker, block_on

    connection = duckdb.connect()
    connection.register("persons_arrow", table)
    connection.execute("CREATE TABLE persons AS SELECT * FROM persons_arrow")
    started = time.perf_counter()
    api = DuckDBAPI(connection)
    linker = Linker(api.register("persons"), splink_model(), log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name_key", "birth_date", "home_unit_id")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=SEED)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("sex", "birth_year", "name_key")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("sex", "birth_date", "home_unit_id")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    scored = predictions.as_duckdbpyrelation().project(
        "match_probability, least(unique_id_l, unique_id_r), greatest(unique_id_l, unique_id_r)"
    )
    pairs = [(float(p), int(a), int(b)) for p, a, b in scored.fetchall()]
    seconds = time.perf_counter() - started
    print(f"splink: {len(pairs):,} pairs above 0.01", flush=True)
    return pairs, seconds


def at_precision(
    scored: list[tuple[float, int, int]], truth: set[tuple[int, int]], precision: float
) -> tuple[float, float]:
    """Recall and precision of the likeliest pairs, as many as keep `precision` or more (the
    best recall at that precision)."""
    ordered = sorted(scored, reverse=True)
    best = (0.0, 1.0)
    true = 0
    for index, (_p, a, b) in enumerate(ordered, start=1):
        true += (a, b) in truth
        if true / index >= precision and true / len(truth) > best[0]:
            best = (true / len(truth), true / index)
    return best


def main() -> None:
    django_ready()
    truth = population(bench_persons_wanted(200_000))
    # What generating left in this process is no part of either measurement: the garbage
    # collector would walk it again and again.
    gc.collect()
    gc.freeze()
    found, seconds = ours()
    true = len(found & truth)
    recall, precision = true / len(truth), true / max(1, len(found))
    print(f"ours: recall {recall:.3f} precision {precision:.3f} in {seconds:.1f} s", flush=True)
    started = time.perf_counter()
    table = persons_table()
    exported = time.perf_counter() - started
    scored, model_seconds = splink(table)
    splink_seconds = exported + model_seconds
    print(f"splink: {exported:.1f} s reading the persons, {model_seconds:.1f} s its model")
    splink_recall, splink_precision = at_precision(scored, truth, precision)
    print(
        f"splink: recall {splink_recall:.3f} at precision {splink_precision:.3f} "
        f"in {splink_seconds:.1f} s",
        flush=True,
    )
    print(
        bench_line(
            "duplicates",
            recall=round(recall, 3),
            precision=round(precision, 3),
            seconds=round(seconds, 1),
            splink_seconds=round(splink_seconds, 1),
            splink_recall=round(splink_recall, 3),
            splink_precision=round(splink_precision, 3),
        )
    )


if __name__ == "__main__":
    main()
