"""Doses from the API: one a request as `dose_record` records it, or a batch through
`doses_record_batch`, whose items are each accepted or refused on their own."""

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError as InvalidRequest

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.api.errors import error_body, refusal_answer
from sosuckhoe.api.serializers.requests import DoseItemIn
from sosuckhoe.core import rows
from sosuckhoe.core.text import compact_code
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit, Facility
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.vaccination.models import Dose, Screening
from sosuckhoe.vaccination.services.batch import DoseItem, doses_record_batch, unknown_record
from sosuckhoe.vaccination.services.common import person_locked_by_uuid
from sosuckhoe.vaccination.services.doses import DoseEntry, dose_record_entry
from sosuckhoe.vaccination.services.eligibility import PersonFacts, person_facts


@dataclass(frozen=True)
class DoseRefs:
    """The records one dose names."""

    person: Person
    product: Product
    lot: Lot
    site: Facility
    screening: Screening | None
    facts: PersonFacts | None  # the person's, when read to find the screening


def dose_refs(item: Mapping[str, Any]) -> DoseRefs:
    """The records a dose names (unscoped: the service checks the scope); refused with the
    fields that name none. The person is read locked, as person_locked reads it: the caller's
    transaction takes that lock first, and the dose is recorded without reading it again."""
    person = person_locked_by_uuid(item["person"])
    number = compact_code(item["lot"])  # as lot_register keeps it
    site, lot = _site_and_lot(item["site"], item["product"], number)
    screening, facts = None, None
    if item["screening"] is not None:
        screening, facts = _screening_named(item["screening"], person)
    named: dict[str, object] = {"person": person, "site": site, "lot": lot}
    if item["screening"] is not None:
        named["screening"] = screening
    if lot is None and not Product.objects.filter(key=item["product"]).exists():
        named["product"] = None
    if person is None or site is None or lot is None or None in named.values():
        # Refused with the batch service's codes and words, so that one dose and a batch item
        # that name the same wrong record are refused alike.
        raise ValidationError(
            {f: unknown_record(f) for f, record in named.items() if record is None}
        )
    return DoseRefs(
        person=person,
        product=lot.product,
        lot=lot,
        site=site,
        screening=screening,
        facts=facts,
    )


@cache
def _site_and_lot_sql() -> str:
    return (
        f"SELECT {rows.select_list(Facility, 'f')}, {rows.select_list(AdminUnit, 'u')},"
        f" {rows.select_list(Lot, 'l')}, {rows.select_list(Product, 'p')}"
        " FROM places_facility f JOIN places_adminunit u ON u.id = f.unit_id,"
        " supply_lot l JOIN supply_product p ON p.id = l.product_id"
        " WHERE f.uuid = %s AND p.key = %s AND l.number = %s"
    )


def _site_and_lot(
    site_uuid: UUID, product_key: str, number: str
) -> tuple[Facility | None, Lot | None]:
    """The site with its unit and the lot with its product: one statement written once
    (`core.rows`), where two querysets were compiled on every dose; when either is missing,
    each is looked for alone, to say which."""
    params = [rows.param(Facility, "uuid", site_uuid), product_key, number]
    found = rows.one(_site_and_lot_sql(), params, Facility, AdminUnit, Lot, Product)
    if found is None:
        site = Facility.objects.select_related("unit").filter(uuid=site_uuid).first()
        lots = Lot.objects.select_related("product")
        return site, lots.filter(product__key=product_key, number=number).first()
    site, site.unit, lot, lot.product = found
    return site, lot


def _screening_named(
    uuid: UUID, person: Person | None
) -> tuple[Screening | None, PersonFacts | None]:
    """The screening a dose names, nearly always the person's own: found among the facts the
    dose is judged on (read now rather than by the service), else read by its uuid."""
    facts = person_facts([person.pk])[person.pk] if person is not None else None
    own = [s for s in facts.screenings if s.uuid == uuid] if facts is not None else []
    return (own[0] if own else Screening.objects.filter(uuid=uuid).first()), facts


@transaction.atomic
def dose_record_item(*, actor: Actor, item: Mapping[str, Any]) -> Dose:
    """One dose sent alone, as dose_record records it, in one transaction with the reading of
    its records (the person's lock the first): one read of the person a dose fewer."""
    refs = dose_refs(item)
    entry = DoseEntry(
        person=refs.person,
        product=refs.product,
        lot=refs.lot,
        site=refs.site,
        given_at=item["given_at"],
        vaccinator=actor.user,
        screening=refs.screening,
        booking=None,
        late_entry_reason=item["late_entry_reason"],
        use_stock=item["use_stock"],
    )
    return dose_record_entry(
        actor=actor, entry=entry, submission_key=item["submission_key"], facts=refs.facts
    )


def _item(actor: Actor, values: Mapping[str, Any]) -> DoseItem:
    return DoseItem(vaccinator=actor.user.get_username() if actor.user else "", **values)


# What DRF's CharField refuses in any text: the NUL character and lone surrogates.
_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")


def _plain_text(value: object, max_length: int, *, blank: bool = False) -> str | None:
    """A text field's value as DoseItemIn keeps it (stripped), or None for the serializer."""
    if not isinstance(value, str) or _UNSAFE_TEXT.search(value):
        return None
    value = value.strip()
    if len(value) > max_length or (not value and not blank):
        return None
    return value


def _plain_uuid(value: object) -> UUID | None:
    return UUID(value) if isinstance(value, str) and len(value) == 36 else None


def _plain_time(value: object) -> dt.datetime | None:
    """An ISO 8601 time with its offset, in the project's zone, as DateTimeField reads it
    (Django's parser tries `fromisoformat` first); a time without an offset, or one the zone
    cannot hold, goes to the serializer. The zone is named, not looked up as the active one
    (the same zone: no other is activated), which was most of the field's cost."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            return None
        return parsed.astimezone(timezone.get_default_timezone())
    except (ValueError, OverflowError):
        return None


def _plain_item(raw: object) -> dict[str, Any] | None:
    """The values of an item as DoseItemIn.run_validation gives them, when each is of the
    form a client sends (texts, UUIDs as 36 characters, the time in ISO 8601), checked by the
    same rules; else None, and the serializer judges the item and words what is wrong. A
    fifth of the serializer's cost: its machinery, not the values, was a tenth of a batch."""
    if not isinstance(raw, dict):
        return None
    try:
        values = {
            "person": _plain_uuid(raw["person"]),
            "product": _plain_text(raw["product"], 40),
            "lot": _plain_text(raw["lot"], 40),
            "site": _plain_uuid(raw["site"]),
            "given_at": _plain_time(raw["given_at"]),
            "late_entry_reason": _plain_text(raw.get("late_entry_reason", ""), 300, blank=True),
        }
        optional = {k: raw.get(k) for k in ("screening", "submission_key")}
        values |= {k: None if v is None else _plain_uuid(v) for k, v in optional.items()}
    except (KeyError, ValueError):
        return None
    required = ("person", "product", "lot", "site", "given_at", "late_entry_reason")
    if any(values[k] is None for k in required):
        return None
    if any(values[k] is None and raw.get(k) is not None for k in optional):
        return None
    return values


def plain_dose(raw: object) -> dict[str, Any] | None:
    """DoseIn's values, read as _plain_item reads a batch item's, with `use_stock` when it is
    a JSON boolean or absent; else None, for the serializer."""
    values = _plain_item(raw)
    if values is None or not isinstance(raw, dict):
        return None
    use_stock = raw.get("use_stock", True)
    return {**values, "use_stock": use_stock} if isinstance(use_stock, bool) else None


def doses_batch(
    *, actor: Actor, raw_items: Sequence[Mapping[str, Any]], use_stock: bool = True
) -> list[dict[str, Any]]:
    """The batch endpoint's answer: for each item in order, accepted with its dose or refused
    with its code, message and fields."""
    results: dict[int, dict[str, Any]] = {}
    valid: dict[int, DoseItem] = {}
    # One serializer for every item: a new one per item (it copies its fields) cost three
    # times as much, a noticeable share of a batch's time.
    form = DoseItemIn()
    for index, raw in enumerate(raw_items):
        try:
            valid[index] = _item(actor, _plain_item(raw) or form.run_validation(raw))
        except InvalidRequest as error:
            body = error_body("invalid", fields=error.detail)
            results[index] = {"index": index, "accepted": False, **body}
    done = doses_record_batch(actor=actor, items=list(valid.values()), use_stock=use_stock)
    for index, result in zip(valid, done, strict=True):
        if result.dose is not None:
            dose = result.dose
            accepted = {"uuid": dose.uuid, "kind": dose.kind, "number": dose.number}
            results[index] = {"index": index, "accepted": True, **accepted}
        elif result.error is not None:
            body = refusal_answer(result.error)[1]
            results[index] = {"index": index, "accepted": False, **body}
    return [results[i] for i in range(len(raw_items))]
