"""Many doses in one call (the API's batch endpoint, imports, the generator): every item is
judged by the very rules of dose_record (`dose_check`), accepted or refused on its own, and
the accepted ones are written in a few statements per chunk.

A chunk is one transaction: its persons are locked (in id order) and everything the rules
read of them, of the lots, sites and stock is loaded in a few queries; the items are judged in
the order they were given, each on the facts left by the items before it; then the doses,
their stock uses, submission keys and audit rows are inserted in bulk.
"""

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditAction, AuditEvent, StaffUser
from sosuckhoe.analytics.services import RollupChanges, rollups_apply
from sosuckhoe.core.bulk import bulk_insert
from sosuckhoe.core.idempotency import replayed
from sosuckhoe.core.models import SubmissionKey
from sosuckhoe.core.text import compact_code
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.cache import reference_pinned
from sosuckhoe.supply.models import Lot, Product, StockMovement
from sosuckhoe.supply.services import StockMoved, StockUses
from sosuckhoe.vaccination.models import Dose, Registration, RegistrationStatus, Screening
from sosuckhoe.vaccination.services.bookings import booking_close_for_dose
from sosuckhoe.vaccination.services.common import persons_locked, refusal
from sosuckhoe.vaccination.services.doses import (
    DOSE_EXISTS,
    DoseEntry,
    dose_check,
    dose_event,
    dose_of,
    renumber_after_each,
)
from sosuckhoe.vaccination.services.eligibility import PersonFacts, person_facts
from sosuckhoe.vaccination.signals import doses_changed

CHUNK = 1000  # items per transaction: the API's batch limit


# Not frozen, as other value types are: a batch builds these for every dose it judges, and a
# frozen dataclass's __init__ costs five times a plain one's (each field set through
# object.__setattr__).
@dataclass
class DoseItem:
    """One dose of a batch, its records named by instance or by what an API caller knows:
    person and site by uuid, product by key, lot by number, vaccinator by username."""

    person: Person | UUID
    product: Product | str
    lot: Lot | str
    site: Facility | UUID
    given_at: dt.datetime
    screening: Screening | UUID | None = None
    vaccinator: str = ""
    submission_key: UUID | None = None
    late_entry_reason: str = ""


@dataclass
class DoseItemResult:
    index: int
    dose: Dose | None
    error: ValidationError | None

    @property
    def accepted(self) -> bool:
        return self.dose is not None


def doses_record_batch(
    *,
    actor: Actor,
    items: Sequence[DoseItem],
    use_stock: bool = True,
    held: Collection[int] = (),
) -> list[DoseItemResult]:
    """Record each dose that the rules of dose_record allow, refuse each other with its
    reasons; results in the order of the items.

    `held`: the ids of persons that the caller holds in the transaction it is in, named by
    their instances with their home units: registered by it (an import's new persons), or
    locked by it as persons_locked locks them (document_holders_locked). No other writer can
    change them before it commits, so they are taken as given instead of locked and read
    again."""
    if held and not transaction.get_connection().in_atomic_block:
        raise ValueError("Persons are only held within a transaction.")
    held = frozenset(held)
    results: list[DoseItemResult] = []
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        try:
            results += _chunk_record(actor, chunk, start, use_stock, held, stock_locked=False)
        except StockMoved:
            results += _chunk_record(actor, chunk, start, use_stock, held, stock_locked=True)
    return results


def _pk_or(value: Any, model: type[models.Model]) -> tuple[int | None, Any]:
    """(pk, None) for a row, (None, the uuid) for a uuid."""
    return (value.pk, None) if isinstance(value, model) else (None, value)


def _key(value: Any, model: type[models.Model]) -> Any:
    """How _References keeps a row the item names: by pk for a row, else as named."""
    return value.pk if isinstance(value, model) else value


# What a dose names that is not there: the same code and words wherever the dose comes from
# (a batch item, one dose through the API).
_UNKNOWN_RECORD = {
    "person": ("person_not_found", gettext_lazy("No such person.")),
    "product": ("product_unknown", gettext_lazy("No vaccine has this key.")),
    "lot": ("lot_unknown", gettext_lazy("No lot of this vaccine has this number.")),
    "site": ("site_not_found", gettext_lazy("No such vaccination site.")),
    "screening": ("screening_not_found", gettext_lazy("No such screening.")),
}


def unknown_record(field: str) -> ValidationError:
    """The refusal of a dose whose `field` names no record."""
    code, message = _UNKNOWN_RECORD[field]
    return ValidationError(message, code=code)


@dataclass
class _References:
    """The rows the items name, read in one query per kind; the persons locked."""

    persons: dict[Any, Person] = field(default_factory=dict)
    products: dict[Any, Product] = field(default_factory=dict)
    lots: dict[Any, Lot] = field(default_factory=dict)
    sites: dict[Any, Facility] = field(default_factory=dict)
    screenings: dict[Any, Screening] = field(default_factory=dict)
    vaccinators: dict[str, StaffUser] = field(default_factory=dict)

    @classmethod
    def load(cls, items: Sequence[DoseItem], held: Collection[int]) -> "_References":
        refs = cls()
        refs._persons_lock(items, held)
        refs._products_load(items)
        refs._lots_load(items)
        sites = [_pk_or(i.site, Facility) for i in items]
        for site in Facility.objects.select_related("unit").filter(_named(sites)):
            refs.sites[site.pk] = refs.sites[site.uuid] = site
        names = {i.vaccinator for i in items if i.vaccinator}
        if names:
            refs.vaccinators = {u.username: u for u in StaffUser.objects.filter(username__in=names)}
        return refs

    def screenings_load(self, items: Sequence[DoseItem], facts: dict[int, PersonFacts]) -> None:
        """The screenings the items name: most are their persons' own, which the facts hold;
        the others (of another person, or none) are looked for."""
        for person in facts.values():
            for screening in person.screenings:
                self.screenings[screening.pk] = self.screenings[screening.uuid] = screening
        missing = [
            _pk_or(i.screening, Screening)
            for i in items
            if i.screening is not None and _key(i.screening, Screening) not in self.screenings
        ]
        if missing:
            for screening in Screening.objects.select_related("product").filter(_named(missing)):
                self.screenings[screening.pk] = self.screenings[screening.uuid] = screening

    def _persons_lock(self, items: Sequence[DoseItem], held: Collection[int]) -> None:
        ids = set()
        for person in (i.person for i in items if isinstance(i.person, Person)):
            if person.pk in held:
                self.persons[person.pk] = self.persons[person.uuid] = person
            else:
                ids.add(person.pk)
        uuids = {i.person for i in items if not isinstance(i.person, Person)}
        for person in persons_locked(ids=ids, uuids=uuids):
            self.persons[person.pk] = self.persons[person.uuid] = person

    def _products_load(self, items: Sequence[DoseItem]) -> None:
        keys = {i.product if isinstance(i.product, str) else i.product.key for i in items}
        for product in Product.objects.filter(key__in=keys):
            self.products[product.key] = product

    def _lots_load(self, items: Sequence[DoseItem]) -> None:
        pks = {i.lot.pk for i in items if isinstance(i.lot, Lot)}
        numbers = {compact_code(i.lot) for i in items if isinstance(i.lot, str)}
        found = Lot.objects.select_related("product").filter(
            Q(pk__in=pks) | Q(number__in=numbers, product__in=list(self.products.values()))
        )
        for lot in found:
            self.lots[lot.pk] = self.lots[(lot.product.key, lot.number)] = lot

    def entry(self, item: DoseItem, use_stock: bool) -> DoseEntry:
        """The item as dose_record receives it, or the refusal of a record it names wrongly."""
        person = self.persons.get(
            item.person.pk if isinstance(item.person, Person) else item.person
        )
        if person is None:
            raise unknown_record("person")
        key = item.product.key if isinstance(item.product, Product) else item.product
        product = self.products.get(key)
        if product is None:
            raise unknown_record("product")
        lot = self.lots.get(
            item.lot.pk if isinstance(item.lot, Lot) else (product.key, compact_code(item.lot))
        )
        if lot is None:
            raise unknown_record("lot")
        site = self.sites.get(_key(item.site, Facility))
        if site is None:
            raise unknown_record("site")
        return DoseEntry(
            person=person,
            product=product,
            lot=lot,
            site=site,
            given_at=item.given_at,
            vaccinator=self._vaccinator(item),
            screening=self._screening(item),
            booking=None,
            late_entry_reason=item.late_entry_reason,
            use_stock=use_stock,
        )

    def _screening(self, item: DoseItem) -> Screening | None:
        if item.screening is None:
            return None
        screening = self.screenings.get(_key(item.screening, Screening))
        if screening is None:
            raise unknown_record("screening")
        return screening

    def _vaccinator(self, item: DoseItem) -> StaffUser | None:
        if not item.vaccinator:
            return None
        user = self.vaccinators.get(item.vaccinator)
        if user is None:
            raise refusal("vaccinator_unknown", _("No member of staff has this user name."))
        return user


def _named(refs: list[tuple[int | None, Any]]) -> Q:
    """Rows named by primary key or by uuid."""
    return Q(pk__in={pk for pk, _ in refs if pk is not None}) | Q(
        uuid__in={uuid for pk, uuid in refs if pk is None}
    )


@dataclass
class _Chunk:
    """The state of one chunk while its items are judged, then written."""

    actor: Actor
    facts: dict[int, PersonFacts]
    stock: StockUses | None
    replays: dict[UUID, SubmissionKey]
    replayed: dict[UUID, Dose]
    accepted: list[tuple[int, DoseEntry, Dose, UUID | None]] = field(default_factory=list)
    by_key: dict[UUID, Dose] = field(default_factory=dict)  # key -> the dose it created here
    backdated: dict[int, Dose] = field(default_factory=dict)  # person -> earliest such dose

    def judge(self, entry: DoseEntry) -> Dose:
        """The dose of an entry the rules allow, taken from stock; else the refusal."""
        facts = self.facts[entry.person.pk]
        dose = dose_of(entry, dose_check(self.actor, entry, facts))
        if self.stock is not None:
            error = self.stock.take(
                facility=entry.site, lot=entry.lot, on=entry.given_on, reference=_reference(dose)
            )
            if error is not None:
                raise error
        last = facts.last_given_at
        if last is not None and entry.given_at <= last:
            # Before doses on record: those after it are numbered again once it is written.
            earliest = self.backdated.get(entry.person.pk)
            if earliest is None or dose.given_at < earliest.given_at:
                self.backdated[entry.person.pk] = dose
        facts.dose_added(dose)
        return dose

    def result(self, index: int, item: DoseItem, entry: DoseEntry) -> DoseItemResult:
        key = item.submission_key
        if key is not None and key in self.replays:
            return self._replay(index, self.replays[key])
        if key is not None and key in self.by_key:
            # The same key twice in one batch: the second is the first sent again.
            return DoseItemResult(index, self.by_key[key], None)
        try:
            dose = self.judge(entry)
        except ValidationError as error:
            return DoseItemResult(index, None, error)
        self.accepted.append((index, entry, dose, key))
        if key is not None:
            self.by_key[key] = dose
        return DoseItemResult(index, dose, None)

    def _replay(self, index: int, done: SubmissionKey) -> DoseItemResult:
        """What create_once answers for a key already used: its dose, or the refusal."""
        try:
            dose = replayed(done, owner=self.actor.name, found=self.replayed)
        except ValidationError as error:
            return DoseItemResult(index, None, error)
        return DoseItemResult(index, dose, None)


def _reference(dose: Dose) -> str:
    return f"dose:{dose.uuid}"


def _replayed_doses(actor: Actor, replays: dict[UUID, SubmissionKey]) -> dict[UUID, Dose]:
    if not replays:
        return {}
    doses = Dose.objects.all() if actor.user is None else Dose.objects.visible_to(actor.user)
    found = doses.filter(uuid__in=[k.result_uuid for k in replays.values()])
    return {d.uuid: d for d in found}


@transaction.atomic
def _chunk_record(
    actor: Actor,
    items: Sequence[DoseItem],
    offset: int,
    use_stock: bool,
    held: Collection[int],
    *,
    stock_locked: bool,
) -> list[DoseItemResult]:
    refs = _References.load(items, held)
    facts = person_facts({person.pk for person in refs.persons.values()})
    refs.screenings_load(items, facts)
    entries: dict[int, DoseEntry] = {}
    results: dict[int, DoseItemResult] = {}
    for index, item in enumerate(items):
        try:
            entries[index] = refs.entry(item, use_stock)
        except ValidationError as error:
            results[index] = DoseItemResult(index, None, error)
    keys = {i.submission_key for i in items if i.submission_key is not None}
    # Read once the persons are locked: a batch sent twice at once waits, then finds the keys.
    replays = {k.key: k for k in SubmissionKey.objects.filter(key__in=keys)} if keys else {}
    pairs = {(e.site, e.lot) for e in entries.values()} if use_stock else set()
    chunk = _Chunk(
        actor=actor,
        facts=facts,
        stock=StockUses(actor=actor, pairs=pairs, locked=stock_locked) if use_stock else None,
        replays=replays,
        replayed=_replayed_doses(actor, replays),
    )
    # In the order given, so that each dose is judged after the person's earlier ones, all by
    # the rules of one moment.
    with reference_pinned():
        for index in sorted(entries, key=lambda i: (entries[i].given_at, i)):
            results[index] = chunk.result(index, items[index], entries[index])
    results |= _write(chunk)
    return [
        DoseItemResult(offset + index, result.dose, result.error)
        for index, result in sorted(results.items())
    ]


def _write(chunk: _Chunk) -> dict[int, DoseItemResult]:
    """Write the accepted doses; the results to change, should a concurrent writer have
    recorded one of them first.

    The rows that other writers share are taken last, so that their locks are held as briefly
    as can be: the stock balance and open vials of the site (locked by the stock's write,
    which the doses' rows follow, as they name their ledger lines) after the chunk's own rows,
    and the count rows of the persons' communes last of all. The audit rows of doses that
    renumber none need nothing written before them."""
    if not chunk.accepted:
        return {}
    doses = [dose for _i, _e, dose, _k in chunk.accepted]
    early = not chunk.backdated
    try:
        with transaction.atomic():
            if early:
                _own_rows_write(chunk, renumbered={})
            movements: dict[str, StockMovement] = {}
            if chunk.stock is not None:
                movements = chunk.stock.prepare()
                chunk.stock.write()
            for dose in doses:
                dose.stock_use = movements.get(_reference(dose))
            bulk_insert(Dose, doses)
    except IntegrityError:
        error = refusal(DOSE_EXISTS, _("This dose is already recorded."))
        return {index: DoseItemResult(index, None, error) for index, *_ in chunk.accepted}
    rollups = RollupChanges()
    for dose in doses:
        rollups.dose_added(dose)
    renumbered = renumber_after_each(list(chunk.backdated.values()), rollups=rollups)
    for dose in doses:
        if dose.booking is not None:
            booking_close_for_dose(booking=dose.booking)
    if not early:
        _own_rows_write(chunk, renumbered=renumbered)
    persons = {dose.person_id for dose in doses}
    doses_changed.send(sender=Dose, actor=chunk.actor, person_ids=sorted(persons))
    rollups_apply(rollups)
    return {}


def _own_rows_write(chunk: _Chunk, *, renumbered: dict[int, dict[str, list[str]]]) -> None:
    """The rows of the chunk's doses that no other writer touches: the persons' open
    registrations fulfilled, the submission keys used, the audit rows."""
    today = {e.person.pk for _i, e, _d, _k in chunk.accepted if not e.is_late}
    if today:  # a list of past doses (an import) fulfils none
        Registration.objects.open().filter(person_id__any=today).update(
            status=RegistrationStatus.VACCINATED
        )
    bulk_insert(
        SubmissionKey,
        [
            SubmissionKey(key=key, result_uuid=dose.uuid, owner=chunk.actor.name)
            for _i, _e, dose, key in chunk.accepted
            if key is not None
        ],
    )
    bulk_insert(
        AuditEvent,
        [
            dose_event(
                chunk.actor,
                AuditAction.CREATE,
                dose,
                late=entry.is_late,
                late_entry_reason=dose.late_entry_reason,
                renumbered=renumbered.get(dose.pk, {}),
                batch=True,
            )
            for _i, entry, dose, _k in chunk.accepted
        ],
    )
