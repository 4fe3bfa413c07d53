"""Demand laws for the contract maths (keiretsu.econ.demand_law) against direct integration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import integrate, stats

from keiretsu.econ.demand_law import DiscreteLaw, demand_law, scipy_law
from keiretsu.scenario.distributions import (
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Geometric,
    LogNormal,
    NegativeBinomial,
    Normal,
    Poisson,
    Triangular,
    Uniform,
)

CONTINUOUS = [
    Gamma(mean=40, sd=15),
    Gamma(mean=5, sd=10),
    LogNormal(mean=40, sd=20),
    Exponential(mean=30),
    Uniform(low=10, high=60),
    Triangular(low=0, mode=20, high=70),
    Triangular(low=5, mode=5, high=70),
    Triangular(low=5, mode=70, high=70),
]
DISCRETE = [
    Poisson(mean=6),
    Poisson(mean=300),
    NegativeBinomial(mean=30, sd=10),
    Geometric(p=0.2),
]
ALL = [Normal(mean=50, sd=8), *CONTINUOUS, *DISCRETE, Fixed(value=12.5)]


def _normal_expectation(g, mu: float, sd: float, kinks: list[float]) -> float:
    """E[g(D)], D ~ N(mu, sd), by quadrature on mu +- 12 sd split at mu, mu +- 3 sd and g's kinks."""
    edges = sorted(
        {mu + z * sd for z in (-12, -3, 0, 3, 12)} | {k for k in kinks if abs(k - mu) < 12 * sd}
    )
    return sum(
        integrate.quad(lambda x: g(x) * stats.norm.pdf(x, mu, sd), lo, hi, epsabs=1e-14)[0]
        for lo, hi in itertools.pairwise(edges)
    )


@pytest.mark.parametrize("spec", CONTINUOUS, ids=lambda d: d.kind)
def test_expected_sales_is_the_integral_of_the_survival_function(spec) -> None:
    law, frozen = demand_law(spec), scipy_law(spec)
    for q in [0.0, 1.0, 5.0, 10.0, 20.0, 33.3, 55.0, 69.0, 70.0, 150.0]:
        ref = integrate.quad(frozen.sf, 0.0, q, limit=400, epsabs=1e-12, epsrel=1e-12)[0]
        assert law.expected_sales(q) == pytest.approx(ref, abs=1e-8)


def test_normal_expected_sales_is_mu_minus_sigma_loss_of_the_unclipped_normal() -> None:
    law = demand_law(Normal(mean=50, sd=8))
    for q in [0.0, 30.0, 50.0, 56.603955927, 80.0]:
        ref = _normal_expectation(lambda x, q=q: min(x, q), 50.0, 8.0, [q])
        assert law.expected_sales(q) == pytest.approx(ref, abs=1e-8)


@pytest.mark.parametrize(("mu", "sd"), [(50.0, 8.0), (10.0, 2.0), (10.0, 6.0)])
def test_clipped_normal_differs_by_sigma_loss_at_mu_over_sigma(mu: float, sd: float) -> None:
    # the simulator's max(D, 0): S grows by E[D^-] = sigma L(mu/sigma), lost sales unchanged
    law = demand_law(Normal(mean=mu, sd=sd))
    z = mu / sd
    e_minus = sd * (stats.norm.pdf(z) - z * stats.norm.sf(z))
    for q in [0.5 * mu, mu, 1.5 * mu]:
        clipped = _normal_expectation(lambda x, q=q: min(max(x, 0.0), q), mu, sd, [0.0, q])
        assert clipped - law.expected_sales(q) == pytest.approx(e_minus, abs=1e-9)
    if mu >= 5 * sd:
        assert e_minus <= 5.4e-8 * sd


@pytest.mark.parametrize("spec", DISCRETE, ids=lambda d: d.kind)
def test_discrete_expected_sales_is_the_direct_sum(spec) -> None:
    law, frozen = demand_law(spec), scipy_law(spec)
    k = np.arange(0, int(frozen.ppf(1 - 1e-15)) * 3 + 50)
    pmf = frozen.pmf(k)
    for q in [0.0, 0.5, 3.0, 6.0, 7.25, 31.0, 290.0, 1000.0]:
        assert law.expected_sales(q) == pytest.approx(float(pmf @ np.minimum(k, q)), abs=1e-9)
        assert law.cdf(q) == pytest.approx(float(frozen.cdf(q)), abs=1e-12)


@pytest.mark.parametrize("spec", ALL, ids=lambda d: d.kind)
def test_law_and_scipy_law_keep_the_spec_moments(spec) -> None:
    law, frozen = demand_law(spec), scipy_law(spec)
    assert law.mean == pytest.approx(spec.mean, rel=1e-10)
    assert float(frozen.mean()) == pytest.approx(spec.mean, rel=1e-10)
    assert float(frozen.var()) == pytest.approx(spec.variance, rel=1e-9, abs=1e-12)
    # S(q) -> mu for large q, S(q) <= min(q, mu)
    assert law.expected_sales(law.upper() * 10) == pytest.approx(spec.mean, rel=1e-9)
    q = np.linspace(0, 2 * spec.mean, 17)
    assert np.all(law.expected_sales(q) <= np.minimum(q, spec.mean) + 1e-12)


def test_empirical_law_merges_repeated_values_and_uses_weights() -> None:
    law = demand_law(Empirical(values=[10, 20, 20, 40], weights=[1, 1, 1, 1]))
    assert list(law.values) == [10.0, 20.0, 40.0]
    assert list(law.probabilities) == pytest.approx([0.25, 0.5, 0.25])
    # S(25) = 0.25*10 + 0.5*20 + 0.25*25
    assert law.expected_sales(25.0) == pytest.approx(18.75)
    assert law.cdf(20.0) == pytest.approx(0.75)
    assert law.cdf_below(20.0) == pytest.approx(0.25)
    # the quantile is the smallest value with F >= u, ties included
    assert law.ppf(0.25) == 10.0
    assert law.ppf(0.2500001) == 20.0
    assert law.ppf(0.75) == 20.0
    weighted = demand_law(Empirical(values=[10, 40], weights=[3, 1]))
    assert weighted.mean == pytest.approx(17.5)


def test_degenerate_specs_become_a_point_mass() -> None:
    for spec in [Fixed(value=7), Normal(mean=7, sd=0), Uniform(low=7, high=7)]:
        law = demand_law(spec)
        assert isinstance(law, DiscreteLaw)
        assert law.expected_sales(5.0) == 5.0
        assert law.expected_sales(9.0) == 7.0
        assert law.ppf(0.3) == 7.0
    with pytest.raises(ValueError, match="degenerate"):
        scipy_law(Normal(mean=7, sd=0))


def test_negative_quantities_are_refused() -> None:
    for spec in [Normal(mean=50, sd=8), Poisson(mean=3)]:
        with pytest.raises(ValueError, match=">= 0"):
            demand_law(spec).expected_sales(-1.0)
    with pytest.raises(ValueError, match="strictly increasing"):
        DiscreteLaw(np.array([2.0, 1.0]), np.array([0.5, 0.5]))
