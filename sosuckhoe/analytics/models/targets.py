"""Target populations: how many people of a commune, priority group and age band the campaign
means to reach. Coverage is doses given over these, so they are data that officers edit (the
census, the commune's own lists), not a count of the persons on record."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sosuckhoe.places.models import AdminUnit
from sosuckhoe.vaccination.age_bands import AGE_BANDS

ALL_GROUPS = 0  # the target of a commune's whole population, whatever their group
ALL_AGES = ""  # every age band


class TargetPopulation(models.Model):
    """People to reach in one commune, for one priority group (0: all) and one age band
    ("": all ages). A district's or province's target is the sum of its communes'."""

    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    priority_group = models.PositiveSmallIntegerField(_("priority group"), default=ALL_GROUPS)
    age_band = models.CharField(_("age band"), max_length=8, blank=True, default=ALL_AGES)
    persons = models.PositiveIntegerField(_("people"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by_name = models.CharField(_("updated by"), max_length=150)

    class Meta:
        verbose_name = _("target population")
        verbose_name_plural = _("target populations")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "priority_group", "age_band"], name="targetpopulation_key"
            ),
            models.CheckConstraint(
                condition=Q(age_band__in=[ALL_AGES, *(band.key for band in AGE_BANDS)]),
                name="targetpopulation_age_band_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.priority_group} {self.age_band or '*'}: {self.persons}"
