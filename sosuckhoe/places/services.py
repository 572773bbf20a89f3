"""Loading the national lists of administrative units into one tree per edition."""

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from sosuckhoe.places.cache import tree_changed
from sosuckhoe.places.models import AdminUnit, Facility, FacilityKind, UnitLevel, UnitSuccessor

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Edition:
    """One published list of units and the days it was in force."""

    key: str
    filename: str
    valid_from: dt.date
    valid_until: dt.date | None


EDITIONS = (
    Edition(
        "2025-03", "vn_admin_units_2025-03-01_3level.csv", dt.date(2025, 3, 1), dt.date(2025, 6, 30)
    ),
    Edition("2025-07", "vn_admin_units_2025-07-01_2level.csv", dt.date(2025, 7, 1), None),
)
CURRENT_EDITION = EDITIONS[-1]


@dataclass(frozen=True)
class Crosswalk:
    """A published mapping of one edition's communes to the communes they became."""

    filename: str
    old: Edition
    new: Edition


CROSSWALK = Crosswalk("commune_crosswalk_2025-03_to_2025-07.csv", EDITIONS[0], EDITIONS[1])


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    short_name: str
    level: str
    type_name: str
    path: str
    parent_path: str | None


@dataclass(frozen=True)
class UnplacedRow:
    """A crosswalk row naming a code that is no commune of its edition here."""

    line: int
    old_code: str
    new_code: str
    missing: tuple[str, ...]  # "<edition>/<code>" of each code not found


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    unplaced: list[UnplacedRow] = field(default_factory=list)


def _rows_of(edition: Edition) -> Iterator[UnitRow]:
    """The units of one edition file, parents before children, each once."""
    root = f"{edition.key}/"
    yield UnitRow("VN", "Việt Nam", "Việt Nam", UnitLevel.COUNTRY, "Quốc gia", root, None)
    seen: set[str] = set()
    with (DATA_DIR / edition.filename).open(newline="", encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            parent = root
            for level, prefix in (
                (UnitLevel.PROVINCE, "province"),
                (UnitLevel.DISTRICT, "district"),
                (UnitLevel.COMMUNE, "commune"),
            ):
                code = rec[f"{prefix}_code"]
                if not code:
                    continue
                path = f"{parent}{code}/"
                if path not in seen:
                    seen.add(path)
                    yield UnitRow(
                        code,
                        rec[f"{prefix}_name"],
                        rec[f"{prefix}_short_name"],
                        level,
                        rec[f"{prefix}_type"],
                        path,
                        parent,
                    )
                parent = path


_COMPARED = ("code", "name", "short_name", "level", "type_name", "valid_from", "valid_until")


def _wanted_fields(row: UnitRow, edition: Edition) -> dict[str, object]:
    return {
        "code": row.code,
        "name": row.name,
        "short_name": row.short_name,
        "level": row.level,
        "type_name": row.type_name,
        "valid_from": edition.valid_from,
        "valid_until": edition.valid_until,
    }


@transaction.atomic
def units_load(*, edition: Edition) -> LoadReport:
    """Create or refresh the units of an edition; a second run changes nothing."""
    report = LoadReport()
    existing = {u.path: u for u in AdminUnit.objects.filter(edition=edition.key)}
    changed: list[AdminUnit] = []
    new_by_depth: dict[int, list[UnitRow]] = {}
    for row in _rows_of(edition):
        wanted = _wanted_fields(row, edition)
        unit = existing.get(row.path)
        if unit is None:
            new_by_depth.setdefault(row.path.count("/"), []).append(row)
        elif any(getattr(unit, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(unit, k, v)
            changed.append(unit)
        else:
            report.unchanged += 1
    # Parents are created a level before their children, so their ids are known.
    for depth in sorted(new_by_depth):
        created = AdminUnit.objects.bulk_create(
            AdminUnit(
                edition=edition.key,
                path=row.path,
                parent=existing[row.parent_path] if row.parent_path else None,
                **_wanted_fields(row, edition),
            )
            for row in new_by_depth[depth]
        )
        existing.update((u.path, u) for u in created)
        report.created += len(created)
    AdminUnit.objects.bulk_update(changed, _COMPARED, batch_size=1000)
    report.updated = len(changed)
    if report.created or report.updated:  # what requests keep of the tree is stale
        transaction.on_commit(tree_changed)
    return report


def _commune_ids(edition: Edition) -> dict[str, int]:
    communes = AdminUnit.objects.filter(edition=edition.key, level=UnitLevel.COMMUNE)
    return dict(communes.values_list("code", "id"))


def _wanted_links(crosswalk: Crosswalk, report: LoadReport) -> dict[tuple[int, int], int]:
    """(old id, new id) → split count of every row whose two communes are here; the other
    rows go to the report."""
    old_ids, new_ids = _commune_ids(crosswalk.old), _commune_ids(crosswalk.new)
    wanted: dict[tuple[int, int], int] = {}
    with (DATA_DIR / crosswalk.filename).open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        for rec in reader:
            old_code, new_code = rec["old_commune_code"], rec["new_commune_code"]
            old_id, new_id = old_ids.get(old_code), new_ids.get(new_code)
            if old_id is not None and new_id is not None:
                wanted[(old_id, new_id)] = int(rec["new_communes_for_old"])
                continue
            missing = [f"{crosswalk.old.key}/{old_code}"] if old_id is None else []
            missing += [f"{crosswalk.new.key}/{new_code}"] if new_id is None else []
            report.unplaced.append(UnplacedRow(reader.line_num, old_code, new_code, tuple(missing)))
    return wanted


@transaction.atomic
def unit_successors_load(*, crosswalk: Crosswalk = CROSSWALK) -> LoadReport:
    """Link each old commune to the commune(s) it became, from the crosswalk file; rows whose
    codes are not here are reported, not loaded. A second run changes nothing."""
    report = LoadReport()
    wanted = _wanted_links(crosswalk, report)
    links = UnitSuccessor.objects.filter(
        old__edition=crosswalk.old.key, new__edition=crosswalk.new.key
    ).values_list("pk", "old_id", "new_id", "split_count")
    # Plain tuples, not 10,000 model instances: a second run is mostly this comparison.
    existing = {(old_id, new_id): (pk, count) for pk, old_id, new_id, count in links}
    new: list[UnitSuccessor] = []
    changed: list[UnitSuccessor] = []
    for (old_id, new_id), split_count in wanted.items():
        known = existing.get((old_id, new_id))
        if known is None:
            new.append(UnitSuccessor(old_id=old_id, new_id=new_id, split_count=split_count))
        elif known[1] != split_count:
            changed.append(UnitSuccessor(pk=known[0], split_count=split_count))
        else:
            report.unchanged += 1
    # A pair the file no longer has was a mistake of an earlier crosswalk.
    stale = [pk for pair, (pk, _count) in existing.items() if pair not in wanted]
    UnitSuccessor.objects.bulk_create(new, batch_size=1000)
    UnitSuccessor.objects.bulk_update(changed, ["split_count"], batch_size=1000)
    for start in range(0, len(stale), 1000):
        UnitSuccessor.objects.filter(pk__in=stale[start : start + 1000]).delete()
    report.created, report.updated, report.removed = len(new), len(changed), len(stale)
    return report


@transaction.atomic
def commune_stations_ensure(*, province: AdminUnit) -> int:
    """Give every commune of a province its health station, as every commune has one."""
    communes = AdminUnit.objects.subtree_of(province).filter(level=UnitLevel.COMMUNE)
    have = set(
        Facility.objects.filter(kind=FacilityKind.COMMUNE_STATION, unit__in=communes).values_list(
            "unit_id", flat=True
        )
    )
    new = [
        Facility(
            name=f"Trạm Y tế {commune.name}",
            kind=FacilityKind.COMMUNE_STATION,
            unit=commune,
            is_vaccination_site=True,
        )
        for commune in communes
        if commune.pk not in have
    ]
    Facility.objects.bulk_create(new)
    return len(new)
