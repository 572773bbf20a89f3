from django.db import models
from django.db.models.functions import Length
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.ids import new_uuid
from sosuckhoe.places.cache import tree_cached


class UnitLevel(models.TextChoices):
    COUNTRY = "country", _("Country")
    PROVINCE = "province", _("Province / city")
    DISTRICT = "district", _("District / town")
    COMMUNE = "commune", _("Commune / ward")


class AdminUnitQuerySet(models.QuerySet["AdminUnit"]):
    def subtree_of(self, unit: "AdminUnit") -> "AdminUnitQuerySet":
        """The unit and everything under it: one indexed prefix match on the path."""
        return self.filter(path__startswith=unit.path)


class AdminUnit(models.Model):
    """One administrative unit of one edition of the national list, as a node of one tree.

    `path` is the chain of codes from the edition's root, e.g. `2025-07/37/13669/`, so that
    "everything under X" is `path LIKE 'X.path%'`, whatever the depth.
    """

    edition = models.CharField(_("edition"), max_length=10)
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    type_name = models.CharField(_("unit type"), max_length=60)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Collated "C" on PostgreSQL (migration 0002) so its unique index serves prefix matches.
    path = models.CharField(max_length=64, unique=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="adminunit_edition_code_uniq"),
            models.CheckConstraint(
                condition=models.Q(path__endswith="/")
                & models.Q(path__startswith=models.F("edition")),
                name="adminunit_path_shape",
            ),
        ]
        indexes = [
            models.Index(fields=["edition", "level"], name="adminunit_edition_level"),
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def subtree_ids(self) -> list[int]:
        """Ids of the unit and everything under it: kept in the cache across requests (see
        places/cache.py), asked once per loaded unit."""
        return tree_cached(f"places:subtree:{self.edition}:{self.pk}", self._subtree_ids_read)

    def _subtree_ids_read(self) -> list[int]:
        return list(AdminUnit.objects.subtree_of(self).order_by().values_list("id", flat=True))

    def ancestors(self) -> "AdminUnitQuerySet":
        prefixes = []
        parts = self.path.split("/")[:-1]
        for i in range(1, len(parts)):
            prefixes.append("/".join(parts[:i]) + "/")
        return AdminUnit.objects.filter(path__in=prefixes).order_by(Length("path"))


class UnitSuccessor(models.Model):
    """An old unit became (part of) a new unit of the next edition: one row per pair."""

    # The unique (old, new) index serves lookups by the old unit: no index of its own.
    old = models.ForeignKey(
        AdminUnit,
        on_delete=models.CASCADE,
        related_name="successor_links",
        verbose_name=_("old unit"),
        db_index=False,
    )
    new = models.ForeignKey(
        AdminUnit,
        on_delete=models.CASCADE,
        related_name="predecessor_links",
        verbose_name=_("new unit"),
    )
    # As the crosswalk says: more than 1 means the address decides, even when fewer new units
    # of the split are known here.
    split_count = models.PositiveSmallIntegerField(_("new units the old one was split across"))

    class Meta:
        verbose_name = _("unit successor")
        verbose_name_plural = _("unit successors")
        constraints = [
            models.UniqueConstraint(fields=["old", "new"], name="unitsuccessor_old_new_uniq"),
            models.CheckConstraint(
                condition=models.Q(split_count__gte=1), name="unitsuccessor_split_count_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(old=models.F("new")), name="unitsuccessor_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"


class FacilityKind(models.TextChoices):
    COMMUNE_STATION = "commune_station", _("Commune health station")
    HEALTH_CENTRE = "health_centre", _("Health centre")
    HOSPITAL = "hospital", _("Hospital")
    CLINIC = "clinic", _("Clinic")
    MOBILE_TEAM = "mobile_team", _("Mobile vaccination team")
    SCHOOL = "school", _("School")
    FACTORY = "factory", _("Factory / enterprise")
    OTHER = "other", _("Other")


class Facility(models.Model):
    """A health facility or a place where vaccination is given, belonging to one unit."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind.choices)
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="facilities")
    address_line = models.CharField(_("address"), max_length=200, blank=True)
    is_vaccination_site = models.BooleanField(_("is a vaccination site"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("facility / vaccination site")
        verbose_name_plural = _("facilities / vaccination sites")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="facility_unit_name_uniq"),
        ]

    def __str__(self) -> str:
        return self.name
