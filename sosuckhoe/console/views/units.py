"""Administrative units: where a unit sits, and what it became or was formed from in 2025."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from sosuckhoe.console.access import staff_view
from sosuckhoe.places.forms import UnitLookupForm, edition_label
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.places.selectors import unit_by_code, unit_current, unit_predecessors
from sosuckhoe.places.services import CURRENT_EDITION


# Units are no personal data: every member of staff may read them, analysts too.
@require_safe
@staff_view
def unit_lookup(request: HttpRequest) -> HttpResponse:
    form = UnitLookupForm(request.GET or None)
    if form.is_valid():
        code, edition = form.cleaned_data["code"], form.cleaned_data["edition"]
        try:
            unit_by_code(code=code, edition=edition)
        except AdminUnit.DoesNotExist:
            form.add_error("code", _("No unit has this code in this edition."))
        else:
            return redirect("console:unit", edition=edition, code=code)
    return render(request, "console/units.html", {"lookup_form": form})


@require_safe
@staff_view
def unit_detail(request: HttpRequest, edition: str, code: str) -> HttpResponse:
    try:
        current = unit_current(code=code, edition=edition)
    except AdminUnit.DoesNotExist:
        raise Http404 from None
    unit = current.of
    in_force = unit.edition == CURRENT_EDITION.key
    context = {
        "unit": unit,
        "ancestors": list(unit.ancestors()),
        "edition_label": edition_label(unit.edition),
        "in_force": in_force,
        "current": current,
        "predecessors": unit_predecessors(unit=unit) if in_force else [],
        "lookup_form": UnitLookupForm(initial={"edition": unit.edition}),
    }
    return render(request, "console/unit_detail.html", context)
