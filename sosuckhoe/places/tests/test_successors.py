"""The crosswalk from the communes of 2025-03 to those of 2025-07, loaded from the real files."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from sosuckhoe.places.models import AdminUnit, UnitLevel, UnitSuccessor
from sosuckhoe.places.selectors import unit_current, unit_predecessors, unit_successors
from sosuckhoe.places.services import CROSSWALK, EDITIONS, unit_successors_load, units_load

# The 12 communes the GSO list still carried, which the 3-level file does not have.
OLD_CODES_NOT_HERE = {
    "07693", "07732", "07744", "16387", "16411", "18448",
    "20176", "20674", "25102", "25174", "25177", "25186",
}  # fmt: skip


@pytest.fixture
def units(db):
    for edition in EDITIONS:
        units_load(edition=edition)


@pytest.fixture
def loaded(units):
    return unit_successors_load(crosswalk=CROSSWALK)


def _codes(units: list[AdminUnit] | tuple[AdminUnit, ...]) -> list[str]:
    return [u.code for u in units]


def test_every_row_whose_two_communes_are_here_becomes_one_link(loaded):
    assert (loaded.created, loaded.updated, loaded.removed) == (10_581, 0, 0)
    links = UnitSuccessor.objects
    assert links.count() == 10_581
    assert links.values("old").distinct().count() == 10_030
    assert links.values("new").distinct().count() == 3_314
    assert links.filter(split_count__gt=1).values("old").distinct().count() == 460
    assert not links.exclude(old__edition="2025-03", new__edition="2025-07").exists()


def test_rows_naming_a_code_missing_from_its_edition_are_reported_not_loaded(loaded):
    missing = [code for row in loaded.unplaced for code in row.missing]
    assert len(loaded.unplaced) == 18
    assert sorted(missing) == sorted(
        [f"2025-03/{code}" for code in OLD_CODES_NOT_HERE]
        + ["2025-07/06970"] * 5
        + ["2025-07/23737"]
    )
    first = loaded.unplaced[0]
    assert (first.line, first.old_code, first.new_code) == (2767, "06886", "06970")


def test_loading_the_crosswalk_again_changes_nothing(loaded):
    again = unit_successors_load(crosswalk=CROSSWALK)
    assert (again.created, again.updated, again.removed, again.unchanged) == (0, 0, 0, 10_581)
    assert UnitSuccessor.objects.count() == 10_581


def test_a_link_the_file_changed_is_refreshed_and_one_it_lacks_is_removed(loaded):
    link = UnitSuccessor.objects.filter(split_count=1).first()
    UnitSuccessor.objects.filter(pk=link.pk).update(split_count=4)
    stray = UnitSuccessor.objects.create(
        old=link.old, new=AdminUnit.objects.get(path="2025-07/"), split_count=1
    )
    again = unit_successors_load(crosswalk=CROSSWALK)
    link.refresh_from_db()
    assert (again.updated, again.removed, link.split_count) == (1, 1, 1)
    assert not UnitSuccessor.objects.filter(pk=stray.pk).exists()


def test_loading_costs_a_few_batched_queries_not_one_per_row(units, django_assert_max_num_queries):
    with django_assert_max_num_queries(60):  # SQLite writes 333 links per INSERT
        unit_successors_load(crosswalk=CROSSWALK)
    with django_assert_max_num_queries(5):
        unit_successors_load(crosswalk=CROSSWALK)


def test_every_old_commune_of_nam_dinh_lands_in_one_commune_of_ninh_binh(loaded):
    communes = AdminUnit.objects.filter(
        edition="2025-03", path__startswith="2025-03/36/", level=UnitLevel.COMMUNE
    )
    landed = [unit_current(code=c.code, edition="2025-03").unit for c in communes]
    assert len(landed) == 175
    assert all(u is not None and u.path.startswith("2025-07/37/") for u in landed)


def test_an_old_nam_dinh_commune_resolves_to_its_ninh_binh_commune(loaded):
    current = unit_current(code="13741", edition="2025-03")  # Thị trấn Gôi, Huyện Vụ Bản
    assert (current.of.name, current.is_split) == ("Thị trấn Gôi", False)
    assert (current.unit.path, current.unit.name) == ("2025-07/37/13741/", "Xã Vụ Bản")


def test_a_split_commune_gives_its_candidates_and_no_single_unit(loaded):
    current = unit_current(code="00007", edition="2025-03")  # Phường Cống Vị, Hà Nội
    assert (current.unit, current.is_split) == (None, True)
    assert [(u.code, u.name) for u in current.candidates] == [
        ("00008", "Phường Ngọc Hà"),
        ("00025", "Phường Giảng Võ"),
    ]


def test_a_split_stays_a_split_when_one_of_its_parts_is_not_here(loaded):
    # Xã Hải Lạng was split across 3 communes; the file's third (06970) is no 2025-07 code.
    current = unit_current(code="06886", edition="2025-03")
    assert (current.unit, current.is_split, len(current.candidates)) == (None, True, 2)


def test_a_unit_of_the_current_list_is_its_own_current_unit(loaded):
    current = unit_current(code="13669", edition="2025-07")
    assert (current.unit, current.is_split) == (current.of, False)


def test_an_old_unit_the_crosswalk_does_not_map_has_no_current_unit(loaded):
    current = unit_current(code="36", edition="2025-03")  # a province: communes only are mapped
    assert (current.unit, current.candidates, current.is_split) == (None, (), False)


def test_an_unknown_code_is_not_found(units):
    with pytest.raises(AdminUnit.DoesNotExist):
        unit_current(code="13741", edition="2019-01")


def test_a_new_commune_knows_what_it_was_formed_from_and_the_old_what_they_became(loaded):
    nam_dinh = AdminUnit.objects.get(edition="2025-07", code="13669")
    formed_from = unit_predecessors(unit=nam_dinh)
    assert _codes(formed_from) == [
        "13636", "13666", "13669", "13678", "13681", "13687", "13690", "13726", "13768",
    ]  # fmt: skip
    assert {p.parent.name for p in formed_from} == {"Thành phố Nam Định", "Huyện Vụ Bản"}
    assert _codes(unit_successors(unit=formed_from[0])) == ["13669"]
    assert unit_successors(unit=nam_dinh) == []


def test_a_pair_is_linked_once(loaded):
    link = UnitSuccessor.objects.first()
    with pytest.raises(IntegrityError):
        UnitSuccessor.objects.create(old=link.old, new=link.new, split_count=1)


def _successors_json(*args: str) -> dict[str, object]:
    out = io.StringIO()
    call_command("unit_successors", *args, stdout=out)
    assert "\\u" not in out.getvalue()  # Vietnamese letters as they are, for people to read
    return json.loads(out.getvalue())


def test_the_command_prints_what_an_old_unit_became_as_json(loaded):
    assert _successors_json("13741", "--edition", "2025-03") == {
        "code": "13741",
        "name": "Thị trấn Gôi",
        "edition": "2025-03",
        "successors": [{"code": "13741", "name": "Xã Vụ Bản", "edition": "2025-07"}],
    }
    split = _successors_json("00007", "--edition", "2025-03")
    assert [s["code"] for s in split["successors"]] == ["00008", "00025"]


def test_the_command_gives_an_empty_list_for_a_unit_of_the_current_list(loaded):
    assert _successors_json("13669") == {
        "code": "13669",
        "name": "Phường Nam Định",
        "edition": "2025-07",
        "successors": [],
    }


def test_the_command_refuses_an_unknown_code_clearly(loaded):
    with pytest.raises(CommandError, match="No unit 99999 in edition 2025-07"):
        call_command("unit_successors", "99999", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No unit 13636 in edition 2025-07"):
        call_command("unit_successors", "13636", stdout=io.StringIO())  # an old code only


def test_load_units_loads_the_links_and_reports_unchanged_on_a_second_run(db):
    first, second, listed = io.StringIO(), io.StringIO(), io.StringIO()
    call_command("load_units", stdout=first)
    call_command("load_units", stdout=second)
    call_command("load_units", stdout=listed, verbosity=2)
    assert "successor links: 10581 created, 0 updated, 0 removed, 0 unchanged" in first.getvalue()
    assert "18 rows of commune_crosswalk_2025-03_to_2025-07.csv not placed" in first.getvalue()
    row = "line 3006: 07693 → 07682, missing 2025-03/07693"
    assert row not in first.getvalue()  # the same rows every time: listed when asked for
    assert row in listed.getvalue()
    assert "successor links: 0 created, 0 updated, 0 removed, 10581 unchanged" in second.getvalue()
