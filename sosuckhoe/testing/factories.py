"""Rows for tests, built through the same rules as real ones."""

import datetime as dt
from dataclasses import dataclass

import factory

from sosuckhoe.core.text import fold
from sosuckhoe.people.identity import cccd_century_digit
from sosuckhoe.people.models import IdKind, Person, Sex
from sosuckhoe.places.models import AdminUnit, UnitLevel

EDITION = "2025-07"


@dataclass
class UnitTree:
    country: AdminUnit
    province: AdminUnit
    commune_a: AdminUnit
    commune_b: AdminUnit
    other_province: AdminUnit
    other_commune: AdminUnit
    # Nam Định before July 2025, with its district level.
    district: AdminUnit
    district_commune: AdminUnit


def unit(
    code: str, name: str, level: str, parent: AdminUnit | None, edition: str = EDITION
) -> AdminUnit:
    path = f"{parent.path}{code}/" if parent else f"{edition}/"
    return AdminUnit.objects.create(
        edition=edition,
        code=code,
        name=name,
        short_name=name.split(" ", 1)[-1],
        level=level,
        type_name=name.split(" ", 1)[0],
        parent=parent,
        path=path,
        valid_from=dt.date(2025, 7, 1) if edition == EDITION else dt.date(2025, 3, 1),
    )


def build_unit_tree() -> UnitTree:
    """Real codes: Ninh Bình and Hà Nội (2025-07), and Nam Định's Vụ Bản district (2025-03)."""
    country = unit("VN", "Việt Nam", UnitLevel.COUNTRY, None)
    province = unit("37", "Tỉnh Ninh Bình", UnitLevel.PROVINCE, country)
    other = unit("01", "Thành phố Hà Nội", UnitLevel.PROVINCE, country)
    old_country = unit("VN", "Việt Nam", UnitLevel.COUNTRY, None, "2025-03")
    nam_dinh = unit("36", "Tỉnh Nam Định", UnitLevel.PROVINCE, old_country, "2025-03")
    vu_ban = unit("359", "Huyện Vụ Bản", UnitLevel.DISTRICT, nam_dinh, "2025-03")
    return UnitTree(
        country=country,
        province=province,
        commune_a=unit("13669", "Phường Nam Định", UnitLevel.COMMUNE, province),
        commune_b=unit("14464", "Xã Gia Viễn", UnitLevel.COMMUNE, province),
        other_province=other,
        other_commune=unit("00004", "Phường Ba Đình", UnitLevel.COMMUNE, other),
        district=vu_ban,
        district_commune=unit("13741", "Thị trấn Gôi", UnitLevel.COMMUNE, vu_ban, "2025-03"),
    )


def cccd_for(*, birth_year: int, sex: str, province: str = "036", serial: int = 1) -> str:
    century = cccd_century_digit(birth_year=birth_year, sex=sex)
    return f"{province}{century}{birth_year % 100:02d}{serial:06d}"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = "Nguyễn Văn An"
    name_key = factory.LazyAttribute(lambda p: fold(p.full_name))
    sex = Sex.MALE
    birth_date = dt.date(1985, 4, 12)
    birth_year = factory.LazyAttribute(lambda p: p.birth_date.year if p.birth_date else 1985)
    id_kind = IdKind.CCCD
    # Serials from 500,001: the tests' own documents of this prefix (036085001234, a person
    # of the national template) lie below, and a run of the suite makes a few thousand persons:
    # counted from 1, its 1,234th person took that document.
    id_number = factory.Sequence(lambda n: cccd_for(birth_year=1985, sex="M", serial=500_001 + n))
    phone = factory.Sequence(lambda n: f"+8491{n:07d}")
    phone_network = "Vinaphone"
