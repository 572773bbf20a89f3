"""Writes to lots and stock. Every movement changes the facility's balance by a conditional
UPDATE in the same transaction, so that stock never goes below zero even when two sites use
the last dose at once; each leaves its audit row."""

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_event, audit_write
from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.core.bulk import bulk_insert, insert_few, unsaved
from sosuckhoe.core.rows import planned_once
from sosuckhoe.core.text import compact_code
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import (
    ADJUST_REASONS,
    WASTE_REASONS,
    Lot,
    MovementKind,
    OpenVial,
    Product,
    StockBalance,
    StockMovement,
    StockReason,
)


def _refuse(message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def _check_may_write(actor: Actor) -> None:
    if actor.user is not None and not actor.covers(actor.user.unit):
        raise _refuse(_("Your role does not change vaccine stock."), "outside_scope")


def _check_covers(actor: Actor, facility: Facility) -> None:
    if not actor.covers(facility.unit):
        raise _refuse(
            _("%(facility)s is outside your unit."), "outside_scope", facility=facility.name
        )


def _check_doses(doses: int) -> None:
    if doses < 1:
        raise _refuse(_("The number of doses must be at least 1."), "doses_not_positive")


def _check_usable(lot: Lot, on: dt.date) -> None:
    """Refuse a recalled lot, and a lot past its expiry date on the day."""
    if lot.recalled_at is not None:
        raise _refuse(_("Lot %(lot)s has been recalled."), "lot_recalled", lot=lot.number)
    if on > lot.expiry_date:
        raise _refuse(
            _("Lot %(lot)s expired on %(expiry)s."),
            "lot_expired",
            lot=lot.number,
            expiry=lot.expiry_date.strftime("%d/%m/%Y"),
        )


def _check_active(facility: Facility) -> None:
    if not facility.is_active:
        raise _refuse(_("%(facility)s is closed."), "facility_inactive", facility=facility.name)


def _check_note(reason: str, note: str) -> None:
    if reason == StockReason.OTHER and not note.strip():
        raise _refuse(_("Say what happened in the note."), "note_required")


def _out_of_stock(facility: Facility, lot: Lot, doses: int) -> ValidationError:
    return _refuse(
        _("%(facility)s has fewer than %(doses)s doses of lot %(lot)s available."),
        "out_of_stock",
        facility=facility.name,
        doses=doses,
        lot=lot.number,
    )


def _balance_row(facility: Facility, lot: Lot) -> StockBalance:
    """The balance row of the pair, created at zero on its first movement."""
    balance, _created = StockBalance.objects.get_or_create(facility=facility, lot=lot)
    return balance


def _reserved(facility: Facility, lot: Lot) -> int:
    """Doses left in the open vial: on hand, but only for the session that opened it."""
    vial = OpenVial.objects.filter(facility=facility, lot=lot, closed_at__isnull=True).first()
    return vial.doses - vial.used if vial else 0


def _add(facility: Facility, lot: Lot, doses: int) -> None:
    balance = _balance_row(facility, lot)
    StockBalance.objects.filter(pk=balance.pk).update(
        doses=F("doses") + doses, updated_at=timezone.now()
    )


# _take's conditional UPDATE, written once: the ORM's update() gives the number of rows only,
# and a use that opens a vial needs the balance it leaves (a read fewer). RETURNING: SQLite
# 3.35 and PostgreSQL alike.
_TAKE_SQL = (
    "UPDATE supply_stockbalance SET doses = doses - %s, updated_at = %s"
    " WHERE facility_id = %s AND lot_id = %s AND doses >= %s RETURNING doses"
)


def _take(facility: Facility, lot: Lot, doses: int, keep: int = 0) -> int:
    """Take doses if more than `keep` + `doses` are on hand: one conditional UPDATE, which
    also locks the row until the transaction ends; the doses left. Its condition keeps the
    balance's CHECK (never below zero) from firing, so no savepoint guards it."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with planned_once() as cursor:
        cursor.execute(_TAKE_SQL, [doses, now, facility.pk, lot.pk, doses + keep])
        row = cursor.fetchone()
    if row is None:
        raise _out_of_stock(facility, lot, doses)
    return row[0]


def _lock_balances(*pairs: tuple[Facility, Lot]) -> None:
    """Lock the balance rows of the pairs in id order, so that two writers cannot deadlock."""
    ids = sorted(_balance_row(facility, lot).pk for facility, lot in pairs)
    list(StockBalance.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _take_unreserved(facility: Facility, lot: Lot, doses: int) -> None:
    """Take doses that no open vial holds (the balance row locked before the vial is read)."""
    _lock_balances((facility, lot))
    _take(facility, lot, doses, keep=_reserved(facility, lot))


def _record(
    *,
    actor: Actor,
    facility: Facility,
    lot: Lot,
    kind: str,
    doses: int,
    on: dt.date,
    events: list[AuditEvent] | None = None,
    **extra: Any,
) -> StockMovement:
    """Write the ledger line and its audit row, or add the row to `events` for the caller to
    write with its own; the balance is already changed."""
    movement = StockMovement(
        facility=facility,
        lot=lot,
        kind=kind,
        doses=doses,
        on=on,
        recorded_by=actor.user,
        recorded_by_name=actor.name,
        **extra,
    )
    # The links are the caller's own rows and the database checks the constraints: no query.
    movement.full_clean(
        exclude=["counterpart", "vial", "recorded_by", "facility", "lot"],
        validate_unique=False,
        validate_constraints=False,
    )
    insert_few(StockMovement, [movement])
    event = _movement_event(actor, movement)
    if events is None:
        insert_few(AuditEvent, [event])
    else:
        events.append(event)
    return movement


def _movement_event(actor: Actor, movement: StockMovement) -> AuditEvent:
    return audit_event(
        actor=actor,
        action=AuditAction.CREATE,
        scope_path=movement.facility.unit.path,
        object_type="stock_movement",
        object_uuid=movement.uuid,
        summary=f"{movement.kind} {movement.doses:+d} {movement.lot.number}",
        changes={
            "facility": str(movement.facility.uuid),
            "lot": str(movement.lot.uuid),
            "kind": movement.kind,
            "doses": movement.doses,
            "reason": movement.reason,
            "reference": movement.reference,
        },
    )


def _day(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


def _lot_values(lot: Lot) -> dict[str, Any]:
    return {
        "product": lot.product.key,
        "number": lot.number,
        "expiry_date": lot.expiry_date.isoformat(),
        "doses_per_vial": lot.doses_per_vial,
        "manufacturer": lot.manufacturer,
    }


def _lot_audit(*, actor: Actor, lot: Lot, action: AuditAction, summary: str) -> None:
    audit_write(
        actor=actor,
        action=action,
        object_type="lot",
        object_uuid=lot.uuid,
        summary=summary,
        changes=_lot_values(lot),
    )


def _check_same_lot(found: Lot, wanted: Lot) -> Lot:
    same = (found.expiry_date, found.doses_per_vial) == (wanted.expiry_date, wanted.doses_per_vial)
    if not same:
        raise _refuse(
            _("Lot %(lot)s is registered with another expiry date or vial size."),
            "lot_mismatch",
            lot=wanted.number,
        )
    return found


@transaction.atomic
def lot_register(
    *,
    actor: Actor,
    product: Product,
    number: str,
    expiry_date: dt.date,
    doses_per_vial: int | None = None,
    manufacturer: str = "",
) -> Lot:
    """The lot of this product with this number, registered on first sight; the same number
    with another expiry date or vial size is refused."""
    _check_may_write(actor)
    lot = Lot(
        product=product,
        number=compact_code(number),
        expiry_date=expiry_date,
        doses_per_vial=doses_per_vial or product.doses_per_vial,
        manufacturer=manufacturer.strip(),
    )
    found = Lot.objects.filter(product=product, number=lot.number).first()
    if found is not None:
        return _check_same_lot(found, lot)
    lot.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            lot.save()
    except IntegrityError:  # registered by a concurrent receipt
        return _check_same_lot(Lot.objects.get(product=product, number=lot.number), lot)
    _lot_audit(actor=actor, lot=lot, action=AuditAction.CREATE, summary=str(lot))
    return lot


@transaction.atomic
def lot_recall(*, actor: Actor, lot: Lot, reason: str) -> Lot:
    """Mark a lot recalled everywhere: no site may use it from now on."""
    if actor.user is not None and not actor.user.sees_whole_country:
        raise _refuse(_("Only a national administrator recalls a lot."), "recall_not_allowed")
    if not reason.strip():
        raise _refuse(_("Give the reason for the recall."), "reason_required")
    lot = Lot.objects.select_for_update().select_related("product").get(pk=lot.pk)
    if lot.recalled_at is None:
        lot.recalled_at, lot.recall_reason = timezone.now(), reason.strip()[:300]
        lot.save(update_fields=["recalled_at", "recall_reason"])
        _lot_audit(actor=actor, lot=lot, action=AuditAction.UPDATE, summary=f"recall: {reason}")
    return lot


@transaction.atomic
def stock_receive(
    *,
    actor: Actor,
    facility: Facility,
    lot: Lot,
    doses: int,
    on: dt.date | None = None,
    reference: str = "",
    note: str = "",
) -> StockMovement:
    """Doses of a lot arrive at a facility from outside the platform (a delivery)."""
    on = _day(on)
    _check_covers(actor, facility)
    _check_active(facility)
    _check_doses(doses)
    _check_usable(lot, on)
    _add(facility, lot, doses)
    return _record(
        actor=actor,
        facility=facility,
        lot=lot,
        kind=MovementKind.RECEIPT,
        doses=doses,
        on=on,
        reference=reference,
        note=note,
    )


@transaction.atomic
def stock_transfer(
    *,
    actor: Actor,
    source: Facility,
    destination: Facility,
    lot: Lot,
    doses: int,
    on: dt.date | None = None,
    reference: str = "",
    note: str = "",
) -> tuple[StockMovement, StockMovement]:
    """Send doses from one facility to another: two ledger lines, the receiving one pointing
    at the sending one.
    The sender's unit decides who may send; any open facility may receive."""
    on = _day(on)
    _check_covers(actor, source)
    _check_active(destination)
    _check_doses(doses)
    if source.pk == destination.pk:
        raise _refuse(_("Choose another facility to send to."), "same_facility")
    _lock_balances((source, lot), (destination, lot))
    _take(source, lot, doses, keep=_reserved(source, lot))
    _add(destination, lot, doses)
    sent = _record(
        actor=actor,
        facility=source,
        lot=lot,
        kind=MovementKind.TRANSFER_OUT,
        doses=-doses,
        on=on,
        reference=reference,
        note=note,
    )
    received = _record(
        actor=actor,
        facility=destination,
        lot=lot,
        kind=MovementKind.TRANSFER_IN,
        doses=doses,
        on=on,
        reference=reference,
        note=note,
        counterpart=sent,
    )
    return sent, received


def _vial_open(facility: Facility, lot: Lot) -> OpenVial | None:
    """The open vial of the lot, locked."""
    return (
        OpenVial.objects.select_for_update()
        .filter(facility=facility, lot=lot, closed_at__isnull=True)
        .first()
    )


def _vial_draw(
    facility: Facility, lot: Lot, doses: int, left: int, vial: OpenVial | None
) -> OpenVial:
    """Draw doses from the open `vial` of the lot (locked), opening vials as they empty; the
    vial the last dose came from. The balance is already taken (`left` on hand), its row
    locked by that UPDATE."""
    while True:
        if vial is None:
            # A vial holds what its label says, unless the stock counted holds less.
            size = min(lot.doses_per_vial, left + doses)
            vial = OpenVial(facility=facility, lot=lot, doses=size)
        drawn = min(doses, vial.doses - vial.used)
        vial.used, doses = vial.used + drawn, doses - drawn
        if vial.used == vial.doses:  # empty: nothing left to waste
            vial.closed_at, vial.wasted = timezone.now(), 0
        if vial.pk is None:
            vial.save(force_insert=True)
        else:
            vial.save(update_fields=["used", "closed_at", "wasted"])
        if doses == 0:
            return vial
        vial = None


# _vial_draw for one dose, the open vial found, locked and drawn from by one UPDATE: the dose
# it gives (an open vial has one left: it is closed when its last is drawn), closed with
# nothing wasted when it was the last. Open, its closed_at and wasted are NULL (a CHECK).
_DRAW_ONE_SQL = (
    "UPDATE supply_openvial SET used = used + 1,"
    " closed_at = CASE WHEN used + 1 = doses THEN %s END,"
    " wasted = CASE WHEN used + 1 = doses THEN 0 END"
    " WHERE facility_id = %s AND lot_id = %s AND closed_at IS NULL RETURNING id"
)


def _vial_draw_one(facility: Facility, lot: Lot, left: int) -> int:
    """The id of the vial one dose is drawn from: the open vial, in one statement; when there
    is none, a vial opened by _vial_draw."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with planned_once() as cursor:
        cursor.execute(_DRAW_ONE_SQL, [now, facility.pk, lot.pk])
        row = cursor.fetchone()
    return row[0] if row is not None else _vial_draw(facility, lot, 1, left, None).pk


@transaction.atomic
def stock_use(
    *,
    actor: Actor,
    facility: Facility,
    lot: Lot,
    doses: int = 1,
    on: dt.date | None = None,
    reference: str = "",
) -> StockMovement:
    """Doses given at a facility: refused with "out_of_stock" when it has fewer on hand."""
    return stock_use_within(
        actor=actor, facility=facility, lot=lot, doses=doses, on=on, reference=reference
    )


def stock_use_within(
    *,
    actor: Actor,
    facility: Facility,
    lot: Lot,
    doses: int = 1,
    on: dt.date | None = None,
    reference: str = "",
    events: list[AuditEvent] | None = None,
) -> StockMovement:
    """stock_use for a caller that holds the transaction and lets a refusal end it
    (dose_record): no savepoint of its own, two round trips fewer a dose. With `events`, the
    ledger line's audit row is added to it, unsaved, for the caller to write with its own
    rows in one INSERT."""
    on = _day(on)
    _check_covers(actor, facility)
    _check_doses(doses)
    _check_usable(lot, on)
    left = _take(facility, lot, doses)
    vial_id = None
    if lot.doses_per_vial > 1 and doses == 1:  # a dose given: nearly every use
        vial_id = _vial_draw_one(facility, lot, left)
    elif lot.doses_per_vial > 1:
        vial_id = _vial_draw(facility, lot, doses, left, _vial_open(facility, lot)).pk
    return _record(
        actor=actor,
        facility=facility,
        lot=lot,
        kind=MovementKind.USE,
        doses=-doses,
        on=on,
        reference=reference,
        vial_id=vial_id,
        events=events,
    )


@dataclass
class _PairUses:
    """What a batch takes of one lot at one facility: the balance as judged, the doses taken,
    and once written, the vial being drawn from and every vial drawn from."""

    facility: Facility
    lot: Lot
    left: int
    taken: int = 0
    vial: OpenVial | None = None
    vials: list[OpenVial] = field(default_factory=list)


class StockMoved(Exception):
    """Between judging a batch's uses and writing them, another writer took so much of a
    balance that a use judged possible is no longer: judge the batch again, stock locked."""


class StockUses:
    """Uses of stock for a batch of doses, each checked by the rules of stock_use, then all
    written in a few statements: one UPDATE per balance, the vials, the ledger lines and their
    audit rows.

    The uses are judged on the balances as read when the batch began, unlocked unless
    `locked`: two batches of one site would otherwise take turns for the whole of their
    judging. `prepare` builds the ledger lines and writes their audit rows, which need no
    lock; `write` then locks the balances and open vials (in id order), reads them again,
    draws the vials from what it finds and writes the lines: the locks that a second batch of
    the site waits for are held from there to the commit. Should a balance now hold less than
    the batch takes, `write` raises StockMoved and the caller judges the batch again with
    `locked`."""

    def __init__(
        self, *, actor: Actor, pairs: Iterable[tuple[Facility, Lot]], locked: bool = False
    ) -> None:
        self.actor = actor
        self.pairs: dict[tuple[int, int], _PairUses] = {}
        self.uses: list[tuple[_PairUses, dt.date, str]] = []
        self.movements: list[StockMovement] = []
        wanted = {(f.pk, lot.pk): (f, lot) for f, lot in pairs}
        left = self._balances(wanted, locked=locked)
        for key, (facility, lot) in wanted.items():
            self.pairs[key] = _PairUses(facility, lot, left.get(key, 0))

    @staticmethod
    def _keys(pairs: Iterable[tuple[int, int]]) -> Q:
        keys = Q(pk__in=[])
        for facility_id, lot_id in pairs:
            keys |= Q(facility_id=facility_id, lot_id=lot_id)
        return keys

    @classmethod
    def _balances(
        cls, pairs: Collection[tuple[int, int]], *, locked: bool
    ) -> dict[tuple[int, int], int]:
        """Doses on hand per (facility id, lot id); the rows locked in id order if `locked`."""
        if not pairs:
            return {}
        balances = StockBalance.objects.filter(cls._keys(pairs))
        if locked:
            balances = balances.select_for_update().order_by("pk")
        return {(b.facility_id, b.lot_id): b.doses for b in balances}

    def take(
        self, *, facility: Facility, lot: Lot, on: dt.date, reference: str
    ) -> ValidationError | None:
        """Take one dose for a use, or the refusal stock_use would give."""
        try:
            _check_covers(self.actor, facility)
            _check_usable(lot, on)
        except ValidationError as error:
            return error
        pair = self.pairs[(facility.pk, lot.pk)]
        if pair.left < 1:
            return _out_of_stock(facility, lot, 1)
        pair.left, pair.taken = pair.left - 1, pair.taken + 1
        self.uses.append((pair, on, reference))
        return None

    def prepare(self) -> dict[str, StockMovement]:
        """The ledger lines of the uses taken, by their reference, built (their vials are
        drawn by `write`), and their audit rows written."""
        # Built by this class from checked rows, so no full_clean; the database checks them.
        self.movements = [
            unsaved(
                StockMovement,
                {
                    "facility": pair.facility,
                    "lot": pair.lot,
                    "vial": None,
                    "recorded_by": self.actor.user,
                },
                kind=MovementKind.USE,
                doses=-1,
                on=on,
                reference=reference,
                recorded_by_name=self.actor.name,
            )
            for pair, on, reference in self.uses
        ]
        bulk_insert(AuditEvent, (_movement_event(self.actor, m) for m in self.movements))
        return {m.reference: m for m in self.movements}

    def write(self) -> None:
        """Write the prepared ledger lines, each with the vial it drew from, and what they
        took of the balances."""
        taking = {key: pair for key, pair in self.pairs.items() if pair.taken}
        if not taking:
            return
        left = self._balances(taking, locked=True)
        for key, pair in taking.items():
            pair.left = left.get(key, 0)  # the vials are drawn from what is there now
            if pair.left < pair.taken:
                raise StockMoved
        vials = OpenVial.objects.select_for_update().filter(
            self._keys(taking), closed_at__isnull=True
        )
        for vial in vials.order_by("pk"):
            taking[(vial.facility_id, vial.lot_id)].vial = vial
        drawn = [
            self._vial_draw(pair) if pair.lot.doses_per_vial > 1 else None for pair, *_ in self.uses
        ]
        now = timezone.now()
        for pair in taking.values():
            StockBalance.objects.filter(facility=pair.facility, lot=pair.lot).update(
                doses=F("doses") - pair.taken, updated_at=now
            )
            for vial in pair.vials:
                if vial.pk is not None:
                    vial.save(update_fields=["used", "closed_at", "wasted"])
        OpenVial.objects.bulk_create(
            v for pair in taking.values() for v in pair.vials if v.pk is None
        )
        for movement, drawn_from in zip(self.movements, drawn, strict=True):
            if drawn_from is not None:  # built with none
                movement.vial = drawn_from
        bulk_insert(StockMovement, self.movements)

    @staticmethod
    def _vial_draw(pair: _PairUses) -> OpenVial:
        """As _vial_draw does, one dose at a time: from the open vial, else a new one (what
        its label holds, unless the stock counted holds less)."""
        pair.left -= 1
        if pair.vial is None:
            size = min(pair.lot.doses_per_vial, pair.left + 1)
            pair.vial = OpenVial(facility=pair.facility, lot=pair.lot, doses=size)
        vial = pair.vial
        if not pair.vials or pair.vials[-1] is not vial:
            pair.vials.append(vial)
        vial.used += 1
        if vial.used == vial.doses:
            vial.closed_at, vial.wasted = timezone.now(), 0
            pair.vial = None
        return vial


def _vial_give_back(actor: Actor, use: StockMovement, returned: StockMovement) -> None:
    """A dose that was never given goes back into its vial while the vial is open; once the
    vial was thrown away, the dose was thrown away with it: wasted."""
    if use.vial_id is None:
        return
    vial = OpenVial.objects.select_for_update().get(pk=use.vial_id)
    doses = -use.doses
    if vial.closed_at is None:
        OpenVial.objects.filter(pk=vial.pk).update(used=F("used") - doses)
        return
    OpenVial.objects.filter(pk=vial.pk).update(used=F("used") - doses, wasted=F("wasted") + doses)
    _take(use.facility, use.lot, doses)
    _record(
        actor=actor,
        facility=use.facility,
        lot=use.lot,
        kind=MovementKind.WASTE,
        doses=-doses,
        on=returned.on,
        reason=StockReason.OPEN_VIAL,
        reference=use.reference,
        counterpart=returned,
        vial=vial,
    )


@transaction.atomic
def stock_return_use(*, actor: Actor, movement: StockMovement) -> StockMovement:
    """Undo a use, when the dose it recorded was never given; once per use."""
    use = StockMovement.objects.select_related("facility__unit", "lot").get(pk=movement.pk)
    _check_covers(actor, use.facility)
    if use.kind != MovementKind.USE:
        raise _refuse(_("Only a use of stock can be undone."), "not_a_use")
    already = _("This use has already been undone.")
    if StockMovement.objects.filter(counterpart=use, kind=MovementKind.USE_RETURN).exists():
        raise _refuse(already, "use_already_returned")
    _add(use.facility, use.lot, -use.doses)
    try:
        with transaction.atomic():
            returned = _record(
                actor=actor,
                facility=use.facility,
                lot=use.lot,
                kind=MovementKind.USE_RETURN,
                doses=-use.doses,
                on=timezone.localdate(),
                reference=use.reference,
                counterpart=use,
                vial=use.vial,
            )
    except IntegrityError:  # a concurrent undo of the same use
        raise _refuse(already, "use_already_returned") from None
    _vial_give_back(actor, use, returned)
    return returned


@transaction.atomic
def stock_waste(
    *,
    actor: Actor,
    facility: Facility,
    lot: Lot,
    doses: int,
    reason: str,
    note: str = "",
    on: dt.date | None = None,
) -> StockMovement:
    """Doses lost (broken, cold chain, contaminated, other with a note)."""
    _check_covers(actor, facility)
    _check_doses(doses)
    if reason not in WASTE_REASONS or reason == StockReason.OPEN_VIAL:
        raise _refuse(_("Choose the reason the doses were wasted."), "reason_required")
    _check_note(reason, note)
    _take_unreserved(facility, lot, doses)
    return _record(
        actor=actor,
        facility=facility,
        lot=lot,
        kind=MovementKind.WASTE,
        doses=-doses,
        on=_day(on),
        reason=reason,
        note=note,
    )


@transaction.atomic
def stock_return(
    *,
    actor: Actor,
    facility: Facility,
    lot: Lot,
    doses: int,
    on: dt.date | None = None,
    reference: str = "",
    note: str = "",
) -> StockMovement:
    """Doses sent back to the supplier, out of the platform (e.g. a recalled lot)."""
    _check_covers(actor, facility)
    _check_doses(doses)
    _take_unreserved(facility, lot, doses)
    return _record(
        actor=actor,
        facility=facility,
        lot=lot,
        kind=MovementKind.RETURN,
        doses=-doses,
        on=_day(on),
        reference=reference,
        note=note,
    )


@transaction.atomic
def stock_expire(
    *, actor: Actor, facility: Facility, lot: Lot, on: dt.date | None = None
) -> StockMovement:
    """Write off what is left of a lot past its expiry date (not the doses of an open vial,
    which closing the vial counts)."""
    on = _day(on)
    _check_covers(actor, facility)
    if on <= lot.expiry_date:
        raise _refuse(
            _("Lot %(lot)s is usable until %(expiry)s."),
            "lot_not_expired",
            lot=lot.number,
            expiry=lot.expiry_date.strftime("%d/%m/%Y"),
        )
    _lock_balances((facility, lot))
    doses = StockBalance.objects.get(facility=facility, lot=lot).doses - _reserved(facility, lot)
    if doses < 1:
        raise _refuse(
            _("No doses of lot %(lot)s are left here."), "nothing_to_expire", lot=lot.number
        )
    _take(facility, lot, doses)
    return _record(
        actor=actor, facility=facility, lot=lot, kind=MovementKind.EXPIRE, doses=-doses, on=on
    )


@transaction.atomic
def stock_adjust(
    *,
    actor: Actor,
    facility: Facility,
    lot: Lot,
    counted: int,
    reason: str,
    note: str = "",
    on: dt.date | None = None,
) -> StockMovement | None:
    """Bring the balance to a physical count (doses in open vials included); None when the
    count matches."""
    _check_covers(actor, facility)
    if reason not in ADJUST_REASONS:
        raise _refuse(_("Choose the reason for the adjustment."), "reason_required")
    _check_note(reason, note)
    _lock_balances((facility, lot))
    if counted < _reserved(facility, lot):
        raise _refuse(
            _("The count cannot be below the doses left in the open vial."), "count_below_open_vial"
        )
    delta = counted - StockBalance.objects.get(facility=facility, lot=lot).doses
    if delta == 0:
        return None
    (_add if delta > 0 else _take)(facility, lot, abs(delta))
    return _record(
        actor=actor,
        facility=facility,
        lot=lot,
        kind=MovementKind.ADJUST,
        doses=delta,
        on=_day(on),
        reason=reason,
        note=note,
    )


def _vial_close(actor: Actor, vial: OpenVial, on: dt.date) -> StockMovement | None:
    left = vial.doses - vial.used
    OpenVial.objects.filter(pk=vial.pk).update(closed_at=timezone.now(), wasted=left)
    if left == 0:
        return None
    _take(vial.facility, vial.lot, left)
    return _record(
        actor=actor,
        facility=vial.facility,
        lot=vial.lot,
        kind=MovementKind.WASTE,
        doses=-left,
        on=on,
        reason=StockReason.OPEN_VIAL,
        vial=vial,
    )


@transaction.atomic
def stock_vial_close(
    *, actor: Actor, vial: OpenVial, on: dt.date | None = None
) -> StockMovement | None:
    """Close an opened multi-dose vial at the end of a session: its unused doses are wasted."""
    vial = OpenVial.objects.select_related("facility__unit", "lot").get(pk=vial.pk)
    _check_covers(actor, vial.facility)
    _lock_balances((vial.facility, vial.lot))
    vial = (
        OpenVial.objects.select_for_update().select_related("facility__unit", "lot").get(pk=vial.pk)
    )
    if vial.closed_at is not None:
        raise _refuse(_("This vial is already closed."), "vial_closed")
    return _vial_close(actor, vial, _day(on))


@transaction.atomic
def stock_session_close(
    *, actor: Actor, facility: Facility, on: dt.date | None = None
) -> list[StockMovement]:
    """Close every open vial of a facility at the end of its session; the wastage lines."""
    _check_covers(actor, facility)
    vials = OpenVial.objects.filter(facility=facility, closed_at__isnull=True).select_related("lot")
    _lock_balances(*((facility, v.lot) for v in vials))
    locked = OpenVial.objects.select_for_update().filter(facility=facility, closed_at__isnull=True)
    wasted = []
    for vial in locked.select_related("facility__unit", "lot").order_by("pk"):
        movement = _vial_close(actor, vial, _day(on))
        if movement is not None:
            wasted.append(movement)
    return wasted
