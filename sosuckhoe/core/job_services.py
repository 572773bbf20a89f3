"""What every kind of job does alike at a person's request: who may start or stop it, and
stopping it."""

from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.core.jobs import Job, JobStatus
from sosuckhoe.places.models import AdminUnit

J = TypeVar("J", bound=Job)


def job_manage_check(actor: Actor, unit: AdminUnit) -> None:
    """Jobs of a unit are started and stopped by those who manage it (Actor.manages)."""
    if not actor.manages(unit):
        raise PermissionDenied(_("You may not start or stop jobs of this unit."))


@transaction.atomic
def job_cancel(*, actor: Actor, job: J, object_type: str) -> J:
    """Cancel a waiting job at once, or ask a running one to stop at its next progress
    report; what becomes of its work so far is its kind's to say. Asked twice, once is
    enough; a job that has ended already is refused."""
    job_manage_check(actor, job.unit)
    if not job.request_cancel():
        if job.status in (JobStatus.CANCELLING, JobStatus.CANCELLED):
            return job
        raise ValidationError(_("This job has already ended."))
    audit_write(
        actor=actor,
        action=AuditAction.UPDATE,
        scope_path=job.unit.path,
        object_type=object_type,
        object_uuid=job.uuid,
        summary=f"cancel: {job.status}",
    )
    return job
