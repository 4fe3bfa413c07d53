"""`keiretsu segment` and `keiretsu contracts`: run directories, JSON mode, located
one-line errors, and their reports (HTML in headless Chromium, the workbook read back)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from keiretsu.reports.excel import METADATA_SHEET, write_workbook
from keiretsu.reports.html import render_html, write_html
from keiretsu.reports.layout import LAYOUTS, resolve
from keiretsu.reports.rundir import read_run_dir
from tests.helpers import SCENARIOS, SMALL_SCENARIO
from tests.reports.test_excel import assert_same_table, read_back
from tests.reports.test_html import ARTIFACTS, Page, decoded_images, needs_chromium, screenshot

EV = SCENARIOS / "ev_battery.yaml"
PNG = b"\x89PNG\r\n\x1a\n"


def _strict(text: str):
    def refuse(constant: str):
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


# ----------------------------------------------------------------------------- segment


def test_segment_writes_a_run_directory_and_prints_json_only(cli, tmp_path: Path) -> None:
    out = tmp_path / "seg"
    result = cli("segment", EV, "--out", out, "--json")
    assert result.exit_code == 0, result.stderr
    payload = _strict(result.stdout)  # JSON alone on stdout; the tables went to stderr
    assert payload["ok"] and payload["run_dir"] == str(out)
    assert payload["options"]["impact_threshold"] == 0.5
    assert payload["segments"] == {
        "strategic": 2,
        "leverage": 2,
        "bottleneck": 3,
        "non-critical": 3,
    }
    parts = {p["part"]: p for p in payload["parts"]}
    assert parts["BMS-BOARD"]["segment"] == "strategic"
    assert "main risk drivers" in result.stderr and "strategic partner" in result.stderr
    for name in ("parts", "suppliers", "offers"):
        assert (out / f"{name}.parquet").is_file() and (out / f"{name}.csv").is_file()
    assert (out / "kraljic_matrix.png").read_bytes()[:8] == PNG
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "segment" and manifest["tables"] == ["parts", "suppliers", "offers"]
    assert manifest["options"]["risk_threshold"] == 0.5
    assert "at or above 0.5" in manifest["definitions"]["segmentation"]
    frame = pd.read_parquet(out / "parts.parquet")
    assert frame.set_index("part").loc["COOL-PLATE", "segment"] == "bottleneck"


def test_segment_thresholds_and_plan_options(cli, tmp_path: Path, write_yaml) -> None:
    result = cli("segment", EV, "--out", tmp_path / "a", "--risk-threshold", "0.3", "--json")
    assert result.exit_code == 0, result.stderr
    segments = {p["part"]: p["segment"] for p in _strict(result.stdout)["parts"]}
    assert segments["ENCL-LID"] == "bottleneck" and segments["CELL-LFP"] == "strategic"
    plan = write_yaml(
        "name: all-alpha\nallocation:\n  CELL: {ALPHA: 1.0}\n"
        "default_inventory: {policy: days_of_cover, cover_days: 14}\n",
        "plan.yaml",
    )
    small = write_yaml(SMALL_SCENARIO)
    result = cli("segment", small, "--plan", plan, "--out", tmp_path / "b", "--json")
    assert result.exit_code == 0, result.stderr
    payload = _strict(result.stdout)
    assert payload["plan"] == "all-alpha"
    cell = next(p for p in payload["parts"] if p["part"] == "CELL")
    assert cell["largest_share"] == 1.0 and cell["suppliers"] == "ALPHA 100%"


def test_segment_refuses_bad_input_in_one_line(cli, tmp_path: Path) -> None:
    result = cli("segment", tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    result = cli("segment", EV, "--impact-threshold", "1.5")
    assert result.exit_code == 2 and "1.5 is not in the range" in result.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    result = cli("segment", EV, "--out", tmp_path / "full")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"{tmp_path / 'full'}: run directory exists and is not empty (use --force)"
    ]


# ----------------------------------------------------------------------------- contracts

CONTRACT_ARGS = ("--supplier-cost", "34", "--salvage", "20", "--season-periods", "8")


def test_contracts_prints_json_only_and_writes_nothing_without_out(
    cli, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("contracts", EV, "--part", "CELL-NMC", *CONTRACT_ARGS, "--json")
    assert result.exit_code == 0, result.stderr
    payload = _strict(result.stdout)
    assert payload["ok"] and "run_dir" not in payload
    assert payload["part"] == "CELL-NMC" and payload["supplier"] == "HANSEI-CELL"
    assert payload["channel"]["season_periods"] == 8
    assert payload["channel"]["retail_price_per_unit"] == 48.48
    rows = {r["contract"]: r for r in payload["contracts"]}
    assert rows["wholesale price (offer)"]["wholesale_price_per_unit"] == 40.4
    assert rows["buyback"]["coordinates"] is True
    assert rows["wholesale price (coordinating)"]["retailer_profit"] is None  # NaN -> null
    assert "integrated channel: Q°" in result.stderr  # the table went to stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_contracts_table_and_supplier_choice(cli) -> None:
    result = cli(
        "contracts", EV, "--part", "CELL-NMC", "--supplier", "NORDCELL", *CONTRACT_ARGS,
        "--split", "0.3",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "contracts for CELL-NMC from NORDCELL" in result.stdout
    assert "offer price w = 44.5" in result.stdout
    assert re.search(r"buyback .* 30\.00% .* yes", result.stdout)
    assert "cannot coordinate (1)" in result.stdout
    assert "(1) wholesale price (coordinating): a wholesale-price contract" in result.stdout


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("--part", "NOPE", *CONTRACT_ARGS),
            "--part: unknown part 'NOPE' (parts: CELL-NMC, CELL-LFP, BMS-BOARD, CURR-SENSOR, "
            "HV-CONTACTOR, ENCL-TRAY, ENCL-LID, COOL-PLATE, TIM-KIT, BUSBAR-KIT)",
        ),
        (
            ("--part", "CELL-NMC", "--supplier", "VOLTEX", *CONTRACT_ARGS),
            "--supplier: 'VOLTEX' makes no offer for CELL-NMC (offered by: HANSEI-CELL, NORDCELL)",
        ),
        (
            ("--part", "CELL-NMC"),
            "--supplier-cost: give the supplier's production cost per unit: the scenario "
            "does not state it",
        ),
        (
            ("--part", "CELL-NMC", "--supplier-cost", "50"),
            "--supplier-cost: the supplier's unit cost (50) must be below the retail price, "
            "the revenue per unit of CELL-NMC (48.48): otherwise the channel cannot make money",
        ),
        (
            ("--part", "CELL-NMC", "--supplier-cost", "30", "--salvage", "30"),
            "--salvage: the salvage value (30) must be below the supplier's unit cost (30): "
            "otherwise making units to salvage them pays",
        ),
    ],
    ids=["unknown-part", "supplier", "no-cost", "cost-above-price", "salvage"],
)
def test_contracts_bad_input_is_one_located_line(cli, args, line) -> None:
    result = cli("contracts", EV, *args)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [line]
    as_json = cli("contracts", EV, *args, "--json")
    assert as_json.exit_code == 2
    payload = _strict(as_json.stdout)
    assert payload["ok"] is False and len(payload["problems"]) == 1


def test_contracts_with_out_writes_a_run_directory(cli, tmp_path: Path) -> None:
    out = tmp_path / "c"
    result = cli("contracts", EV, "--part", "BMS-BOARD", "--supplier-cost", "180", "--out", out)
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "contracts" and manifest["part"] == "BMS-BOARD"
    assert manifest["supplier"] == "ELEKTRA-SYS" and manifest["season_periods"] == 52
    assert manifest["tables"] == ["summary", "contracts"]
    assert (out / "contract_profits.png").read_bytes()[:8] == PNG
    frame = pd.read_parquet(out / "contracts.parquet")
    assert len(frame) == 7 and frame["efficiency"].max() == pytest.approx(1.0)


@pytest.mark.parametrize("command", ["segment", "contracts"])
def test_help_explains(cli, command) -> None:
    result = cli(command, "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    if command == "segment":
        assert "strategic (high impact, high risk)" in text and "--risk-threshold" in text
    else:
        assert "Cachon 2003" in text and "Writes nothing unless --out" in text


# ----------------------------------------------------------------------------- reports


@pytest.mark.parametrize("kind", ["segment", "contracts"])
def test_the_report_follows_the_layout_and_is_self_contained(
    runs: dict[str, Path], kind: str, tmp_path: Path
) -> None:
    run = read_run_dir(runs[kind])
    assert run.kind == kind and kind in LAYOUTS
    text = write_html(run, tmp_path / "report.html").read_text(encoding="utf-8")
    page = Page(text)
    assert not page.errors, page.errors
    assert not page.tags("script") and not page.tags("link") and "url(" not in text
    assert all(a["src"].startswith("data:image/png;base64,") for a in page.tags("img"))
    assert len(page.tags("img")) == len(run.figures) == 1
    headings = re.findall(r"<h2>(.*?)</h2>", text)
    sections = [s.title for s in resolve(run).sections]
    assert sections == [s.title for s in LAYOUTS[kind].sections]  # nothing left over
    assert headings == [*sections, "Definitions and conventions", "Run"]
    for definition in run.manifest["definitions"].values():
        assert " ".join(definition.split()) in page.words
    if kind == "segment":
        assert "Kraljic segmentation of plan" in page.words
        assert "BMS-BOARD critical ELEKTRA-SYS 100%" in page.words
        nmc = run.tables["parts"].read().set_index("part").loc["CELL-NMC"]
        assert f"{nmc['spend_share']:.2%} {nmc['impact_score']:.2f}" in page.words  # shares
    else:
        assert "contract design for CELL-NMC from HANSEI-CELL" in page.words
        assert "buyback yes" in page.words


@pytest.mark.parametrize("kind", ["segment", "contracts"])
def test_the_workbook_reads_back(runs: dict[str, Path], kind: str, tmp_path: Path) -> None:
    run = read_run_dir(runs[kind])
    book = write_workbook(run, tmp_path / "report.xlsx")
    sheets = read_back(book.path, sheet_name=None)
    assert set(sheets) == {*run.tables, METADATA_SHEET}
    for name, table in run.tables.items():
        assert_same_table(sheets[book.sheets[name]], table.read(), name)
    meta = sheets[METADATA_SHEET].dropna(subset=["field"])
    fields = dict(zip(meta["field"], meta["value"], strict=True))
    assert fields["kind"] == kind


@needs_chromium
@pytest.mark.parametrize("kind", ["segment", "contracts"])
def test_chromium_renders_the_report(runs: dict[str, Path], kind: str, tmp_path: Path) -> None:
    page = write_html(read_run_dir(runs[kind]), tmp_path / "report.html")
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / f"report-{kind}.png"
    png.unlink(missing_ok=True)
    assert screenshot(page, tmp_path, png) == []
    assert png.read_bytes()[:8] == PNG and png.stat().st_size > 20_000
    assert decoded_images(page, tmp_path) == "1/1"


def test_render_html_of_a_segment_run_names_the_tiers(runs: dict[str, Path]) -> None:
    words = Page(render_html(read_run_dir(runs["segment"]))).words
    assert "HANSEI-CELL KR qualified" in words and "strategic partner" in words


# ----------------------------------------------------------------------------- the how-to

HOW_TO = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "segment-and-contract-design.md"


def test_the_how_to_shows_what_the_commands_print(cli) -> None:
    """docs/how-to/segment-and-contract-design.md quotes these outputs: they must not drift."""
    text = HOW_TO.read_text(encoding="utf-8")
    result = cli(
        "contracts", EV, "--part", "CELL-NMC", "--supplier-cost", "34", "--salvage", "20",
        "--season-periods", "13",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    for line in (
        "integrated channel: Q° = 3,842,447 units, Π° = 54,397,874 USD",
        "season demand: normal (exact: a sum of normals), mean 3,840,200, sd 106,364 units",
    ):
        assert line in result.stdout and line in text, line
    for cells in (
        ("wholesale price (offer)", "w = 40.4", "3,779,375", "30,002,618", "24,187,998", "99.62%"),
        ("buyback", "w = 41.24, b = 34.24", "3,842,447", "27,198,937", "100.00%"),
        ("quantity flexibility", "w = 41.2656, δ = 0.0268481"),
        ("sales rebate", "w = 41.144, r = 14.5329, t = 3,811,008"),
    ):
        printed = next(x for x in result.stdout.splitlines() if f"│ {cells[0]} " in x)
        documented = next(x for x in text.splitlines() if x.startswith(f" {cells[0]} "))
        for cell in cells:
            assert cell in printed and cell in documented, (cell, printed, documented)


def test_the_how_to_segment_table_is_what_segment_prints(cli, tmp_path: Path) -> None:
    text = HOW_TO.read_text(encoding="utf-8")
    result = cli("segment", EV, "--out", tmp_path / "seg", "--json")
    assert result.exit_code == 0, result.stderr
    for part in _strict(result.stdout)["parts"]:
        documented = next(x for x in text.splitlines() if x.startswith(f"{part['part']} "))
        spend = f"{part['annual_spend'] / 1e6:.2f}M"
        cells = (spend, f"{part['impact_score']:.2f}", f"{part['risk_score']:.2f}", part["segment"])
        for cell in cells:
            assert f" {cell} " in documented, (cell, documented)
