from sosuckhoe.places.models import AdminUnit, UnitLevel
from sosuckhoe.places.services import CURRENT_EDITION


def province_by_code(*, code: str, edition: str = CURRENT_EDITION.key) -> AdminUnit:
    return AdminUnit.objects.get(edition=edition, code=code, level=UnitLevel.PROVINCE)


def country_root(*, edition: str = CURRENT_EDITION.key) -> AdminUnit:
    return AdminUnit.objects.get(path=f"{edition}/")
