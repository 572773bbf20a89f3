"""Long work as a row with a status:
pending → running → done | failed, and pending → cancelled or running → cancelling → cancelled."""

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.ids import new_uuid


class JobCancelled(Exception):
    """Raised at a progress report of a job that was asked to stop."""


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    CANCELLING = "cancelling", _("Stopping")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATUSES = (JobStatus.PENDING, JobStatus.RUNNING, JobStatus.CANCELLING)


def _report_in_own_transaction(table: str, pk: int, done: int) -> str | None:
    """Write progress and read the status on a connection of its own: what it writes is seen
    at once, and it reads the status as others last committed it."""
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress_done = %s WHERE id = %s RETURNING status", [done, pk]
            )
            row = cursor.fetchone()
    finally:
        side.close()
    return row[0] if row else None


class JobQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: Any) -> "JobQuerySet":
        """Jobs of the user's unit subtree, all of them for a national administrator. Jobs
        show no personal data: every member of staff may follow those of their scope."""
        if user.sees_whole_country:
            return self
        return self.filter(unit__path__startswith=user.unit.path)

    def recent(self, limit: int) -> "JobQuerySet":
        """Every job still under way, and the last `limit` jobs whatever their status."""
        newest = self.order_by("-created_at", "-id").values("id")[:limit]
        return (
            self.filter(models.Q(status__in=ACTIVE_STATUSES) | models.Q(id__in=newest))
            .select_related("unit")
            .order_by("-created_at", "-id")
        )


class Job(models.Model):
    """Base of every long job. A worker claims it with a conditional UPDATE, so two workers
    never run the same job; progress is written as it goes; a cancel request is read at each
    progress report. Every status change is a conditional UPDATE: safe with many workers."""

    # The short name of the kind of job in URLs (e.g. "population").
    kind: str

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    # The scope of the job: who may see and stop it.
    unit = models.ForeignKey(
        "places.AdminUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    progress_done = models.PositiveBigIntegerField(_("done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("total"), default=0)
    # Who started it: a member of staff, or a named system job (`Actor.name`).
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_by_name = models.CharField(_("started by"), max_length=150)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        abstract = True

    def _this(self, **conditions: Any) -> models.QuerySet[Any]:
        return type(self)._default_manager.filter(pk=self.pk, **conditions)

    def claim(self) -> bool:
        """Move pending → running if nobody else has; True when this caller owns the job."""
        claimed = self._this(status=JobStatus.PENDING).update(
            status=JobStatus.RUNNING, started_at=timezone.now()
        )
        if claimed:
            self.refresh_from_db(fields=["status", "started_at"])
        return bool(claimed)

    def request_cancel(self) -> bool:
        """Cancel a waiting job at once; ask a running one to stop at its next progress
        report. False when the job has ended (or is stopping) already."""
        changed = self._this(status=JobStatus.PENDING).update(
            status=JobStatus.CANCELLED, finished_at=timezone.now()
        )
        # A worker may claim it between the two statements: then it is running, and asked.
        changed = changed or self._this(status=JobStatus.RUNNING).update(
            status=JobStatus.CANCELLING
        )
        self.refresh_from_db(fields=["status", "finished_at"])
        return bool(changed)

    def report_progress(self, done: int) -> None:
        """Write progress where others can read it now, even from inside the transaction
        that does the job's work (which they would see only once it commits); raise
        JobCancelled when the job was asked to stop meanwhile."""
        self.progress_done = done
        if connection.in_atomic_block and connection.vendor == "postgresql":
            # Never on the job's own connection: it may be streaming rows (COPY) right now,
            # and a write of the job row there would hold it until the job commits.
            status = _report_in_own_transaction(self._meta.db_table, self.pk, done)
        else:
            # Outside a transaction, seen at once. Inside one on SQLite, seen when it commits:
            # SQLite has one writer at a time, so no one else can ask the job to stop
            # meanwhile either, and the status read is the job's own.
            self._this().update(progress_done=done)
            status = self._this().values_list("status", flat=True).first()
        if status == JobStatus.CANCELLING:
            raise JobCancelled

    def finish(self, status: JobStatus, *, error: str = "", also: tuple[str, ...] = ()) -> bool:
        """End a running (or stopping) job; `also` names result fields of the subclass to save
        with it. False when the job had ended already, e.g. cancelled while it waited."""
        self.status, self.error, self.finished_at = status, error, timezone.now()
        fields = ("status", "error", "finished_at", "progress_done", *also)
        running = self._this(status__in=(JobStatus.RUNNING, JobStatus.CANCELLING))
        return bool(running.update(**{name: getattr(self, name) for name in fields}))

    @property
    def kind_label(self) -> str:
        return str(self._meta.verbose_name)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def percent(self) -> int:
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    @property
    def rate(self) -> float | None:
        """Units of work per second since the job started, while it runs."""
        if self.status != JobStatus.RUNNING or not self.started_at or not self.progress_done:
            return None
        seconds = (timezone.now() - self.started_at).total_seconds()
        return self.progress_done / seconds if seconds > 0 else None

    @property
    def seconds_left(self) -> float | None:
        rate = self.rate
        return (self.progress_total - self.progress_done) / rate if rate else None
