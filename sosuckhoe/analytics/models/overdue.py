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


class OverduePerson(models.Model):
    """One resident of a commune overdue for their next dose on `counted_on`: the names behind
    the commune's OverdueCount, written by the same run in the same transaction, so that the
    list an officer calls from and the count agree."""

    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12)
    number = models.PositiveSmallIntegerField(_("number"))
    due_by = models.DateField(_("due by"))  # the last day of the next dose's window
    last_dose = models.ForeignKey(
        "vaccination.Dose", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    counted_on = models.DateField(_("counted on"))

    class Meta:
        verbose_name = _("person overdue")
        verbose_name_plural = _("people overdue")
        indexes = [models.Index(fields=["unit", "due_by"], name="overdueperson_unit_due")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.person_id} {self.kind} {self.number}: {self.due_by}"
