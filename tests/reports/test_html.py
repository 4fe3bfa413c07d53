"""The HTML report: self-contained, escaped, well formed, and clean in a real browser.

The browser check opens each report in headless Chromium twice: once with
``--enable-logging=stderr --v=0 --screenshot`` (every message the page writes to its
console appears on stderr as ``...:CONSOLE:...``; the report has no script, so *any*
console message is a failure: a blocked external resource under the report's
Content-Security-Policy, a script error, ...), and once with ``--dump-dom`` on a copy
with a probe script that counts the images the browser decoded. Control pages with a
script error and with an external image show the checks can fail. The screenshots are
kept under ``tests/artifacts/`` (git-ignored). Without Chromium the tests skip and say
why.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from keiretsu.reports import html as report_html
from keiretsu.reports.html import render_html, write_html
from keiretsu.reports.layout import LAYOUTS, MAX_HTML_ROWS, resolve
from keiretsu.reports.rundir import read_run_dir
from tests.helpers import TRICKY_NAME

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Page(HTMLParser):
    """Tags, attributes and text of a page, checking that every element is closed."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.attrs: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.doctype = ""
        self.feed(text)
        self.close()
        self.errors += [f"unclosed <{t}>" for t in self.stack]

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs) -> None:
        self.attrs.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.attrs if t == name]

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.mark.parametrize("kind", ["simulate", "drill", "sweep", "compare", "optimize", "frontier"])
def test_report_is_self_contained_and_well_formed(
    runs: dict[str, Path], kind: str, tmp_path: Path
) -> None:
    run = read_run_dir(runs[kind])
    text = write_html(run, tmp_path / "report.html").read_text(encoding="utf-8")
    page = Page(text)
    assert page.doctype.lower() == "doctype html"
    assert not page.errors, page.errors
    assert page.tags("html")[0].get("lang") == "en"
    for tag, attrs in page.attrs:
        for attr in ("src", "href", "srcset", "action", "data"):
            value = (attrs.get(attr) or "").strip()
            assert not re.match(r"^(https?:)?//", value, re.I), f"<{tag} {attr}={value}>"
            assert not value or value.startswith(("#", "data:image/png;base64,")), value
    assert not page.tags("script") and not page.tags("link")
    assert "url(" not in text and "@import" not in text
    # every figure of the run embedded, byte for byte
    images = [a["src"] for a in page.tags("img")]
    embedded = [base64.b64decode(src.split(",", 1)[1]) for src in images]
    assert sorted(embedded) == sorted(p.read_bytes() for p in run.figures.values())
    assert len(images) == len(run.figures) > 0
    assert all(a.get("alt") for a in page.tags("img"))
    # the manifest and the definitions
    manifest = run.manifest
    for value in (
        manifest["keiretsu_version"],
        str(manifest["seed"]),
        manifest["scenario_sha256"],
        manifest["scenario_path"],
        manifest["git_sha"] or "",
        "numpy " + manifest["packages"]["numpy"],
    ):
        assert value in page.words, value
    for definition in manifest["definitions"].values():
        if isinstance(definition, str):
            assert " ".join(definition.split()) in page.words
    anchors = {a["id"] for a in page.tags("section")}
    assert {a["href"][1:] for a in page.tags("a")} <= anchors


def test_user_text_is_escaped(runs: dict[str, Path]) -> None:
    text = render_html(read_run_dir(runs["simulate"]))
    assert "<script" not in text
    assert TRICKY_NAME not in text
    page = Page(text)
    assert TRICKY_NAME in page.words  # shown as text, in the title and the heading
    assert not page.tags("script")


def test_sections_follow_the_layout(runs: dict[str, Path]) -> None:
    run = read_run_dir(runs["simulate"])
    text = render_html(run)
    words = Page(text).words
    present = [s.title for s in resolve(run).sections]
    absent = {"Disruptions", "Contracts and supplier performance"}  # nothing to show
    assert present == [  # the layout's order; sections without their tables are left out
        s.title for s in LAYOUTS["simulate"].sections if s.title not in absent
    ]
    assert "events" not in run.tables
    headings = re.findall(r"<h2>(.*?)</h2>", text)
    assert headings == [*present, "Definitions and conventions", "Run"]
    # KPI rows formatted for people: shares as percentages, labels, currency
    summary = run.tables["summary"].read().set_index("kpi")
    fill = summary.loc["fill_rate", "mean"]
    assert f"fill rate {fill:.2%}" in words
    assert "total cost (USD)" in words
    # long per-period tables are not inlined: a note says where they are
    for name in ("periods", "part_periods", "supplier_periods"):
        table = run.tables[name]
        assert table.rows > MAX_HTML_ROWS
        assert f"{table.rows:,} rows × {len(table.columns)} columns" in words
        assert f"{name}.parquet and {name}.csv" in words
    # per-replication tables grouped: one row per part
    parts = run.tables["parts"].read()
    mean_fill = parts.groupby("part")["fill_rate"].mean()
    rows = {r[0]: r for r in table_rows(text)}
    for part, value in mean_fill.items():
        assert f"{value:.2%}" in rows[part], rows[part]


def table_rows(text: str) -> list[list[str]]:
    """The cells of every body row of every table of a page, as text."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", text, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        rows.append([" ".join(Page(c).words.split()) for c in cells])
    return rows


def test_a_kind_without_layout_shows_every_table_and_figure(unknown_kind: Path) -> None:
    run = read_run_dir(unknown_kind)
    assert run.kind == "future-study" and "future-study" not in LAYOUTS
    page = Page(render_html(run))
    assert not page.errors
    assert len(page.tags("img")) == len(run.figures)
    for name in run.tables:
        assert f"{name}.parquet" in page.words


def test_a_failed_render_leaves_no_file(runs: dict[str, Path], tmp_path: Path, monkeypatch) -> None:
    def broken(*_args):
        raise RuntimeError("no")

    monkeypatch.setattr(report_html, "_manifest", broken)
    with pytest.raises(RuntimeError):
        write_html(read_run_dir(runs["sweep"]), tmp_path / "report.html")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- Chromium

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not installed (Debian package `chromium`; .ci/run installs it): "
    "the browser checks of the HTML report did not run",
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
PROBE = (
    '<script>addEventListener("load",()=>{const i=[...document.images];'
    'document.body.dataset.images=i.filter(x=>x.complete&&x.naturalWidth>0).length+"/"+i.length'
    "})</script>"
)


def chromium(page: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def console_messages(stderr: str) -> list[str]:
    """What the page wrote to its console (Chromium logs it as ``...:CONSOLE:...]``)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def screenshot(page: Path, tmp_path: Path, png: Path) -> list[str]:
    result = chromium(
        page, tmp_path, "--enable-logging=stderr", "--v=0", f"--screenshot={png}",
        "--window-size=1280,2400",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return console_messages(result.stderr)


def decoded_images(page: Path, tmp_path: Path) -> str:
    """``decoded/total`` images of ``page`` in Chromium (probe script on a copy, no CSP)."""
    text = page.read_text(encoding="utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    probe = tmp_path / f"probe-{page.name}"
    probe.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    result = chromium(probe, tmp_path, "--dump-dom")
    found = re.search(r'<body[^>]*data-images="(\d+/\d+)"', result.stdout)
    assert found, result.stderr[-2000:]
    return found[1]


@needs_chromium
@pytest.mark.parametrize("kind", ["simulate", "drill", "sweep", "compare", "optimize", "frontier"])
def test_chromium_renders_the_report_without_console_errors(
    runs: dict[str, Path], kind: str, tmp_path: Path
) -> None:
    run = read_run_dir(runs[kind])
    page = write_html(run, tmp_path / "report.html")
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / f"report-{kind}.png"
    png.unlink(missing_ok=True)
    assert screenshot(page, tmp_path, png) == []
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    print(f"screenshot of the {kind} report: {png}")
    n = len(run.figures)
    assert decoded_images(page, tmp_path) == f"{n}/{n}"


@needs_chromium
def test_the_browser_checks_can_fail(tmp_path: Path) -> None:
    """Controls: a script error and an external image under the report's CSP are seen."""
    head = f'<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{report_html.CSP}">'
    bad_script = tmp_path / "script.html"
    bad_script.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>x</title></head><body>"
        "<script>throw new Error('boom')</script></body></html>"
    )
    messages = screenshot(bad_script, tmp_path, tmp_path / "a.png")
    assert any("Uncaught Error: boom" in m for m in messages), messages
    external = tmp_path / "external.html"
    external.write_text(
        f"<!DOCTYPE html><html><head>{head}<title>x</title></head><body>"
        '<img alt="x" src="https://example.invalid/x.png"></body></html>'
    )
    messages = screenshot(external, tmp_path, tmp_path / "b.png")
    assert any("Content Security Policy" in m for m in messages), messages
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>x</title></head><body>"
        '<img alt="x" src="data:image/png;base64,AAAA"></body></html>'
    )
    assert decoded_images(broken, tmp_path) == "0/1"
