"""Invariants of keiretsu.econ.finance on random cash flows (Hypothesis).

* a finite IRR is a root: NPV(IRR) = 0 (relative to the size of the discounted flows);
* flows that change sign once (an investment, then non-negative returns) have exactly
  one IRR (Descartes' rule of signs), found whenever it lies in the searched range;
* irr_many agrees with irr row by row;
* the parties' flows add up to the project's, and the parties' NPVs to its NPV.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from keiretsu.econ.finance import IRR_SEARCH_RANGE, irr, irr_many, npv, split_cash_flows

amounts = st.floats(-1_000, 1_000, allow_nan=False).map(lambda x: round(x, 2))
series = st.lists(amounts, min_size=2, max_size=25)
conventional = st.tuples(
    st.floats(1, 1_000), st.lists(st.floats(0, 1_000), min_size=1, max_size=25)
).filter(lambda t: sum(t[1]) > 0)


def _scale(rate: float, flows: np.ndarray) -> float:
    return float(np.sum(np.abs(flows) * (1 + rate) ** -np.arange(flows.size)))


@settings(max_examples=200, deadline=None)
@given(series)
def test_a_finite_irr_zeroes_the_npv(flows: list[float]) -> None:
    f = np.array(flows)
    result = irr(f)
    for root in result.roots:
        assert abs(npv(root, f)) <= 1e-9 * _scale(root, f)


@settings(max_examples=200, deadline=None)
@given(conventional)
def test_one_sign_change_means_one_irr(t: tuple[float, list[float]]) -> None:
    f = np.array([-t[0], *t[1]])
    result = irr(f)
    lo, hi = IRR_SEARCH_RANGE
    # NPV falls with the rate (the returns are >= 0): negative at the lowest searched
    # rate, or still positive at the highest, puts the one IRR outside the range.
    if npv(lo, f) < 0 or npv(hi, f) > 0:
        assert math.isnan(result.value)
    else:
        assert len(result.roots) == 1
        assert "unique" in result.reason


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(amounts, min_size=6, max_size=6), min_size=1, max_size=20))
def test_irr_many_agrees_with_irr(rows: list[list[float]]) -> None:
    flows = np.array(rows)
    many = irr_many(flows)
    for i, row in enumerate(flows):
        one = irr(row)
        assert many.n_roots[i] == len(one.roots)
        assert (math.isnan(one.value) and math.isnan(many.values[i])) or abs(
            many.values[i] - one.value
        ) <= 1e-12 * max(1.0, abs(one.value))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(0, 1e6), min_size=3, max_size=3),
    st.lists(st.floats(-1e5, 1e6), min_size=3, max_size=3),
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0, 0.5),
)
def test_parties_add_up_to_the_project(
    capex: list[float], savings: list[float], c: float, s: float, rate: float
) -> None:
    out = split_cash_flows(capex, savings, buyer_capex_share=c, buyer_savings_share=s)
    np.testing.assert_allclose(out["buyer"] + out["supplier"], out["joint"], atol=1e-6)
    total = npv(rate, out["buyer"]) + npv(rate, out["supplier"])
    assert math.isclose(total, npv(rate, out["joint"]), rel_tol=1e-12, abs_tol=1e-6)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(1.0, 1e6),
    st.lists(st.floats(0.0, 1e6), min_size=1, max_size=30),
    st.floats(-0.5, 2.0),
    st.floats(0.001, 1.0),
)
def test_npv_of_a_conventional_flow_decreases_in_the_rate(
    outlay: float, returns: list[float], r: float, step: float
) -> None:
    """Conventional flows (an outlay, then non-negative returns): NPV falls as the rate rises."""
    flows = [-outlay, *returns]
    assert npv(r + step, flows) <= npv(r, flows) + 1e-9 * max(1.0, outlay)
