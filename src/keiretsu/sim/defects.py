"""Defects found at receipt: the units rejected per (replication, offer) in one period.

Each arriving unit is defective with the offer's defect rate, independently, so the units
rejected are Binomial(units arrived, rate), drawn from the replication's own ``defects``
stream (see :mod:`keiretsu.sim.draws`). The numbers are exactly those of
``numpy.random.Generator.binomial`` called row by row (same values, same use of each
stream): rows in NumPy's inversion regime (every cell with p <= 1/2 and n p <= 30, the
usual case: ppm-level rates) are drawn by a numba-compiled copy of NumPy's
``random_binomial_inversion`` (numpy/random/src/distributions/distributions.c), all
replications of a batch in one call, reading each generator's PCG64 state through
NumPy's ctypes interface; any other row (BTPE for n p > 30, p > 1/2, invalid input) is
left to NumPy itself. Why: one NumPy call per replication and period cost ~5 us of
overhead plus an exp and a log per cell, the largest line of the period step.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np


class Inspection:
    """Binomial rejections for a batch, one generator per replication (PCG64, as
    :func:`keiretsu.rng.stream` makes them); the generators are kept alive here."""

    def __init__(self, rngs: list[np.random.Generator]) -> None:
        if not rngs or any(not isinstance(g.bit_generator, np.random.PCG64) for g in rngs):
            raise TypeError("Inspection needs one PCG64 generator per replication")
        self.rngs = rngs
        self._draw = _compiled_inversion_rows()
        self._next_double = rngs[0].bit_generator.ctypes.next_double  # one C function
        self._states = np.array(
            [g.bit_generator.ctypes.state_address for g in rngs], dtype=np.uint64
        )

    def rejected(self, arriving: np.ndarray, rate: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``out[r] = rngs[r].binomial(arriving[r].astype(int64), rate[r])``, in place.

        ``arriving``: (R, O) units (whole units: truncated); ``rate``: (O,) or (R, O)
        defect rates; ``out``: (R, O) float array.
        """
        rate = np.broadcast_to(rate, arriving.shape)
        numpy_rows = self._draw(self._next_double, self._states, arriving, rate, out)
        if numpy_rows.any():
            counts = arriving.astype(np.int64)
            for r in np.flatnonzero(numpy_rows):
                out[r] = self.rngs[r].binomial(counts[r], rate[r])
        return out


@cache
def _compiled_inversion_rows():
    """The kernel, compiled on first use (numba is imported only by scenarios with
    defects; the machine code is cached beside this file, in ``__pycache__``)."""
    import numba

    return numba.njit(cache=True, nogil=True)(_inversion_rows)


def _inversion_rows(next_double, states, arriving, rate, out):
    """Draw the rows NumPy would draw by inversion into ``out``; flag the others (True)
    without touching their streams. The arithmetic is NumPy's, operation for operation."""
    n_rows, n_cols = arriving.shape
    numpy_rows = np.zeros(n_rows, dtype=np.bool_)
    for r in range(n_rows):
        for i in range(n_cols):
            n = np.int64(arriving[r, i])
            p = rate[r, i]
            if n < 0 or not (0.0 <= p <= 0.5) or (n > 0 and p * n > 30.0):
                numpy_rows[r] = True
                break
        if numpy_rows[r]:
            continue
        state = states[r]
        for i in range(n_cols):
            n = np.int64(arriving[r, i])
            p = rate[r, i]
            if n == 0 or p == 0.0:  # NumPy returns 0 without a draw
                out[r, i] = 0.0
                continue
            q = 1.0 - p
            qn = math.exp(n * math.log(q))
            mean = n * p
            bound = min(n, np.int64(mean + 10.0 * math.sqrt(mean * q + 1)))
            x = 0
            px = qn
            u = next_double(state)
            while u > px:
                x += 1
                if x > bound:
                    x = 0
                    px = qn
                    u = next_double(state)
                else:
                    u -= px
                    px = ((n - x + 1) * p * px) / (x * q)
            out[r, i] = x
    return numpy_rows
