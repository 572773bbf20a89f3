"""Imports: upload a list, check how its columns map, start it, follow it, download the rows it
refused. The job's page is complete as served; jobs.js refreshes it from `import_job_status`."""

from uuid import UUID

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.console.access import personal_data_view
from sosuckhoe.console.forms_imports import ImportMappingForm, ImportUploadForm, header_columns
from sosuckhoe.console.views.jobs import JobRow
from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.imports.jobs import import_job_create, import_job_start
from sosuckhoe.imports.models import ImportJob
from sosuckhoe.imports.selectors import import_job_get, import_jobs_read, import_rejected_read

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _errors_onto(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _job(request: HttpRequest, job_uuid: UUID) -> ImportJob:
    try:
        return import_job_get(user=request.user, job_uuid=job_uuid)
    except ImportJob.DoesNotExist:
        raise Http404 from None


@personal_data_view
def imports(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                actor=Actor.of_request(request),
                unit=form.chosen_unit,
                list_kind=form.cleaned_data["list_kind"],
                upload=form.cleaned_data["file"],
            )
        except PermissionDenied as error:
            form.add_error("unit", str(error))
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            return redirect("console:import_mapping", job_uuid=job.uuid)
    context = {"form": form, "jobs": import_jobs_read(user=request.user)}
    return render(request, "console/imports.html", context)


@personal_data_view
def import_mapping(request: HttpRequest, job_uuid: UUID) -> HttpResponse:
    job = _job(request, job_uuid)
    if job.confirmed_at is not None:
        return redirect("console:import_job", job_uuid=job.uuid)
    form = ImportMappingForm(request.POST or None, job=job)
    if request.method == "POST" and form.is_valid():
        try:
            import_job_start(actor=Actor.of_request(request), job=job, mapping=form.mapping())
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, getattr(error, "messages", [str(error)]))
        else:
            return redirect("console:import_job", job_uuid=job.uuid)
    context = {"job": job, "form": form, "columns": header_columns(job)}
    return render(request, "console/import_mapping.html", context)


def _row(request: HttpRequest, job: ImportJob) -> JobRow:
    cancellable = job.status in (JobStatus.PENDING, JobStatus.RUNNING)
    return JobRow(job, may_cancel=request.user.is_manager and cancellable)


@require_safe
@personal_data_view
def import_job(request: HttpRequest, job_uuid: UUID) -> HttpResponse:
    job = _job(request, job_uuid)
    if job.confirmed_at is None:
        return redirect("console:import_mapping", job_uuid=job.uuid)
    context = {"job": job, "row": _row(request, job), "idle_seconds": settings.SESSION_COOKIE_AGE}
    return render(request, "console/import_job.html", context)


@require_safe
@personal_data_view
def import_job_status(request: HttpRequest, job_uuid: UUID) -> JsonResponse:
    job = _job(request, job_uuid)
    return JsonResponse({"jobs": [_row(request, job).as_json() | {"counts": job.counters}]})


@require_safe
@personal_data_view
def import_rejected(request: HttpRequest, job_uuid: UUID) -> FileResponse:
    job = _job(request, job_uuid)
    try:
        path = import_rejected_read(actor=Actor.of_request(request), job=job)
        stream = path.open("rb")
    except FileNotFoundError:
        raise Http404(_("The rejected rows of this import are no longer kept.")) from None
    name = f"{job.file_name.rsplit('.', 1)[0]}-loi.xlsx"
    return FileResponse(stream, as_attachment=True, filename=name, content_type=XLSX)
