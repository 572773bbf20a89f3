"""One dose: read it with the reactions after it, void it; a voided dose stays in the history,
struck through."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.console.access import personal_data_view
from sosuckhoe.console.forms_vaccination import VoidForm
from sosuckhoe.console.refusals import refusal_messages
from sosuckhoe.vaccination.models import Dose, ReactionOutcome
from sosuckhoe.vaccination.selectors import dose_read, reactions_of_dose
from sosuckhoe.vaccination.services import dose_void


def may_void(actor: Actor, dose: Dose) -> bool:
    """Whether the void form is offered: the staff the service lets void it."""
    if not dose.is_valid:
        return False
    if actor.covers(dose.site.unit):
        return True
    return dose.stock_use_id is None and actor.covers(dose.person.home_unit)


@require_safe
@personal_data_view
def dose_detail(request: HttpRequest, dose_uuid: UUID) -> HttpResponse:
    actor = Actor.of_request(request)
    dose = dose_read(actor=actor, dose_uuid=dose_uuid)
    context = {
        "dose": dose,
        "may_void": may_void(actor, dose),
        "void_form": VoidForm(),
        "reactions": reactions_of_dose(actor=actor, dose=dose),
        "outcomes": ReactionOutcome.choices,
    }
    return render(request, "console/dose_detail.html", context)


@require_POST
@personal_data_view
def dose_void_view(request: HttpRequest, dose_uuid: UUID) -> HttpResponse:
    actor = Actor.of_request(request)
    dose = dose_read(actor=actor, dose_uuid=dose_uuid)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what happened and why the dose is voided."))
    else:
        try:
            dose_void(actor=actor, dose=dose, **form.cleaned_data)
        except ValidationError as error:
            refusal_messages(request, error)
        else:
            messages.success(request, _("The dose was voided."))
    return redirect("console:person", person_uuid=dose.person.uuid)
