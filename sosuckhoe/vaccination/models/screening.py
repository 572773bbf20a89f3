"""Pre-vaccination screening: a form's answers, the vital signs, the outcome they lead to."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.ids import new_uuid
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import Product
from sosuckhoe.vaccination.models.reference import ScreeningForm, ScreeningItem, ScreeningOutcome
from sosuckhoe.vaccination.models.scoping import ScopedQuerySet
from sosuckhoe.vaccination.models.sessions import Booking


class ScreeningQuerySet(ScopedQuerySet["Screening"]):
    scope_fields = ("person__home_unit_id", "site__unit_id")


class Screening(models.Model):
    """One screening of a person at a site. The outcome is derived from the answers and the
    vital signs by the form's rules (services.screening), never typed."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="screenings",
        db_index=False,  # served by (person, screened_on)
    )
    site = models.ForeignKey(
        Facility, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    form = models.ForeignKey(
        ScreeningForm, verbose_name=_("form"), on_delete=models.PROTECT, related_name="+"
    )
    # The vaccine the person was screened for, when known: a contraindication is to "the
    # same vaccine".
    product = models.ForeignKey(
        Product,
        verbose_name=_("vaccine"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="screenings"
    )
    screened_at = models.DateTimeField(_("screened at"))
    # The day in Asia/Ho_Chi_Minh: a dose needs an eligible screening of its own day.
    screened_on = models.DateField(_("day"))
    screener = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("screened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    temperature_c = models.DecimalField(
        _("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("30.0")), MaxValueValidator(Decimal("44.0"))],
    )
    pulse_per_min = models.PositiveSmallIntegerField(
        _("pulse (/min)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(250)],
    )
    systolic_mmhg = models.PositiveSmallIntegerField(
        _("systolic pressure (mmHg)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(40), MaxValueValidator(300)],
    )
    diastolic_mmhg = models.PositiveSmallIntegerField(
        _("diastolic pressure (mmHg)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(200)],
    )
    respiratory_rate = models.PositiveSmallIntegerField(
        _("respiratory rate (/min)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(5), MaxValueValidator(100)],
    )
    outcome = models.CharField(_("outcome"), max_length=30, choices=ScreeningOutcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=ScreeningOutcome.values), name="screening_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(temperature_c__isnull=True)
                | Q(temperature_c__gte=Decimal("30.0"), temperature_c__lte=Decimal("44.0")),
                name="screening_temperature_range",
            ),
            models.CheckConstraint(
                condition=Q(systolic_mmhg__isnull=True)
                | Q(diastolic_mmhg__isnull=True)
                | Q(systolic_mmhg__gt=models.F("diastolic_mmhg")),
                name="screening_systolic_above_diastolic",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "screened_on"], name="screening_person_day"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.screened_on:%d/%m/%Y}: {self.get_outcome_display()}"


class ScreeningAnswer(models.Model):
    """The answer to one question of the form; `decisive` marks those that set the outcome."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ScreeningItem, on_delete=models.PROTECT, related_name="+")
    yes = models.BooleanField(_("yes"))
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    decisive = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("screening answer")
        verbose_name_plural = _("screening answers")
        ordering = ["screening", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "item"], name="screeninganswer_once"),
            models.CheckConstraint(
                condition=Q(yes=True) | Q(decisive=False), name="screeninganswer_decisive_is_yes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}: {'+' if self.yes else '-'}"
