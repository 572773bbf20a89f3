"""Exports: each list page's export form asks for a job here; the job's page follows it and,
once written, offers its file to whoever asked, until it expires. jobs.js refreshes the page
from `export_job_status`."""

from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.console.access import staff_view
from sosuckhoe.console.forms_exports import ExportForm
from sosuckhoe.console.refusals import refusal_on_form
from sosuckhoe.console.unit_pick import unit_named
from sosuckhoe.console.views.jobs import JobRow
from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.imports.exports import Filters
from sosuckhoe.imports.exports_jobs import (
    export_file_read,
    export_job_create,
    export_job_get,
    export_jobs_read,
)
from sosuckhoe.imports.models import ExportFormat, ExportJob
from sosuckhoe.places.models import AdminUnit, Facility
from sosuckhoe.supply.selectors import facilities_visible_to

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.NATIONAL: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _place(request: HttpRequest, place_uuid: UUID | None) -> Facility | None:
    """A site or facility of the user's subtree; any other is not found."""
    if place_uuid is None:
        return None
    place = facilities_visible_to(user=request.user).select_related("unit")
    found = place.filter(uuid=place_uuid).first()
    if found is None:
        raise Http404
    return found


def _unit(request: HttpRequest, code: str, place: Facility | None) -> AdminUnit:
    """The unit named, within the user's subtree; else the place's; else the user's own."""
    if not code:
        return place.unit if place is not None else request.user.unit
    return unit_named(request, code)


def _filters(request: HttpRequest, data: dict) -> Filters:
    site, facility = _place(request, data["site"]), _place(request, data["facility"])
    return Filters(
        unit=_unit(request, data["scope"], site or facility),
        site=site,
        facility=facility,
        since=data["since"],
        until=data["until"],
        status=data["status"],
    )


@staff_view
def exports(request: HttpRequest) -> HttpResponse:
    """The user's own recent exports; the list pages' export forms are sent here."""
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = export_job_create(
                actor=Actor.of_request(request),
                list_kind=data["list_kind"],
                export_format=data["format"],
                filters=_filters(request, data),
                language=get_language() or settings.LANGUAGE_CODE,
            )
        except ValidationError as error:
            refusal_on_form(form, error)
        else:
            return redirect("console:export_job", job_uuid=job.uuid)
    context = {"form": form, "jobs": export_jobs_read(user=request.user)}
    return render(request, "console/exports.html", context)


def _job(request: HttpRequest, job_uuid: UUID) -> ExportJob:
    try:
        return export_job_get(user=request.user, job_uuid=job_uuid)
    except ExportJob.DoesNotExist:
        raise Http404 from None


def _row(request: HttpRequest, job: ExportJob) -> JobRow:
    cancellable = job.status in (JobStatus.PENDING, JobStatus.RUNNING)
    return JobRow(job, may_cancel=request.user.is_manager and cancellable)


@require_safe
@staff_view
def export_job(request: HttpRequest, job_uuid: UUID) -> HttpResponse:
    job = _job(request, job_uuid)
    context = {"job": job, "row": _row(request, job), "idle_seconds": settings.SESSION_COOKIE_AGE}
    return render(request, "console/export_job.html", context)


@require_safe
@staff_view
def export_job_status(request: HttpRequest, job_uuid: UUID) -> JsonResponse:
    job = _job(request, job_uuid)
    return JsonResponse({"jobs": [_row(request, job).as_json()]})


@require_safe
@staff_view
def export_download(request: HttpRequest, job_uuid: UUID) -> FileResponse:
    job = _job(request, job_uuid)
    try:
        path = export_file_read(actor=Actor.of_request(request), job=job)
        stream = path.open("rb")
    except FileNotFoundError:
        raise Http404(_("This export is no longer kept; export the list again.")) from None
    content_type = CONTENT_TYPES[ExportFormat(job.format)]
    return FileResponse(
        stream, as_attachment=True, filename=job.file_name, content_type=content_type
    )
