from dataclasses import dataclass

from sosuckhoe.places.cache import tree_cached
from sosuckhoe.places.models import AdminUnit, UnitLevel, UnitSuccessor
from sosuckhoe.places.services import CURRENT_EDITION


def province_by_code(*, code: str, edition: str = CURRENT_EDITION.key) -> AdminUnit:
    return AdminUnit.objects.get(edition=edition, code=code, level=UnitLevel.PROVINCE)


def country_root(*, edition: str = CURRENT_EDITION.key) -> AdminUnit:
    return AdminUnit.objects.get(path=f"{edition}/")


def unit_by_code(*, code: str, edition: str = CURRENT_EDITION.key) -> AdminUnit:
    """The unit of an edition with this official code; AdminUnit.DoesNotExist if none."""
    return AdminUnit.objects.get(edition=edition, code=code)


def unit_within(*, unit: AdminUnit, code: str) -> AdminUnit:
    """The unit of `unit`'s edition with this code, when it lies in `unit`'s subtree;
    AdminUnit.DoesNotExist if none. Read through the tree's cache: a page asks it each time."""
    # Official codes are a few digits (the country's root "VN"): anything else is no key.
    if not (code.isascii() and code.isalnum() and len(code) <= 8):
        raise AdminUnit.DoesNotExist
    edition = unit.edition
    found = tree_cached(
        f"places:code:{edition}:{code}", lambda: unit_by_code(code=code, edition=edition)
    )
    if not found.path.startswith(unit.path):
        raise AdminUnit.DoesNotExist
    return found


def unit_children(*, unit: AdminUnit) -> list[AdminUnit]:
    """The units directly below `unit`, in list order, read through the tree's cache."""
    return tree_cached(f"places:children:{unit.pk}", lambda: list(unit.children.order_by("path")))


def unit_successors(*, unit: AdminUnit) -> list[AdminUnit]:
    """The units of the next edition that this unit became (part of), in list order."""
    units = AdminUnit.objects.filter(predecessor_links__old=unit).select_related("parent")
    return list(units.order_by("path"))


def unit_predecessors(*, unit: AdminUnit) -> list[AdminUnit]:
    """The units of the edition before that this unit was formed from, in list order."""
    units = AdminUnit.objects.filter(successor_links__new=unit).select_related("parent")
    return list(units.order_by("path"))


@dataclass(frozen=True)
class CurrentUnit:
    """Where records of a unit belong today: `unit` when that is certain; else the
    `candidates` of a split (the address decides), or none when the crosswalk is silent."""

    of: AdminUnit
    unit: AdminUnit | None
    candidates: tuple[AdminUnit, ...] = ()

    @property
    def is_split(self) -> bool:
        return bool(self.candidates)


def unit_current(*, code: str, edition: str) -> CurrentUnit:
    """Which unit of the current edition the unit `code` of `edition` is now."""
    unit = unit_by_code(code=code, edition=edition)
    if unit.edition == CURRENT_EDITION.key:
        return CurrentUnit(of=unit, unit=unit)
    links = list(
        UnitSuccessor.objects.filter(old=unit, new__edition=CURRENT_EDITION.key)
        .select_related("new__parent")
        .order_by("new__path")
    )
    if len(links) == 1 and links[0].split_count == 1:
        return CurrentUnit(of=unit, unit=links[0].new)
    return CurrentUnit(of=unit, unit=None, candidates=tuple(link.new for link in links))
