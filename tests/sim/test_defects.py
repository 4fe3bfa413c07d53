"""The compiled defect draws are NumPy's binomial, number for number and stream for stream."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keiretsu.rng import stream
from keiretsu.sim.defects import Inspection


def _pair(rows: int, seed: int = 7) -> tuple[Inspection, list[np.random.Generator]]:
    """An inspection and, beside it, the same generators for NumPy to draw from."""
    ours = Inspection([stream(seed, r, "defects") for r in range(rows)])
    reference = [stream(seed, r, "defects") for r in range(rows)]
    return ours, reference


def _numpy(reference, arriving: np.ndarray, rate: np.ndarray) -> np.ndarray:
    rate = np.broadcast_to(rate, arriving.shape)
    counts = arriving.astype(np.int64)
    return np.stack([g.binomial(counts[r], rate[r]) for r, g in enumerate(reference)]).astype(float)


def _same_streams(ours: Inspection, reference) -> None:
    """Both sides used every stream equally: their next numbers agree."""
    for mine, theirs in zip(ours.rngs, reference, strict=True):
        assert mine.random() == theirs.random()


def test_matches_numpy_over_many_periods() -> None:
    """ppm-level rates and lots of 0 to 100,000 units (NumPy's inversion regime), with
    empty arrivals (no draw) and a perfect offer (rate 0: no draw), over 300 periods."""
    rng = np.random.default_rng(1)
    rows, cols = 5, 60
    ours, reference = _pair(rows)
    rate = rng.uniform(1e-5, 3e-4, cols)
    rate[3] = 0.0
    for _ in range(300):
        arriving = rng.exponential(3000.0, (rows, cols)) * (rng.random((rows, cols)) < 0.7)
        out = np.full((rows, cols), -1.0)
        ours.rejected(arriving, rate, out)
        np.testing.assert_array_equal(out, _numpy(reference, arriving, rate))
    _same_streams(ours, reference)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 4),
    cols=st.integers(1, 12),
    seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([1.0, 30.0, 1e3, 1e5, 1e7]),
    rate_kind=st.sampled_from(["ppm", "percent", "half", "over_half", "mixed", "per_row"]),
)
def test_matches_numpy_in_every_regime(rows, cols, seed, scale, rate_kind) -> None:
    """Any lot size and rate, including the rows NumPy draws otherwise (n p > 30: BTPE;
    p > 1/2), fractional arrivals (truncated to whole units) and (R, O) rates."""
    rng = np.random.default_rng(seed)
    arriving = rng.random((rows, cols)) * scale
    arriving[rng.random((rows, cols)) < 0.2] = 0.0
    rate = {
        "ppm": lambda: rng.uniform(0, 1e-3, cols),
        "percent": lambda: rng.uniform(0, 0.1, cols),
        "half": lambda: np.full(cols, 0.5),
        "over_half": lambda: rng.uniform(0.5, 1.0, cols),
        "mixed": lambda: rng.choice([0.0, 1e-4, 0.02, 0.3, 0.7, 1.0], cols),
        "per_row": lambda: rng.uniform(0, 0.05, (rows, cols)),
    }[rate_kind]()
    ours, reference = _pair(rows, seed % 1000)
    out = np.empty((rows, cols))
    ours.rejected(arriving, rate, out)
    np.testing.assert_array_equal(out, _numpy(reference, arriving, rate))
    _same_streams(ours, reference)


def test_rejections_follow_the_binomial_law() -> None:
    """Theory, not NumPy: over many periods the mean rejections per cell are n p within
    4 standard errors, and a unit is never rejected twice (0 <= rejected <= n)."""
    ours, _ = _pair(2)
    n, rate = 5000.0, np.array([2e-4, 1e-3, 0.01])
    periods = 4000
    draws = np.empty((periods, 2, 3))
    for t in range(periods):
        ours.rejected(np.full((2, 3), n), rate, draws[t])
    assert (draws >= 0).all() and (draws <= n).all()
    mean = draws.reshape(-1, 3).mean(axis=0)
    se = np.sqrt(n * rate * (1 - rate) / (2 * periods))
    assert np.all(np.abs(mean - n * rate) < 4 * se)


@pytest.mark.parametrize("bad", [-0.1, 1.5, np.nan])
def test_invalid_rate_raises_as_numpy_does(bad: float) -> None:
    ours, _ = _pair(1)
    with pytest.raises(ValueError):
        ours.rejected(np.full((1, 2), 10.0), np.array([1e-3, bad]), np.empty((1, 2)))


def test_needs_pcg64_generators() -> None:
    with pytest.raises(TypeError, match="PCG64"):
        Inspection([np.random.Generator(np.random.MT19937(1))])
