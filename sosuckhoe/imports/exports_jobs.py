"""An export as a job: asked for from a console list, written by a worker to a file under a
temporary name (renamed when complete, so a half-written file is never served), downloaded
by whoever asked for it until it expires, then deleted.

The audit. Asking is audited (who, which list, which filter). The reading is audited once the
file is complete, by one row in the job's unit naming the list, the filter, the number of rows
and the SHA-256 of the file, and, for an export of at most EXPORT_AUDIT_NAMED persons, those
persons, as a list page's row does. A larger export (a province's two million persons) is not
named person by person: its row would be hundreds of megabytes. What it held is found again
from its filter as of the moment it was read (`started_at`): persons and doses are never
deleted (merged, voided), and the digest says which file left. Each download is audited too."""

import datetime as dt
import hashlib
import logging
import os
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction, StaffUser
from sosuckhoe.core.job_services import job_cancel
from sosuckhoe.core.jobs import JobCancelled, JobStatus
from sosuckhoe.imports.exports import Filters, Written, list_write, records_count
from sosuckhoe.imports.models import ExportFormat, ExportJob, ExportList
from sosuckhoe.imports.models.exports import PERSONAL_LISTS
from sosuckhoe.places.models import AdminUnit

logger = logging.getLogger(__name__)

EXPORT_AUDIT_NAMED = 1000  # persons an export's audit row names, at most (a list page's order)
_DIGEST_BLOCK = 1 << 20


def _audit(
    *, actor: Actor, job: ExportJob, action: AuditAction, summary: str, **changes: object
) -> None:
    audit_write(
        actor=actor,
        action=action,
        scope_path=job.unit.path,
        object_type="export_job",
        object_uuid=job.uuid,
        summary=summary,
        changes={**job.audit_changes(), **changes},
    )


def check_may_export(actor: Actor, list_kind: str, filters: Filters) -> None:
    """Personal lists: staff who read personal data, of their unit's subtree. Stock: any
    member of staff, of their subtree. The site or facility lies in the unit. Files are for
    a member of staff: a system job (a command) exports nothing."""
    if actor.user is None or not _reaches(actor.user, list_kind, filters.unit):
        raise PermissionDenied(_("You may not export lists of this unit."))
    for place in (filters.site, filters.facility):
        if place is not None and not place.unit.path.startswith(filters.unit.path):
            raise PermissionDenied(_("You may not export lists of this unit."))


def _reaches(user: StaffUser, list_kind: str, unit: AdminUnit) -> bool:
    if list_kind in PERSONAL_LISTS:
        return user.reads_personal_data and user.works_over(unit)
    return user.works_over(unit)


def _check_request(list_kind: str, export_format: str) -> None:
    if list_kind not in ExportList.values:
        raise ValidationError({"list_kind": _("Choose which list to export.")})
    if export_format not in ExportFormat.values:
        raise ValidationError({"format": _("Choose a format.")})
    if export_format == ExportFormat.NATIONAL and list_kind != ExportList.DOSES:
        raise ValidationError({"format": _("The national template holds doses only.")})


@transaction.atomic
def export_job_create(
    *, actor: Actor, list_kind: str, export_format: str, filters: Filters, language: str
) -> ExportJob:
    """Ask for a list to be written to a file; a worker writes it once this commits."""
    from sosuckhoe.imports.tasks import purge_export_files, run_export_job

    _check_request(list_kind, export_format)
    check_may_export(actor, list_kind, filters)
    job = ExportJob.objects.create(
        unit=filters.unit,
        list_kind=list_kind,
        format=export_format,
        filters=filters.as_json(),
        language=language,
        started_by=actor.user,
        started_by_name=actor.name,
    )
    _audit(actor=actor, job=job, action=AuditAction.CREATE, summary=f"export {list_kind}")
    transaction.on_commit(lambda: run_export_job.delay(job.pk))
    # Exports are what fills the folder: each one empties it of the files past their time.
    transaction.on_commit(purge_export_files.delay)
    return job


def _starter(job: ExportJob) -> StaffUser:
    """Whose scope the job reads with: the member of staff who asked, with their rights as
    they are now (a deactivated account exports nothing)."""
    user = job.started_by
    if user is None or not user.is_active:
        raise PermissionDenied(_("You may not export lists of this unit."))
    return user


def export_job_run(*, job_id: int) -> ExportJob:
    """Write a waiting export, or take over one whose worker died; one another worker runs
    is left alone."""
    job = ExportJob.objects.select_related("unit", "started_by__unit").get(pk=job_id)
    stale = dt.timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    if not (job.claim() or job.claim_lost(stale)):
        return job
    part = _part_path(job)
    try:
        with translation.override(job.language):
            written = _write(job, part)
        _complete(job, part, written)
    except JobCancelled:
        job.finish(JobStatus.CANCELLED)
    except (OperationalError, InterfaceError):
        # The database went away: the task retries, and takes the job over once stale.
        raise
    except (PermissionDenied, ValidationError) as refusal:
        job.finish(JobStatus.FAILED, error=" ".join(getattr(refusal, "messages", [str(refusal)])))
    except Exception as error:
        logger.exception("export job %s failed", job.pk)
        job.finish(JobStatus.FAILED, error=str(error)[:2000])
        raise
    finally:
        part.unlink(missing_ok=True)
    return job


def _final_name(job: ExportJob) -> str:
    """Named by the job's uuid: the name says nothing of its content, and is nobody's guess."""
    return f"exports/{job.created_at:%Y/%m}/{job.uuid}{job.suffix}"


def _part_path(job: ExportJob) -> Path:
    """A name of this attempt's own: a worker taking over never writes into another's file."""
    path = Path(job.file.storage.path(_final_name(job)))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f"{path.name}.{os.getpid()}-{timezone.now():%H%M%S%f}.part")


def _write(job: ExportJob, part: Path) -> Written:
    user = _starter(job)
    filters = Filters.of_json(job.unit, job.filters)
    check_may_export(Actor(user=user), job.list_kind, filters)
    job.progress_total = records_count(
        list_kind=job.list_kind, export_format=job.format, user=user, filters=filters
    )
    ExportJob.objects.filter(pk=job.pk).update(progress_total=job.progress_total)

    def progress(rows: int) -> None:
        job.report_progress(rows)  # raises JobCancelled when asked to stop
        job.beat()

    written = Written(name_limit=EXPORT_AUDIT_NAMED)
    list_write(
        list_kind=job.list_kind,
        export_format=job.format,
        user=user,
        filters=filters,
        path=part,
        progress=progress,
        written=written,
    )
    return written


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_DIGEST_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _complete(job: ExportJob, part: Path, written: Written) -> None:
    """The file under its final name, the job done and the reading audited, together; a job
    cancelled or taken over meanwhile keeps no file."""
    name = _final_name(job)
    final = Path(job.file.storage.path(name))
    os.replace(part, final)
    job.file.name = name
    job.file_name = _download_name(job)
    job.rows_written = job.progress_done = written.rows
    job.progress_total = max(job.progress_total, written.rows)
    job.expires_at = timezone.now() + ExportJob.retention()
    with transaction.atomic():
        done = job.finish(
            JobStatus.DONE,
            also=("file", "file_name", "rows_written", "progress_total", "expires_at"),
        )
        if done:
            _audit_reading(job, written, _digest(final))
    if not done:
        final.unlink(missing_ok=True)


def _audit_reading(job: ExportJob, written: Written, digest: str) -> None:
    changes: dict[str, object] = {"rows": written.rows, "sha256": digest}
    if job.list_kind in PERSONAL_LISTS:
        changes["read_at"] = job.started_at.isoformat() if job.started_at else ""
        if written.persons_complete:
            changes["persons"] = sorted(written.persons)
    _audit(
        actor=Actor(user=job.started_by),
        job=job,
        action=AuditAction.VIEW,
        summary=f"export {job.list_kind} ({written.rows})",
        **changes,
    )


def _download_name(job: ExportJob) -> str:
    stamp = timezone.localtime(job.started_at or timezone.now())
    return f"{job.list_kind}-{job.unit.code}-{stamp:%Y%m%d-%H%M}{job.suffix}"


def export_job_cancel(*, actor: Actor, job: ExportJob) -> ExportJob:
    """Cancel a waiting export, or ask a running one to stop at its next chunk: its partial
    file is deleted."""
    return job_cancel(actor=actor, job=job, object_type="export_job")


# --- Reads --------------------------------------------------------------------------------


def export_job_get(*, user: StaffUser, job_uuid: UUID) -> ExportJob:
    """An export its starter asked for; ExportJob.DoesNotExist for anyone else's: the file
    is theirs alone (others of the unit see the job on the jobs page, not its content)."""
    return ExportJob.objects.select_related("unit").get(uuid=job_uuid, started_by=user)


def export_jobs_read(*, user: StaffUser, limit: int = 20) -> list[ExportJob]:
    return list(
        ExportJob.objects.filter(started_by=user)
        .select_related("unit")
        .order_by("-created_at")[:limit]
    )


@transaction.atomic
def export_file_read(*, actor: Actor, job: ExportJob) -> Path:
    """The file of a finished export, its download audited and counted;
    FileNotFoundError once expired or deleted."""
    if not job.downloadable:
        raise FileNotFoundError(job.uuid)
    path = Path(job.file.path)
    if not path.is_file():
        raise FileNotFoundError(job.uuid)
    ExportJob.objects.filter(pk=job.pk).update(
        downloads=F("downloads") + 1, last_downloaded_at=timezone.now()
    )
    _audit(actor=actor, job=job, action=AuditAction.VIEW, summary=f"download {job.file_name}")
    return path


def export_files_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the files of exports past their time (the job rows stay, with their counts),
    and the partial files that workers killed half way left behind."""
    now = now or timezone.now()
    purged = 0
    for job in ExportJob.objects.filter(expires_at__lt=now, purged_at=None):
        if job.file:
            job.file.delete(save=False)
        job.purged_at = now
        job.save(update_fields=["file", "purged_at"])
        purged += 1
    folder = Path(ExportJob._meta.get_field("file").storage.path("exports"))
    cutoff = (now - ExportJob.retention()).timestamp()
    for part in folder.rglob("*.part"):
        if part.stat().st_mtime < cutoff:
            part.unlink(missing_ok=True)
    return purged
