"""An export as a job row: which list, in which layout and language, filtered how; the file a
worker writes, and until when its starter may download it."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.jobs import Job, JobStatus
from sosuckhoe.imports.models.jobs import import_storage


class ExportList(models.TextChoices):
    PERSONS = "persons", _("persons")
    DOSES = "doses", _("doses")
    REACTIONS = "reactions", _("reactions after vaccination")
    STOCK_MOVEMENTS = "stock_movements", _("stock movements")
    REGISTRATIONS = "registrations", _("registrations")
    OVERDUE = "overdue", _("people overdue")
    CORRECTIONS = "corrections", _("correction requests")


# Lists of personal records: only staff who read personal data export them. Stock movements
# name no citizen: every member of staff of the facility's unit may.
PERSONAL_LISTS = (
    ExportList.PERSONS,
    ExportList.DOSES,
    ExportList.REACTIONS,
    ExportList.REGISTRATIONS,
    ExportList.OVERDUE,
    ExportList.CORRECTIONS,
)


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel (.xlsx)")
    CSV = "csv", _("CSV (.csv)")
    # The national platform's list of vaccinated persons: a person and their doses a row,
    # "Mũi 1", "Mũi 2"… over the doses' columns. Doses only; it imports again as it is.
    NATIONAL = "national", _("National template (.xlsx)")


class ExportJob(Job):
    """One list written to a file for the member of staff who asked; `filters` are what the
    list was narrowed to (unit code, site or facility uuid, days, status), as the audit row
    names them. Progress counts the records written."""

    kind = "export"

    list_kind = models.CharField(_("list of"), max_length=20, choices=ExportList.choices)
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    filters = models.JSONField(default=dict, blank=True)
    # The language of the headers and labels: the starter's when they asked.
    language = models.CharField(max_length=10)
    file = models.FileField(storage=import_storage, upload_to="exports/%Y/%m/", max_length=200)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    rows_written = models.PositiveBigIntegerField(_("rows"), default=0)
    # Set at each progress report: a running job whose beat stopped lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("download until"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            models.CheckConstraint(
                condition=Q(list_kind__in=ExportList.values), name="export_job_list_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=ExportFormat.values), name="export_job_format_valid"
            ),
            models.CheckConstraint(
                condition=~Q(format=ExportFormat.NATIONAL) | Q(list_kind=ExportList.DOSES),
                name="export_job_national_only_doses",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name or f"{self.list_kind}.{self.format}"

    @property
    def suffix(self) -> str:
        return ".csv" if self.format == ExportFormat.CSV else ".xlsx"

    @property
    def downloadable(self) -> bool:
        return (
            self.status == JobStatus.DONE
            and bool(self.file)
            and self.purged_at is None
            and (self.expires_at is None or self.expires_at > timezone.now())
        )

    def claim_lost(self, stale_after: dt.timedelta) -> bool:
        """Take a running job whose worker stopped beating for `stale_after` (it died): the
        file is written again from the start. A conditional UPDATE, as `claim`."""
        now = timezone.now()
        lost = Q(heartbeat_at__lt=now - stale_after) | Q(
            heartbeat_at=None, started_at__lt=now - stale_after
        )
        taken = (
            type(self)
            ._default_manager.filter(lost, pk=self.pk, status=JobStatus.RUNNING)
            .update(heartbeat_at=now, progress_done=0)
        )
        if taken:
            self.refresh_from_db(fields=["status", "heartbeat_at", "progress_done"])
        return bool(taken)

    def beat(self) -> None:
        """The worker is alive: written with each progress report."""
        self.heartbeat_at = timezone.now()
        self._this().update(heartbeat_at=self.heartbeat_at)

    @staticmethod
    def retention() -> dt.timedelta:
        return dt.timedelta(hours=settings.EXPORT_RETENTION_HOURS)

    def audit_changes(self) -> dict[str, Any]:
        return {"list": self.list_kind, "format": self.format, "filters": self.filters}
