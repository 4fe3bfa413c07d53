"""Tornado analysis of a program's NPV: one uncertain input at a time, with break-evens.

``model(inputs) -> NPV`` is any function of a dict of named inputs (a closed-form NPV,
or a wrapper around a simulation). Each uncertain input is set to its low value (its
P10) and then its high value (its P90), every other input staying at its base value;
the rows are ranked by the NPV swing ``|NPV(high) - NPV(low)|``, largest first, which
is the order of the bars in a tornado chart (drawn by ``reports``, not here).

**Break-even** of input k: the value x with ``model(base with k = x) = 0``, the other
inputs at base. It is searched over ``search_range[k]``, by default the P10-P90
interval extended by its own width on each side, ``[low - w, high + w]`` with
``w = high - low`` (for a normal input about mean ± 3.8 sd): NPV is evaluated on
:data:`GRID_POINTS` equally spaced values (plus base, low and high), each sign change
is solved by Brent's bracketed method (``scipy.optimize.brentq``), and the root
nearest the base value is reported. When NPV keeps one sign over the range the
break-even is ``None`` and the row's note says which range was searched. A model
that is not monotone in k may have several break-evens; the note then says how
many were found. Cost: about ``GRID_POINTS + 15`` model calls per input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq

GRID_POINTS = 25
"""Values per input at which NPV is evaluated to bracket its break-even."""


@dataclass(frozen=True)
class TornadoRow:
    """One bar: NPV with ``input`` at its low and high values, others at base.

    ``swing = npv_at_high - npv_at_low`` (negative for a cost-like input);
    ``break_even`` is the input value giving NPV = 0 within ``search_range``, or None.
    """

    input: str
    base_value: float
    low_value: float
    high_value: float
    npv_at_low: float
    npv_at_high: float
    swing: float
    break_even: float | None
    search_range: tuple[float, float]
    note: str


@dataclass(frozen=True)
class Tornado:
    """Rows ranked by |swing|, largest first, and the NPV with every input at base."""

    base_npv: float
    rows: tuple[TornadoRow, ...]

    def to_records(self) -> list[dict[str, Any]]:
        return [asdict(r) for r in self.rows]


def _evaluate(model: Callable[[dict[str, float]], float], inputs: dict[str, float]) -> float:
    value = float(model(dict(inputs)))
    if not np.isfinite(value):
        raise ValueError(f"model returned a non-finite NPV ({value}) at inputs {inputs}")
    return value


def _break_even(
    f: Callable[[float], float], known: dict[float, float], base_value: float, lo: float, hi: float
) -> tuple[float | None, str]:
    xs = np.unique(np.concatenate([np.linspace(lo, hi, GRID_POINTS), list(known)]))
    xs = xs[(xs >= lo) & (xs <= hi)]
    values = np.array([known[x] if x in known else f(float(x)) for x in xs])
    roots = list(xs[values == 0])
    for i in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0):
        roots.append(brentq(f, xs[i], xs[i + 1], xtol=1e-12 * max(1.0, abs(xs[i])), rtol=1e-14))
    where = f"[{lo:.6g}, {hi:.6g}]"
    if not roots:
        return None, (
            f"NPV does not change sign for values in {where} "
            f"(NPV from {values.min():,.2f} to {values.max():,.2f}): no break-even there"
        )
    best = float(min(roots, key=lambda x: abs(x - base_value)))
    if len(roots) > 1:
        return best, f"{len(roots)} break-evens in {where}; the one nearest the base value"
    return best, f"break-even found in {where}"


def tornado(
    model: Callable[[dict[str, float]], float],
    base: Mapping[str, float],
    low: Mapping[str, float],
    high: Mapping[str, float],
    *,
    search_range: Mapping[str, tuple[float, float]] | None = None,
) -> Tornado:
    """Tornado of ``model`` over the inputs in ``low``/``high`` (their P10 and P90).

    ``base`` holds every input of the model; ``low`` and ``high`` the same uncertain
    subset, with ``low[k] <= high[k]``. ``search_range`` overrides the break-even
    search interval of an input (see the module docstring).
    """
    base_d = {k: float(v) for k, v in base.items()}
    if set(low) != set(high):
        raise ValueError("low and high must name the same inputs")
    unknown = sorted(set(low) - set(base_d))
    if unknown:
        raise ValueError(f"inputs without a base value: {', '.join(unknown)}")
    ranges = dict(search_range or {})
    extra = sorted(set(ranges) - set(low))
    if extra:
        raise ValueError(f"search_range for inputs that are not uncertain: {', '.join(extra)}")
    base_npv = _evaluate(model, base_d)
    rows = []
    for k in low:
        lo_v, hi_v, b = float(low[k]), float(high[k]), base_d[k]
        if not (np.isfinite(lo_v) and np.isfinite(hi_v) and np.isfinite(b)):
            raise ValueError(f"{k}: base, low and high must be finite numbers")
        if lo_v > hi_v:
            raise ValueError(f"{k}: low ({lo_v}) is above high ({hi_v})")

        def f(x: float, k: str = k) -> float:
            return _evaluate(model, {**base_d, k: x})

        at_low, at_high = f(lo_v), f(hi_v)
        w = hi_v - lo_v
        a, c = ranges.get(k, (lo_v - w, hi_v + w))
        a, c = float(a), float(c)
        if not (np.isfinite(a) and np.isfinite(c) and a <= c):
            raise ValueError(f"{k}: search_range must be finite (low, high) with low <= high")
        if base_npv == 0:
            be, note = b, "NPV is zero at the base value"
        elif a == c:
            be, note = None, f"no range to search (P10 = P90 = {a:.6g})"
        else:
            be, note = _break_even(f, {b: base_npv, lo_v: at_low, hi_v: at_high}, b, a, c)
        rows.append(
            TornadoRow(k, b, lo_v, hi_v, at_low, at_high, at_high - at_low, be, (a, c), note)
        )
    rows.sort(key=lambda r: (-abs(r.swing), r.input))
    return Tornado(base_npv=base_npv, rows=tuple(rows))
