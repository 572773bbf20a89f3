import pytest

from sosuckhoe.places.models import AdminUnit, UnitLevel
from sosuckhoe.places.services import EDITIONS, commune_stations_ensure, units_load


@pytest.fixture
def loaded(db):
    return [units_load(edition=edition) for edition in EDITIONS]


def test_both_editions_load_with_the_official_counts(loaded):
    counts = {
        (edition, level): AdminUnit.objects.filter(edition=edition, level=level).count()
        for edition in ("2025-03", "2025-07")
        for level in (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)
    }
    assert counts == {
        ("2025-03", UnitLevel.PROVINCE): 63,
        ("2025-03", UnitLevel.DISTRICT): 696,
        ("2025-03", UnitLevel.COMMUNE): 10_035,
        ("2025-07", UnitLevel.PROVINCE): 34,
        ("2025-07", UnitLevel.DISTRICT): 0,
        ("2025-07", UnitLevel.COMMUNE): 3_321,
    }


def test_loading_again_changes_nothing(loaded):
    again = [units_load(edition=edition) for edition in EDITIONS]
    assert [(r.created, r.updated) for r in again] == [(0, 0), (0, 0)]
    assert sum(r.unchanged for r in again) == AdminUnit.objects.count()


def test_a_renamed_unit_is_refreshed_in_place(loaded):
    unit = AdminUnit.objects.get(edition="2025-07", code="37", level=UnitLevel.PROVINCE)
    AdminUnit.objects.filter(pk=unit.pk).update(name="Tỉnh Cũ")
    report = units_load(edition=EDITIONS[-1])
    unit.refresh_from_db()
    assert (report.updated, unit.name) == (1, "Tỉnh Ninh Bình")


def test_everything_under_a_unit_is_one_query_at_any_depth(loaded, django_assert_num_queries):
    nam_dinh_2025_03 = AdminUnit.objects.get(edition="2025-03", code="36", level=UnitLevel.PROVINCE)
    with django_assert_num_queries(1):
        levels = list(
            AdminUnit.objects.subtree_of(nam_dinh_2025_03).values_list("level", flat=True)
        )
    assert levels.count(UnitLevel.DISTRICT) == 9  # 8 huyện and TP Nam Định
    assert levels.count(UnitLevel.COMMUNE) == 175
    ninh_binh = AdminUnit.objects.get(edition="2025-07", code="37", level=UnitLevel.PROVINCE)
    assert AdminUnit.objects.subtree_of(ninh_binh).filter(level=UnitLevel.COMMUNE).count() == 129


def test_a_commune_knows_its_ancestors_in_order(loaded):
    commune = AdminUnit.objects.filter(edition="2025-03", level=UnitLevel.COMMUNE).first()
    assert [u.level for u in commune.ancestors()] == [
        UnitLevel.COUNTRY,
        UnitLevel.PROVINCE,
        UnitLevel.DISTRICT,
    ]


def test_every_commune_of_a_province_gets_one_health_station(loaded):
    ninh_binh = AdminUnit.objects.get(edition="2025-07", code="37", level=UnitLevel.PROVINCE)
    assert commune_stations_ensure(province=ninh_binh) == 129
    assert commune_stations_ensure(province=ninh_binh) == 0
