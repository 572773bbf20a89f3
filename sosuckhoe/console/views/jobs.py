"""Long jobs of the user's scope, running and recent, with their progress; managers stop them.
The page is complete as served; jobs.js refreshes it from `jobs_status`."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.console.access import manager_view, staff_view
from sosuckhoe.core.jobs import Job, JobStatus
from sosuckhoe.imports.exports_jobs import export_job_cancel
from sosuckhoe.imports.jobs import import_job_cancel
from sosuckhoe.imports.models import ExportJob, ImportJob
from sosuckhoe.people.duplicate_services import duplicate_run_cancel
from sosuckhoe.people.jobs import population_job_cancel
from sosuckhoe.people.models import DuplicateRun, PopulationJob


@dataclass(frozen=True)
class JobKind:
    model: type[Job]
    cancel: Callable[..., Job]  # the service: cancel(actor=…, job=…)


# Every kind of long job the page lists; imports and exports add theirs here.
JOB_KINDS = {
    PopulationJob.kind: JobKind(PopulationJob, population_job_cancel),
    ImportJob.kind: JobKind(ImportJob, import_job_cancel),
    ExportJob.kind: JobKind(ExportJob, export_job_cancel),
    DuplicateRun.kind: JobKind(DuplicateRun, duplicate_run_cancel),
}
RECENT_PER_KIND = 20  # besides every job still under way


@dataclass(frozen=True)
class JobRow:
    """A job as the page and its JSON show it."""

    job: Job
    may_cancel: bool

    @property
    def key(self) -> str:
        return f"{self.job.kind}:{self.job.uuid}"

    @property
    def rate(self) -> str:
        rate = self.job.rate
        if rate is None:
            return ""
        return _("%(count)s per second") % {"count": number_format(rate, 0, force_grouping=True)}

    @property
    def time_left(self) -> str:
        left = self.job.seconds_left
        if left is None:
            return ""
        minutes = round(left / 60)
        if minutes < 1:
            return _("less than a minute left")
        if minutes < 60:
            return _("about %(minutes)s min left") % {"minutes": minutes}
        hours, minutes = divmod(minutes, 60)
        return _("about %(hours)s h %(minutes)s min left") % {"hours": hours, "minutes": minutes}

    def as_json(self) -> dict[str, Any]:
        job = self.job
        return {
            "key": self.key,
            "status": job.status,
            "status_label": job.get_status_display(),
            "done": job.progress_done,
            "total": job.progress_total,
            "percent": job.percent,
            "rate": self.rate,
            "left": self.time_left,
            "error": job.error,
            "may_cancel": self.may_cancel,
        }


def _rows(user: StaffUser) -> list[JobRow]:
    jobs = [
        job
        for kind in JOB_KINDS.values()
        for job in kind.model.objects.visible_to(user).recent(RECENT_PER_KIND)
    ]
    jobs.sort(key=lambda job: job.created_at, reverse=True)
    cancellable = (JobStatus.PENDING, JobStatus.RUNNING)
    return [JobRow(job, may_cancel=user.is_manager and job.status in cancellable) for job in jobs]


@require_safe
@staff_view
def jobs(request: HttpRequest) -> HttpResponse:
    context = {"rows": _rows(request.user), "idle_seconds": settings.SESSION_COOKIE_AGE}
    return render(request, "console/jobs.html", context)


@require_safe
@staff_view
def jobs_status(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"jobs": [row.as_json() for row in _rows(request.user)]})


@require_POST
@manager_view
def job_cancel(request: HttpRequest, kind: str, job_uuid: UUID) -> HttpResponse:
    entry = JOB_KINDS.get(kind)
    if entry is None:
        raise Http404
    scoped = entry.model.objects.visible_to(request.user).select_related("unit")
    job = get_object_or_404(scoped, uuid=job_uuid)
    try:
        job = entry.cancel(actor=Actor.of_request(request), job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except OperationalError:
        # SQLite has one writer: a job running in its own transaction holds the database
        # until it ends, and the request gives up after its busy timeout.
        messages.error(request, _("The database is busy with a running job; try again later."))
    else:
        if job.status == JobStatus.CANCELLED:
            messages.success(request, _("The job was cancelled."))
        else:
            messages.success(request, _("The job stops at its next progress report."))
    return redirect("console:jobs")
