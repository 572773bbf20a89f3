"""Counts of doses and reactions, kept current in the transaction of each dose or reaction
written (analytics.services), so that no dashboard scans the raw rows."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sosuckhoe.places.models import AdminUnit
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.vaccination.models import AefiTerm

# The key columns, in the order of each unique constraint (the upsert's conflict target):
# the unit first, so that a subtree's rows over a range of days are one index range per unit.
DOSE_KEY = ("unit", "day", "product", "kind", "number", "age_band", "sex", "priority_group")
REACTION_KEY = ("unit", "day", "product", "lot", "term", "serious")


class DoseRollup(models.Model):
    """Valid doses of a day in a commune, by product, kind and number, age band, sex and
    priority group. The unit is the person's home commune; the age band is the person's age
    on the day of the dose; the priority group is that of the registration the dose's booking
    came from (0: no booking, or a booking with no registration), a fact of the dose row
    itself, so that a rebuild finds the same group as the write that counted it."""

    # No index of their own on the foreign keys: the key serves the unit, and each index
    # would cost every upsert its upkeep.
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+", db_index=False)
    day = models.DateField(_("day"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(_("kind"), max_length=12)
    number = models.PositiveSmallIntegerField(_("number"))
    age_band = models.CharField(_("age band"), max_length=8)
    sex = models.CharField(_("sex"), max_length=1)
    priority_group = models.PositiveSmallIntegerField(_("priority group"))  # its code; 0: none
    # No CHECK (doses >= 0): PostgreSQL checks the row proposed by the upsert, whose count is
    # the change, negative for a void, before it finds the row to update.
    doses = models.IntegerField(_("doses"))

    class Meta:
        verbose_name = _("dose count")
        verbose_name_plural = _("dose counts")
        constraints = [models.UniqueConstraint(fields=DOSE_KEY, name="doserollup_key")]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.product_id} {self.kind} {self.number}: {self.doses}"


class ReactionRollup(models.Model):
    """Reactions by the day of their dose, the person's home commune, product, lot, sign and
    seriousness: one count per sign, so a reaction with two signs counts under each. The
    dose's day (not the onset's) puts reactions on the same days as the doses they follow:
    reactions over doses of any range of days is a rate of that cohort."""

    # No index of their own on the foreign keys: the key serves the unit, and each index
    # would cost every upsert its upkeep.
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+", db_index=False)
    day = models.DateField(_("day"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", db_index=False)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+", db_index=False)
    term = models.ForeignKey(AefiTerm, on_delete=models.PROTECT, related_name="+", db_index=False)
    serious = models.BooleanField(_("serious"))
    reactions = models.IntegerField(_("reactions"))

    class Meta:
        verbose_name = _("reaction count")
        verbose_name_plural = _("reaction counts")
        constraints = [models.UniqueConstraint(fields=REACTION_KEY, name="reactionrollup_key")]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.lot_id} {self.term_id}: {self.reactions}"


# The coarser counts the dashboards read, kept by the same writes: a dashboard over all days
# sums a few rows per commune whatever the number of days (DoseRollup has one per day).
DOSE_TOTAL_KEY = ("unit", "product", "kind", "number", "age_band", "priority_group")
LOT_KEY = ("unit", "lot")


class DoseTotal(models.Model):
    """Valid doses of all days in a commune, by product, kind and number, age band and
    priority group: DoseRollup without the day and the sex, for coverage and the rates per
    product (the age band is still the person's age on the day of each dose)."""

    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(_("kind"), max_length=12)
    number = models.PositiveSmallIntegerField(_("number"))
    age_band = models.CharField(_("age band"), max_length=8)
    priority_group = models.PositiveSmallIntegerField(_("priority group"))
    doses = models.IntegerField(_("doses"))  # no CHECK, as DoseRollup's

    class Meta:
        verbose_name = _("dose total")
        verbose_name_plural = _("dose totals")
        constraints = [models.UniqueConstraint(fields=DOSE_TOTAL_KEY, name="dosetotal_key")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.product_id} {self.kind} {self.number}: {self.doses}"


class LotDoses(models.Model):
    """Valid doses of all days of each lot given to a commune's residents: the denominators
    of the reactions per 100,000 doses by lot."""

    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+", db_index=False)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+", db_index=False)
    doses = models.IntegerField(_("doses"))  # no CHECK, as DoseRollup's

    class Meta:
        verbose_name = _("doses of a lot")
        verbose_name_plural = _("doses of lots")
        constraints = [models.UniqueConstraint(fields=LOT_KEY, name="lotdoses_key")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.lot_id}: {self.doses}"
