"""Requests to correct a person's vaccination record ("yêu cầu điều chỉnh thông tin tiêm
chủng"): what the citizen says is wrong, who asked, and how the officers answered. A request
never changes the record itself: the officer corrects it with the dose services (void, late
entry) and the request may name the doses that did it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.ids import new_uuid
from sosuckhoe.people.models import Person
from sosuckhoe.vaccination.models.doses import Dose
from sosuckhoe.vaccination.models.scoping import ScopedQuerySet


class CorrectionKind(models.TextChoices):
    MISSING_DOSE = "missing_dose", _("A dose is missing")
    WRONG_DATE = "wrong_date", _("Wrong date of a dose")
    WRONG_VACCINE = "wrong_vaccine", _("Wrong vaccine or lot")
    NOT_THIS_PERSON = "not_this_person", _("A dose of someone else")
    WRONG_DETAILS = "wrong_details", _("Wrong name, birth date or other personal details")
    OTHER = "other", _("Other")


# What is wrong with a dose on record: the request names the dose.
DOSE_KINDS = (
    CorrectionKind.WRONG_DATE,
    CorrectionKind.WRONG_VACCINE,
    CorrectionKind.NOT_THIS_PERSON,
)


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class CorrectionChannel(models.TextChoices):
    """How the request came: staff enter the first two for a citizen; the citizen portal
    will create the third, naming the citizen's account."""

    AT_STATION = "at_station", _("At the health station")
    PHONE = "phone", _("By phone")
    PORTAL = "portal", _("Citizen portal")


class RequesterRelation(models.TextChoices):
    SELF = "self", _("The person themselves")
    PARENT = "parent", _("Parent or guardian")
    FAMILY = "family", _("Other family member")
    OTHER = "other", _("Other")


class CorrectionRequestQuerySet(ScopedQuerySet["CorrectionRequest"]):
    # The dose's site's unit too, as doses are: the station that gave it answers for it.
    scope_fields = ("person__home_unit_id", "dose__site__unit_id")

    def open(self) -> "CorrectionRequestQuerySet":
        return self.filter(status=CorrectionStatus.OPEN)


class CorrectionRequest(models.Model):
    """A request to correct a person's vaccination record, entered by staff for a citizen who
    came or called (their name and phone as they gave them), resolved by an officer with a
    note; the doses voided or added to correct the record may be named."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="correction_requests",
    )
    # The dose concerned; none for a dose missing from the record.
    dose = models.ForeignKey(
        Dose,
        verbose_name=_("dose concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction_requests",
    )
    kind = models.CharField(_("what is wrong"), max_length=20, choices=CorrectionKind.choices)
    should_read = models.TextField(_("what the record should say"), max_length=1000)
    evidence = models.CharField(_("evidence seen"), max_length=300, blank=True)
    channel = models.CharField(_("received via"), max_length=12, choices=CorrectionChannel.choices)
    requester_name = models.CharField(_("asked by"), max_length=120)
    requester_phone = models.CharField(_("phone of who asked"), max_length=16, blank=True)
    requester_relation = models.CharField(
        _("relation to the person"), max_length=10, choices=RequesterRelation.choices
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who entered it, also for a system actor, whose `entered_by` is empty.
    entered_by_name = models.CharField(max_length=160)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.OPEN,
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_by_name = models.CharField(max_length=160, blank=True)
    resolution_note = models.CharField(_("answer"), max_length=500, blank=True)
    # What the officer did to the record, with the dose services, when accepting it.
    voided_dose = models.ForeignKey(
        Dose,
        verbose_name=_("dose voided"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    added_dose = models.ForeignKey(
        Dose,
        verbose_name=_("dose entered"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CorrectionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CorrectionKind.values), name="correction_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CorrectionStatus.values), name="correction_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=CorrectionChannel.values), name="correction_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(requester_relation__in=RequesterRelation.values),
                name="correction_relation_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind=CorrectionKind.MISSING_DOSE) | Q(dose__isnull=True),
                name="correction_missing_dose_names_none",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=DOSE_KINDS) | Q(dose__isnull=False),
                name="correction_dose_kind_names_dose",
            ),
            models.CheckConstraint(
                condition=~Q(requester_name="") & ~Q(should_read=""),
                name="correction_has_requester_and_text",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=CorrectionStatus.OPEN,
                    resolved_at__isnull=True,
                    resolution_note="",
                    voided_dose__isnull=True,
                    added_dose__isnull=True,
                )
                | (
                    ~Q(status=CorrectionStatus.OPEN)
                    & Q(resolved_at__isnull=False)
                    & ~Q(resolution_note="")
                ),
                name="correction_resolved_has_time_and_note",
            ),
            models.CheckConstraint(
                condition=Q(status=CorrectionStatus.ACCEPTED)
                | Q(voided_dose__isnull=True, added_dose__isnull=True),
                name="correction_doses_only_when_accepted",
            ),
            # A request sent again while the first is open adds nothing: the officer answers
            # one. A missing dose names no dose: several may be asked for.
            models.UniqueConstraint(
                fields=["dose", "kind"],
                condition=Q(status=CorrectionStatus.OPEN),
                name="correction_one_open_per_dose_kind",
                violation_error_message=_("A request about this dose is already open."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="correction_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == CorrectionStatus.OPEN
