"""One distribution spec, reused everywhere (demand, lead times, durations...).

A tagged union on ``kind``. The unit is given by the field that holds the
distribution (``lead_time_days``, ``per_period_units``...). Every kind knows its
analytic ``mean`` and ``variance`` and samples with a numpy ``Generator``.

Scaling (``sample(..., scale=...)``) multiplies the mean while keeping the shape of
the family: the coefficient of variation for normal, lognormal, gamma, uniform,
triangular, fixed and empirical; the Poisson stays Poisson with mean ``scale*mean``;
the negative binomial keeps its dispersion ``r`` (variance ``m + m^2/r``). This is how
demand growth and seasonality act on a demand distribution.

Non-negative draws: ``normal`` can go below zero; sampled values are clipped at zero
(documented approximation: the analytic mean and variance are those of the
unclipped normal, which is exact to 1e-6 relative whenever mean >= 5 sd).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from keiretsu.scenario.base import NonNegativeFloat, PositiveFloat, Spec


def _times(scale, draws: np.ndarray) -> np.ndarray:
    """``scale`` x float ``draws``; the draws themselves at the default scale 1 (1.0 x is exact)."""
    if isinstance(scale, int | float) and scale == 1.0:
        return draws
    return np.asarray(scale, dtype=float) * draws


class Fixed(Spec):
    """A constant: every draw equals ``value``."""

    kind: Literal["fixed"] = "fixed"
    value: NonNegativeFloat
    """The constant value (unit: that of the field holding it)."""

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, size: int, scale=1.0) -> np.ndarray:
        return np.broadcast_to(np.asarray(scale, dtype=float) * self.value, (size,)).copy()


class Uniform(Spec):
    """Continuous uniform on [low, high]."""

    kind: Literal["uniform"] = "uniform"
    low: NonNegativeFloat
    """Lower bound."""
    high: NonNegativeFloat
    """Upper bound (>= low)."""

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12

    def sample(self, rng: np.random.Generator, size: int, scale=1.0) -> np.ndarray:
        return _times(scale, rng.uniform(self.low, self.high, size))


class Triangular(Spec):
    """Triangular on [low, high] with the given mode (three-point estimate)."""

    kind: Literal["triangular"] = "triangular"
    low: NonNegativeFloat
    """Minimum."""
    mode: NonNegativeFloat
    """Most likely value (low <= mode <= high)."""
    high: NonNegativeFloat
    """Maximum (> low)."""

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high) or self.high <= self.low:
            raise ValueError(
                f"need low <= mode <= high and low < high (got {self.low}, {self.mode}, {self.high})"
            )
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def sample(self, rng: np.random.Generator, size: int, scale=1.0) -> np.ndarray:
        # numpy's own triangular, vectorised: the same uniform and formula, the same values
        left, mode, right = self.low, self.mode, self.high
        base = right - left
        u = rng.random(size)
        low_side = left + np.sqrt(u * ((mode - left) * base))
        high_side = right - np.sqrt((1.0 - u) * ((right - mode) * base))
        draws = np.where(u <= (mode - left) / base, low_side, high_side)
        return _times(scale, draws)


class Normal(Spec):
    """Normal with mean and standard deviation; draws clipped at zero (see module doc)."""

    kind: Literal["normal"] = "normal"
    mean_: NonNegativeFloat = Field(alias="mean")
    """Mean."""
    sd: NonNegativeFloat
    """Standard deviation."""

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.sd**2

    def sample(self, rng: np.random.Generator, size: int, scale=1.0) -> np.ndarray:
        s = np.asarray(scale, dtype=float)
        return np.maximum(s * (self.mean_ + self.sd * rng.standard_normal(size)), 0.0)


class LogNormal(Spec):
    """Lognormal given by the mean and standard deviation of the variable itself (not its log)."""

    kind: Literal["lognormal"] = "lognormal"
    mean_: PositiveFloat = Field(alias="mean")
    """Mean of the variable."""
    sd: NonNegativeFloat
    """Standard deviation of the variable."""

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.sd**2

    def _log_params(self) -> tuple[float, float]:
        sigma2 = np.log1p((self.sd / self.mean_) ** 2)
        return float(np.log(self.mean_) - sigma2 / 2), float(np.sqrt(sigma2))

    def sample(self, rng: np.random.Generator, size: int, scale=1.0) -> np.ndarray:
        mu, sigma = self._log_params()
        return np.asarray(scale, dtype=float) * rng.lognormal(mu, sigma, size)


class Gamma(Spec):
    """Gamma given by mean and standard deviation (shape = (mean/sd)^2)."""

    kind: Literal["gamma"] = "gamma"
    mean_: PositiveFloat = Field(alias="mean")
    """Mean."""
    sd: PositiveFloat
    """Standard deviation."""

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.sd**2

    def sample(self, rng: np.random.Generator, size: int, scale=1.0) -> np.ndarray:
        shape = (self.mean_ / self.sd) ** 2
        return np.asarray(scale, dtype=float) * rng.gamma(shape, self.sd**2 / self.mean_, size)


class Exponential(Spec):
    """Exponential with the given mean (e.g. time between failures)."""

    kind: Literal["exponential"] = "exponential"
    mean_: PositiveFloat = Field(alias="mean")
    """Mean (= 1 / rate)."""

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.mean_**2

    def sample(self, rng: np.random.Generator, size: int, scale=1.0) -> np.ndarray:
        return np.asarray(scale, dtype=float) * rng.exponential(self.mean_, size)


class Geometric(Spec):
    """Whole number of trials until the first success, 1, 2, ... (success probability p).

    A two-state Markov supplier that leaves a state with probability p per period stays
    in it a Geometric(p) number of periods (Snyder & Shen 2019, sec. 9.2). Scaling
    multiplies the draws.
    """

    kind: Literal["geometric"] = "geometric"
    p: float = Field(gt=0.0, le=1.0)
    """Probability of leaving the state in each trial."""

    @property
    def mean(self) -> float:
        return 1.0 / self.p

    @property
    def variance(self) -> float:
        return (1.0 - self.p) / self.p**2

    def sample(self, rng: np.random.Generator, size: int, scale=1.0) -> np.ndarray:
        return np.asarray(scale, dtype=float) * rng.geometric(self.p, size)


class Poisson(Spec):
    """Poisson counts with the given mean; scaling keeps it Poisson (mean * scale)."""

    kind: Literal["poisson"] = "poisson"
    mean_: NonNegativeFloat = Field(alias="mean")
    """Mean (= variance)."""

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.mean_

    def sample(self, rng: np.random.Generator, size: int, scale=1.0) -> np.ndarray:
        return rng.poisson(np.asarray(scale, dtype=float) * self.mean_, size).astype(float)


class NegativeBinomial(Spec):
    """Over-dispersed counts given by mean and sd (sd^2 > mean); dispersion r = m^2/(sd^2 - m).

    Scaling keeps r, so the variance at mean m' is m' + m'^2 / r.
    """

    kind: Literal["negative_binomial"] = "negative_binomial"
    mean_: PositiveFloat = Field(alias="mean")
    """Mean."""
    sd: PositiveFloat
    """Standard deviation; its square must exceed the mean (otherwise use poisson)."""

    @model_validator(mode="after")
    def _overdispersed(self) -> NegativeBinomial:
        if self.sd**2 <= self.mean_:
            raise ValueError(
                f"sd^2 ({self.sd**2:g}) must exceed mean ({self.mean_:g}); "
                "use kind: poisson for variance equal to the mean"
            )
        return self

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.sd**2

    @property
    def dispersion(self) -> float:
        return self.mean_**2 / (self.sd**2 - self.mean_)

    def sample(self, rng: np.random.Generator, size: int, scale=1.0) -> np.ndarray:
        r = self.dispersion
        m = np.asarray(scale, dtype=float) * self.mean_
        return rng.negative_binomial(r, r / (r + m), size).astype(float)


class Empirical(Spec):
    """Resampling of observed values, optionally weighted."""

    kind: Literal["empirical"] = "empirical"
    values: list[NonNegativeFloat] = Field(min_length=1)
    """Observed values."""
    weights: list[NonNegativeFloat] | None = None
    """Relative weights, one per value (default: equal)."""

    @model_validator(mode="after")
    def _weights(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"weights has {len(self.weights)} entries but values has {len(self.values)}"
                )
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be zero")
        return self

    def _probabilities(self) -> np.ndarray:
        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights)
        return w / w.sum()

    @property
    def mean(self) -> float:
        return float(np.dot(self._probabilities(), self.values))

    @property
    def variance(self) -> float:
        p, v = self._probabilities(), np.asarray(self.values)
        return float(np.dot(p, (v - np.dot(p, v)) ** 2))

    def sample(self, rng: np.random.Generator, size: int, scale=1.0) -> np.ndarray:
        draws = rng.choice(np.asarray(self.values, dtype=float), size=size, p=self._probabilities())
        return np.asarray(scale, dtype=float) * draws


Distribution = Annotated[
    Fixed
    | Uniform
    | Triangular
    | Normal
    | LogNormal
    | Gamma
    | Exponential
    | Geometric
    | Poisson
    | NegativeBinomial
    | Empirical,
    Field(discriminator="kind"),
]
"""Any distribution, chosen by its ``kind`` tag."""

DISTRIBUTION_KINDS = (
    "geometric",
    "fixed",
    "uniform",
    "triangular",
    "normal",
    "lognormal",
    "gamma",
    "exponential",
    "poisson",
    "negative_binomial",
    "empirical",
)
