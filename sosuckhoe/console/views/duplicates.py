"""The review queue of possible duplicates: the officer compares two records, opens the merge
page for those that are one person, dismisses the others."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.console.access import manager_view, officer_view
from sosuckhoe.console.refusals import refusal_messages
from sosuckhoe.console.unit_pick import unit_pick
from sosuckhoe.people.duplicate_selectors import (
    duplicate_pair_for_review,
    duplicate_pairs_open_count,
    duplicate_pairs_to_review,
)
from sosuckhoe.people.duplicate_services import duplicate_pair_dismiss, duplicate_run_enqueue
from sosuckhoe.people.duplicates import NEAR_LEVELS, SAME_LEVELS
from sosuckhoe.people.identity import phone_for_display
from sosuckhoe.people.models import DuplicatePair, IdKind, Person

# What a level means, said to the reviewer beside the two values.
LEVEL_LABELS = {
    "folded": _("without diacritics"),
    "typo": _("one letter differs"),
    "close": _("two letters differ"),
    "swapped": _("day and month swapped"),
    "year_only": _("year of birth only"),
    "leading_zero": _("leading zero lost"),
    "other_kind": _("another document"),
    "differs": _("differs"),
}


def _document(person: Person) -> str:
    if person.id_kind == IdKind.NONE:
        return ""
    return f"{person.get_id_kind_display()} {person.id_number}"


FIELDS: tuple[tuple[str, object, Callable[[Person], str]], ...] = (
    ("name", _("Full name"), lambda p: p.full_name),
    ("birth", _("Date of birth"), lambda p: p.birth_display),
    ("document", _("Identity document"), _document),
    ("phone", _("Phone"), lambda p: phone_for_display(p.phone)),
    ("commune", _("Commune / ward"), lambda p: p.home_unit.name),
)


@dataclass(frozen=True)
class FieldRow:
    label: object
    a: str
    b: str
    match: str  # "same", "near", "differs" or "missing": how the page marks the two values
    note: object


@dataclass(frozen=True)
class PairRow:
    pair: DuplicatePair
    fields: list[FieldRow]

    @property
    def percent(self) -> int:
        return round(self.pair.score * 100)


def _match(level: str) -> str:
    if level in SAME_LEVELS:
        return "same"
    if level in NEAR_LEVELS:
        return "near"
    return "differs" if level == "differs" else "missing"


def _row(pair: DuplicatePair) -> PairRow:
    fields = []
    for name, label, shown in FIELDS:
        level = pair.reasons.get(name, "")
        note = LEVEL_LABELS.get(level, "")
        row = FieldRow(label, shown(pair.person_a), shown(pair.person_b), _match(level), note)
        fields.append(row)
    return PairRow(pair, fields)


@require_safe
@officer_view
def duplicates(request: HttpRequest) -> HttpResponse:
    actor, pick = Actor.of_request(request), unit_pick(request)
    pairs = duplicate_pairs_to_review(actor=actor, unit=pick.unit)
    context = {
        "pick": pick,
        "rows": [_row(pair) for pair in pairs],
        "open_count": duplicate_pairs_open_count(actor=actor, unit=pick.unit),
    }
    return render(request, "console/duplicates.html", context)


@require_POST
@officer_view
def duplicate_dismiss(request: HttpRequest, pair_uuid: UUID) -> HttpResponse:
    actor = Actor.of_request(request)
    pair = duplicate_pair_for_review(actor=actor, pair_uuid=pair_uuid)
    try:
        duplicate_pair_dismiss(actor=actor, pair=pair)
    except ValidationError as error:
        refusal_messages(request, error)
    else:
        messages.success(request, _("The two records were kept apart."))
    # Back to the list on the unit it was narrowed to; the list checks the unit again.
    query = "?" + urlencode({"unit": request.GET["unit"]}) if "unit" in request.GET else ""
    return redirect(reverse("console:duplicates") + query)


@require_POST
@manager_view
def duplicates_search(request: HttpRequest) -> HttpResponse:
    """Start a search of the unit's persons on a worker; its progress is on the jobs page."""
    duplicate_run_enqueue(actor=Actor.of_request(request), unit=unit_pick(request).unit)
    messages.success(request, _("The search for duplicates has started."))
    return redirect("console:jobs")
