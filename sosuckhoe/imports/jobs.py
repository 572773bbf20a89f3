"""An import as a job: a file uploaded and its columns mapped by a member of staff, then
imported by a worker a chunk at a time, in parts side by side on PostgreSQL (imports.parts).
Each chunk commits with its part's last sheet row and adds to the job's counters, so a job
that stopped (its worker killed, the database gone) resumes each part after its last
committed chunk: no row twice, none lost. A cancel stops each part after its chunk under way;
what committed stays."""

import datetime as dt
import logging
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Min, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.core.job_services import job_cancel
from sosuckhoe.core.jobs import JobCancelled, JobStatus
from sosuckhoe.core.memory import loaded_frozen
from sosuckhoe.imports.layouts import layout_remember
from sosuckhoe.imports.mapping import KINDS
from sosuckhoe.imports.models import ImportJob, ImportRejection
from sosuckhoe.imports.parts import Part, judged_in_parts, parts_possible
from sosuckhoe.imports.readers import UnreadableFile, open_sheets
from sosuckhoe.imports.rejected import rejected_rows_write
from sosuckhoe.imports.services import (
    Chunk,
    ChunkOutcome,
    Judge,
    best_sheet,
    chunks,
    header_text,
    mapping_of,
)
from sosuckhoe.places.models import AdminUnit

logger = logging.getLogger(__name__)

SUFFIXES = (".xlsx", ".xls", ".csv")


class ImportTakenOver(Exception):
    """Another worker resumed this job (this one was thought dead): stop without writing."""


def _audit(*, actor: Actor, job: ImportJob, action: AuditAction, summary: str) -> None:
    audit_write(
        actor=actor,
        action=action,
        scope_path=job.unit.path,
        object_type="import_job",
        object_uuid=job.uuid,
        summary=summary,
    )


def _check_covers(actor: Actor, unit: AdminUnit) -> None:
    if not actor.covers(unit):
        raise PermissionDenied(_("You may not import lists of this unit."))


def _check_upload(upload: UploadedFile) -> None:
    name = (upload.name or "").lower()
    if not name.endswith(SUFFIXES):
        raise ValidationError({"file": _("Choose an .xlsx, .xls or .csv file.")})
    if upload.size is None or upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(limit)s MB; split it into several.")
                % {"limit": settings.IMPORT_MAX_BYTES // 2**20}
            }
        )


@transaction.atomic
def import_job_create(
    *, actor: Actor, unit: AdminUnit, list_kind: str, upload: UploadedFile
) -> ImportJob:
    """Store an uploaded list, find its header and suggest its mapping; nothing is imported
    until the mapping is confirmed (import_job_start). A file that cannot be read, or whose
    header is not found, is refused and not kept."""
    from sosuckhoe.imports.tasks import purge_import_files

    _check_covers(actor, unit)
    if list_kind not in KINDS:
        raise ValidationError({"list_kind": _("Choose what the list holds.")})
    _check_upload(upload)
    job = ImportJob(
        unit=unit,
        list_kind=list_kind,
        file_name=Path(upload.name or "").name[:200],
        started_by=actor.user,
        started_by_name=actor.name,
    )
    job.file.save(job.file_name, upload, save=False)
    try:
        _plan(job)
    except (ValidationError, UnreadableFile) as error:
        job.file.delete(save=False)
        messages = getattr(error, "messages", [str(error)])
        raise ValidationError({"file": messages}) from None
    job.save()
    _audit(actor=actor, job=job, action=AuditAction.CREATE, summary=job.file_name)
    # Uploads are what fills the folder: each one empties it of the files past retention.
    transaction.on_commit(purge_import_files.delay)
    return job


def _plan(job: ImportJob) -> None:
    """The header the job's file has and its mapping: the one confirmed before for files of
    this layout (the job names it), else the one suggested by the header's words."""
    with open_sheets(Path(job.file.path)) as found:
        sheet, layout = best_sheet(found)
        head = sheet.head()[layout.first_row - 1 : layout.last_row]
        size = sheet.size()
    job.sheet_name = sheet.name[:100]
    job.header_first, job.header_last = layout.first_row, layout.last_row
    job.header = header_text(head)
    mapping, job.layout = mapping_of(job.header, layout, kind=job.list_kind, unit=job.unit)
    job.mapping = {str(i): f for i, f in mapping.items()}
    job.progress_total = max((size or 0) - layout.last_row, 0)


@transaction.atomic
def import_job_start(*, actor: Actor, job: ImportJob, mapping: dict[int, str]) -> ImportJob:
    """Confirm the mapping, save it for the file's layout (the next file of the layout maps
    itself), and hand the job to a worker once this transaction commits."""
    from sosuckhoe.imports.tasks import run_import_job

    _check_covers(actor, job.unit)
    if job.confirmed_at is not None:
        raise ValidationError(_("This import has started already."))
    if len(set(mapping.values())) != len(mapping):
        raise ValidationError(_("Two columns are mapped to the same field."))
    Judge.of(actor=actor, kind=job.list_kind, unit=job.unit, mapping=mapping, dry_run=True)
    layout_remember(
        actor=actor, header=job.header, list_kind=job.list_kind, unit=job.unit, mapping=mapping
    )
    job.mapping = {str(i): f for i, f in sorted(mapping.items())}
    job.confirmed_at = timezone.now()
    job.save(update_fields=["mapping", "confirmed_at"])
    _audit(actor=actor, job=job, action=AuditAction.UPDATE, summary=f"start: {job.file_name}")
    transaction.on_commit(lambda: run_import_job.delay(job.pk))
    return job


def _actor_of(job: ImportJob) -> Actor:
    """The job acts as the member of staff who started it: their scope, their name in the
    audit rows."""
    if job.started_by is not None:
        return Actor(user=job.started_by)
    return Actor.system(job.started_by_name.removeprefix("system:"))


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a confirmed job, or resume one that stopped half way; a job another worker runs
    is left alone."""
    job = ImportJob.objects.select_related("unit", "started_by__unit").get(pk=job_id)
    stale = dt.timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    if job.confirmed_at is None or not (job.claim() or job.claim_to_resume(stale)):
        return job
    lease = job.lease_take(parts=parts_possible(settings.IMPORT_WORKERS))
    loaded_frozen()
    # The reasons of the rejected rows are written in the installation's language.
    with translation.override(settings.LANGUAGE_CODE):
        try:
            _import(job, lease)
            job.refresh_from_db()  # the counters the parts committed
            job.progress_total = job.progress_done
            rejected_rows_write(job)
            job.finish(JobStatus.DONE, also=("progress_total", "rejected_file"))
        except JobCancelled:
            job.refresh_from_db()
            rejected_rows_write(job)  # the rows refused before the cancel
            job.finish(JobStatus.CANCELLED, also=("rejected_file",))
        except ImportTakenOver:
            pass
        except Exception as error:
            logger.exception("import job %s failed", job.pk)
            job.finish(JobStatus.FAILED, error=str(error)[:2000])
            raise
    return job


def _import(job: ImportJob, lease: UUID) -> None:
    """Each part of the job from where it last committed: one part in this process, more
    each in its own (imports.parts)."""
    judge = Judge.of(
        actor=_actor_of(job),
        kind=job.list_kind,
        unit=job.unit,
        mapping=job.columns,
        dry_run=False,
        source=job.file_name,
    )
    if job.parts == 1:
        _part_import(job, judge, Part(0, 1, judge.parser.index_of.get("id_number")), lease)
        return
    judged_in_parts(
        judge,
        count=job.parts,
        run_part=lambda part, _report_row: _part_import(job, judge, part, lease),
        passthrough=(JobCancelled, ImportTakenOver),
    )


def _part_import(job: ImportJob, judge: Judge, part: Part, lease: UUID) -> None:
    after = job.part_progress.get(index=part.index).last_row
    with open_sheets(Path(job.file.path)) as found:
        sheet = next(s for s in found if s.name[:100] == job.sheet_name)
        for chunk in chunks(sheet, judge.parser, after=after, part=part):
            with transaction.atomic():
                done = _chunk_commit(job, part.index, lease, chunk, judge.chunk(chunk.rows))
            judge.candidates_queue()
            job.report_progress(done)  # raises JobCancelled when asked to stop


def _chunk_commit(
    job: ImportJob, index: int, lease: UUID, chunk: Chunk, outcome: ChunkOutcome
) -> int:
    """The chunk's rejections, how far its part got and the job's counters, in the chunk's
    transaction; the rows done (every part past them). The lease is compared: a run that
    another one replaced finds it changed, and rolls its chunk back."""
    ImportRejection.objects.bulk_create(
        ImportRejection(
            job=job,
            row=row.number,
            messages=[{"column": e.column, "message": e.message} for e in row.errors],
        )
        for row in outcome.rejected
    )
    job.part_progress.filter(index=index).update(last_row=chunk.last_row)
    passed = job.part_progress.aggregate(row=Min("last_row"))["row"]
    done = max(passed - job.header_last, 0)
    mine = ImportJob.objects.filter(
        pk=job.pk, status__in=(JobStatus.RUNNING, JobStatus.CANCELLING), lease=lease
    )
    rejected = len(outcome.rejected)
    counted = mine.update(
        rows_read=F("rows_read") + outcome.read,
        rows_valid=F("rows_valid") + outcome.read - rejected,
        rows_rejected=F("rows_rejected") + rejected,
        rows_matched=F("rows_matched") + outcome.matched,
        rows_new=F("rows_new") + outcome.new,
        records_new=F("records_new") + outcome.records_new,
        records_matched=F("records_matched") + outcome.records_matched,
        last_row=Greatest("last_row", Value(passed)),
        progress_done=Greatest("progress_done", Value(done)),
        progress_total=Greatest("progress_total", Value(done)),
        heartbeat_at=timezone.now(),
    )
    if not counted:
        raise ImportTakenOver
    return done


def import_job_cancel(*, actor: Actor, job: ImportJob) -> ImportJob:
    """Cancel a waiting import, or ask a running one to stop after its chunk under way
    (the chunks committed stay imported)."""
    return job_cancel(actor=actor, job=job, object_type="import_job")


def import_files_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the files and rejected rows of imports that ended, or were uploaded and never
    started, longer ago than the retention; the job rows stay, with their counters."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.IMPORT_RETENTION_HOURS)
    old = ImportJob.objects.filter(
        Q(finished_at__lt=cutoff) | Q(confirmed_at=None, created_at__lt=cutoff),
        purged_at=None,
    ).exclude(status__in=(JobStatus.RUNNING, JobStatus.CANCELLING))
    purged = 0
    for job in old:
        for stored in (job.file, job.rejected_file):
            if stored:
                stored.delete(save=False)
        job.rejections.all().delete()
        job.purged_at = timezone.now()
        job.save(update_fields=["file", "rejected_file", "purged_at"])
        purged += 1
    return purged
