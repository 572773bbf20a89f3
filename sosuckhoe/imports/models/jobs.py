"""An import as a job row: the uploaded file, how its columns map, and how far it got. Each
chunk of rows commits with the job's counters, so a job that stopped half way resumes where
its last chunk ended."""

import datetime as dt
import os
import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.jobs import Job, JobQuerySet, JobStatus
from sosuckhoe.imports.mapping import DOSES, PERSONS, REGISTRATIONS


class ImportStorage(FileSystemStorage):
    """Uploaded files and the rejected rows, in IMPORT_DIR: outside the static and media
    trees, as they hold personal data and are served only through the scoped views. The
    folder is read from the settings at each use, not once at import."""

    @property
    def base_location(self) -> str:
        return str(settings.IMPORT_DIR)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def import_storage() -> FileSystemStorage:
    return ImportStorage()


class ListKind(models.TextChoices):
    PERSONS = PERSONS, _("persons")
    REGISTRATIONS = REGISTRATIONS, _("registrations")
    DOSES = DOSES, _("doses")


class ImportJobQuerySet(JobQuerySet):
    def recent(self, limit: int) -> "JobQuerySet":
        """As every job's, without the uploads whose mapping was never confirmed."""
        return super().recent(limit).exclude(confirmed_at=None)


class ImportJob(Job):
    """One uploaded file imported as a list of `list_kind`. Progress counts the sheet's rows
    below the header; `last_row` is the last sheet row whose chunk committed."""

    kind = "import"

    list_kind = models.CharField(_("list of"), max_length=15, choices=ListKind.choices)
    file = models.FileField(storage=import_storage, upload_to="%Y/%m/", max_length=200)
    file_name = models.CharField(_("file"), max_length=200)
    sheet_name = models.CharField(max_length=100, blank=True)
    header_first = models.PositiveIntegerField(default=0)
    header_last = models.PositiveIntegerField(default=0)
    # The header rows as read (a list of rows of text), shown on the mapping page and written
    # above the rejected rows.
    header = models.JSONField(default=list, blank=True)
    # Column index (as text: JSON keys) -> field.
    mapping = models.JSONField(default=dict, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Set at each committed chunk: a running job whose beat stopped lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    last_row = models.PositiveIntegerField(default=0)
    rows_read = models.PositiveIntegerField(_("read"), default=0)
    rows_valid = models.PositiveIntegerField(_("valid"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rows_matched = models.PositiveIntegerField(_("matched"), default=0)
    rows_new = models.PositiveIntegerField(_("new"), default=0)
    # The registrations or doses the rows hold: written, or found on record already.
    records_new = models.PositiveIntegerField(_("records written"), default=0)
    records_matched = models.PositiveIntegerField(_("records already there"), default=0)
    # The saved layout whose mapping filled this one in (the mapping page says so).
    layout = models.ForeignKey(
        "imports.ImportLayout", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejected_file = models.FileField(
        storage=import_storage, upload_to="%Y/%m/", max_length=200, blank=True
    )
    purged_at = models.DateTimeField(null=True, blank=True)
    # The parts it imports in side by side (imports.parts), fixed when it first starts, and
    # the run that holds it now: a worker that resumes the job takes a new lease, and the
    # parts of the run it replaced find it changed and stop without writing.
    parts = models.PositiveSmallIntegerField(default=1)
    lease = models.UUIDField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()  # type: ignore[misc]  # Job's, narrowed

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(list_kind__in=[PERSONS, REGISTRATIONS, DOSES]),
                name="import_job_list_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def columns(self) -> dict[int, str]:
        return {int(index): name for index, name in self.mapping.items()}

    def claim_to_resume(self, stale_after: dt.timedelta) -> bool:
        """Take a job that stopped half way: failed, or running with no beat for
        `stale_after` (its worker died). A conditional UPDATE, as `claim`."""
        now = timezone.now()
        lost = Q(status=JobStatus.RUNNING) & (
            Q(heartbeat_at__lt=now - stale_after)
            | Q(heartbeat_at=None, started_at__lt=now - stale_after)
        )
        taken = (
            type(self)
            ._default_manager.filter(Q(status=JobStatus.FAILED) | lost, pk=self.pk)
            .update(status=JobStatus.RUNNING, heartbeat_at=now, error="", finished_at=None)
        )
        if taken:
            self.refresh_from_db(fields=["status", "heartbeat_at", "error", "finished_at"])
        return bool(taken)

    def lease_take(self, *, parts: int) -> uuid.UUID:
        """Hold the job for this run (claimed or resumed); on its first run, in `parts`
        parts. A job that committed chunks before it had parts goes on in one."""
        lease = uuid.uuid4()
        if not self.part_progress.exists():
            self.parts = 1 if self.last_row else parts
            after = max(self.last_row, self.header_last)
            ImportJobPart.objects.bulk_create(
                [ImportJobPart(job=self, index=i, last_row=after) for i in range(self.parts)],
                ignore_conflicts=True,
            )
        type(self)._default_manager.filter(pk=self.pk).update(lease=lease, parts=self.parts)
        self.lease = lease
        return lease

    @property
    def counters(self) -> dict[str, Any]:
        return {
            "read": self.rows_read,
            "valid": self.rows_valid,
            "rejected": self.rows_rejected,
            "matched": self.rows_matched,
            "new": self.rows_new,
            "records_new": self.records_new,
            "records_matched": self.records_matched,
        }


class ImportJobPart(models.Model):
    """How far one part of an import has committed: the last sheet row it has passed."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="part_progress")
    index = models.PositiveSmallIntegerField()
    last_row = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="import_job_part_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.index}"


class ImportRejection(models.Model):
    """A row the import refused, with its reasons: the rejected rows' file is made of them."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    row = models.PositiveIntegerField()  # 1-based sheet row
    messages = models.JSONField(default=list)  # [{"column": letter, "message": text}]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "row"], name="import_rejection_job_row_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.job} #{self.row}"
