"""Loading the products and the schedule rules from the files in data/; a second run changes
nothing. The EU DCC codes of each product are checked against the copied value sets."""

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import ProtectedError

from sosuckhoe.supply.cache import reference_changed
from sosuckhoe.supply.models import After, IntervalUnit, Product, ScheduleRule

M = TypeVar("M", bound=models.Model)
DATA_DIR = Path(__file__).resolve().parent / "data"
PRODUCT_FIELDS = (
    "name",
    "family",
    "dcc_code",
    "holder",
    "vaccine_type",
    "doses_per_vial",
    "dose_ml",
    "is_active",
    "source",
)
RULE_FIELDS = (
    "kind",
    "number",
    "same_as_priming",
    "after",
    "min_age",
    "max_age",
    "target",
    "measured_from",
    "interval_min",
    "interval_min_unit",
    "interval_recommended",
    "interval_recommended_unit",
    "interval_max",
    "interval_max_unit",
    "primary_doses",
    "valid_from",
    "valid_until",
    "basis",
    "source",
)
UNITS = {"d": IntervalUnit.DAY, "w": IntervalUnit.WEEK, "m": IntervalUnit.MONTH}
INTERVAL = re.compile(r"^(\d+)([dwm])$")


@dataclass
class ReferenceReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    kept: list[str] = field(default_factory=list)  # rules gone from the file, still referred to


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _value_set(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        values: dict[str, Any] = json.load(f)["valueSetValues"]
    return values


def dcc_codes_check(row: dict[str, str]) -> None:
    """Refuse a product whose mp, ma or vp is not in the value sets, or whose combination the
    encoding instructions do not list."""
    products = _value_set("vaccine-medicinal-product.json")
    holders = _value_set("vaccine-mah-manf.json")
    types = _value_set("vaccine-prophylaxis.json")
    for code, known in ((row["dcc_code"], products), (row["holder"], holders)):
        if code not in known:
            raise ValueError(f"{row['key']}: {code} is not in the EU DCC value sets")
    if row["vaccine_type"] not in types:
        raise ValueError(f"{row['key']}: {row['vaccine_type']} is not a DCC vaccine type")
    combinations = _value_set("vaccine-encoding-instructions.json").values()
    if not any(
        c["vaccine-code"] == row["dcc_code"]
        and c["vaccine-manufacturer"] == row["holder"]
        and row["vaccine_type"] in c["sct-codes"]
        for c in combinations
    ):
        raise ValueError(f"{row['key']}: the encoding instructions do not list this mp/ma/vp")


def _product_values(row: dict[str, str]) -> dict[str, Any]:
    dcc_codes_check(row)
    return {
        "name": row["name"],
        "family": row["family"],
        "dcc_code": row["dcc_code"],
        "holder": row["holder"],
        "vaccine_type": row["vaccine_type"],
        "doses_per_vial": int(row["doses_per_vial"]),
        "dose_ml": Decimal(row["dose_ml"]),
        "is_active": row["is_active"] == "true",
        "source": row["source"],
    }


def _interval(text: str) -> tuple[int | None, str]:
    if not text:
        return None, ""
    match = INTERVAL.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not an interval such as 28d, 8w or 3m")
    return int(match[1]), UNITS[match[2]]


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _keys(text: str, products: dict[str, Product]) -> list[Product]:
    """The products a column names; "*" (any) and the words of `After` name none."""
    words = text.split()
    if words in (["*"], ["same"]) or text in After.values:
        return []
    unknown = [w for w in words if w not in products]
    if unknown:
        raise ValueError(f"unknown products {unknown}")
    return [products[w] for w in words]


def _after(text: str) -> str:
    if text == "*":
        return After.ANY
    return text if text in (After.HOMOLOGOUS, After.MIXED) else After.LISTED


def _rule_values(row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": row["kind"],
        "number": int(row["number"]) if row["number"] else None,
        "same_as_priming": row["products"] == "same",
        "after": _after(row["after"]),
        "min_age": int(row["min_age"] or 0),
        "max_age": int(row["max_age"]) if row["max_age"] else None,
        "target": row["target"],
        "measured_from": row["measured_from"],
        "primary_doses": int(row["primary_doses"]) if row["primary_doses"] else None,
        "valid_from": _date(row["valid_from"]),
        "valid_until": _date(row["valid_until"]),
        "basis": row["basis"],
        "source": row["source"],
    }
    for bound in ("min", "recommended", "max"):
        values[f"interval_{bound}"], values[f"interval_{bound}_unit"] = _interval(
            row[f"interval_{bound}"]
        )
    return values


def _upsert(
    existing: dict[str, M],
    model: type[M],
    lookup: dict[str, Any],
    values: dict[str, Any],
    report: ReferenceReport,
) -> M:
    """Create the row or bring it to `values`; counts what it did in the report. `existing`
    holds the rows on record by their key, read in one query: a load that finds everything
    as the files say (every start of the platform, every test) reads, and writes, nothing
    row by row."""
    row = existing.get(next(iter(lookup.values())))
    if row is None:
        row = model(**lookup, **values)
        # Uniqueness is the database's to enforce: Django's check is a query per constraint.
        row.full_clean(validate_unique=False, validate_constraints=False)
        row.save()
        report.created += 1
        return row
    if all(getattr(row, k) == v for k, v in values.items()):
        report.unchanged += 1
        return row
    for k, v in values.items():
        setattr(row, k, v)
    row.full_clean(validate_unique=False, validate_constraints=False)
    row.save()
    report.updated += 1
    return row


def _products_load(report: ReferenceReport) -> dict[str, Product]:
    existing = {product.key: product for product in Product.objects.all()}
    products = {}
    for row in _rows("products.csv"):
        values = _product_values(row)
        products[row["key"]] = _upsert(existing, Product, {"key": row["key"]}, values, report)
    return products


def _links_set(rule: ScheduleRule, row: dict[str, str], products: dict[str, Product]) -> bool:
    """Point the rule's product lists at the file's; whether anything changed."""
    changed = False
    for relation, column in ((rule.products, "products"), (rule.after_products, "after")):
        wanted = {p.pk for p in _keys(row[column], products)}
        if {p.pk for p in relation.all()} != wanted:
            relation.set(wanted)
            changed = True
    return changed


def _links_of_new_rules(
    new: list[tuple[ScheduleRule, dict[str, str]]], products: dict[str, Product]
) -> None:
    """The product lists of the rules just created, one INSERT for each list of all of them
    (a first load, as every test's database starts)."""
    for relation, column in (
        (ScheduleRule.products, "products"),
        (ScheduleRule.after_products, "after"),
    ):
        through = relation.through
        through.objects.bulk_create(
            through(schedulerule_id=rule.pk, product_id=product.pk)
            for rule, row in new
            for product in _keys(row[column], products)
        )


def _stale_rules_remove(codes: set[str], report: ReferenceReport) -> None:
    """Delete the rules the file no longer has, unless a record refers to one."""
    for rule in ScheduleRule.objects.exclude(code__in=codes).order_by("code"):
        try:
            with transaction.atomic():
                rule.delete()
            report.removed += 1
        except ProtectedError:
            report.kept.append(rule.code)


@transaction.atomic
def supply_reference_load() -> ReferenceReport:
    """Create or refresh the products and schedule rules from data/."""
    report = ReferenceReport()
    products = _products_load(report)
    rules = ScheduleRule.objects.prefetch_related("products", "after_products")
    existing = {rule.code: rule for rule in rules}
    codes, new = set(), []
    for row in _rows("schedule_rules.csv"):
        codes.add(row["code"])
        before = report.created, report.updated
        values = _rule_values(row)
        rule = _upsert(existing, ScheduleRule, {"code": row["code"]}, values, report)
        if row["code"] not in existing:
            new.append((rule, row))
        elif _links_set(rule, row, products) and (report.created, report.updated) == before:
            report.unchanged -= 1
            report.updated += 1
    _links_of_new_rules(new, products)
    _stale_rules_remove(codes, report)
    if report.created or report.updated or report.removed:
        reference_changed()
    return report
