"""Doses from the API: one a request through `dose_record`, or a batch through
`doses_record_batch`, whose items are each accepted or refused on their own."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError as InvalidRequest

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.api.errors import error_body, refusal_answer
from sosuckhoe.api.serializers.requests import DoseItemIn
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.vaccination.models import Dose, Screening
from sosuckhoe.vaccination.services import dose_record
from sosuckhoe.vaccination.services.batch import DoseItem, doses_record_batch


@dataclass(frozen=True)
class DoseRefs:
    """The records one dose names."""

    person: Person
    product: Product
    lot: Lot
    site: Facility
    screening: Screening | None


def _unknown() -> dict[str, ValidationError]:
    # The codes and words of the batch service, so that one dose and a batch item that name
    # the same wrong record are refused alike.
    return {
        "person": ValidationError(_("No such person."), code="person_not_found"),
        "site": ValidationError(_("No such vaccination site."), code="site_not_found"),
        "product": ValidationError(_("No vaccine has this key."), code="product_unknown"),
        "lot": ValidationError(_("No lot of this vaccine has this number."), code="lot_unknown"),
        "screening": ValidationError(_("No such screening."), code="screening_not_found"),
    }


def dose_refs(item: Mapping[str, Any]) -> DoseRefs:
    """The records a dose names (unscoped: the service checks the scope); refused with the
    fields that name none. Three queries: this runs for every dose sent one a request."""
    person = Person.objects.select_related("home_unit").filter(uuid=item["person"]).first()
    site = Facility.objects.select_related("unit").filter(uuid=item["site"]).first()
    # Lot numbers are kept as lot_register writes them: no spaces, upper case.
    number = "".join(item["lot"].split()).upper()
    lot = (
        Lot.objects.select_related("product")
        .filter(product__key=item["product"], number=number)
        .first()
    )
    screening = None
    if item["screening"] is not None:
        screening = Screening.objects.filter(uuid=item["screening"]).first()
    named: dict[str, object] = {"person": person, "site": site, "lot": lot}
    if item["screening"] is not None:
        named["screening"] = screening
    if lot is None and not Product.objects.filter(key=item["product"]).exists():
        named["product"] = None
    if person is None or site is None or lot is None or None in named.values():
        unknown = _unknown()
        raise ValidationError({f: unknown[f] for f, record in named.items() if record is None})
    return DoseRefs(person=person, product=lot.product, lot=lot, site=site, screening=screening)


def dose_record_item(*, actor: Actor, item: Mapping[str, Any], refs: DoseRefs) -> Dose:
    return dose_record(
        actor=actor,
        person=refs.person,
        product=refs.product,
        lot=refs.lot,
        site=refs.site,
        given_at=item["given_at"],
        vaccinator=actor.user,
        screening=refs.screening,
        late_entry_reason=item["late_entry_reason"],
        use_stock=item["use_stock"],
        submission_key=item["submission_key"],
    )


def _item(actor: Actor, values: Mapping[str, Any]) -> DoseItem:
    return DoseItem(vaccinator=actor.user.get_username() if actor.user else "", **values)


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
            valid[index] = _item(actor, form.run_validation(raw))
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
