"""People whose next dose is overdue, counted per commune by a daily run (analytics.overdue):
the schedule engine judges one person at a time, too slow for a dashboard's request."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sosuckhoe.places.models import AdminUnit


class OverdueCount(models.Model):
    """Residents of a commune with a valid dose whose next dose (this kind and number) is past
    the end of its window on `counted_on`."""

    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12)
    number = models.PositiveSmallIntegerField(_("number"))
    persons = models.PositiveIntegerField(_("people"))
    counted_on = models.DateField(_("counted on"))

    class Meta:
        verbose_name = _("overdue count")
        verbose_name_plural = _("overdue counts")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "number"], name="overduecount_key")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.number}: {self.persons}"
