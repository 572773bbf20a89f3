"""The duplicate finder's comparison and blocking, on plain records: no database."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sosuckhoe.core.text import fold
from sosuckhoe.people.duplicates import (
    REVIEW_THRESHOLD,
    Columns,
    Record,
    bits_many,
    block_keys,
    candidate_pairs,
    candidate_pairs_many,
    compare,
    pairs_find,
)

LAN = Record(
    id=1,
    full_name="Phạm Thị Lan",
    name_key="pham thi lan",
    birth_date=dt.date(1990, 3, 7),
    birth_year=1990,
    sex="F",
    id_kind="cccd",
    id_number="036190000123",
    phone="+84912000111",
    home_unit_id=10,
)


def _other(**changes) -> Record:
    if "full_name" in changes:
        changes.setdefault("name_key", fold(changes["full_name"]))
    return LAN._replace(**({"id": 2} | changes))


def test_the_same_record_without_diacritics_and_without_its_document_is_a_duplicate():
    other = _other(full_name="Pham Thi Lan", id_kind="none", id_number="")
    comparison = compare(LAN, other)
    assert comparison.levels["name"] == "folded"
    assert comparison.levels["document"] == "missing"
    assert comparison.score >= REVIEW_THRESHOLD


def test_each_noise_of_an_imported_list_alone_keeps_the_pair_above_the_threshold():
    noisy = {
        "typo": _other(full_name="Phạm Thị Lam"),
        "swapped": _other(birth_date=dt.date(1990, 7, 3)),
        "year_only": _other(birth_date=None),
        "family_phone": _other(phone="+84912999888"),
        "cmnd": _other(id_kind="cmnd", id_number="162345678"),
        "leading_zero": _other(id_number="36190000123"),
        "commune": _other(home_unit_id=11),
    }
    expected = {
        "typo": ("name", "typo"),
        "swapped": ("birth", "swapped"),
        "year_only": ("birth", "year_only"),
        "family_phone": ("phone", "differs"),
        "cmnd": ("document", "other_kind"),
        "leading_zero": ("document", "leading_zero"),
        "commune": ("commune", "differs"),
    }
    for noise, other in noisy.items():
        comparison = compare(LAN, other)
        field, level = expected[noise]
        assert comparison.levels[field] == level, noise
        assert comparison.score >= REVIEW_THRESHOLD, noise


def test_a_namesake_born_another_day_with_another_cccd_is_not_a_duplicate():
    other = _other(birth_date=dt.date(1990, 11, 21), id_number="036190000999", phone="")
    comparison = compare(LAN, other)
    assert comparison.levels["birth"] == comparison.levels["document"] == "differs"
    assert comparison.score < 0.01


def test_records_of_different_sex_are_never_a_duplicate():
    assert compare(LAN, _other(sex="M")).score < REVIEW_THRESHOLD


def _named(name: str, id: int = 1) -> Record:
    return LAN._replace(id=id, full_name=name, name_key=fold(name))


def test_two_edits_count_as_close_only_in_a_long_name():
    assert compare(_named("Lê An"), _named("Lê Anh", 2)).levels["name"] == "typo"
    assert compare(_named("Lê An"), _named("Lê Oanh", 2)).levels["name"] == "differs"
    long = _named("Nguyễn Thị Phương Thảo")
    assert compare(long, _named("Nguyễn Thị Phươn Thao", 2)).levels["name"] == "typo"
    assert compare(long, _named("Nguyễn Thị Phuog Thoa", 2)).levels["name"] == "close"


words = st.text(alphabet="abcdeghiklmnopqrstuvxy", min_size=1, max_size=8)
names = st.lists(words, min_size=3, max_size=4).map(" ".join)
records = st.builds(
    Record,
    id=st.integers(1, 10**6),
    full_name=st.just(""),
    name_key=names,
    birth_date=st.one_of(st.none(), st.dates(dt.date(1950, 1, 1), dt.date(1950, 12, 31))),
    birth_year=st.just(1950),
    sex=st.sampled_from("MF"),
    id_kind=st.sampled_from(["cccd", "cmnd", "none"]),
    id_number=st.sampled_from(["", "036150000001", "36150000001", "162345678"]),
    phone=st.sampled_from(["", "+84912000111", "+84912000222"]),
    home_unit_id=st.integers(1, 3),
)


def _unique_ids(found: list[Record]) -> list[Record]:
    return [r._replace(id=index + 1) for index, r in enumerate(found)]


@given(st.lists(records, min_size=2, max_size=30).map(_unique_ids))
def test_the_comparison_on_arrays_weighs_each_pair_as_the_comparison_of_two_records(found):
    columns = Columns.of(found)
    i, j = candidate_pairs_many(columns)
    # Blocked within a year of birth (one here) and a sex, as the finder's partitions are.
    within = {(a, b) for a, b in candidate_pairs(found) if found[a].sex == found[b].sex}
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == within
    weighed = bits_many(columns, i, j)
    for k, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        assert weighed[k] == compare(found[a], found[b]).bits


@given(records, records)
def test_the_comparison_is_symmetric(a, b):
    assert compare(a, b) == compare(b, a)


def _typed(name: str, word: int) -> str:
    words = name.split()
    words[word % len(words)] += "x"
    return " ".join(words)


@given(
    records,
    st.sampled_from(["typo", "swapped", "year_only", "phone", "document", "unit"]),
    st.integers(0, 3),
)
def test_one_noise_leaves_a_block_key_shared(record, noise, word):
    other = {
        "typo": record._replace(name_key=_typed(record.name_key, word)),
        "swapped": record._replace(birth_date=None),
        "year_only": record._replace(birth_date=None),
        "phone": record._replace(phone="+84999000000"),
        "document": record._replace(id_number="999999999"),
        "unit": record._replace(home_unit_id=99),
    }[noise]
    assert set(block_keys(record)) & set(block_keys(other))


def test_a_block_larger_than_the_limit_is_left_out():
    crowd = [_other(id=i, phone="+84912000111", full_name=f"Người {i}") for i in range(500)]
    crowd = [r._replace(name_key=f"nguoi {i:03d}", home_unit_id=i) for i, r in enumerate(crowd)]
    assert candidate_pairs(crowd) == set()


def test_the_finder_pairs_records_only_within_a_year_of_birth_and_a_sex():
    rows = [
        LAN,
        _other(full_name="Pham Thi Lan", id_number=""),
        _other(id=3, sex="M", full_name="Phạm Văn Lan", id_number=""),
        _other(id=4, birth_year=1991, birth_date=dt.date(1991, 3, 7), id_number=""),
    ]
    rows.sort(key=lambda r: (r.birth_year, r.sex))
    found = pairs_find(rows)
    assert [(p.a, p.b) for p in found.pairs] == [(1, 2)]
    assert found.persons == 4
