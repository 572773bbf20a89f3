from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.ids import new_uuid
from sosuckhoe.places.models import AdminUnit


class Role(models.TextChoices):
    SITE_STAFF = "site_staff", _("Vaccination site staff")
    COMMUNE = "commune", _("Commune health officer")
    DISTRICT = "district", _("District health officer")
    PROVINCE = "province", _("Province health officer")
    NATIONAL_ADMIN = "national_admin", _("National administrator")
    ANALYST = "analyst", _("Read-only analyst")


# Roles that may read personal data within their unit; an analyst sees only aggregates.
PERSONAL_DATA_ROLES = frozenset(
    {Role.SITE_STAFF, Role.COMMUNE, Role.DISTRICT, Role.PROVINCE, Role.NATIONAL_ADMIN}
)
AUDIT_READER_ROLES = frozenset({Role.PROVINCE, Role.NATIONAL_ADMIN})
MANAGER_ROLES = frozenset({Role.PROVINCE, Role.NATIONAL_ADMIN})

# How far each role reaches, lowest first: nobody gives a role ranked above their own. The
# analyst stands lowest, below site staff: it reads aggregates of its unit, no personal data,
# and writes nothing, so every manager may hand it out.
ROLE_RANK: dict[str, int] = {
    Role.ANALYST: 0,
    Role.SITE_STAFF: 1,
    Role.COMMUNE: 2,
    Role.DISTRICT: 3,
    Role.PROVINCE: 4,
    Role.NATIONAL_ADMIN: 5,
}


class StaffUser(AbstractUser):
    """A member of staff, working in one unit and seeing what lies under it."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="staff"
    )
    # E.164, normalised by the services with the rule persons' phones follow.
    phone = models.CharField(_("phone"), max_length=16, blank=True)

    REQUIRED_FIELDS = ["email", "role", "unit"]

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="staffuser_role_valid"
            ),
        ]

    @property
    def reads_personal_data(self) -> bool:
        return self.role in PERSONAL_DATA_ROLES

    @property
    def sees_whole_country(self) -> bool:
        return self.role == Role.NATIONAL_ADMIN

    def works_over(self, unit: AdminUnit) -> bool:
        """Whether `unit` lies in the subtree the member of staff works over: their unit's, or
        the whole country (every edition) for a national administrator."""
        return self.sees_whole_country or unit.path.startswith(self.unit.path)

    @property
    def reads_audit_log(self) -> bool:
        return self.role in AUDIT_READER_ROLES

    @property
    def is_manager(self) -> bool:
        """Manages the staff accounts and the jobs of their unit's subtree."""
        return self.role in MANAGER_ROLES


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    SEARCH = "search", _("Searched")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    MERGE = "merge", _("Merged")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Rows are never changed or deleted:
    the database refuses UPDATE and DELETE on this table (see migration 0002)."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # Indexed first in audit_actor_at: no index of its own.
    actor = models.ForeignKey(
        StaffUser, on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    actor_username = models.CharField(_("user"), max_length=150)
    ip = models.GenericIPAddressField(_("address"), null=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("record type"), max_length=40, blank=True)
    object_uuid = models.UUIDField(null=True, blank=True)
    # The unit path of the record (or of the actor when there is no record): what scopes reads.
    scope_path = models.CharField(max_length=64)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_uuid", "at"], name="audit_object_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["scope_path", "at"], name="audit_scope_at"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_username} {self.action} {self.object_type} {self.object_uuid or ''}"
