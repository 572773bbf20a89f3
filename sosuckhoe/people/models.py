import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.ids import new_uuid
from sosuckhoe.core.jobs import Job
from sosuckhoe.people.codes import ethnicity_choices, occupation_choices
from sosuckhoe.people.identity import (
    validate_cccd,
    validate_cmnd,
    validate_insurance_number,
    validate_passport,
)
from sosuckhoe.places.models import AdminUnit, UnitLevel


def _collect(
    errors: dict[str, list[Any]], field: str, check: Any, *args: Any, **kwargs: Any
) -> None:
    try:
        check(*args, **kwargs)
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.messages)


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class IdKind(models.TextChoices):
    CCCD = "cccd", _("Citizen ID (CCCD)")
    CMND = "cmnd", _("Old ID card (CMND)")
    PASSPORT = "passport", _("Passport")
    NONE = "none", _("None (child under a guardian)")


class PersonQuerySet(models.QuerySet["Person"]):
    def active(self) -> "PersonQuerySet":
        return self.filter(merged_into__isnull=True)

    def in_unit_subtree(self, unit: AdminUnit) -> "PersonQuerySet":
        # The subtree's unit ids, not a join on their paths: PostgreSQL cannot tell from a
        # path prefix how many persons it covers (a whole province looked like 0.1% of them),
        # and then reads every match of a name prefix commune by commune. Against a list of
        # ids its statistics of home_unit_id are right, for a commune as for a province. The
        # list is one array (`__any`): a province's hundreds of ids cost no preparing each.
        return self.filter(home_unit_id__any=unit.subtree_ids)

    def visible_to(self, user: Any) -> "PersonQuerySet":
        """The one place where staff access to personal data is scoped: their unit's subtree."""
        if not getattr(user, "reads_personal_data", False):
            return self.none()
        if user.sees_whole_country:
            return self
        return self.in_unit_subtree(user.unit)


class Household(models.Model):
    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    home_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    address_line = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.address_line or str(self.uuid)


class Person(models.Model):
    """A person known to the health book, with or without an identity document."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=120)
    # The name folded (no diacritics, lower case) so that "nguyen van an" finds "Nguyễn Văn An".
    name_key = models.CharField(max_length=120, editable=False)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    # Always set; the only birth data of old paper records that give a year alone.
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    id_kind = models.CharField(_("identity document"), max_length=10, choices=IdKind.choices)
    id_number = models.CharField(_("document number"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    phone_network = models.CharField(_("network"), max_length=30, blank=True)
    home_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("commune / ward"),
        on_delete=models.PROTECT,
        related_name="residents",
        db_index=False,  # served by the (home_unit, name_key) index
    )
    address_line = models.CharField(_("address"), max_length=200, blank=True)
    insurance_number = models.CharField(_("health-insurance number"), max_length=15, blank=True)
    ethnicity = models.CharField(
        _("ethnicity"), max_length=2, choices=ethnicity_choices, blank=True
    )
    occupation = models.CharField(
        _("occupation"), max_length=2, choices=occupation_choices, blank=True
    )
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    guardian = models.ForeignKey(
        "self",
        verbose_name=_("guardian"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wards",
        db_index=False,  # a partial index below: most persons have no guardian
    )
    # A record found to be a duplicate is never deleted: it points to the record it became.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        db_index=False,  # a partial index below: merged records are few
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(
                fields=["id_kind", "id_number"],
                condition=~Q(id_number=""),
                name="person_id_document_uniq",
                violation_error_message=_(
                    "A person with this identity document is already registered."
                ),
            ),
            models.CheckConstraint(
                condition=Q(id_kind="none", id_number="") | (~Q(id_kind="none") & ~Q(id_number="")),
                name="person_id_number_iff_document",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__gte=1880) & Q(birth_year__lte=2200),
                name="person_birth_year_range",
            ),
            models.CheckConstraint(condition=Q(sex__in=["M", "F"]), name="person_sex_valid"),
        ]
        indexes = [
            # On PostgreSQL name_key is collated "C" (migration 0002), so these serve prefix
            # ranges and ORDER BY alike. The id makes the order of a name search's results
            # (name, then id) the index's own: the first 25 are read, not every namesake.
            models.Index(fields=["name_key", "id"], name="person_name_key_id"),
            models.Index(fields=["phone"], name="person_phone"),
            models.Index(fields=["home_unit", "name_key"], name="person_unit_name"),
            # Only the rows that have a value: every index costs each bulk load its upkeep.
            models.Index(
                fields=["guardian"], name="person_guardian", condition=Q(guardian__isnull=False)
            ),
            models.Index(
                fields=["merged_into"],
                name="person_merged_into",
                condition=Q(merged_into__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        """Rules that span fields: birth data, the document against sex and birth year."""
        self.clean_as_of(timezone.localdate())

    def clean_as_of(self, today: dt.date) -> None:
        """`clean` on the day `today` (a batch asks the date once for its rows)."""
        errors: dict[str, list[Any]] = {}
        self._clean_birth(errors, today)
        self._clean_document(errors)
        if self.insurance_number:
            _collect(errors, "insurance_number", validate_insurance_number, self.insurance_number)
        if self.home_unit_id and self.home_unit.level != UnitLevel.COMMUNE:
            errors.setdefault("home_unit", []).append(_("Choose a commune or ward."))
        if errors:
            raise ValidationError(errors)

    def _clean_birth(self, errors: dict[str, list[Any]], today: dt.date) -> None:
        if self.birth_date:
            if self.birth_date > today:
                errors.setdefault("birth_date", []).append(_("The date of birth is in the future."))
            if self.birth_year and self.birth_year != self.birth_date.year:
                errors.setdefault("birth_year", []).append(
                    _("The year of birth does not match the date of birth.")
                )
        if self.birth_year and not 1880 <= self.birth_year <= today.year:
            errors.setdefault("birth_year", []).append(
                _("The year of birth must be between 1880 and this year.")
            )

    def _clean_document(self, errors: dict[str, list[Any]]) -> None:
        if self.id_kind == IdKind.NONE:
            return
        if not self.id_number:
            errors.setdefault("id_number", []).append(_("Enter the document number."))
        elif self.id_kind == IdKind.CCCD and "birth_year" not in errors:
            _collect(
                errors,
                "id_number",
                validate_cccd,
                self.id_number,
                birth_year=self.birth_year or None,
                sex=self.sex or None,
            )
        elif self.id_kind == IdKind.CMND:
            _collect(errors, "id_number", validate_cmnd, self.id_number)
        elif self.id_kind == IdKind.PASSPORT:
            _collect(errors, "id_number", validate_passport, self.id_number)

    @property
    def birth_display(self) -> str:
        return self.birth_date.strftime("%d/%m/%Y") if self.birth_date else str(self.birth_year)


class PopulationJob(Job):
    """Generating a synthetic population in `unit`: long enough to run on a worker and show
    progress."""

    kind = "population"

    seed = models.BigIntegerField(null=True, blank=True)
    households_made = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("population generation")
        verbose_name_plural = _("population generations")

    def __str__(self) -> str:
        return f"{self.unit} × {self.progress_total}"


class DuplicateRun(Job):
    """A search for duplicates among the persons of `unit`: candidate pairs by blocking,
    scored, those above `threshold` queued for review."""

    kind = "duplicates"

    threshold = models.FloatField(_("threshold"))
    pairs_compared = models.PositiveBigIntegerField(_("pairs compared"), default=0)
    pairs_queued = models.PositiveIntegerField(_("pairs queued"), default=0)

    class Meta:
        verbose_name = _("duplicate search")
        verbose_name_plural = _("duplicate searches")

    def __str__(self) -> str:
        return f"{self.unit} ≥ {self.threshold}"


class DuplicatePairStatus(models.TextChoices):
    OPEN = "open", _("To review")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Not the same person")


class DuplicatePair(models.Model):
    """Two records that may be one person, waiting for a person to merge or dismiss them;
    never merged by the machine. `person_a` has the lower id, so a pair is queued once."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    # The level of each comparison (name, birth, document, phone, commune), as scored.
    reasons = models.JSONField(_("reasons"), default=dict)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DuplicatePairStatus.choices,
        default=DuplicatePairStatus.OPEN,
    )
    # The search that found the pair; none for a candidate met by an import.
    run = models.ForeignKey(
        DuplicateRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="pairs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="duplicate_pair_uniq"),
            models.CheckConstraint(
                condition=Q(person_a__lt=models.F("person_b")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [
            models.Index(
                fields=["-score"],
                name="duplicate_pair_open_score",
                condition=Q(status="open"),
            ),
            models.Index(fields=["person_b"], name="duplicate_pair_person_b"),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.score:.2f})"
