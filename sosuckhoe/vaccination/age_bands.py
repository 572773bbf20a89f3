"""The age bands the guidance speaks of, shared by the review pages' coverage and the
analytics' counts: a module of its own, below both."""

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Q


@dataclass(frozen=True)
class AgeBand:
    key: str
    min_age: int
    max_age: int | None  # below this age; None: no upper bound

    def persons_q(self, on: dt.date) -> Q:
        """Persons of the band on `on`; a birth year alone counts as its 1 January."""
        latest = on - relativedelta(years=self.min_age)
        by_date = Q(birth_date__lte=latest)
        by_year = Q(birth_year__lte=latest.year)
        if self.max_age is not None:
            earliest = on - relativedelta(years=self.max_age)
            by_date &= Q(birth_date__gt=earliest)
            by_year &= Q(birth_year__gt=earliest.year)
        return Q(birth_date__isnull=False) & by_date | Q(birth_date__isnull=True) & by_year


# The bands the guidance speaks of: under 5 (no vaccine), 5–11, 12–17, adults, 50+ (the
# additional dose and 4th dose), over 65 (priority group 9).
AGE_BANDS = (
    AgeBand("0-4", 0, 5),
    AgeBand("5-11", 5, 12),
    AgeBand("12-17", 12, 18),
    AgeBand("18-49", 18, 50),
    AgeBand("50-64", 50, 65),
    AgeBand("65+", 65, None),
)
