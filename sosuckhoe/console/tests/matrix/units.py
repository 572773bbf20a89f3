"""Administrative units: no personal data, so every member of staff reads every unit."""

from django.urls import reverse

from sosuckhoe.console.tests.matrix import STAFF, Case


def cases(cast) -> list[Case]:
    old, new = cast.units.district_commune, cast.units.commune_a
    unit = "console:unit"
    return [
        Case("console:units", reverse("console:units"), STAFF, post=None),
        Case(unit, reverse(unit, args=[old.edition, old.code]), STAFF, post=None),
        Case(unit, reverse(unit, args=[new.edition, new.code]), STAFF, post=None),
        # A code of the other edition only, and an edition that does not exist.
        Case(unit, reverse(unit, args=[new.edition, old.code]), frozenset(), post=None),
        Case(unit, reverse(unit, args=["2019-01", new.code]), frozenset(), post=None),
    ]
