"""The statistics of the warnings, pure functions of counts (no database).

Disproportionality: the proportional reporting ratio of Evans, Waller and Davis (2001), with
Pearson's χ² of the 2×2 table *with* Yates' continuity correction (as in Evans et al. and the
MHRA's screening rule PRR ≥ 2, χ² ≥ 4, n ≥ 3): the correction makes the χ² smaller for the
small cells a new signal starts with, so fewer signals rest on one or two reports.

Observed against expected: the exact (Garwood) Poisson interval of the observed count, from
the χ² distribution, divided by the expected count; a signal when its lower bound is ≥ 1.

Aberrations in daily counts: CDC's EARS C2 ("medium"): the mean and standard deviation of the
7 days that end 3 days before the day tested (two days of guard band, so that the start of an
outbreak does not raise its own baseline), a signal when the day lies more than 3 standard
deviations above the mean.
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Disproportion:
    """One event with one vaccine against all others: a, b, c, d of the 2×2 table."""

    a: int  # the event after the vaccine
    b: int  # other events after the vaccine
    c: int  # the event after the other vaccines
    d: int  # other events after the other vaccines
    prr: float  # inf when the event was never reported after the others
    chi2: float  # with Yates' correction

    def signals(self, *, prr_min: float, chi2_min: float, n_min: int) -> bool:
        return self.a >= n_min and self.prr >= prr_min and self.chi2 >= chi2_min


def prr(*, a: int, b: int, c: int, d: int) -> Disproportion:
    """The proportional reporting ratio (a/(a+b)) / (c/(c+d)) and its Yates χ²."""
    exposed, others = a + b, c + d
    if exposed == 0 or others == 0:
        ratio = math.nan
    elif c == 0:
        ratio = math.inf if a else math.nan
    else:
        ratio = (a / exposed) / (c / others)
    return Disproportion(a, b, c, d, ratio, yates_chi2(a=a, b=b, c=c, d=d))


def yates_chi2(*, a: int, b: int, c: int, d: int) -> float:
    """Pearson's χ² of a 2×2 table with Yates' correction; 0 when a margin is empty (no
    test can be made) or the difference is within the correction."""
    n = a + b + c + d
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    if margins == 0:
        return 0.0
    excess = max(0.0, abs(a * d - b * c) - n / 2)
    return n * excess**2 / margins


@dataclass(frozen=True)
class ObservedExpected:
    observed: int
    expected: float
    ratio: float
    lower: float  # of the ratio, exact Poisson 95 % interval
    upper: float

    def signals(self) -> bool:
        return self.lower >= 1


def poisson_interval(observed: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Garwood) interval of a Poisson mean, given one observed count."""
    # Imported here: scipy.stats takes a second and a half to import, and this module is
    # imported by every process that starts (the worker's tasks, manage.py, gunicorn).
    from scipy.stats import chi2 as chi2_distribution

    tail = (1 - confidence) / 2
    lower = 0.0 if observed == 0 else float(chi2_distribution.ppf(tail, 2 * observed)) / 2
    upper = float(chi2_distribution.ppf(1 - tail, 2 * observed + 2)) / 2
    return lower, upper


def observed_expected(*, observed: int, expected: float) -> ObservedExpected:
    """The ratio of observed to expected events with its exact 95 % interval."""
    if expected <= 0:
        raise ValueError("the expected count must be positive")
    lower, upper = poisson_interval(observed)
    return ObservedExpected(
        observed, expected, observed / expected, lower / expected, upper / expected
    )


@dataclass(frozen=True)
class EarsResult:
    count: float
    mean: float
    sigma: float
    statistic: float

    def signals(self, threshold: float) -> bool:
        return self.statistic > threshold


EARS_BASELINE = 7
EARS_C2_GUARD = 2


def ears_c2(series: Sequence[float], *, min_sigma: float) -> EarsResult | None:
    """EARS C2 for the last day of a daily series (oldest first); None when the series is too
    short (it needs 7 + 2 earlier days). A baseline of identical days has no spread: its
    standard deviation is raised to `min_sigma`, so that one case over a run of zeros is not
    an infinite aberration."""
    needed = EARS_BASELINE + EARS_C2_GUARD + 1
    if len(series) < needed:
        return None
    today = series[-1]
    baseline = series[-needed : -EARS_C2_GUARD - 1]
    mean = statistics.fmean(baseline)
    sigma = max(statistics.stdev(baseline), min_sigma)
    if sigma == 0:  # no floor and no spread: any rise is an aberration, none is not
        return EarsResult(today, mean, sigma, math.inf if today > mean else 0.0)
    return EarsResult(today, mean, sigma, (today - mean) / sigma)
