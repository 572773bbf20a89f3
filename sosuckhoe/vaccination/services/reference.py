"""Loading the reference data of `vaccination/data`: idempotent, so it runs on every deploy."""

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction

from sosuckhoe.vaccination.models import (
    AefiTerm,
    FormKind,
    PriorityGroup,
    ScreeningForm,
    ScreeningItem,
    ScreeningOutcome,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class FormSource:
    kind: str
    version: str
    title: str
    valid_from: dt.date
    filename: str


# 3802 stays in force: the items of its successor (5785/QĐ-BYT, 21/12/2021) were not read.
FORMS = (
    FormSource(
        FormKind.ADULT,
        "3802/QĐ-BYT",
        "Phiếu sàng lọc trước tiêm chủng vắc xin phòng COVID-19",
        dt.date(2021, 8, 10),
        "screening_adult.csv",
    ),
    FormSource(
        FormKind.CHILD,
        "5002/QĐ-BYT",
        "Bảng kiểm trước tiêm chủng vắc xin phòng COVID-19 đối với trẻ em",
        dt.date(2021, 10, 29),
        "screening_child.csv",
    ),
)

# The files' words for the outcome of a "yes", on the five conclusions of the forms. The
# children's "refer to hospital" is the adults' "vaccinate where anaphylaxis can be treated".
OUTCOME_OF_FILE = {
    "contraindicated_same_vaccine": ScreeningOutcome.CONTRAINDICATED,
    "postpone": ScreeningOutcome.POSTPONE,
    "vaccinate_at_hospital": ScreeningOutcome.AT_HOSPITAL,
    "refer_to_hospital": ScreeningOutcome.AT_HOSPITAL,
    "caution": ScreeningOutcome.CAUTION,
}
# A question whose source gives no outcome (the children's item 8, "other contraindications
# or postponements", footnote not read): not today, and the screener writes what it is.
UNREAD_OUTCOME = ScreeningOutcome.POSTPONE
# Groups at high exposure for the fourth dose of 2022: "health workers, frontline staff,
# industrial-zone workers" (sggpnews.org.vn 12/05/2022; hcdc.vn 24/06/2022): the health sector,
# epidemic response, army, police, and workers of enterprises and industrial zones.
HIGH_EXPOSURE_GROUPS = frozenset({1, 2, 3, 4, 13})
# Items whose "yes" makes the person immunocompromised for the schedule's additional dose.
IMMUNOCOMPROMISED_ITEMS = {(FormKind.ADULT, "6")}


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, label: str, created: bool, changed: bool) -> None:
        if created:
            self.created[label] = self.created.get(label, 0) + 1
        elif changed:
            self.updated[label] = self.updated.get(label, 0) + 1


def _rows(filename: str) -> Iterator[dict[str, str]]:
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _on_record(queryset: models.QuerySet[Any], *attnames: str) -> dict[tuple[Any, ...], Any]:
    """The rows on record by their key (the values of `attnames`), read in one query: a load
    that finds them as the files say (every start, every test) reads none row by row."""
    return {tuple(getattr(row, name) for name in attnames): row for row in queryset}


def _upsert(
    existing: dict[tuple[Any, ...], Any],
    model: type[models.Model],
    keys: dict[str, Any],
    values: dict[str, Any],
) -> tuple[Any, bool, bool]:
    """Create the row, or bring it to `values`; say whether it was created or changed."""
    key = tuple(value.pk if isinstance(value, models.Model) else value for value in keys.values())
    row = existing.get(key)
    if row is None:
        return model._default_manager.create(**keys, **values), True, False
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    if changed:
        row.save(update_fields=changed)
    return row, False, bool(changed)


def _load_priority_groups(report: LoadReport) -> None:
    existing = _on_record(PriorityGroup.objects.all(), "code")
    for row in _rows("priority_groups.csv"):
        code = int(row["code"])
        values = {
            "name_vi": row["name_vi"],
            "name_en": row["name_en"],
            "high_exposure": code in HIGH_EXPOSURE_GROUPS,
            "source": row["source"],
        }
        _, created, changed = _upsert(existing, PriorityGroup, {"code": code}, values)
        report.count("priority_groups", created, changed)


def _item_values(kind: str, position: int, row: dict[str, str]) -> dict[str, Any]:
    outcome = OUTCOME_OF_FILE.get(row["outcome_if_yes"], "")
    if not outcome and row["answer_type"].startswith("yes_no"):
        outcome = UNREAD_OUTCOME
    return {
        "position": position,
        "text_vi": row["text_vi"],
        "text_en": row["text_en"],
        "answer_type": row["answer_type"],
        "outcome_if_yes": outcome,
        "marks_immunocompromised": (kind, row["item"]) in IMMUNOCOMPROMISED_ITEMS,
        "notes": row["notes"],
    }


def _load_form(source: FormSource, report: LoadReport) -> None:
    rows = list(_rows(source.filename))
    values = {"title": source.title, "valid_from": source.valid_from, "source": rows[0]["source"]}
    forms = _on_record(ScreeningForm.objects.all(), "kind", "version")
    form, created, changed = _upsert(
        forms, ScreeningForm, {"kind": source.kind, "version": source.version}, values
    )
    report.count("screening_forms", created, changed)
    _make_room(form, [row["item"] for row in rows])
    items = _on_record(ScreeningItem.objects.filter(form=form), "form_id", "code")
    for position, row in enumerate(rows, start=1):
        item_values = _item_values(source.kind, position, row)
        _, created, changed = _upsert(
            items, ScreeningItem, {"form": form, "code": row["item"]}, item_values
        )
        report.count("screening_items", created, changed)


def _make_room(form: ScreeningForm, codes: list[str]) -> None:
    """Move positions out of the way when the file reorders the items, so that the unique
    (form, position) does not collide with the order being replaced."""
    stored = dict(ScreeningItem.objects.filter(form=form).values_list("code", "position"))
    wanted = {code: position for position, code in enumerate(codes, start=1)}
    if any(wanted.get(code) != position for code, position in stored.items()):
        ScreeningItem.objects.filter(form=form).update(position=models.F("position") + 1000)


def _load_aefi_terms(report: LoadReport) -> None:
    existing = _on_record(AefiTerm.objects.all(), "code")
    for row in _rows("aefi_terms.csv"):
        values = {
            "category": row["category"],
            "term_vi": row["term_vi"],
            "term_en": row["term_en"],
            "source": row["source"],
        }
        _, created, changed = _upsert(existing, AefiTerm, {"code": row["code"]}, values)
        report.count("aefi_terms", created, changed)


@transaction.atomic
def vaccination_reference_load() -> LoadReport:
    """Bring priority groups, screening forms and reaction terms to the files' content."""
    report = LoadReport()
    _load_priority_groups(report)
    for source in FORMS:
        _load_form(source, report)
    _load_aefi_terms(report)
    return report
