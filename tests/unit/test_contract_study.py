"""`keiretsu.experiments.contracts`: the season's demand law from a scenario's per-period
law (checked against independent oracles: scipy's closed forms and numerical
convolution), and the study's rows, defaults and refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from keiretsu.experiments.contracts import ArgumentError, contracts, season_demand
from keiretsu.scenario.distributions import (
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Geometric,
    NegativeBinomial,
    Normal,
    Poisson,
    Triangular,
    Uniform,
)
from keiretsu.scenario.loader import load_scenario
from tests.helpers import SCENARIOS
from tests.verification.test_cachon_2003_contracts_through_a_scenario import cachon_scenario


def _convolve(pmf: np.ndarray, n: int) -> np.ndarray:
    out = np.array([1.0])
    for _ in range(n):
        out = np.convolve(out, pmf)
    return out


@pytest.mark.parametrize(
    ("spec", "oracle"),
    [
        (Poisson(mean=3.0), stats.poisson(15.0)),
        (Normal(mean=10.0, sd=2.0), stats.norm(50.0, 2.0 * math.sqrt(5))),
        (Gamma(mean=4.0, sd=2.0), stats.gamma(5 * 4.0, scale=1.0)),  # shape (4/2)^2 = 4
        (Exponential(mean=2.0), stats.gamma(5, scale=2.0)),
    ],
    ids=["poisson", "normal", "gamma", "exponential"],
)
def test_sums_with_a_closed_form_are_exact(spec, oracle) -> None:
    season = season_demand(spec, 5)
    assert season.exact
    x = np.linspace(oracle.ppf(0.001), oracle.ppf(0.999), 50)
    np.testing.assert_allclose(season.law.cdf(x), oracle.cdf(x), atol=1e-12)
    assert season.mean_units == pytest.approx(5 * spec.mean)
    assert season.sd_units == pytest.approx(math.sqrt(5 * spec.variance))


def test_negative_binomial_and_geometric_sums_match_convolution() -> None:
    nb = NegativeBinomial(mean=4.0, sd=3.0)  # r = 16/5, p = r/(r+m)
    r = nb.dispersion
    support = np.arange(400)
    pmf = stats.nbinom(r, r / (r + 4.0)).pmf(support)
    want = _convolve(pmf, 3)[:400]
    season = season_demand(nb, 3)
    assert season.exact
    got = np.diff(np.concatenate([[0.0], season.law.cdf(support)]))
    np.testing.assert_allclose(got, want, atol=1e-12)
    geo = Geometric(p=0.3)  # trials 1, 2, ...: pmf p (1-p)^(k-1)
    pmf = np.concatenate([[0.0], stats.geom(0.3).pmf(np.arange(1, 300))])
    want = _convolve(pmf, 4)[:300]
    season = season_demand(geo, 4)
    got = np.diff(np.concatenate([[0.0], season.law.cdf(np.arange(300))]))
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert season.law.mean == pytest.approx(4 / 0.3, rel=1e-10)
    assert season_demand(Geometric(p=1.0), 4).law.mean == 4.0


def test_fixed_and_single_periods_are_exact_others_moment_matched() -> None:
    assert season_demand(Fixed(value=7.0), 3).law.mean == 21.0
    one = season_demand(Uniform(low=2, high=6), 1)
    assert one.exact and one.law.cdf(3.0) == pytest.approx(0.25)
    for spec in (
        Uniform(low=2, high=6),
        Triangular(low=0, mode=1, high=5),
        Empirical(values=[1, 2, 9], weights=[1, 1, 2]),
    ):
        season = season_demand(spec, 12)
        assert not season.exact and "approximation" in season.description
        assert season.law.mean == pytest.approx(12 * spec.mean)
        assert season.law.frozen.std() == pytest.approx(math.sqrt(12 * spec.variance))
    with pytest.raises(ValueError, match="whole number >= 1"):
        season_demand(Poisson(mean=1.0), 0)


def test_every_family_has_a_row_and_the_wholesale_one_says_why() -> None:
    result = contracts(
        cachon_scenario(50, 8), "P", supplier_cost_per_unit=0.3, salvage_per_unit=0.12,
        season_periods=1,
    )  # fmt: skip
    rows = result.contracts.set_index("contract")
    assert list(rows.index) == [
        "wholesale price (offer)",
        "wholesale price (supplier-optimal)",
        "wholesale price (coordinating)",
        "buyback",
        "revenue sharing",
        "quantity flexibility",
        "sales rebate",
    ]
    cannot = rows.loc["wholesale price (coordinating)"]
    assert math.isnan(cannot["retailer_profit"]) and not cannot["coordinates"]
    assert "only at w = 0.3" in cannot["note"]
    for family in ("buyback", "revenue sharing", "quantity flexibility", "sales rebate"):
        row = rows.loc[family]
        assert row["coordinates"], family
        assert row["retailer_profit"] + row["supplier_profit"] == pytest.approx(
            result.optimal_profit, rel=1e-9
        )
        assert row["retailer_share"] == pytest.approx(0.5, abs=1e-9)
    # the sales rebate's threshold: the mean demand, which coordinates here (contracts.md)
    assert rows.loc["sales rebate", "threshold_units"] == pytest.approx(50.0)
    assert result.rebate_threshold_units == pytest.approx(50.0)


def test_split_and_threshold_are_honoured_or_refused_with_reasons() -> None:
    scenario = cachon_scenario(50, 8)
    low = contracts(scenario, "P", supplier_cost_per_unit=0.3, salvage_per_unit=0.12,
                    retailer_share=0.2, season_periods=1)  # fmt: skip
    assert low.contracts.set_index("contract").loc["buyback", "retailer_profit"] == pytest.approx(
        0.2 * low.optimal_profit
    )
    # threshold 55 coordinates only near a 0.9 split (contracts.md): at 0.5 the row says why
    high_t = contracts(scenario, "P", supplier_cost_per_unit=0.3, salvage_per_unit=0.12,
                       rebate_threshold_units=55.0, season_periods=1)  # fmt: skip
    rebate = high_t.contracts.set_index("contract").loc["sales rebate"]
    assert not rebate["coordinates"] and "threshold 55" in rebate["note"]


def test_the_default_threshold_moves_off_the_mean_when_the_mean_fails() -> None:
    """CELL-NMC over a year: demand so steady that t = mean does not coordinate; the
    default takes the coordinating threshold closest to the mean."""
    scenario = load_scenario(SCENARIOS / "ev_battery.yaml")
    result = contracts(scenario, "CELL-NMC", supplier_cost_per_unit=34.0, salvage_per_unit=20.0)
    rebate = result.contracts.set_index("contract").loc["sales rebate"]
    assert rebate["coordinates"]
    mean = result.summary.iloc[0]["mean_demand_units"]
    assert result.rebate_threshold_units < mean
    explicit = contracts(scenario, "CELL-NMC", supplier_cost_per_unit=34.0,
                         salvage_per_unit=20.0, rebate_threshold_units=mean)  # fmt: skip
    assert not explicit.contracts.set_index("contract").loc["sales rebate", "coordinates"]
    # defaults: a year of weeks, the plan's main source (HANSEI-CELL has 70 %)
    assert result.season.periods == 52 and result.supplier == "HANSEI-CELL"


def test_an_offer_price_at_or_below_salvage_is_a_row_note_not_a_crash() -> None:
    scenario = cachon_scenario(50, 8)
    result = contracts(scenario, "P", supplier_cost_per_unit=0.7, salvage_per_unit=0.65,
                       season_periods=1)  # fmt: skip
    offer = result.contracts.set_index("contract").loc["wholesale price (offer)"]
    assert math.isnan(offer["order_units"]) and "without limit" in offer["note"]


@pytest.mark.parametrize(
    ("kwargs", "argument", "message"),
    [
        ({"part": "NOPE"}, "part", "unknown part 'NOPE' (parts: P)"),
        ({"supplier": "X"}, "supplier", "'X' makes no offer for P (offered by: S)"),
        ({"supplier_cost_per_unit": 1.0}, "supplier_cost_per_unit", "below the retail price"),
        ({"salvage_per_unit": 0.3}, "salvage_per_unit", "below the supplier's unit cost"),
        ({"retailer_share": 0.0}, "retailer_share", "(0, 1]"),
        ({"season_periods": 0}, "season_periods", "whole number >= 1"),
        ({"rebate_threshold_units": 80.0}, "rebate_threshold_units", "[0, Q°]"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, argument, message) -> None:
    args = {"part": "P", "supplier_cost_per_unit": 0.3, "salvage_per_unit": 0.12,
            "season_periods": 1} | kwargs  # fmt: skip
    with pytest.raises(ArgumentError) as info:
        contracts(cachon_scenario(50, 8), **args)
    assert info.value.argument == argument
    assert message in str(info.value)
