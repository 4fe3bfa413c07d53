"""VALIDATION.md E.3: percentiles and P(NPV < 0) of a normal NPV, and the convention.

NPV ~ N(250,000, 400,000^2): q10 = -262,620.626, q50 = 250,000, q90 = 762,620.626,
P(NPV < 0) = Phi(-0.625) = 0.265985529. A seeded sample goes through
``summarize_npv``; each estimate must be within 3 standard errors of the exact value
and 3 SE below 2 % of it (VALIDATION.md). SE of a sample p-quantile (asymptotic):
sqrt(p (1 - p) / n) / f(q_p), f the normal density; of a proportion sqrt(P (1 - P) / n);
of the mean sigma / sqrt(n). n = 400,000 makes every 3 SE < 2 %.
The convention (Pxx = xx-th percentile, linear interpolation, Hyndman & Fan 1996
type 7: h = (n - 1) p, x_(floor h) + (h - floor h)(x_(floor h + 1) - x_(floor h)),
0-based) is checked exactly on a small hand-made sample.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from keiretsu.econ.finance import PERCENTILE_CONVENTION, summarize_npv

MU, SIGMA, N = 250_000.0, 400_000.0, 400_000
Z90 = 1.2815515655446004  # standard normal 0.9-quantile


def _density(z: float) -> float:
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi) / SIGMA


def _check(estimate: float, exact: float, se: float) -> None:
    assert abs(estimate - exact) <= 3 * se, f"{estimate} vs {exact}: |diff| > 3 SE = {3 * se}"
    assert 3 * se <= 0.02 * abs(exact), f"3 SE {3 * se} is not below 2 % of {exact}"


def test_normal_npv_percentiles_and_loss_probability() -> None:
    sample = np.random.default_rng(20_190_601).normal(MU, SIGMA, N)
    s = summarize_npv(sample)
    assert s.n == N
    _check(s.mean, MU, SIGMA / math.sqrt(N))
    se_tail = math.sqrt(0.1 * 0.9 / N) / _density(Z90)
    _check(s.p10, -262_620.626, se_tail)
    _check(s.p90, 762_620.626, se_tail)
    _check(s.p50, MU, math.sqrt(0.25 / N) / _density(0.0))
    p = 0.265985529
    _check(s.prob_npv_negative, p, math.sqrt(p * (1 - p) / N))
    assert s.percentile_convention == PERCENTILE_CONVENTION


def test_percentile_convention_on_a_hand_made_sample() -> None:
    # sorted: -50, 0, 20, 40, 100 (n = 5). P10: h = 0.4 -> -50 + 0.4 x 50 = -30;
    # P50: h = 2 -> 20; P90: h = 3.6 -> 40 + 0.6 x 60 = 76. P(NPV < 0) = 1/5 (0 is not < 0).
    s = summarize_npv([40, -50, 100, 0, 20])
    assert (s.p10, s.p50, s.p90) == pytest.approx((-30.0, 20.0, 76.0), abs=1e-12)
    assert s.prob_npv_negative == pytest.approx(0.2, abs=1e-12)
    assert "xx-th percentile" in s.percentile_convention
    assert "P10 is the pessimistic tail" in s.percentile_convention
