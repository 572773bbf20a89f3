"""Reference data loaded from `vaccination/data`: priority groups, screening forms, AEFI terms."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sosuckhoe.vaccination.models.scoping import bilingual


class PriorityGroup(models.Model):
    """One of the 16 priority groups of QĐ 3355/QĐ-BYT."""

    code = models.PositiveSmallIntegerField(_("code"), unique=True)
    name_vi = models.TextField(_("name (Vietnamese)"))
    name_en = models.TextField(_("name (English)"), blank=True)
    # Its members count as highly exposed for the schedule (the 2022 fourth dose).
    high_exposure = models.BooleanField(_("high exposure"), default=False)
    source = models.TextField(_("source"))

    class Meta:
        verbose_name = _("priority group")
        verbose_name_plural = _("priority groups")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__gte=1) & Q(code__lte=99), name="prioritygroup_code_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"

    @property
    def name(self) -> str:
        return bilingual(self.name_vi, self.name_en)


class ScreeningOutcome(models.TextChoices):
    """The conclusion of a screening, from least to most restrictive."""

    ELIGIBLE = "eligible", _("Eligible for vaccination now")
    CAUTION = "caution", _("Vaccinate with caution")
    AT_HOSPITAL = "vaccinate_at_hospital", _("Vaccinate at a facility able to treat anaphylaxis")
    POSTPONE = "postpone", _("Postpone vaccination")
    CONTRAINDICATED = "contraindicated", _("Contraindicated for the same vaccine")


# Most restrictive first: the outcome of a form is that of its most restrictive "yes".
OUTCOME_SEVERITY = (
    ScreeningOutcome.CONTRAINDICATED,
    ScreeningOutcome.POSTPONE,
    ScreeningOutcome.AT_HOSPITAL,
    ScreeningOutcome.CAUTION,
    ScreeningOutcome.ELIGIBLE,
)


class FormKind(models.TextChoices):
    ADULT = "adult", _("Adults (18 and over)")
    CHILD = "child", _("Children (under 18)")


class ScreeningForm(models.Model):
    """One version of a Ministry of Health screening form; a screening keeps the version it
    was made with, so that a later form changes no past conclusion."""

    kind = models.CharField(_("for"), max_length=10, choices=FormKind.choices)
    version = models.CharField(_("version"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source = models.TextField(_("source"))

    class Meta:
        verbose_name = _("screening form")
        verbose_name_plural = _("screening forms")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="screeningform_kind_version"),
            models.CheckConstraint(
                condition=Q(kind__in=FormKind.values), name="screeningform_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="screeningform_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.version}"

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class AnswerType(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    YES_NO_TEXT = "yes_no_text", _("Yes / no, with what")
    YES_NO_VITALS = "yes_no_vitals", _("Yes / no, from the vital signs")
    HEADER = "header", _("Heading")
    MEASURE = "measure", _("Measurement")


class ScreeningItem(models.Model):
    """One line of a screening form and the outcome a "yes" to it leads to."""

    form = models.ForeignKey(ScreeningForm, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("item"), max_length=4)
    position = models.PositiveSmallIntegerField()
    text_vi = models.TextField(_("text (Vietnamese)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    answer_type = models.CharField(_("answer"), max_length=20, choices=AnswerType.choices)
    outcome_if_yes = models.CharField(
        _("outcome of a yes"), max_length=30, choices=ScreeningOutcome.choices, blank=True
    )
    # A "yes" means the person is immunocompromised: the schedule then allows an additional dose.
    marks_immunocompromised = models.BooleanField(default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("screening item")
        verbose_name_plural = _("screening items")
        ordering = ["form", "position"]
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="screeningitem_form_code"),
            models.UniqueConstraint(
                fields=["form", "position"], name="screeningitem_form_position"
            ),
            models.CheckConstraint(
                condition=Q(answer_type__in=AnswerType.values), name="screeningitem_answer_valid"
            ),
            # Headings and measurements are not answered yes or no: no outcome hangs on them.
            models.CheckConstraint(
                condition=Q(
                    answer_type__in=[AnswerType.HEADER, AnswerType.MEASURE], outcome_if_yes=""
                )
                | Q(answer_type__startswith="yes_no"),
                name="screeningitem_outcome_only_on_questions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.text}"

    @property
    def text(self) -> str:
        return bilingual(self.text_vi, self.text_en)

    @property
    def is_question(self) -> bool:
        return self.answer_type.startswith("yes_no")


class AefiCategory(models.TextChoices):
    COMMON = "common", _("Common reaction")
    WARNING_SIGN = "warning_sign_seek_care", _("Warning sign: seek care")
    SERIOUS_CRITERION = "serious_criterion", _("Criterion of a serious reaction")
    CAUSE = "cause_category", _("Cause category")


class AefiTerm(models.Model):
    """A coded reaction symptom, seriousness criterion or cause category (`aefi_terms.csv`)."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    category = models.CharField(_("category"), max_length=30, choices=AefiCategory.choices)
    term_vi = models.TextField(_("term (Vietnamese)"))
    term_en = models.TextField(_("term (English)"), blank=True)
    source = models.TextField(_("source"))

    class Meta:
        verbose_name = _("reaction term")
        verbose_name_plural = _("reaction terms")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=AefiCategory.values), name="aefiterm_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.term}"

    @property
    def term(self) -> str:
        return bilingual(self.term_vi, self.term_en)
