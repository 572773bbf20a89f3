"""The audit log, for province officers and national administrators."""

from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.accounts.selectors import AuditFilter, audit_events_search
from sosuckhoe.console.access import audit_reader_view
from sosuckhoe.console.forms import AuditSearchForm
from sosuckhoe.people.selectors import person_uuids_by_document


@require_safe
@audit_reader_view
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    events = audit_events_search(user=request.user, criteria=AuditFilter())
    if form.is_bound:
        events = events.none()
        if form.is_valid():
            fields = form.cleaned_data
            record = fields.pop("record").strip()
            criteria = AuditFilter(**fields, object_uuids=_record_uuids(request.user, record))
            events = audit_events_search(user=request.user, criteria=criteria)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "console/audit_log.html", {"form": form, "page": page})


def _record_uuids(user: StaffUser, record: str) -> tuple[str, ...] | None:
    """The records a typed record id or document number names, among those the user sees."""
    if not record:
        return None
    try:
        return (str(UUID(record)),)
    except ValueError:
        return tuple(str(u) for u in person_uuids_by_document(user=user, number=record))
