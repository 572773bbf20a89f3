"""Warnings: something an officer should look at, raised once by the rules of
`analytics.warnings`, told to the staff of the unit responsible, listed on the dashboard and
summed up in a daily digest."""

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.ids import new_uuid
from sosuckhoe.places.models import AdminUnit


class WarningKind(models.TextChoices):
    SERIOUS_REACTION = "serious_reaction", _("Serious reaction")
    REACTION_PRR = "reaction_prr", _("Reaction signal (disproportionality)")
    REACTION_OE = "reaction_oe", _("Reaction signal (observed against expected)")
    LOT_EXPIRING = "lot_expiring", _("Lot expiring with stock left")
    STOCK_OUT = "stock_out", _("Stock running out")
    OVERDUE = "overdue", _("People overdue for their next dose")
    BEHIND_PLAN = "behind_plan", _("Unit behind its coverage plan")
    ENTRY_BACKLOG = "entry_backlog", _("Doses not entered at the end of the day")
    DATA_QUALITY = "data_quality", _("Data quality")
    DECLARATION_SURGE = "declaration_surge", _("Surge of symptomatic health declarations")


class WarningQuerySet(models.QuerySet["WarningModel"]):
    def visible_to(self, user: Any) -> "WarningQuerySet":
        """Warnings of the units under the user's (aggregates and references, no person's
        name: analysts see them too); everything for a national administrator."""
        if user.sees_whole_country:
            return self
        return self.filter(unit_id__in=user.unit.subtree_ids)


class Warning(models.Model):
    """One warning. `key` names what it is about (the rule, the unit, the record or the
    period), so that a rule that finds the same thing again raises nothing new. The reason is
    not stored as text: it is written at display, in the reader's language, from `kind` and
    `numbers` (`analytics.warnings.warning_reason`)."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=WarningKind.choices)
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit responsible"), on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(max_length=200, unique=True)
    numbers = models.JSONField(_("numbers"), default=dict)
    link = models.CharField(_("link to the records"), max_length=300, blank=True)
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    # When its staff were told (queued to the messaging layer); a serious reaction's were told
    # by the reaction service when it was recorded, so its warning is born sent.
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    objects = WarningQuerySet.as_manager()

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=WarningKind.values), name="warning_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "raised_at"], name="warning_unit_raised"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class WarningDigest(models.Model):
    """The daily digest of one day's warnings: its row is written in the transaction that
    queues the messages, so that a day is summed up once whoever runs it again."""

    day = models.DateField(_("day"), unique=True)
    sent_at = models.DateTimeField(_("sent at"))
    warnings = models.PositiveIntegerField(_("warnings"))
    recipients = models.PositiveIntegerField(_("recipients"))

    class Meta:
        verbose_name = _("warning digest")
        verbose_name_plural = _("warning digests")

    def __str__(self) -> str:
        return f"{self.day}: {self.warnings} → {self.recipients}"


# The model under a name the builtin `Warning` does not hide, for the queryset's type above.
WarningModel = Warning
