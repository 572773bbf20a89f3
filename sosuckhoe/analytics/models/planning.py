"""Planning and scheduled reports: shipments a unit expects (counted against its need until
they are shared out as stock transfers), and who receives which report by e-mail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.ids import new_uuid
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.supply.models import Product


class ShipmentStatus(models.TextChoices):
    EXPECTED = "expected", _("Expected")
    DISTRIBUTED = "distributed", _("Shared out")
    CANCELLED = "cancelled", _("Cancelled")


class ExpectedShipment(models.Model):
    """Doses of a product a unit expects on a day (an allocation announced by the level
    above). While expected it counts against the need of the unit's subtree; shared out,
    its doses are stock transfers in the supply ledger and no longer counted here."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    product = models.ForeignKey(
        Product, verbose_name=_("vaccine"), on_delete=models.PROTECT, related_name="+"
    )
    doses = models.PositiveIntegerField(_("doses"))
    expected_on = models.DateField(_("expected on"))
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("receiving unit"), on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ShipmentStatus.choices, default=ShipmentStatus.EXPECTED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_name = models.CharField(_("recorded by"), max_length=150)
    distributed_at = models.DateTimeField(_("shared out at"), null=True, blank=True)

    class Meta:
        verbose_name = _("expected shipment")
        verbose_name_plural = _("expected shipments")
        ordering = ["expected_on", "id"]
        indexes = [models.Index(fields=["unit", "status"], name="shipment_unit_status")]
        constraints = [
            models.CheckConstraint(condition=Q(doses__gte=1), name="shipment_doses_positive"),
            models.CheckConstraint(
                condition=Q(status__in=ShipmentStatus.values), name="shipment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ShipmentStatus.DISTRIBUTED, distributed_at__isnull=False)
                | ~Q(status=ShipmentStatus.DISTRIBUTED) & Q(distributed_at__isnull=True),
                name="shipment_distributed_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expected_on:%d/%m/%Y} {self.product_id} {self.doses}"


class ReportKind(models.TextChoices):
    DAILY = "daily", _("Daily vaccination report")
    REACTIONS = "reactions", _("Reactions after vaccination report")
    STOCK = "stock", _("Vaccine stock report")


class ReportSubscription(models.Model):
    """One report of one unit, e-mailed each day (the day before, as .xlsx and PDF) to
    the listed addresses; `last_sent_on` is the day last sent, claimed before sending so
    that two workers never send the same day twice."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    kind = models.CharField(_("report"), max_length=10, choices=ReportKind.choices)
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.TextField(_("recipients' e-mail addresses"))  # one per line
    is_active = models.BooleanField(_("active"), default=True)
    last_sent_on = models.DateField(_("last report sent for"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_name = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["unit__path", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReportKind.values), name="reportsubscription_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.unit_id}"

    @property
    def addresses(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]
