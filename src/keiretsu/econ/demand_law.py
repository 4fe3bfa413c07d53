"""Demand laws for the contract maths: cdf, quantile and expected sales of a Distribution.

A scenario's :mod:`keiretsu.scenario.distributions` spec knows its mean, variance and how
to sample. The newsvendor maths of :mod:`keiretsu.econ.channel` needs more: the cdf
``F(x) = P(D <= x)``, the quantile ``F^-1(u) = min{x : F(x) >= u}`` and the expected
sales ``S(q) = E[min(D, q)]`` (Cachon 2003, sec. 2.1). :func:`demand_law` turns a spec
into a :class:`DemandLaw` that gives them; :func:`scipy_law` gives the matching frozen
``scipy.stats`` distribution for the parametric kinds.

Expected sales, with ``D >= 0``:  ``S(q) = integral_0^q (1 - F(y)) dy
= E[D; D <= q] + q (1 - F(q))``, in closed form for every continuous kind:

* normal N(mu, sigma): ``S(q) = mu - sigma L(z)``, ``z = (q - mu)/sigma``, with the standard
  normal loss ``L(z) = phi(z) - z (1 - Phi(z))``;
* lognormal (log-mean m, log-sd s): ``E[D; D <= q] = mu Phi((ln q - m)/s - s)``;
* gamma (shape k, scale theta), exponential (k = 1): ``E[D; D <= q] = mu G_{k+1}(q)``,
  G_{k+1} the gamma cdf of shape k + 1;
* uniform [a, b]: ``E[D; D <= q] = (q^2 - a^2) / (2 (b - a))`` on [a, b];
* triangular [a, b], mode m: ``E[D; D <= q] = (q - a)^2 (2q + a) / (3 (b - a)(m - a))`` for
  q <= m and ``mu - (b - q)^2 (b + 2q) / (3 (b - a)(b - m))`` for q >= m.

Discrete kinds (fixed, poisson, negative_binomial, geometric, empirical) become a
:class:`DiscreteLaw` on support points ``x_k`` with probabilities ``p_k``; then
``S(q) = sum_{x_k <= q} p_k x_k + q P(D > q)`` exactly. Laws with an infinite support are
cut at the quantiles 1e-15 and 1 - 1e-15, the cut-off mass moved onto the end points
(an error below 1e-12 relative in S).

**The normal is not clipped here.** The simulator draws normal demand clipped at zero
(``max(D, 0)``; see :mod:`keiretsu.scenario.distributions`); this module uses the plain
normal, as Cachon does. For ``q >= 0`` the two differ exactly by
``E[D^-] = sigma L(mu/sigma)`` in S(q) and in the mean (so lost sales ``mu - S(q)`` are
the same), and by nothing in F(q) for q > 0. With mu >= 5 sigma, ``E[D^-] <= 5.4e-8 sigma``,
about 1e-8 of the mean: negligible. Orders are never negative: a quantile below zero is
read as an order of 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from keiretsu.scenario.distributions import (
    Distribution,
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

TAIL = 1e-15
"""Probability cut from each end of an infinite discrete support."""


def _out(x: np.ndarray) -> float | np.ndarray:
    """A 0-d result as a float, anything else as an array."""
    return float(x) if np.ndim(x) == 0 else x


class DemandLaw(Protocol):
    """What the contract maths needs from a demand distribution (all vectorised over x)."""

    @property
    def mean(self) -> float: ...

    @property
    def discrete(self) -> bool: ...

    def cdf(self, x: ArrayLike) -> float | np.ndarray:
        """F(x) = P(D <= x)."""
        ...

    def cdf_below(self, x: ArrayLike) -> float | np.ndarray:
        """P(D < x) (equal to F(x) for a continuous law)."""
        ...

    def ppf(self, u: ArrayLike) -> float | np.ndarray:
        """F^-1(u) = min{x : F(x) >= u}, for 0 < u < 1."""
        ...

    def expected_sales(self, q: ArrayLike) -> float | np.ndarray:
        """S(q) = E[min(D, q)] for q >= 0."""
        ...

    def upper(self) -> float:
        """A quantity above which demand (almost) never goes: F^-1(1 - 1e-12)."""
        ...


@dataclass(frozen=True, eq=False)
class ContinuousLaw:
    """A continuous law from a frozen scipy distribution, with closed-form S(q).

    ``kind`` selects the closed form (``normal``, ``lognormal``, ``gamma``, ``uniform``,
    ``triangular``); ``params`` carries the family's parameters in scipy's terms.
    """

    kind: str
    frozen: Any  # a frozen scipy.stats continuous distribution
    params: tuple[float, ...]

    @property
    def discrete(self) -> bool:
        return False

    @property
    def mean(self) -> float:
        return float(self.frozen.mean())

    def cdf(self, x: ArrayLike) -> float | np.ndarray:
        return _out(np.asarray(self.frozen.cdf(x), dtype=float))

    def cdf_below(self, x: ArrayLike) -> float | np.ndarray:
        return self.cdf(x)

    def pdf(self, x: ArrayLike) -> float | np.ndarray:
        """The density f(x)."""
        return _out(np.asarray(self.frozen.pdf(x), dtype=float))

    def ppf(self, u: ArrayLike) -> float | np.ndarray:
        return _out(np.asarray(self.frozen.ppf(u), dtype=float))

    def upper(self) -> float:
        return float(self.frozen.ppf(1 - 1e-12))

    def _partial_mean(self, q: np.ndarray) -> np.ndarray:
        """E[D; D <= q] for q >= 0."""
        mu = self.mean
        if self.kind == "normal":
            m, s = self.params
            z = (q - m) / s
            return m * stats.norm.cdf(z) - s * stats.norm.pdf(z)
        if self.kind == "lognormal":
            m, s = self.params
            with np.errstate(divide="ignore"):
                d = (np.log(q) - m) / s
            return mu * stats.norm.cdf(d - s)
        if self.kind == "gamma":
            k, theta = self.params
            return mu * stats.gamma.cdf(q, k + 1, scale=theta)
        if self.kind == "uniform":
            a, b = self.params
            x = np.clip(q, a, b)
            return (x * x - a * a) / (2 * (b - a))
        # triangular on [a, b] with mode m: E[D; D <= q] = (q - a)^2 (2q + a) / (3 (b - a)(m - a))
        # up to the mode, mu - (b - q)^2 (b + 2q) / (3 (b - a)(b - m)) above it
        a, m, b = self.params
        rise = np.clip(q, a, m)
        fall = np.clip(q, m, b)
        up = (rise - a) / (m - a) if m > a else np.zeros_like(rise)
        down = (b - fall) / (b - m) if b > m else np.zeros_like(fall)
        below_mode = up * (rise - a) * (2 * rise + a) / (3 * (b - a))
        above_mode = mu - down * (b - fall) * (b + 2 * fall) / (3 * (b - a))
        return np.where(q <= m, below_mode, above_mode)

    def expected_sales(self, q: ArrayLike) -> float | np.ndarray:
        q = np.asarray(q, dtype=float)
        if np.any(q < 0):
            raise ValueError("expected sales need a quantity >= 0")
        if self.kind == "normal":
            m, s = self.params
            z = (q - m) / s
            return _out(m - s * (stats.norm.pdf(z) - z * stats.norm.sf(z)))
        return _out(self._partial_mean(q) + q * np.asarray(self.frozen.sf(q), dtype=float))


@dataclass(frozen=True, eq=False)
class DiscreteLaw:
    """A law on finitely many support points ``values`` (increasing) with ``probabilities``."""

    values: np.ndarray
    probabilities: np.ndarray

    def __post_init__(self) -> None:
        x = np.asarray(self.values, dtype=float)
        p = np.asarray(self.probabilities, dtype=float)
        if x.ndim != 1 or x.shape != p.shape or x.size == 0:
            raise ValueError("values and probabilities must be 1-D arrays of the same length")
        if np.any(np.diff(x) <= 0):
            raise ValueError("support values must be strictly increasing")
        if np.any(x < 0) or np.any(p < 0) or p.sum() <= 0:
            raise ValueError("support values and probabilities must be >= 0 (not all zero)")
        p = p / p.sum()
        object.__setattr__(self, "values", x)
        object.__setattr__(self, "probabilities", p)
        # cumulative F(x_k), tail P(D > x_k) summed from the right, partial sum of p_k x_k
        object.__setattr__(self, "_cdf", np.minimum(np.cumsum(p), 1.0))
        object.__setattr__(self, "_tail", np.append(np.cumsum(p[::-1])[::-1][1:], 0.0))
        object.__setattr__(self, "_partial", np.cumsum(p * x))

    @classmethod
    def from_samples(cls, values: ArrayLike, weights: ArrayLike | None = None) -> DiscreteLaw:
        """The law of a weighted sample (repeated values merged)."""
        v = np.asarray(values, dtype=float)
        w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=float)
        support, inverse = np.unique(v, return_inverse=True)
        return cls(support, np.bincount(inverse, weights=w, minlength=support.size))

    @property
    def discrete(self) -> bool:
        return True

    @property
    def mean(self) -> float:
        return float(self._partial[-1])

    def _index(self, x: ArrayLike) -> np.ndarray:
        """Index of the largest support point <= x (-1 if none)."""
        return np.searchsorted(self.values, np.asarray(x, dtype=float), side="right") - 1

    def cdf(self, x: ArrayLike) -> float | np.ndarray:
        k = self._index(x)
        return _out(np.where(k >= 0, self._cdf[np.maximum(k, 0)], 0.0))

    def cdf_below(self, x: ArrayLike) -> float | np.ndarray:
        k = np.searchsorted(self.values, np.asarray(x, dtype=float), side="left") - 1
        return _out(np.where(k >= 0, self._cdf[np.maximum(k, 0)], 0.0))

    def ppf(self, u: ArrayLike) -> float | np.ndarray:
        k = np.searchsorted(self._cdf, np.asarray(u, dtype=float), side="left")
        return _out(self.values[np.minimum(k, self.values.size - 1)])

    def upper(self) -> float:
        return float(self.values[-1])

    def expected_sales(self, q: ArrayLike) -> float | np.ndarray:
        q = np.asarray(q, dtype=float)
        if np.any(q < 0):
            raise ValueError("expected sales need a quantity >= 0")
        k = self._index(q)
        inside = np.where(k >= 0, self._partial[np.maximum(k, 0)], 0.0)
        above = np.where(k >= 0, self._tail[np.maximum(k, 0)], 1.0)
        return _out(inside + q * above)


def scipy_law(distribution: Distribution):
    """The frozen ``scipy.stats`` distribution of a spec (empirical: ``rv_discrete``).

    Raises ValueError for a degenerate spec that scipy cannot freeze (sd = 0, low = high).
    """
    d = distribution
    match d:
        case Fixed():
            return stats.rv_discrete(values=([d.value], [1.0]))
        case Normal() if d.sd > 0:
            return stats.norm(d.mean, d.sd)
        case LogNormal() if d.sd > 0:
            m, s = _log_params(d)
            return stats.lognorm(s, scale=np.exp(m))
        case Gamma():
            return stats.gamma((d.mean / d.sd) ** 2, scale=d.sd**2 / d.mean)
        case Exponential():
            return stats.expon(scale=d.mean)
        case Uniform() if d.high > d.low:
            return stats.uniform(d.low, d.high - d.low)
        case Triangular():
            return stats.triang((d.mode - d.low) / (d.high - d.low), d.low, d.high - d.low)
        case Poisson() if d.mean > 0:
            return stats.poisson(d.mean)
        case NegativeBinomial():
            r = d.dispersion
            return stats.nbinom(r, r / (r + d.mean))
        case Geometric():
            return stats.geom(d.p)
        case Empirical():
            law = DiscreteLaw.from_samples(d.values, d.weights)
            return stats.rv_discrete(values=(law.values, law.probabilities))
    raise ValueError(f"{d.kind} distribution with these parameters is degenerate: use kind: fixed")


def _log_params(d: LogNormal) -> tuple[float, float]:
    """Mean m and sd s of ln D for a lognormal given by the mean and sd of D."""
    s2 = float(np.log1p((d.sd / d.mean) ** 2))
    return float(np.log(d.mean)) - s2 / 2, float(np.sqrt(s2))


def _lattice(frozen) -> DiscreteLaw:
    """A discrete law on the integers between the quantiles TAIL and 1 - TAIL."""
    lo, hi = int(frozen.ppf(TAIL)), int(frozen.ppf(1 - TAIL))
    k = np.arange(lo, hi + 1)
    p = frozen.pmf(k)
    p[0] += frozen.cdf(lo - 1)
    p[-1] += frozen.sf(hi)
    return DiscreteLaw(k.astype(float), p)


def demand_law(distribution: Distribution) -> ContinuousLaw | DiscreteLaw:
    """The :class:`DemandLaw` of a distribution spec (see the module docstring)."""
    d = distribution
    match d:
        case Fixed():
            return DiscreteLaw(np.array([d.value]), np.array([1.0]))
        case Normal() | LogNormal() | Uniform() if d.variance == 0:
            return DiscreteLaw(np.array([d.mean]), np.array([1.0]))
        case Poisson() if d.mean == 0:
            return DiscreteLaw(np.array([0.0]), np.array([1.0]))
        case Empirical():
            return DiscreteLaw.from_samples(d.values, d.weights)
        case Poisson() | NegativeBinomial() | Geometric():
            return _lattice(scipy_law(d))
        case Normal():
            return ContinuousLaw("normal", scipy_law(d), (d.mean, d.sd))
        case LogNormal():
            return ContinuousLaw("lognormal", scipy_law(d), _log_params(d))
        case Gamma():
            return ContinuousLaw("gamma", scipy_law(d), ((d.mean / d.sd) ** 2, d.sd**2 / d.mean))
        case Exponential():
            return ContinuousLaw("gamma", scipy_law(d), (1.0, d.mean))
        case Uniform():
            return ContinuousLaw("uniform", scipy_law(d), (d.low, d.high))
        case Triangular():
            return ContinuousLaw("triangular", scipy_law(d), (d.low, d.mode, d.high))
    raise ValueError(f"no demand law for distribution kind {d.kind!r}")  # pragma: no cover
