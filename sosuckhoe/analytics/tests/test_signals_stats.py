"""The statistics of the warnings on tables and series whose answers are known."""

import math

import pytest
from scipy.stats import chi2_contingency

from sosuckhoe.analytics.signals_stats import (
    ears_c2,
    observed_expected,
    poisson_interval,
    prr,
    yates_chi2,
)

# A sign reported 20 times in 100 reports after one vaccine, 20 times in 900 after the others.
SIGNAL = {"a": 20, "b": 80, "c": 20, "d": 880}
# The same share after the vaccine as after the others.
NO_SIGNAL = {"a": 10, "b": 90, "c": 100, "d": 900}
THRESHOLDS = {"prr_min": 2.0, "chi2_min": 4.0, "n_min": 3}


def test_the_prr_of_a_known_signal_is_its_ratio_of_shares_and_passes_the_rule():
    result = prr(**SIGNAL)
    assert result.prr == pytest.approx((20 / 100) / (20 / 900))  # 9.0
    assert result.signals(**THRESHOLDS)


def test_the_chi2_is_pearsons_with_yates_correction_as_scipy_computes_it():
    table = [[SIGNAL["a"], SIGNAL["b"]], [SIGNAL["c"], SIGNAL["d"]]]
    expected = chi2_contingency(table, correction=True)[0]
    assert yates_chi2(**SIGNAL) == pytest.approx(expected)
    table = [[NO_SIGNAL["a"], NO_SIGNAL["b"]], [NO_SIGNAL["c"], NO_SIGNAL["d"]]]
    assert yates_chi2(**NO_SIGNAL) == pytest.approx(chi2_contingency(table, correction=True)[0])


def test_a_vaccine_reported_like_the_others_raises_no_signal():
    result = prr(**NO_SIGNAL)
    assert result.prr == pytest.approx(1.0)
    assert not result.signals(**THRESHOLDS)


def test_a_high_ratio_on_two_reports_is_no_signal():
    result = prr(a=2, b=3, c=1, d=500)
    assert result.prr > 2
    assert result.chi2 > 4
    assert not result.signals(**THRESHOLDS)


def test_a_sign_never_reported_after_the_others_has_an_infinite_prr():
    assert math.isinf(prr(a=5, b=5, c=0, d=100).prr)
    assert math.isnan(prr(a=0, b=0, c=3, d=10).prr)


def test_the_exact_poisson_interval_matches_the_published_garwood_values():
    assert poisson_interval(0) == pytest.approx((0.0, 3.689), abs=1e-3)
    assert poisson_interval(10) == pytest.approx((4.795, 18.390), abs=1e-3)


def test_observed_above_expected_is_a_signal_when_the_interval_clears_one():
    # 10 anaphylaxis cases after a million doses, 1.31 expected (1.31 per million doses).
    result = observed_expected(observed=10, expected=1.31)
    assert result.lower == pytest.approx(4.795 / 1.31, rel=1e-3)
    assert result.signals()


def test_observed_near_expected_is_no_signal():
    result = observed_expected(observed=2, expected=1.31)
    assert result.ratio > 1
    assert not result.signals()


def test_an_expected_count_of_zero_is_refused():
    with pytest.raises(ValueError, match="expected count"):
        observed_expected(observed=1, expected=0)


# Seven baseline days (mean 19/7, standard deviation 0.7559), two guard days, the day tested.
BASELINE = [2, 3, 2, 4, 3, 2, 3]
GUARD = [5, 6]


def test_ears_c2_flags_a_day_far_above_the_baseline_that_ends_three_days_before():
    result = ears_c2([1, 1, *BASELINE, *GUARD, 9], min_sigma=0.5)
    assert result is not None
    assert result.mean == pytest.approx(19 / 7)
    assert result.sigma == pytest.approx(0.7559, abs=1e-4)
    assert result.statistic == pytest.approx((9 - 19 / 7) / 0.75593, abs=1e-3)  # 8.32
    assert result.signals(3.0)


def test_ears_c2_leaves_an_ordinary_day_alone():
    result = ears_c2([*BASELINE, *GUARD, 4], min_sigma=0.5)
    assert result is not None
    assert result.statistic == pytest.approx((4 - 19 / 7) / 0.75593, abs=1e-3)  # 1.70
    assert not result.signals(3.0)


def test_ears_c2_keeps_the_two_days_before_out_of_its_baseline():
    quiet = ears_c2([*BASELINE, 0, 0, 9], min_sigma=0.5)
    rising = ears_c2([*BASELINE, 50, 60, 9], min_sigma=0.5)
    assert quiet == rising


def test_ears_c2_raises_a_flat_baselines_spread_to_the_floor():
    assert not ears_c2([0] * 9 + [1], min_sigma=0.5).signals(3.0)  # (1 - 0) / 0.5 = 2
    assert ears_c2([0] * 9 + [2], min_sigma=0.5).signals(3.0)  # 4
    assert ears_c2([0] * 9 + [1], min_sigma=0).signals(3.0)  # no floor: any rise


def test_ears_c2_needs_ten_days():
    assert ears_c2([1] * 9, min_sigma=0.5) is None
