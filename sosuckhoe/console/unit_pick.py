"""The unit a review page works on: the officer's own, or one below it named in `?unit=`."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404, HttpRequest

from sosuckhoe.places.models import AdminUnit, UnitLevel
from sosuckhoe.places.selectors import unit_children, unit_within


@dataclass(frozen=True)
class UnitPick:
    unit: AdminUnit  # the unit the page shows
    trail: list[AdminUnit]  # from the officer's unit down to `unit`: the links back up
    choices: list[AdminUnit]  # `unit` and the units directly below it; none: nothing to pick

    @property
    def query(self) -> str:
        """The query string that keeps the pick on the page's other links and forms."""
        return "" if len(self.trail) == 1 else "?" + urlencode({"unit": self.unit.code})


def unit_named(request: HttpRequest, code: str) -> AdminUnit:
    """The unit a link or form names by code, within the user's subtree and edition; any
    other is not found, so that naming a unit narrows what is asked and never widens it."""
    try:
        return unit_within(unit=request.user.unit, code=code)
    except AdminUnit.DoesNotExist:
        raise Http404 from None


def unit_pick(request: HttpRequest) -> UnitPick:
    """The unit named in `?unit=` within the user's subtree and edition, else their own."""
    own, code = request.user.unit, request.GET.get("unit", "")
    unit = unit_named(request, code) if code else own
    codes = unit.path.removeprefix(own.path).split("/")[:-1]
    trail = [own, *(unit_within(unit=own, code=c) for c in codes)]
    # A commune has nothing below it: its officer never sees a picker, and asks nothing.
    children = [] if unit.level == UnitLevel.COMMUNE else unit_children(unit=unit)
    return UnitPick(unit, trail, [unit, *children] if children else [])
