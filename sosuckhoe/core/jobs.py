"""Long work as a row with a status: pending → running → done | failed | cancelled."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Job(models.Model):
    """Base of every long job. A worker claims it with a conditional UPDATE, so two workers
    never run the same job; progress is written as it goes."""

    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    progress_done = models.PositiveBigIntegerField(_("done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("total"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        abstract = True

    def claim(self) -> bool:
        """Move pending → running if nobody else has; True when this caller owns the job."""
        claimed = (
            type(self)
            ._default_manager.filter(pk=self.pk, status=JobStatus.PENDING)
            .update(status=JobStatus.RUNNING, started_at=timezone.now())
        )
        if claimed:
            self.refresh_from_db(fields=["status", "started_at"])
        return bool(claimed)

    def report_progress(self, done: int) -> None:
        self.progress_done = done
        type(self)._default_manager.filter(pk=self.pk).update(progress_done=done)

    def finish(self, status: JobStatus, *, error: str = "", also: tuple[str, ...] = ()) -> None:
        """End the job; `also` names result fields of the subclass to save with it."""
        self.status, self.error, self.finished_at = status, error, timezone.now()
        self.save(update_fields=["status", "error", "finished_at", "progress_done", *also])

    @property
    def percent(self) -> int:
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0
