"""Coverage plans: the share of a unit's target population that is to have a dose by a date.
The rule `units_behind_plan` (analytics.warnings) compares each with the unit's recent pace."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.ids import new_uuid
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.supply.models import DoseKind


class CoveragePlan(models.Model):
    """`coverage` percent of the unit's target population (the sum of its communes' targets of
    everyone) to have had dose (`kind`, `number`) by `due_on`. A unit may hold several dates
    for one dose: the steps of a campaign."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=DoseKind.choices, default=DoseKind.PRIMARY
    )
    number = models.PositiveSmallIntegerField(_("dose number"))
    coverage = models.PositiveSmallIntegerField(_("target coverage (%)"))
    due_on = models.DateField(_("to reach by"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by_name = models.CharField(_("updated by"), max_length=150)

    class Meta:
        verbose_name = _("coverage plan")
        verbose_name_plural = _("coverage plans")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "number", "due_on"], name="coverageplan_key"
            ),
            models.CheckConstraint(
                condition=Q(coverage__gte=1, coverage__lte=100), name="coverageplan_percent"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=9), name="coverageplan_number"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DoseKind.values), name="coverageplan_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.number}: {self.coverage}% by {self.due_on}"
