"""Doses given, never deleted (a wrong one is voided), and the sites' paper tallies."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.ids import new_uuid
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import DoseKind, Lot, Product, ScheduleRule, StockMovement
from sosuckhoe.vaccination.models.scoping import ScopedQuerySet
from sosuckhoe.vaccination.models.screening import Screening
from sosuckhoe.vaccination.models.sessions import Booking


class VoidKind(models.TextChoices):
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error: this dose was not given")
    NOT_VALID = "not_valid", _("Given, but does not count")


class DoseQuerySet(ScopedQuerySet["Dose"]):
    scope_fields = ("person__home_unit_id", "site__unit_id")

    def valid(self) -> "DoseQuerySet":
        return self.filter(voided_at__isnull=True)


class Dose(models.Model):
    """A dose given to a person. Its kind and number come from the schedule rules in force on
    its day and the person's earlier valid doses (dose_assess), never from what was typed."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="doses",
        db_index=False,  # served by (person, given_at)
    )
    product = models.ForeignKey(
        Product, verbose_name=_("vaccine"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="doses"
    )
    site = models.ForeignKey(
        Facility,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="doses",
        db_index=False,  # served by (site, given_on, product)
    )
    given_at = models.DateTimeField(_("given at"))
    # The day in Asia/Ho_Chi_Minh, kept for the rule "one valid dose of a product a day".
    given_on = models.DateField(_("day"))
    vaccinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vaccinator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    screening = models.ForeignKey(
        Screening, on_delete=models.PROTECT, null=True, blank=True, related_name="doses"
    )
    booking = models.ForeignKey(
        Booking,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="doses",
        db_index=False,  # partial: see Meta
    )
    kind = models.CharField(_("kind"), max_length=12, choices=DoseKind.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    series_doses = models.PositiveSmallIntegerField(_("doses in the series"))
    rule = models.ForeignKey(
        ScheduleRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The use of stock this dose made; none for a late entry of a dose whose stock was counted.
    stock_use = models.OneToOneField(
        StockMovement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    late_entry_reason = models.CharField(_("reason for a late entry"), max_length=300, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # partial: see Meta
    )
    # Who voided, also for a system actor (an import), whose `voided_by` is empty.
    voided_by_name = models.CharField(max_length=160, blank=True)
    void_kind = models.CharField(
        _("kind of void"), max_length=20, choices=VoidKind.choices, blank=True
    )
    void_reason = models.CharField(_("reason for the void"), max_length=300, blank=True)
    stock_return = models.OneToOneField(
        StockMovement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = DoseQuerySet.as_manager()

    class Meta:
        verbose_name = _("dose")
        verbose_name_plural = _("doses")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "product", "given_on"],
                condition=Q(voided_at__isnull=True),
                name="dose_one_valid_per_person_product_day",
                violation_error_message=_("This dose is already recorded."),
            ),
            models.CheckConstraint(condition=Q(kind__in=DoseKind.values), name="dose_kind_valid"),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(series_doses__gte=1), name="dose_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True, void_kind="", void_reason="")
                | (Q(voided_at__isnull=False) & ~Q(void_kind="") & ~Q(void_reason="")),
                name="dose_void_has_kind_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(stock_return__isnull=True)
                | Q(void_kind=VoidKind.ENTERED_IN_ERROR, stock_use__isnull=False),
                name="dose_stock_returned_only_when_not_given",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "given_at"], name="dose_person_given"),
            models.Index(fields=["site", "given_on", "product"], name="dose_site_day_product"),
            # Most doses have no booking (late entries, imports, walk-ins) and are never
            # voided: these links' indexes leave the empty ones out, which every insert paid.
            models.Index(
                fields=["booking"], condition=Q(booking__isnull=False), name="dose_booking"
            ),
            models.Index(
                fields=["voided_by"], condition=Q(voided_by__isnull=False), name="dose_voided_by"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.product} {self.given_on:%d/%m/%Y}"

    @property
    def is_valid(self) -> bool:
        return self.voided_at is None


class DailyTally(models.Model):
    """How many doses of a product a site gave on a day, from its paper tally: the entry
    backlog is this minus the doses entered."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    site = models.ForeignKey(
        Facility,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # served by the unique (site, day, product)
    )
    day = models.DateField(_("day"))
    product = models.ForeignKey(
        Product, verbose_name=_("vaccine"), on_delete=models.PROTECT, related_name="+"
    )
    doses = models.PositiveIntegerField(_("doses given"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily tally")
        verbose_name_plural = _("daily tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "day", "product"], name="tally_site_day_product"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.day:%d/%m/%Y} {self.product}: {self.doses}"
