"""Paired statistics (keiretsu.analysis.stats): the paired-t interval against scipy's
``ttest_rel`` and the probability of being better on hand-counted cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from keiretsu.analysis.stats import ci_half_width, paired_difference, probability_better


def test_paired_difference_is_scipys_paired_t_interval() -> None:
    rng = np.random.default_rng(3)
    common = rng.normal(100, 30, 40)  # what both plans see (common random numbers)
    a = common + rng.normal(2, 1, 40)
    b = common + rng.normal(0, 1, 40)
    mean, half = paired_difference(a, b)
    low, high = stats.ttest_rel(a, b).confidence_interval(0.95)
    assert mean == pytest.approx((low + high) / 2, rel=1e-12)
    assert half == pytest.approx((high - low) / 2, rel=1e-12)
    # pairing is what makes it narrow: the unpaired (Welch) half-width is far wider
    welch = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert half < (welch.high - welch.low) / 2 / 10


def test_paired_difference_of_identical_values_is_exactly_zero() -> None:
    a = np.array([1.5, 2.25, 1e9, 0.0])
    assert paired_difference(a, a.copy()) == (0.0, 0.0)


def test_paired_difference_drops_pairs_with_a_nan() -> None:
    a = np.array([1.0, 2.0, np.nan, 4.0, 6.0])
    b = np.array([0.0, np.nan, 3.0, 1.0, 2.0])
    mean, half = paired_difference(a, b)
    d = np.array([1.0, 3.0, 4.0])
    assert mean == pytest.approx(d.mean())
    assert half == pytest.approx(ci_half_width(d))
    one = paired_difference(np.array([1.0]), np.array([0.5]))
    assert one[0] == 0.5 and np.isnan(one[1])  # one pair: a difference, no interval
    assert all(np.isnan(paired_difference(np.array([np.nan]), np.array([1.0]))))


def test_paired_values_must_have_the_same_length() -> None:
    with pytest.raises(ValueError, match="same length"):
        paired_difference(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="same length"):
        probability_better(np.ones((2, 2)), np.ones((2, 2)), True)


def test_probability_better_counts_ties_as_half() -> None:
    a = np.array([1.0, 2.0, 3.0, 4.0])
    b = np.array([1.0, 1.0, 5.0, 0.0])
    # higher is better: 2 > 1 and 4 > 0 win, 1 = 1 ties, 3 < 5 loses -> (2 + 0.5) / 4
    assert probability_better(a, b, higher_is_better=True) == 0.625
    # lower is better: only 3 < 5 wins -> (1 + 0.5) / 4
    assert probability_better(a, b, higher_is_better=False) == 0.375
    assert probability_better(a, a.copy(), True) == 0.5
    assert np.isnan(probability_better(np.array([np.nan]), np.array([1.0]), True))


def test_probability_better_is_complementary() -> None:
    rng = np.random.default_rng(8)
    a, b = rng.integers(0, 5, 200).astype(float), rng.integers(0, 5, 200).astype(float)
    both = probability_better(a, b, True) + probability_better(b, a, True)
    assert both == pytest.approx(1.0, abs=1e-15)
    assert probability_better(a, b, True) == pytest.approx(1 - probability_better(a, b, False))
