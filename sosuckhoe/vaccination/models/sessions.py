"""Vaccination sessions, their time slots and the bookings into them."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.ids import new_uuid
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import Product
from sosuckhoe.vaccination.models.registrations import Registration
from sosuckhoe.vaccination.models.scoping import ScopedQuerySet


class SessionStatus(models.TextChoices):
    OPEN = "open", _("Open for booking")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class VaccinationSession(models.Model):
    """One product given at one site on one day, in time slots of a set capacity."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    site = models.ForeignKey(
        Facility,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="vaccination_sessions",
        db_index=False,  # served by the unique (site, date, product)
    )
    date = models.DateField(_("date"))
    product = models.ForeignKey(
        Product, verbose_name=_("vaccine"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vaccination session")
        verbose_name_plural = _("vaccination sessions")
        ordering = ["date", "site", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "date", "product"], name="session_site_date_product_uniq"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SessionStatus.values), name="session_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["date", "site"], name="session_date_site")]

    def __str__(self) -> str:
        return f"{self.site} {self.date:%d/%m/%Y} {self.product}"


class SessionSlot(models.Model):
    """A time slot of a session. `booked` counts the bookings that hold or used a place in it
    (PLACE_TAKEN): a booking raises it with a conditional UPDATE, and the database refuses it
    past `capacity` whatever code runs."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    session = models.ForeignKey(VaccinationSession, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    capacity = models.PositiveIntegerField(_("capacity"))
    booked = models.PositiveIntegerField(_("booked"), default=0)

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["session", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "starts_at"], name="slot_session_start_uniq"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_capacity_positive"),
            models.CheckConstraint(
                condition=Q(booked__gte=0) & Q(booked__lte=F("capacity")),
                name="slot_never_overbooked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def free(self) -> int:
        return self.capacity - self.booked


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    VACCINATED = "vaccinated", _("Vaccinated")
    CANCELLED = "cancelled", _("Cancelled")
    MOVED = "moved", _("Moved to another slot")


# A booking that may still be checked in or vaccinated.
OPEN_BOOKING = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN)
# A booking counted in its slot's `booked`: cancelling or moving gives the place back.
PLACE_TAKEN = (*OPEN_BOOKING, BookingStatus.VACCINATED)


class BookingQuerySet(ScopedQuerySet["Booking"]):
    scope_fields = ("person__home_unit_id", "session__site__unit_id")

    def open(self) -> "BookingQuerySet":
        return self.filter(status__in=OPEN_BOOKING)


class Booking(models.Model):
    """A person's place in a session: in a slot, or a walk-in checked in without one."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    session = models.ForeignKey(
        VaccinationSession,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="bookings",
        db_index=False,  # served by the unique (session, person) of open bookings and below
    )
    slot = models.ForeignKey(
        SessionSlot,
        verbose_name=_("time slot"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="bookings"
    )
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    walk_in = models.BooleanField(_("walk-in"), default=False)
    moved_to = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="moved_from"
    )
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            # The person first: the index also finds a person's open bookings (every booking
            # asks whether the person holds one; the facts read the checked-in ones), where
            # with the session first PostgreSQL scanned all its entries for one person.
            models.UniqueConstraint(
                fields=["person", "session"],
                condition=Q(status__in=OPEN_BOOKING),
                name="booking_one_open_per_person_session",
                violation_error_message=_("This person is already booked in this session."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=BookingStatus.values), name="booking_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(walk_in=True, slot__isnull=True) | Q(walk_in=False, slot__isnull=False),
                name="booking_slot_unless_walk_in",
            ),
            models.CheckConstraint(
                condition=Q(status=BookingStatus.MOVED, moved_to__isnull=False)
                | (~Q(status=BookingStatus.MOVED) & Q(moved_to__isnull=True)),
                name="booking_moved_names_target",
            ),
            models.CheckConstraint(
                condition=~Q(status=BookingStatus.CHECKED_IN) | Q(checked_in_at__isnull=False),
                name="booking_checked_in_has_time",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"], name="booking_session_status")]

    def __str__(self) -> str:
        return f"{self.person} — {self.session}"
