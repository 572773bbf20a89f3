"""Reads of products, lots and stock. Stock is no personal data: reads are scoped to the
reader's unit subtree (everything for a national administrator) and not audited."""

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Count, Q, QuerySet, Sum

from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.places.models import AdminUnit, Facility
from sosuckhoe.supply.models import Lot, OpenVial, Product, StockBalance, StockMovement


def products_active() -> QuerySet[Product]:
    return Product.objects.filter(is_active=True).order_by("name")


def product_by_key(*, key: str) -> Product:
    """The product with this key; Product.DoesNotExist if none."""
    return Product.objects.get(key=key)


def _facility_scope(user: StaffUser, prefix: str = "facility__") -> Q:
    """The facilities of the user's unit subtree, as a filter on a related facility."""
    if user.sees_whole_country:
        return Q()
    return Q(**{f"{prefix}unit__path__startswith": user.unit.path})


def _place(unit: AdminUnit | None, facility: Facility | None) -> Q:
    where = Q()
    if unit is not None:
        where &= Q(facility__unit__path__startswith=unit.path)
    if facility is not None:
        where &= Q(facility=facility)
    return where


def facilities_visible_to(*, user: StaffUser) -> QuerySet[Facility]:
    return Facility.objects.filter(_facility_scope(user, prefix=""))


def stock_on_hand(*, facility: Facility, lot: Lot) -> int:
    """Doses of the lot on hand at the facility (unscoped: for the services' callers)."""
    balance = StockBalance.objects.filter(facility=facility, lot=lot).first()
    return balance.doses if balance else 0


def stock_balances(
    *,
    user: StaffUser,
    unit: AdminUnit | None = None,
    facility: Facility | None = None,
    include_empty: bool = False,
) -> QuerySet[StockBalance]:
    """On hand per facility and lot within the user's scope, optionally of one unit subtree or
    one facility; earliest expiry first."""
    balances = StockBalance.objects.filter(_facility_scope(user), _place(unit, facility))
    if not include_empty:
        balances = balances.filter(doses__gt=0)
    return balances.select_related("facility__unit", "lot__product").order_by(
        "facility__name", "lot__product__name", "lot__expiry_date", "lot__number"
    )


@dataclass(frozen=True)
class LotStock:
    """Doses of one lot on hand across the facilities of a unit subtree."""

    lot: Lot
    doses: int
    facilities: int


def stock_by_lot(*, user: StaffUser, unit: AdminUnit) -> list[LotStock]:
    """On hand per lot, summed over the facilities of the unit's subtree within the scope."""
    rows = (
        StockBalance.objects.filter(_facility_scope(user), _place(unit, None), doses__gt=0)
        .values("lot")
        .annotate(total=Sum("doses"), sites=Count("facility"))
        .order_by()
    )
    lots = Lot.objects.select_related("product").in_bulk([r["lot"] for r in rows])
    stock = [LotStock(lots[r["lot"]], r["total"], r["sites"]) for r in rows]
    return sorted(stock, key=lambda s: (s.lot.product.name, s.lot.expiry_date, s.lot.number))


def stock_movements(
    *,
    user: StaffUser,
    unit: AdminUnit | None = None,
    facility: Facility | None = None,
    lot: Lot | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[StockMovement]:
    """The ledger lines within the scope, newest first, filtered by place, lot and days."""
    movements = StockMovement.objects.filter(_facility_scope(user), _place(unit, facility))
    if lot is not None:
        movements = movements.filter(lot=lot)
    if since is not None:
        movements = movements.filter(on__gte=since)
    if until is not None:
        movements = movements.filter(on__lte=until)
    return movements.select_related("facility", "lot__product").order_by("-at", "-id")


def open_vials(*, user: StaffUser, facility: Facility) -> QuerySet[OpenVial]:
    """The vials open at a facility now: closed at the end of the session."""
    return OpenVial.objects.filter(
        _facility_scope(user), facility=facility, closed_at__isnull=True
    ).select_related("lot__product")


def vial_at(*, facility: Facility, vial_uuid: UUID) -> OpenVial | None:
    """A vial of a facility the caller holds within scope, open or already closed: closing it
    a second time (a double click) reaches the service, which says it is closed."""
    return OpenVial.objects.filter(facility=facility, uuid=vial_uuid).first()


def lots_usable(
    *, facility: Facility, on: dt.date, product: Product | None = None
) -> QuerySet[Lot]:
    """Lots on hand at the facility that may be given on the day (not expired, not recalled),
    of the product or of every product, the one expiring first first."""
    lots = Lot.objects.filter(
        balances__facility=facility,
        balances__doses__gt=0,
        expiry_date__gte=on,
        recalled_at__isnull=True,
    )
    if product is not None:
        lots = lots.filter(product=product)
    return lots.select_related("product").order_by("expiry_date", "number")
