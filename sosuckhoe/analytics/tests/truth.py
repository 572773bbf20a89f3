"""The count tables as they stand, and as the raw rows say they should be, computed here
without the services' code: the age band by the coverage selector's own definition."""

from collections import Counter
from typing import Any

from sosuckhoe.analytics.models import (
    DOSE_KEY,
    DOSE_TOTAL_KEY,
    LOT_KEY,
    REACTION_KEY,
    DoseRollup,
    DoseTotal,
    LotDoses,
    ReactionRollup,
)
from sosuckhoe.people.models import Person
from sosuckhoe.vaccination.age_bands import AGE_BANDS
from sosuckhoe.vaccination.models import Dose, Reaction


def _table(model: Any, key: tuple[str, ...], count: str) -> dict[tuple[Any, ...], int]:
    """The rows of a count table that count something (a void may leave a row at zero)."""
    columns = [f"{name}_id" if name in ("unit", "product", "lot", "term") else name for name in key]
    return {
        tuple(row[:-1]): row[-1]
        for row in model.objects.values_list(*columns, count)
        if row[-1] != 0
    }


def dose_table() -> dict[tuple[Any, ...], int]:
    return _table(DoseRollup, DOSE_KEY, "doses")


def reaction_table() -> dict[tuple[Any, ...], int]:
    return _table(ReactionRollup, REACTION_KEY, "reactions")


def tables() -> dict[str, dict[tuple[Any, ...], int]]:
    """Every count table as it stands."""
    return {
        "doses": dose_table(),
        "totals": _table(DoseTotal, DOSE_TOTAL_KEY, "doses"),
        "lots": _table(LotDoses, LOT_KEY, "doses"),
        "reactions": reaction_table(),
    }


def truths() -> dict[str, dict[tuple[Any, ...], int]]:
    """Every count table as the raw rows say it should be."""
    doses = dose_truth()
    return {
        "doses": doses,
        "totals": _totals_of(doses),
        "lots": lot_truth(),
        "reactions": reaction_truth(),
    }


def band_of(person_id: int, day: Any) -> str:
    """The age band of a person on a day, by the bands' own query."""
    found = [
        band.key
        for band in AGE_BANDS
        if Person.objects.filter(band.persons_q(day), pk=person_id).exists()
    ]
    assert len(found) == 1, (person_id, day, found)
    return found[0]


def dose_truth() -> dict[tuple[Any, ...], int]:
    counts: Counter[tuple[Any, ...]] = Counter()
    for dose in Dose.objects.valid().select_related(
        "person", "booking__registration__priority_group"
    ):
        registration = dose.booking.registration if dose.booking else None
        counts[
            (
                dose.person.home_unit_id,
                dose.given_on,
                dose.product_id,
                dose.kind,
                dose.number,
                band_of(dose.person_id, dose.given_on),
                dose.person.sex,
                registration.priority_group.code if registration else 0,
            )
        ] += 1
    return dict(counts)


def reaction_truth() -> dict[tuple[Any, ...], int]:
    counts: Counter[tuple[Any, ...]] = Counter()
    for reaction in Reaction.objects.select_related("dose__person").prefetch_related("terms"):
        dose = reaction.dose
        for term in reaction.terms.all():
            key = (dose.person.home_unit_id, dose.given_on, dose.product_id, dose.lot_id)
            counts[(*key, term.pk, reaction.serious)] += 1
    return dict(counts)


def _totals_of(doses: dict[tuple[Any, ...], int]) -> dict[tuple[Any, ...], int]:
    """The per-day truth without the day and the sex (DOSE_KEY's second and seventh)."""
    counts: Counter[tuple[Any, ...]] = Counter()
    for (unit, _day, product, kind, number, band, _sex, group), n in doses.items():
        counts[(unit, product, kind, number, band, group)] += n
    return dict(counts)


def lot_truth() -> dict[tuple[Any, ...], int]:
    counts = Counter(Dose.objects.valid().values_list("person__home_unit_id", "lot_id").order_by())
    return dict(counts)
