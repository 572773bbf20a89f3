"""Reactions after vaccination (AEFI) and the investigation of a serious one."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.ids import new_uuid
from sosuckhoe.vaccination.models.doses import Dose
from sosuckhoe.vaccination.models.reference import AefiTerm
from sosuckhoe.vaccination.models.scoping import ScopedQuerySet


class ReactionOutcome(models.TextChoices):
    RECOVERING = "recovering", _("Recovering")
    RECOVERED = "recovered", _("Recovered")
    NOT_RECOVERED = "not_recovered", _("Not recovered")
    SEQUELAE = "sequelae", _("Recovered with sequelae")
    DIED = "died", _("Died")
    UNKNOWN = "unknown", _("Unknown")


# Outcomes that make a reaction serious whatever its signs (Thông tư 12/2014/TT-BYT).
SERIOUS_OUTCOMES = (ReactionOutcome.SEQUELAE, ReactionOutcome.DIED)


class TreatmentPlace(models.TextChoices):
    ON_SITE = "on_site", _("At the vaccination site")
    HOME = "home", _("At home")
    COMMUNE_STATION = "commune_station", _("Commune health station")
    DISTRICT_HOSPITAL = "district_hospital", _("District hospital")
    PROVINCE_HOSPITAL = "province_hospital", _("Province hospital")
    PRIVATE_CLINIC = "private_clinic", _("Private clinic")
    OTHER = "other", _("Other")
    NONE = "none", _("Not treated")


class ReactionQuerySet(ScopedQuerySet["Reaction"]):
    scope_fields = ("dose__person__home_unit_id", "dose__site__unit_id")


class Reaction(models.Model):
    """A reaction after a dose. Serious when a seriousness criterion is among its terms or its
    outcome is sequelae or death: derived by the service, never ticked."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    dose = models.ForeignKey(
        Dose, verbose_name=_("dose"), on_delete=models.PROTECT, related_name="reactions"
    )
    onset_at = models.DateTimeField(_("onset"))
    terms = models.ManyToManyField(AefiTerm, verbose_name=_("signs"), related_name="+")
    serious = models.BooleanField(_("serious"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=ReactionOutcome.choices)
    treatment = models.CharField(_("treatment"), max_length=300, blank=True)
    treated_at = models.CharField(
        _("treated at"), max_length=20, choices=TreatmentPlace.choices, default=TreatmentPlace.NONE
    )
    during_watch = models.BooleanField(_("during the watch after the dose"), default=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A reporter who is not staff (the person, a relative, a doctor elsewhere).
    reporter_name = models.CharField(_("reporter's name"), max_length=120, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=16, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    objects = ReactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reaction after vaccination")
        verbose_name_plural = _("reactions after vaccination")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=ReactionOutcome.values), name="reaction_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(treated_at__in=TreatmentPlace.values), name="reaction_place_valid"
            ),
            models.CheckConstraint(
                condition=Q(serious=True) | ~Q(outcome__in=SERIOUS_OUTCOMES),
                name="reaction_death_or_sequelae_is_serious",
            ),
            models.CheckConstraint(
                condition=Q(reporter__isnull=False) | ~Q(reporter_name=""),
                name="reaction_has_reporter",
            ),
        ]
        indexes = [
            models.Index(
                fields=["reported_at"], name="reaction_serious_reported", condition=Q(serious=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dose}: {self.get_outcome_display()}"


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class KnownAssociation(models.TextChoices):
    NONE = "none", _("None known")
    PRODUCT = "product", _("A known reaction to the vaccine product")
    QUALITY = "quality", _("A vaccine quality defect")
    ERROR = "error", _("An immunisation error")
    ANXIETY = "anxiety", _("Immunisation anxiety")


class Classification(models.TextChoices):
    """WHO AEFI causality classification (user manual, 2nd edition, 2018)."""

    A1 = "A1", _("A1 Vaccine product-related reaction")
    A2 = "A2", _("A2 Vaccine quality defect-related reaction")
    A3 = "A3", _("A3 Immunisation error-related reaction")
    A4 = "A4", _("A4 Immunisation anxiety-related reaction")
    B1 = "B1", _("B1 Temporal relationship consistent, evidence insufficient for causality")
    B2 = "B2", _("B2 Conflicting trends of consistency and inconsistency with causality")
    C = "C", _("C Coincidental: inconsistent causal association")
    D = "D", _("D Unclassifiable: more information needed")


class InvestigationQuerySet(ScopedQuerySet["Investigation"]):
    scope_fields = ("reaction__dose__person__home_unit_id", "reaction__dose__site__unit_id")


class Investigation(models.Model):
    """The investigation a serious reaction opens at once: investigated within 24 hours and
    assessed by the expert council within 5 days (NĐ 104/2016/NĐ-CP), in the WHO steps:
    1 eligibility, 2 checklist, 3 algorithm, 4 classification."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    reaction = models.OneToOneField(
        Reaction, on_delete=models.PROTECT, related_name="investigation"
    )
    opened_at = models.DateTimeField(_("opened at"))
    investigate_by = models.DateTimeField(_("investigate by"))
    assess_by = models.DateTimeField(_("assess by"))
    # Step 1: a valid diagnosis of the event (the dose is on record, before the onset).
    diagnosis = models.CharField(_("diagnosis"), max_length=300, blank=True)
    diagnosis_valid = models.BooleanField(_("the diagnosis meets a case definition"), null=True)
    # Step 2: the checklist.
    other_cause = models.CharField(
        _("strong evidence for another cause"), max_length=8, choices=Answer.choices, blank=True
    )
    known_association = models.CharField(
        _("known causal association with the vaccine or vaccination"),
        max_length=8,
        choices=KnownAssociation.choices,
        blank=True,
    )
    within_time_window = models.CharField(
        _("within the time window of increased risk"),
        max_length=8,
        choices=Answer.choices,
        blank=True,
    )
    evidence_against = models.CharField(
        _("strong evidence against a causal association"),
        max_length=8,
        choices=Answer.choices,
        blank=True,
    )
    qualifying_factors = models.TextField(_("other qualifying factors"), blank=True)
    # Step 4: the classification of the council.
    classification = models.CharField(
        _("classification"), max_length=2, choices=Classification.choices, blank=True
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = InvestigationQuerySet.as_manager()

    class Meta:
        verbose_name = _("investigation of a serious reaction")
        verbose_name_plural = _("investigations of serious reactions")
        constraints = [
            models.CheckConstraint(
                condition=Q(classification="", assessed_at__isnull=True)
                | (~Q(classification="") & Q(assessed_at__isnull=False)),
                name="investigation_classified_when_assessed",
            ),
            models.CheckConstraint(
                condition=Q(classification="") | Q(classification__in=Classification.values),
                name="investigation_classification_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["assess_by"],
                name="investigation_open_due",
                condition=Q(assessed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reaction}: {self.classification or '…'}"
