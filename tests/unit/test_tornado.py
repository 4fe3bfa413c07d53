"""Unit tests of keiretsu.econ.tornado against a closed-form NPV.

NPV(capex, savings, rate) = -capex + savings x A(rate), A(r) = (1 - (1 + r)^-5) / r, the
five-year annuity factor. Swings and break-evens then have closed forms: savings
break-even = capex / A(r), capex break-even = savings x A(r), and the rate break-even is
the project's IRR (VALIDATION.md E.2: 0.1523823712 for capex 1e6, savings 3e5).
"""

from __future__ import annotations

import pytest

from keiretsu.econ.tornado import tornado


def annuity(r: float) -> float:
    return (1 - (1 + r) ** -5) / r


def model(x: dict[str, float]) -> float:
    return -x["capex"] + x["savings"] * annuity(x["rate"])


BASE = {"capex": 1_000_000.0, "savings": 300_000.0, "rate": 0.10}
LOW = {"capex": 900_000.0, "savings": 250_000.0, "rate": 0.08}
HIGH = {"capex": 1_200_000.0, "savings": 350_000.0, "rate": 0.12}


def test_tornado_ranks_by_swing_with_closed_form_break_evens() -> None:
    t = tornado(model, BASE, LOW, HIGH)
    assert t.base_npv == pytest.approx(-1e6 + 3e5 * annuity(0.10), abs=1e-6)
    assert [r.input for r in t.rows] == ["savings", "capex", "rate"]
    savings, capex, rate = t.rows
    assert savings.swing == pytest.approx(100_000 * annuity(0.10), abs=1e-6)
    assert capex.swing == pytest.approx(-300_000.0, abs=1e-6)
    assert rate.swing == pytest.approx(3e5 * (annuity(0.12) - annuity(0.08)), abs=1e-6)
    assert savings.npv_at_low == pytest.approx(-1e6 + 2.5e5 * annuity(0.10), abs=1e-6)
    assert savings.break_even == pytest.approx(1e6 / annuity(0.10), abs=1e-6)
    assert capex.break_even == pytest.approx(3e5 * annuity(0.10), abs=1e-6)
    assert rate.break_even == pytest.approx(0.1523823712, abs=1e-9)
    assert savings.search_range == (150_000.0, 450_000.0)  # P10-P90 widened by its width


def test_tornado_reports_no_break_even_with_the_range_searched() -> None:
    t = tornado(model, BASE, LOW, HIGH, search_range={"savings": (300_000.0, 400_000.0)})
    row = next(r for r in t.rows if r.input == "savings")
    assert row.break_even is None
    assert "[300000, 400000]" in row.note
    assert "does not change sign" in row.note


def test_tornado_does_not_touch_base_and_checks_inputs() -> None:
    base = dict(BASE)
    tornado(model, base, {"capex": 9e5}, {"capex": 1.2e6})
    assert base == BASE
    with pytest.raises(ValueError, match="same inputs"):
        tornado(model, BASE, {"capex": 9e5}, {"savings": 1.0})
    with pytest.raises(ValueError, match="above high"):
        tornado(model, BASE, {"capex": 2e6}, {"capex": 1e6})
    with pytest.raises(ValueError, match="without a base value"):
        tornado(model, BASE, {"volume": 1.0}, {"volume": 2.0})
    with pytest.raises(ValueError, match="non-finite"):
        tornado(lambda x: float("nan"), BASE, LOW, HIGH)


def test_tornado_break_even_nearest_base_when_several() -> None:
    # NPV = x^2 - 1 has break-evens -1 and 1; searched over [-1.5, 1.5] from base 0.2.
    t = tornado(lambda v: v["x"] ** 2 - 1, {"x": 0.2}, {"x": -0.5}, {"x": 0.5})
    (row,) = t.rows
    assert row.break_even == pytest.approx(1.0, abs=1e-9)
    assert row.note.startswith("2 break-evens")
