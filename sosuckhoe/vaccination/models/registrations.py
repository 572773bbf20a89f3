"""Registrations for vaccination and their review by the commune."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.ids import new_uuid
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility
from sosuckhoe.vaccination.models.reference import PriorityGroup
from sosuckhoe.vaccination.models.scoping import ScopedQuerySet


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    BOOKED = "booked", _("Booked")
    VACCINATED = "vaccinated", _("Vaccinated")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate of another person")


# A person has at most one registration in these at a time.
OPEN_REGISTRATION = (
    RegistrationStatus.PENDING,
    RegistrationStatus.APPROVED,
    RegistrationStatus.BOOKED,
)


class RegistrationChannel(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    IMPORT = "import", _("Imported from a list")
    CITIZEN = "citizen", _("Registered by the citizen")


class RegistrationQuerySet(ScopedQuerySet["Registration"]):
    scope_fields = ("person__home_unit_id", "preferred_site__unit_id")

    def open(self) -> "RegistrationQuerySet":
        return self.filter(status__in=OPEN_REGISTRATION)


class Registration(models.Model):
    """A person's wish to be vaccinated, reviewed by the commune before it is booked."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="vaccination_registrations",
        db_index=False,  # served by the partial unique index and (person, created_at)
    )
    priority_group = models.ForeignKey(
        PriorityGroup, verbose_name=_("priority group"), on_delete=models.PROTECT, related_name="+"
    )
    preferred_site = models.ForeignKey(
        Facility,
        verbose_name=_("preferred site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    preferred_date = models.DateField(_("preferred date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
    )
    channel = models.CharField(_("channel"), max_length=10, choices=RegistrationChannel.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The record of the same person kept instead. After an explicit merge the registration
    # moves to that record too, so then both fields name it.
    duplicate_of = models.ForeignKey(
        Person,
        verbose_name=_("duplicate of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=OPEN_REGISTRATION),
                name="registration_one_open_per_person",
                violation_error_message=_("This person already has an open registration."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values), name="registration_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=RegistrationChannel.values),
                name="registration_channel_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=RegistrationStatus.REJECTED) | ~Q(reason=""),
                name="registration_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status=RegistrationStatus.DUPLICATE, duplicate_of__isnull=False)
                | (~Q(status=RegistrationStatus.DUPLICATE) & Q(duplicate_of__isnull=True)),
                name="registration_duplicate_names_person",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "created_at"], name="registration_person_created"),
            models.Index(fields=["status", "created_at"], name="registration_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_status_display()}"
