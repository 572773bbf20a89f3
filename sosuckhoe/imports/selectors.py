"""Reads of imports for staff: their scope's jobs, and the rejected rows of one (personal
data: the download is audited)."""

from pathlib import Path
from uuid import UUID

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction, StaffUser
from sosuckhoe.imports.models import ImportJob

RECENT = 20


def import_jobs_read(*, user: StaffUser) -> list[ImportJob]:
    """The last imports of the user's subtree, newest first, those whose mapping is still to
    confirm included."""
    scoped = ImportJob.objects.visible_to(user).select_related("unit")
    return list(scoped.order_by("-created_at", "-id")[:RECENT])


def import_job_get(*, user: StaffUser, job_uuid: UUID) -> ImportJob:
    """An import of the user's subtree; ImportJob.DoesNotExist for any other."""
    scoped = ImportJob.objects.visible_to(user).select_related("unit")
    return scoped.get(uuid=job_uuid)


def import_rejected_read(*, actor: Actor, job: ImportJob) -> Path:
    """The file of the job's rejected rows, its reading audited; FileNotFoundError once
    purged (or when no row was rejected)."""
    if not job.rejected_file:
        raise FileNotFoundError(job.uuid)
    audit_write(
        actor=actor,
        action=AuditAction.VIEW,
        scope_path=job.unit.path,
        object_type="import_rejected_rows",
        object_uuid=job.uuid,
        summary=f"{job.rows_rejected} rows of {job.file_name}",
    )
    return Path(job.rejected_file.path)
