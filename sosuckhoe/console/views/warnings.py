"""Warnings of the reader's subtree: the list, and one warning with the numbers behind it."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from sosuckhoe.analytics.models import WarningKind
from sosuckhoe.analytics.warning_selectors import signal_rows, warning_read, warnings_list
from sosuckhoe.console.access import staff_view


@require_safe
@staff_view
def warnings(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in WarningKind.values else ""
    rows = warnings_list(user=request.user, kind=kind)
    context = {"rows": rows, "kinds": WarningKind.choices, "kind": kind}
    return render(request, "console/warnings.html", context)


@require_safe
@staff_view
def warning(request: HttpRequest, warning_uuid: UUID) -> HttpResponse:
    row = warning_read(user=request.user, warning_uuid=warning_uuid)
    context = {"row": row, "signal_rows": signal_rows(row.warning)}
    return render(request, "console/warning.html", context)
