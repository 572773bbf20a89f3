"""Vaccine products, the schedule rules as data, lots, and the stock ledger of each facility."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.core.ids import new_uuid
from sosuckhoe.places.models import Facility


class Product(models.Model):
    """A vaccine as it is given: one formulation of one medicinal product, with its EU DCC codes."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    # Comirnaty 0.3 ml and 0.2 ml share one DCC code, so the internal slug is the unique key.
    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # The same vaccine under several products (Comirnaty 0.3/0.2 ml; BBIBP-CorV and Hayat-Vax):
    # what "the same vaccine" means for a homologous series.
    family = models.SlugField(_("vaccine"), max_length=40)
    dcc_code = models.CharField(_("EU DCC medicinal product (mp)"), max_length=60)
    vaccine_type = models.CharField(_("EU DCC vaccine type (vp)"), max_length=20)
    holder = models.CharField(_("EU DCC authorisation holder (ma)"), max_length=60)
    doses_per_vial = models.PositiveSmallIntegerField(_("doses per vial"))
    dose_ml = models.DecimalField(_("dose (ml)"), max_digits=4, decimal_places=2)
    is_active = models.BooleanField(_("in use"), default=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("vaccine product")
        verbose_name_plural = _("vaccine products")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(doses_per_vial__gte=1), name="product_doses_per_vial_positive"
            ),
            models.CheckConstraint(condition=Q(dose_ml__gt=0), name="product_dose_ml_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class DoseKind(models.TextChoices):
    PRIMARY = "primary", _("Primary dose")
    ADDITIONAL = "additional", _("Additional dose")
    BOOSTER = "booster", _("Booster dose")


class After(models.TextChoices):
    """What must have come before the dose a rule allows."""

    ANY = "any", _("Any previous doses")
    # Primary dose 2+: the dose before it was one of `after_products`. Additional dose or
    # booster: every primary dose was one of them.
    LISTED = "listed", _("The listed products")
    HOMOLOGOUS = "homologous", _("A primary series of one vaccine")
    MIXED = "mixed", _("A primary series of more than one vaccine")


class Target(models.TextChoices):
    EVERYONE = "", _("Everyone in the age band")
    IMMUNOCOMPROMISED = "immunocompromised", _("Immunocompromised")
    HIGH_EXPOSURE = "high_exposure", _("High exposure (health and frontline workers)")


class MeasuredFrom(models.TextChoices):
    PREVIOUS_DOSE = "previous_dose", _("The previous dose")
    INFECTION = "infection", _("A COVID-19 infection after the previous dose")


class IntervalUnit(models.TextChoices):
    DAY = "day", _("days")
    WEEK = "week", _("weeks")
    MONTH = "month", _("calendar months")


class Basis(models.TextChoices):
    MOH = "moh", _("Ministry of Health text")
    LABEL = "label", _("Manufacturer's label or WHO")
    ASSUMED = "assumed", _("Assumed: no source gives it")


def _choice_valid(
    field: str, choices: type[models.TextChoices], table: str
) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}), name=f"{table}_{field}_valid"
    )


class ScheduleRule(models.Model):
    """One rule of the schedule as a source states it: a dose of `kind` `number`, of one of
    `products` (any when empty), for an age band and target group, may follow what `after`
    says, no sooner than `interval_min` after the previous dose (or after an infection)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("dose kind"), max_length=12, choices=DoseKind.choices)
    # Null only for an infection rule that holds for every dose of its kind.
    number = models.PositiveSmallIntegerField(_("dose number"), null=True, blank=True)
    products = models.ManyToManyField(Product, blank=True, related_name="schedule_rules")
    same_as_priming = models.BooleanField(_("the vaccine of the primary series"), default=False)
    after = models.CharField(_("after"), max_length=12, choices=After.choices, default=After.ANY)
    after_products = models.ManyToManyField(Product, blank=True, related_name="rules_after")
    min_age = models.PositiveSmallIntegerField(_("from age (years)"), default=0)
    max_age = models.PositiveSmallIntegerField(_("below age (years)"), null=True, blank=True)
    target = models.CharField(
        _("target group"), max_length=20, choices=Target.choices, blank=True, default=""
    )
    measured_from = models.CharField(
        _("measured from"),
        max_length=15,
        choices=MeasuredFrom.choices,
        default=MeasuredFrom.PREVIOUS_DOSE,
    )
    interval_min = models.PositiveSmallIntegerField(_("minimum interval"), null=True, blank=True)
    interval_min_unit = models.CharField(max_length=5, choices=IntervalUnit.choices, blank=True)
    interval_recommended = models.PositiveSmallIntegerField(
        _("recommended interval"), null=True, blank=True
    )
    interval_recommended_unit = models.CharField(
        max_length=5, choices=IntervalUnit.choices, blank=True
    )
    interval_max = models.PositiveSmallIntegerField(_("maximum interval"), null=True, blank=True)
    interval_max_unit = models.CharField(max_length=5, choices=IntervalUnit.choices, blank=True)
    primary_doses = models.PositiveSmallIntegerField(
        _("doses in the primary series"), null=True, blank=True
    )
    valid_from = models.DateField(_("in force from"), null=True, blank=True)
    valid_until = models.DateField(_("in force until"), null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=8, choices=Basis.choices)
    source = models.TextField(_("source"))

    class Meta:
        verbose_name = _("schedule rule")
        verbose_name_plural = _("schedule rules")
        ordering = ["kind", "number", "code"]
        constraints = [
            _choice_valid("kind", DoseKind, "schedulerule"),
            _choice_valid("after", After, "schedulerule"),
            _choice_valid("target", Target, "schedulerule"),
            _choice_valid("measured_from", MeasuredFrom, "schedulerule"),
            _choice_valid("basis", Basis, "schedulerule"),
            models.CheckConstraint(
                condition=Q(number__gte=1)
                | Q(number__isnull=True, measured_from=MeasuredFrom.INFECTION),
                name="schedulerule_number_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_age__isnull=True) | Q(max_age__gt=models.F("min_age")),
                name="schedulerule_age_band_ordered",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="schedulerule_in_force_ordered",
            ),
            # Every dose but the first of a series waits for something.
            models.CheckConstraint(
                condition=Q(interval_min__isnull=False, interval_min_unit__in=IntervalUnit.values)
                | Q(
                    interval_min__isnull=True, interval_min_unit="", kind=DoseKind.PRIMARY, number=1
                ),
                name="schedulerule_interval_min_given",
            ),
            models.CheckConstraint(
                condition=Q(primary_doses__gte=1, kind=DoseKind.PRIMARY)
                & Q(measured_from=MeasuredFrom.PREVIOUS_DOSE)
                | Q(primary_doses__isnull=True)
                & (~Q(kind=DoseKind.PRIMARY) | Q(measured_from=MeasuredFrom.INFECTION)),
                name="schedulerule_primary_series_length",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def in_force_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class Lot(models.Model):
    """A manufacturing lot of one product, as printed on its vials."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="lots"
    )
    number = models.CharField(_("lot number"), max_length=40)
    expiry_date = models.DateField(_("expiry date"))
    doses_per_vial = models.PositiveSmallIntegerField(_("doses per vial"))
    manufacturer = models.CharField(_("manufacturer"), max_length=120, blank=True)
    recalled_at = models.DateTimeField(_("recalled at"), null=True, blank=True)
    recall_reason = models.CharField(_("recall reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["product__name", "expiry_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="lot_product_number_uniq"),
            models.CheckConstraint(
                condition=Q(doses_per_vial__gte=1), name="lot_doses_per_vial_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.number}"


class StockBalance(models.Model):
    """Doses of one lot on hand at one facility: the sum of its ledger, kept in the same
    transaction as each movement, never below zero."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="balances")
    doses = models.IntegerField(_("doses on hand"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stock on hand")
        verbose_name_plural = _("stock on hand")
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "lot"], name="stockbalance_facility_lot_uniq"
            ),
            models.CheckConstraint(condition=Q(doses__gte=0), name="stockbalance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.lot}: {self.doses}"


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Received")
    TRANSFER_OUT = "transfer_out", _("Sent to another facility")
    TRANSFER_IN = "transfer_in", _("Received from another facility")
    USE = "use", _("Used")
    USE_RETURN = "use_return", _("Use undone")
    WASTE = "waste", _("Wasted")
    RETURN = "return", _("Returned to the supplier")
    EXPIRE = "expire", _("Expired")
    ADJUST = "adjust", _("Count adjusted")


INCOMING = (MovementKind.RECEIPT, MovementKind.TRANSFER_IN, MovementKind.USE_RETURN)
OUTGOING = (
    MovementKind.TRANSFER_OUT,
    MovementKind.USE,
    MovementKind.WASTE,
    MovementKind.RETURN,
    MovementKind.EXPIRE,
)


class StockReason(models.TextChoices):
    OPEN_VIAL = "open_vial", _("Opened vial discarded at the end of a session")
    BROKEN = "broken", _("Vial broken or spilled")
    COLD_CHAIN = "cold_chain", _("Cold chain failure")
    CONTAMINATED = "contaminated", _("Contaminated or drawn wrongly")
    PHYSICAL_COUNT = "physical_count", _("Physical count differs")
    OTHER = "other", _("Other (see note)")


WASTE_REASONS = (
    StockReason.OPEN_VIAL,
    StockReason.BROKEN,
    StockReason.COLD_CHAIN,
    StockReason.CONTAMINATED,
    StockReason.OTHER,
)
ADJUST_REASONS = (StockReason.PHYSICAL_COUNT, StockReason.OTHER)


class OpenVial(models.Model):
    """A multi-dose vial opened at a facility: its doses are drawn one use at a time, and what
    is left when it is closed at the end of the session is wasted."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="open_vials")
    doses = models.PositiveSmallIntegerField(_("doses in the vial"))
    used = models.PositiveSmallIntegerField(_("doses drawn"), default=0)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    wasted = models.PositiveSmallIntegerField(_("doses wasted"), null=True, blank=True)

    class Meta:
        verbose_name = _("open vial")
        verbose_name_plural = _("open vials")
        constraints = [
            models.CheckConstraint(
                condition=Q(used__lte=models.F("doses")), name="openvial_used_within"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, wasted__isnull=True)
                | Q(closed_at__isnull=False, wasted__isnull=False),
                name="openvial_closed_counts_waste",
            ),
            models.UniqueConstraint(
                fields=["facility", "lot"],
                condition=Q(closed_at__isnull=True),
                name="openvial_one_open_per_facility_lot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot} {self.used}/{self.doses}"


class StockMovement(models.Model):
    """One line of a facility's ledger: doses of one lot in (positive) or out (negative).
    Lines are never changed or deleted (PostgreSQL refuses it, migration 0002); a mistake is
    corrected by a new line."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    # Indexed first in stockmovement_facility_lot and stockmovement_lot_at: no index of their own.
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements", db_index=False)
    kind = models.CharField(_("movement"), max_length=12, choices=MovementKind.choices)
    doses = models.IntegerField(_("doses"))
    on = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded at"), default=timezone.now)
    reason = models.CharField(
        _("reason"), max_length=15, choices=StockReason.choices, blank=True, default=""
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    # What the movement belongs to, e.g. the uuid of a dose or a delivery note number.
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    # The other line of a transfer, or the use that a use-return undoes.
    counterpart = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    vial = models.ForeignKey(
        OpenVial, on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    recorded_by = models.ForeignKey(
        StaffUser, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["facility", "lot", "at"], name="stockmovement_facility_lot"),
            models.Index(fields=["lot", "at"], name="stockmovement_lot_at"),
            models.Index(fields=["reference"], name="stockmovement_reference"),
        ]
        constraints = [
            _choice_valid("kind", MovementKind, "stockmovement"),
            models.CheckConstraint(
                condition=Q(kind__in=INCOMING, doses__gt=0)
                | Q(kind__in=OUTGOING, doses__lt=0)
                | Q(kind=MovementKind.ADJUST) & ~Q(doses=0),
                name="stockmovement_sign_of_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind=MovementKind.WASTE, reason__in=WASTE_REASONS)
                | Q(kind=MovementKind.ADJUST, reason__in=ADJUST_REASONS)
                | ~Q(kind__in=(MovementKind.WASTE, MovementKind.ADJUST)) & Q(reason=""),
                name="stockmovement_reason_of_kind",
            ),
            models.UniqueConstraint(
                fields=["counterpart"],
                condition=Q(kind=MovementKind.USE_RETURN),
                name="stockmovement_one_return_per_use",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.facility} {self.lot} {self.kind} {self.doses:+d}"
