"""Reactions after vaccination (AEFI): the full report of one after a dose, its outcome, and
the investigation a serious one opens, with the WHO causality assessment."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.console.access import assessor_view, officer_view, personal_data_view
from sosuckhoe.console.forms_reactions import AssessmentForm, OutcomeForm, ReactionForm
from sosuckhoe.console.refusals import refusal_messages, refusal_on_form
from sosuckhoe.vaccination.models import Dose, Investigation, Reaction
from sosuckhoe.vaccination.selectors import (
    dose_read,
    investigation_read,
    investigations_open,
    reaction_for_change,
)
from sosuckhoe.vaccination.services import (
    investigation_assess,
    reaction_outcome_set,
    reaction_record,
)
from sosuckhoe.vaccination.services.reactions import ASSESSOR_ROLES


def _reactions_url(dose: Dose) -> str:
    return reverse("console:dose", args=[dose.uuid]) + "#reactions"


def _recorded(request: HttpRequest, reaction: Reaction) -> None:
    if reaction.serious:
        messages.warning(
            request,
            _("Serious reaction recorded: an investigation is open and the officers were told."),
        )
    else:
        messages.success(request, _("The reaction was recorded."))


@personal_data_view
def reaction_new(request: HttpRequest, dose_uuid: UUID) -> HttpResponse:
    """The full report of a reaction after a dose, its signs from the coded list."""
    actor = Actor.of_request(request)
    dose = dose_read(actor=actor, dose_uuid=dose_uuid)
    form = ReactionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reaction = reaction_record(actor=actor, dose=dose, **form.report())
        except ValidationError as error:
            refusal_on_form(form, error)
        else:
            _recorded(request, reaction)
            return redirect(_reactions_url(dose))
    return render(request, "console/reaction_form.html", {"dose": dose, "form": form})


@require_POST
@personal_data_view
def reaction_outcome(request: HttpRequest, reaction_uuid: UUID) -> HttpResponse:
    """Follow a reaction's outcome; sequelae or death make it serious and open its
    investigation."""
    actor = Actor.of_request(request)
    reaction = reaction_for_change(actor=actor, reaction_uuid=reaction_uuid)
    was_serious, form = reaction.serious, OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an outcome from the list."))
        return redirect(_reactions_url(reaction.dose))
    try:
        reaction = reaction_outcome_set(actor=actor, reaction=reaction, **form.cleaned_data)
    except ValidationError as error:
        refusal_messages(request, error)
    else:
        if reaction.serious and not was_serious:
            _recorded(request, reaction)
        else:
            messages.success(request, _("The outcome was saved."))
    return redirect(_reactions_url(reaction.dose))


@require_safe
@officer_view
def investigation_list(request: HttpRequest) -> HttpResponse:
    """The serious reactions of the user's unit not yet assessed, the most urgent first."""
    investigations = investigations_open(actor=Actor.of_request(request))
    context = {"investigations": investigations, "now": timezone.now()}
    return render(request, "console/investigation_list.html", context)


def _investigation_page(
    request: HttpRequest, investigation: Investigation, form: AssessmentForm
) -> HttpResponse:
    context = {
        "investigation": investigation,
        "reaction": investigation.reaction,
        "dose": investigation.reaction.dose,
        "form": form,
        "may_assess": request.user.role in ASSESSOR_ROLES,
        "now": timezone.now(),
    }
    return render(request, "console/investigation_detail.html", context)


@require_safe
@personal_data_view
def investigation_detail(request: HttpRequest, investigation_uuid: UUID) -> HttpResponse:
    """The reaction, its dose and person, and the causality assessment so far."""
    investigation = investigation_read(
        actor=Actor.of_request(request), investigation_uuid=investigation_uuid
    )
    form = AssessmentForm(initial=AssessmentForm.initial_of(investigation))
    return _investigation_page(request, investigation, form)


@require_POST
@assessor_view
def investigation_assess_view(request: HttpRequest, investigation_uuid: UUID) -> HttpResponse:
    """Record the council's assessment; a classification that does not follow from the
    answers is refused and the form shown again with them."""
    actor = Actor.of_request(request)
    investigation = investigation_read(actor=actor, investigation_uuid=investigation_uuid)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            investigation_assess(
                actor=actor,
                investigation=investigation,
                steps=form.steps(),
                classification=form.cleaned_data["classification"],
            )
        except ValidationError as error:
            refusal_on_form(form, error)
        else:
            messages.success(request, _("The assessment was saved."))
            return redirect("console:investigation", investigation_uuid=investigation.uuid)
    return _investigation_page(request, investigation, form)
