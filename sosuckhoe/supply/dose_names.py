"""How staff name a dose, on a page and in an exported list alike."""

from sosuckhoe.supply.models import DoseKind


def dose_kind(value: str) -> str:
    """A dose kind's label ("primary" → "Primary dose"); an unknown value as it is."""
    return str(DoseKind(value).label) if value in DoseKind.values else value


def dose_name(dose: object) -> str:
    """A dose (or a dose to come) as staff name it: "Primary dose 2/2", "Additional dose",
    "Booster dose 2". Only a primary dose counts within a series: a booster's `series_doses`
    is the EU certificate's running total, which reads wrongly after "Booster dose 2"."""
    kind, number = getattr(dose, "kind", ""), getattr(dose, "number", None)
    label = dose_kind(kind)
    if kind == DoseKind.ADDITIONAL or number is None:
        return label
    series = getattr(dose, "series_doses", None)
    if kind == DoseKind.PRIMARY and series:
        return f"{label} {number}/{series}"
    return f"{label} {number}"
