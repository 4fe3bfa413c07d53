"""Distributions: analytic moments against large samples, scaling semantics, bad parameters.

Statistical tolerance: a sample mean must lie within 4 standard errors of the analytic
mean (SE = sd / sqrt(n)); a sample variance within 4 standard errors of the analytic
variance, its SE estimated from the sample's fourth central moment,
SE(s^2) ~= sqrt((m4 - s^4) / n). With a fixed seed each check is deterministic; with a
fresh seed it would fail about once in 16,000 runs.
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from keiretsu.scenario.distributions import DISTRIBUTION_KINDS, Distribution

DIST = TypeAdapter(Distribution)
N = 200_000

CASES = {
    "fixed": {"kind": "fixed", "value": 12.5},
    "uniform": {"kind": "uniform", "low": 7, "high": 10},
    "triangular": {"kind": "triangular", "low": 35, "mode": 42, "high": 63},
    "normal": {"kind": "normal", "mean": 1000, "sd": 150},
    "lognormal": {"kind": "lognormal", "mean": 20, "sd": 8},
    "gamma": {"kind": "gamma", "mean": 14, "sd": 5},
    "exponential": {"kind": "exponential", "mean": 30},
    "geometric": {"kind": "geometric", "p": 0.04},
    "poisson": {"kind": "poisson", "mean": 12},
    "negative_binomial": {"kind": "negative_binomial", "mean": 50, "sd": 20},
    "empirical": {"kind": "empirical", "values": [1, 2, 10], "weights": [0.5, 0.3, 0.2]},
}
"""One spec per kind, with hand-checked analytic moments below."""

EXPECTED = {
    "fixed": (12.5, 0.0),
    "uniform": (8.5, 9 / 12),
    "triangular": (140 / 3, (35**2 + 63**2 + 42**2 - 35 * 63 - 35 * 42 - 63 * 42) / 18),
    "normal": (1000.0, 150.0**2),
    "lognormal": (20.0, 64.0),
    "gamma": (14.0, 25.0),
    "exponential": (30.0, 900.0),
    "geometric": (25.0, 0.96 / 0.04**2),
    "poisson": (12.0, 12.0),
    "negative_binomial": (50.0, 400.0),
    "empirical": (0.5 * 1 + 0.3 * 2 + 0.2 * 10, None),  # variance computed in the test
}


def _draws(spec: dict, scale=1.0, seed: int = 20270101) -> tuple[object, np.ndarray]:
    dist = DIST.validate_python(spec)
    return dist, dist.sample(np.random.default_rng(seed), N, scale=scale)


def assert_moments(x: np.ndarray, mean: float, variance: float) -> None:
    n = len(x)
    m, s2 = float(x.mean()), float(x.var())
    if variance == 0:
        assert np.all(x == mean)
        return
    se_mean = np.sqrt(variance / n)
    assert abs(m - mean) <= 4 * se_mean, f"sample mean {m} vs {mean} (SE {se_mean})"
    m4 = float(np.mean((x - m) ** 4))
    se_var = np.sqrt(max(m4 - s2**2, 0.0) / n)
    assert abs(s2 - variance) <= 4 * se_var, f"sample variance {s2} vs {variance} (SE {se_var})"


def test_every_kind_is_covered():
    assert set(CASES) == set(DISTRIBUTION_KINDS) == set(EXPECTED)


@pytest.mark.parametrize("kind", DISTRIBUTION_KINDS)
def test_analytic_moments(kind):
    dist = DIST.validate_python(CASES[kind])
    mean, variance = EXPECTED[kind]
    if kind == "empirical":
        variance = 0.5 * (1 - 3.1) ** 2 + 0.3 * (2 - 3.1) ** 2 + 0.2 * (10 - 3.1) ** 2
    assert dist.mean == pytest.approx(mean, rel=1e-12)
    assert dist.variance == pytest.approx(variance, rel=1e-12)


@pytest.mark.parametrize("kind", DISTRIBUTION_KINDS)
def test_sample_matches_analytic_moments(kind):
    dist, x = _draws(CASES[kind])
    assert x.shape == (N,)
    assert np.all(x >= 0)
    assert_moments(x, dist.mean, dist.variance)


@pytest.mark.parametrize("kind", DISTRIBUTION_KINDS)
def test_same_seed_same_draws(kind):
    _, a = _draws(CASES[kind], seed=5)
    _, b = _draws(CASES[kind], seed=5)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "kind", ["fixed", "uniform", "triangular", "normal", "lognormal", "gamma", "exponential"]
)
def test_scale_keeps_coefficient_of_variation(kind):
    dist, x = _draws(CASES[kind], scale=2.5)
    assert_moments(x, 2.5 * dist.mean, 2.5**2 * dist.variance)


def test_empirical_scale_multiplies_values():
    dist, x = _draws(CASES["empirical"], scale=3.0)
    assert set(np.unique(x)) == {3.0, 6.0, 30.0}
    assert_moments(x, 3 * dist.mean, 9 * dist.variance)


def test_poisson_scaled_stays_poisson():
    """Scaling a Poisson gives a Poisson of mean scale*m: variance == mean, not scale^2 * m."""
    dist, x = _draws(CASES["poisson"], scale=3.0)
    assert_moments(x, 36.0, 36.0)
    assert np.all(x == np.round(x)), "Poisson draws are counts"
    assert abs(x.var() - 9 * dist.variance) > 50  # would be 108 if scaled like a continuous law


def test_negative_binomial_scaled_keeps_dispersion():
    dist, x = _draws(CASES["negative_binomial"], scale=2.0)
    r = dist.dispersion
    assert r == pytest.approx(50**2 / (400 - 50))
    m = 2.0 * dist.mean
    assert_moments(x, m, m + m**2 / r)
    assert np.all(x == np.round(x))


def test_scale_may_be_an_array_per_draw():
    """Growth and seasonality scale each period's draw differently."""
    scale = np.where(np.arange(N) % 2 == 0, 1.0, 2.0)
    for kind in DISTRIBUTION_KINDS:
        _, x = _draws(CASES[kind], scale=scale)
        assert x.shape == (N,)
        assert x[1::2].mean() == pytest.approx(2 * x[0::2].mean(), rel=0.05), kind


def test_normal_draws_are_clipped_at_zero():
    dist, x = _draws({"kind": "normal", "mean": 1, "sd": 5})
    assert x.min() == 0.0
    assert (x == 0).mean() == pytest.approx(0.42, abs=0.01)  # P(Z < -0.2)
    assert dist.mean == 1  # the analytic moments are those of the unclipped normal


def test_normal_accepts_mean_alias():
    assert DIST.validate_python({"kind": "normal", "mean": 3, "sd": 1}).mean == 3


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"kind": "uniform", "low": 10, "high": 5}, "high (5.0) must be >= low (10.0)"),
        ({"kind": "triangular", "low": 1, "mode": 5, "high": 3}, "low <= mode <= high"),
        ({"kind": "triangular", "low": 4, "mode": 2, "high": 9}, "low <= mode <= high"),
        ({"kind": "triangular", "low": 3, "mode": 3, "high": 3}, "low < high"),
        ({"kind": "negative_binomial", "mean": 10, "sd": 3}, "must exceed mean"),
        ({"kind": "negative_binomial", "mean": 9, "sd": 3}, "use kind: poisson"),
        ({"kind": "empirical", "values": [1, 2, 3], "weights": [1, 1]}, "weights has 2 entries"),
        ({"kind": "empirical", "values": [1, 2], "weights": [0, 0]}, "must not all be zero"),
        ({"kind": "empirical", "values": []}, "at least 1 item"),
        ({"kind": "fixed", "value": -1}, "greater than or equal to 0"),
        ({"kind": "gamma", "mean": 5, "sd": 0}, "greater than 0"),
        ({"kind": "exponential", "mean": 0}, "greater than 0"),
        ({"kind": "lognormal", "mean": 5, "sd": -1}, "greater than or equal to 0"),
        ({"kind": "poisson", "mean": float("inf")}, "finite number"),
        ({"kind": "normal", "mean": 5}, "Field required"),
        ({"kind": "weibull", "shape": 2}, "does not match any of the expected tags"),
        ({"kind": "poisson", "mean": 3, "sd": 1}, "Extra inputs are not permitted"),
        ({"mean": 3}, "Unable to extract tag"),
    ],
)
def test_invalid_parameters_rejected(spec, message):
    with pytest.raises(ValidationError) as info:
        DIST.validate_python(spec)
    assert message in str(info.value)


def test_boundary_parameters_accepted():
    """Edges that are valid: equal bounds for uniform, mode at an end, zero-sd normal."""
    assert DIST.validate_python({"kind": "uniform", "low": 3, "high": 3}).variance == 0
    assert DIST.validate_python({"kind": "triangular", "low": 1, "mode": 1, "high": 4}).mean == 2
    assert DIST.validate_python({"kind": "normal", "mean": 3, "sd": 0}).variance == 0
    assert DIST.validate_python({"kind": "empirical", "values": [4]}).variance == 0
