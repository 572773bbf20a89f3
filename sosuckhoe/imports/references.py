"""The records an import's rows name (communes, priority groups, vaccines, lots, sites), by
code or by name, read once per import and kept in memory: a row is then parsed without a
query, whatever the number of rows."""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from uuid import UUID

from django.utils.translation import gettext as _

from sosuckhoe.core.text import compact_code
from sosuckhoe.imports.cells import CellProblem, text
from sosuckhoe.imports.mapping import label_key
from sosuckhoe.imports.readers import Cell
from sosuckhoe.people.codes import ethnicity_choices, occupation_choices
from sosuckhoe.places.models import AdminUnit, Facility, UnitLevel
from sosuckhoe.places.selectors import unit_current
from sosuckhoe.places.services import CROSSWALK, CURRENT_EDITION
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.vaccination.models import PriorityGroup
from sosuckhoe.vaccination.services.batch import unknown_record

T = TypeVar("T")

_COMMUNE_CODE_LENGTH = 5
# What people write before a commune's name: "Xã", "Phường", "TT.", "P." …
_UNIT_PREFIX = re.compile(r"^(?:xa|phuong|thi tran|dac khu|tt|p|x)\s+")


def _unit_key(name: str) -> str:
    return _UNIT_PREFIX.sub("", label_key(name))


def _index(pairs: Iterable[tuple[str, T]]) -> dict[str, list[T]]:
    found: dict[str, list[T]] = defaultdict(list)
    for key, record in pairs:
        if key and record not in found[key]:
            found[key].append(record)
    return dict(found)


def _product_names(product: Product) -> set[str]:
    """A vaccine's names as lists write them: key, family, name, each part of the name
    ("Vero Cell", "Sinopharm") and the first word of each ("Pfizer", "AstraZeneca")."""
    parts = [p for p in re.split(r"[()/;,]", product.name) if p.strip()]
    names = {product.key, product.family, product.name, *parts}
    names |= {label_key(p).split(" ")[0] for p in parts}
    return {label_key(n) for n in names}


@dataclass
class References:
    """Lookups within `scope` (the unit of the import; the whole country without one)."""

    scope: AdminUnit | None = None
    communes_by_code: dict[str, AdminUnit] = field(default_factory=dict)
    communes_by_name: dict[str, list[AdminUnit]] = field(default_factory=dict)
    groups: dict[int, PriorityGroup] = field(default_factory=dict)
    products: dict[str, list[Product]] = field(default_factory=dict)
    lots: dict[tuple[int, str], Lot] = field(default_factory=dict)
    sites_by_name: dict[str, list[Facility]] = field(default_factory=dict)
    sites_by_uuid: dict[str, Facility] = field(default_factory=dict)
    old_codes: dict[str, AdminUnit | CellProblem] = field(default_factory=dict)

    @classmethod
    def load(cls, *, scope: AdminUnit | None, doses: bool) -> "References":
        refs = cls(scope=scope)
        communes = AdminUnit.objects.filter(
            edition=CURRENT_EDITION.key, level=UnitLevel.COMMUNE
        ).select_related("parent")
        if scope is not None:
            communes = communes.filter(path__startswith=scope.path)
        for unit in communes:
            refs.communes_by_code[unit.code] = unit
        refs.communes_by_name = _index(
            [(_unit_key(u.name), u) for u in refs.communes_by_code.values()]
            + [(_unit_key(u.short_name), u) for u in refs.communes_by_code.values()]
        )
        refs.groups = {g.code: g for g in PriorityGroup.objects.all()}
        if doses:
            refs._load_supply()
        return refs

    def _load_supply(self) -> None:
        products = list(Product.objects.all())
        self.products = _index([(n, p) for p in products for n in _product_names(p)])
        for lot in Lot.objects.all():
            self.lots[(lot.product_id, lot.number)] = lot
        sites = Facility.objects.filter(is_vaccination_site=True).select_related("unit")
        if self.scope is not None:
            sites = sites.filter(unit__path__startswith=self.scope.path)
        found = list(sites)
        self.sites_by_name = _index([(label_key(s.name), s) for s in found])
        self.sites_by_uuid = {str(s.uuid): s for s in found}

    def commune(self, value: Cell) -> AdminUnit:
        """A commune of today by its code (of today, or of before July 2025 when it went
        whole into one commune) or by its name."""
        raw = text(value)
        if raw.isdigit():
            return self._commune_by_code(raw.zfill(_COMMUNE_CODE_LENGTH))
        found = self.communes_by_name.get(_unit_key(raw), [])
        if len(found) > 1:
            raise CellProblem(_("Several communes have this name; write the commune's code."))
        if not found:
            raise CellProblem(_("No commune of the unit has this code or name."))
        return found[0]

    def _commune_by_code(self, code: str) -> AdminUnit:
        if code in self.communes_by_code:
            return self.communes_by_code[code]
        if code not in self.old_codes:
            self.old_codes[code] = self._old_commune(code)
        found = self.old_codes[code]
        if isinstance(found, CellProblem):
            raise found
        return found

    def _old_commune(self, code: str) -> AdminUnit | CellProblem:
        """Today's commune of a code of before July 2025, or why there is none."""
        try:
            current = unit_current(code=code, edition=CROSSWALK.old.key)
        except AdminUnit.DoesNotExist:
            return CellProblem(_("No commune of the unit has this code or name."))
        if current.unit is None or current.unit.code not in self.communes_by_code:
            return CellProblem(
                _("This commune was split or is outside the unit; write today's commune.")
            )
        return self.communes_by_code[current.unit.code]

    def priority_group(self, value: Cell) -> PriorityGroup:
        digits = re.findall(r"\d+", text(value))
        group = self.groups.get(int(digits[0])) if len(digits) == 1 else None
        if group is None:
            raise CellProblem(_("Not the code of a priority group."))
        return group

    def product(self, value: Cell) -> Product:
        found = self.products.get(label_key(text(value)), [])
        if len(found) > 1:
            # "Pfizer" names two formulations: the family's own is meant unless said.
            found = [p for p in found if p.key == p.family] or found
        if len(found) != 1:
            raise CellProblem(str(unknown_record("product").messages[0]))
        return found[0]

    def lot(self, product: Product, value: Cell) -> Lot:
        lot = self.lots.get((product.pk, compact_code(text(value))))
        if lot is None:
            raise CellProblem(str(unknown_record("lot").messages[0]))
        return lot

    def site(self, value: Cell) -> Facility:
        raw = text(value)
        found = self.sites_by_name.get(label_key(raw), [])
        if not found and _is_uuid(raw):
            found = [s for s in [self.sites_by_uuid.get(str(UUID(raw)))] if s is not None]
        if len(found) != 1:
            raise CellProblem(str(unknown_record("site").messages[0]))
        return found[0]


def _is_uuid(raw: str) -> bool:
    try:
        UUID(raw)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class CodedList:
    """A list of codes with Vietnamese names (ethnicities, occupations): by code or name."""

    by_key: dict[str, str]

    @classmethod
    def of(cls, choices: Sequence[tuple[str, str]]) -> "CodedList":
        keys = {code: code for code, _name in choices}
        for code, name in choices:
            # Vietnamese whatever language is active, and English where the list has it.
            keys[label_key(str.__str__(name) if isinstance(name, str) else str(name))] = code
            if english := getattr(name, "english", ""):
                keys[label_key(english)] = code
        return cls(by_key=keys)

    def code(self, value: Cell, message: str) -> str:
        raw = text(value)
        found = (
            self.by_key.get(raw) or self.by_key.get(raw.zfill(2)) or self.by_key.get(label_key(raw))
        )
        if found is None:
            raise CellProblem(message)
        return found


def ethnicities() -> CodedList:
    return CodedList.of(ethnicity_choices())


def occupations() -> CodedList:
    return CodedList.of(occupation_choices())
