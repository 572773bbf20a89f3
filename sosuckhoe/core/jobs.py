"""Long work as a row with a status: pending → running → done | failed | cancelled."""

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _update_in_own_transaction(table: str, pk: int, done: int) -> None:
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with side.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET progress_done = %s WHERE id = %s", [done, pk])
    finally:
        side.close()


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
        """Write progress where others can read it now, even from inside the transaction
        that does the job's work (which they would see only once it commits)."""
        self.progress_done = done
        if not connection.in_atomic_block:
            type(self)._default_manager.filter(pk=self.pk).update(progress_done=done)
        elif connection.vendor == "postgresql":
            _update_in_own_transaction(self._meta.db_table, self.pk, done)
        # SQLite inside a transaction: it has one writer at a time, so the progress shows
        # when the job ends.

    def finish(self, status: JobStatus, *, error: str = "", also: tuple[str, ...] = ()) -> None:
        """End the job; `also` names result fields of the subclass to save with it."""
        self.status, self.error, self.finished_at = status, error, timezone.now()
        self.save(update_fields=["status", "error", "finished_at", "progress_done", *also])

    @property
    def percent(self) -> int:
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0
