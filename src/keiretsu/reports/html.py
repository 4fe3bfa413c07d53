"""The HTML report of a run directory: one self-contained file.

Figures are embedded as base64 PNG (``data:`` URIs), the style sheet is inline and there
is no script; a Content-Security-Policy (``default-src 'none'``) makes the browser
refuse, and report on its console, anything that would still reach outside the file.
Every piece of text from the run (scenario and part names are user input) is escaped.

The page: title and headline KPIs, then the sections of the run kind's layout
(:mod:`keiretsu.reports.layout`), then the definitions and conventions the numbers
follow (``manifest["definitions"]``), the run manifest (version, seed, replications,
scenario path and sha256, command line, git sha, package versions, start and end) and
the files of the run. Numbers are formatted by :mod:`keiretsu.reports.formatting`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import shlex
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from keiretsu.fileio import write_text_atomic
from keiretsu.reports import layout as lay
from keiretsu.reports.formatting import (
    Kind,
    column_kind,
    column_label,
    format_signed,
    format_value,
    humanize,
    kpi_kind,
    kpi_label,
)
from keiretsu.reports.rundir import RunDir, RunTable

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_NUMERIC: set[Kind] = {"share", "money", "number", "integer", "id"}


def write_html(run: RunDir, path: str | Path) -> Path:
    """Render the report of ``run`` and write it to ``path`` atomically."""
    return write_text_atomic(path, render_html(run))


def render_html(run: RunDir) -> str:
    """The report of ``run`` as one HTML5 document."""
    layout = lay.resolve(run)
    title = lay.title(run, layout)
    slugs = _Slugs()
    body: list[str] = []
    toc: list[tuple[str, str]] = []
    for section in layout.sections:
        anchor = slugs(section.title)
        toc.append((anchor, section.title))
        body.append(_section(run, section, anchor))
    for name, render in (("Definitions and conventions", _definitions), ("Run", _manifest)):
        anchor = slugs(name)
        toc.append((anchor, name))
        body.append(f'<section id="{anchor}"><h2>{escape(name)}</h2>{render(run)}</section>')
    nav = "".join(f'<li><a href="#{a}">{escape(t)}</a></li>' for a, t in toc)
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    version = run.manifest.get("keiretsu_version", "?")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="generator" content="keiretsu {escape(str(version))}">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<header class="top">
<p class="kicker">keiretsu report · {escape(layout.label or humanize(run.kind))}</p>
<h1>{escape(title)}</h1>
<p class="sub">{escape(_subtitle(run, title))}</p>
</header>
{_headline(run, layout)}
<nav class="toc" aria-label="Contents"><ol>{nav}</ol></nav>
{"".join(body)}
<footer>Report written {escape(generated)} by keiretsu {escape(str(version))} from
<code>{escape(str(run.path))}</code>.</footer>
</main>
</body>
</html>
"""


# ----------------------------------------------------------------------------- header


def _subtitle(run: RunDir, title: str) -> str:
    m = run.manifest
    plan = str(run.fields.get("plan", "?"))
    parts = [] if f"“{plan}”" in title else [f"plan “{plan}”"]
    if m.get("replications") is not None:
        parts.append(f"{m['replications']:,} replications")
    if m.get("seed") is not None:
        parts.append(f"seed {m['seed']}")
    if m.get("finished"):
        parts.append(f"finished {_when(m['finished'])}")
    return " · ".join(parts)


def _when(stamp: Any) -> str:
    try:
        return dt.datetime.fromisoformat(str(stamp)).strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    except ValueError:
        return str(stamp)


def _headline(run: RunDir, layout: lay.Layout) -> str:
    """Cards for the headline KPIs of a long summary table (mean, P10-P90 below); with
    ``layout.headline_by`` one row of cards per value of that column (e.g. per plan),
    with the paired difference and P(better) of ``layout.headline_deltas`` where given."""
    kpis = layout.headline
    table = run.tables.get("summary")
    if not kpis or table is None or not {"kpi", "mean"} <= set(table.columns):
        return ""
    frame = table.read()
    by = layout.headline_by
    if not by or by not in frame.columns:
        return _cards(run, frame.set_index("kpi"), kpis, None, "Headline KPIs (means)")
    deltas = None
    wanted = {by, "kpi", "delta_mean", "delta_ci95_half_width", "probability_better"}
    source = run.tables.get(layout.headline_deltas) if layout.headline_deltas else None
    if source is not None and wanted <= set(source.columns):
        deltas = source.read(columns=sorted(wanted)).set_index([by, "kpi"])
    rows = []
    for value in dict.fromkeys(frame[by]):
        group = frame[frame[by] == value].set_index("kpi")
        mine = None
        if deltas is not None and value in deltas.index.get_level_values(0):
            mine = deltas.xs(value, level=0)
        label = f"{humanize(by)}: {value}"
        rows.append(
            f'<p class="group">{escape(label)}</p>'
            + _cards(run, group, kpis, mine, f"Headline KPIs of {label} (means)")
        )
    return "".join(rows)


def _cards(
    run: RunDir,
    frame: pd.DataFrame,
    kpis: tuple[str, ...],
    deltas: pd.DataFrame | None,
    aria: str,
) -> str:
    cards = []
    for kpi in kpis:
        if kpi not in frame.index:
            continue
        row = frame.loc[kpi]
        kind = kpi_kind(kpi)
        band = ""
        if {"p10", "p90"} <= set(frame.columns):
            low, high = format_value(row["p10"], kind), format_value(row["p90"], kind)
            band = f'<div class="range">P10 {escape(low)} · P90 {escape(high)}</div>'
        if deltas is not None and kpi in deltas.index:
            d = deltas.loc[kpi]
            shown = (
                f"Δ {format_signed(d['delta_mean'], kind)} ± "
                f"{format_value(d['delta_ci95_half_width'], kind)} · "
                f"P(better) {format_value(d['probability_better'], 'number')}"
            )
            band += f'<div class="range delta">{escape(shown)}</div>'
        cards.append(
            f'<div class="card"><div class="label">{escape(kpi_label(kpi, run.currency))}</div>'
            f'<div class="value">{escape(format_value(row["mean"], kind))}</div>{band}</div>'
        )
    return f'<div class="cards" role="group" aria-label="{escape(aria)}">{"".join(cards)}</div>'


# ----------------------------------------------------------------------------- sections


def _section(run: RunDir, section: lay.Section, anchor: str) -> str:
    out = [f'<section id="{anchor}"><h2>{escape(section.title)}</h2>']
    if section.text:
        out.append(f"<p>{escape(section.text)}</p>")
    for figure in section.figures:
        out.append(_figure(run, figure))
    for view in section.tables:
        out.append(_table_block(run, view))
    out.append("</section>")
    return "\n".join(out)


def _figure(run: RunDir, view: lay.FigureView) -> str:
    data = base64.b64encode(run.figures[view.name].read_bytes()).decode("ascii")
    caption = view.caption or lay.heading(view.name)
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{escape(caption)}">'
        f'<figcaption>{escape(caption)} <span class="file">({escape(view.name)}.png)</span>'
        "</figcaption></figure>"
    )


def _table_block(run: RunDir, view: lay.TableView) -> str:
    table = run.tables[view.table]
    head = f"<h3>{escape(view.title)}</h3>"
    text = f"<p>{escape(view.text)}</p>" if view.text else ""
    frame, kinds, note = _view_frame(table, view)
    if frame is None:
        return f'{head}<p class="note">{escape(note)}</p>'
    shown = f'<p class="note">{escape(note)}</p>' if note else ""
    return f"{head}{text}{_table_html(frame, kinds, run.currency)}{shown}"


def _view_frame(
    table: RunTable, view: lay.TableView
) -> tuple[pd.DataFrame | None, dict[str, Kind], str]:
    """What a view shows: the frame (or None and a note when too long) and column kinds."""
    files = " and ".join(table.files)
    size = f"{table.rows:,} rows × {len(table.columns)} columns"
    wanted = [c for c in view.columns if c in table.columns]
    if view.group_by and set(view.group_by) <= set(table.columns):
        frame = table.read()
        keys = list(view.group_by)
        data = frame.drop(columns=keys)
        values = [c for c in (wanted or data.columns) if c not in ("replication", "period")]
        values = [c for c in values if data[c].dtype.kind in "fiub"]
        kinds: dict[str, Kind] = dict.fromkeys(keys, "text")
        for c in values:
            kind = column_kind(c, data[c].dtype.kind)
            kinds[c] = {"bool": "share", "integer": "number", "id": "number"}.get(kind, kind)
        grouped = frame.groupby(keys, sort=False, dropna=False)
        out = grouped[values].mean(numeric_only=False).astype(float)
        if view.count:
            out.insert(0, view.count, grouped.size())
            kinds[view.count] = "integer"
        out = out.reset_index()
        if len(out) > lay.MAX_HTML_ROWS:
            return None, {}, f"{size}: {len(out):,} groups, too many to show; see {files}."
        note = f"Summarised from {size}; every row is in {files}."
        return out, kinds, note
    if table.rows > lay.MAX_HTML_ROWS:
        return None, {}, f"{size}: too long to show here; the whole table is in {files}."
    frame = table.read(columns=wanted or None)
    kinds = {c: column_kind(c, frame[c].dtype.kind) for c in frame.columns}
    note = ""
    if wanted and len(wanted) < len(table.columns):
        note = f"{len(wanted)} of {len(table.columns)} columns shown; all are in {files}."
    return frame, kinds, note


def _table_html(frame: pd.DataFrame, kinds: dict[str, Kind], currency: str | None) -> str:
    long_kpis = "kpi" in frame.columns
    kpi_at = list(frame.columns).index("kpi") if long_kpis else -1
    header = []
    for c in frame.columns:
        label = humanize(c) if long_kpis else column_label(c, currency, _dtype_kind(kinds[c]))
        cls = ' class="num"' if kinds[c] in _NUMERIC else ""
        header.append(f'<th scope="col"{cls}>{escape(label)}</th>')
    rows = []
    for record in frame.itertuples(index=False, name=None):
        cells = []
        row_kind = kpi_kind(str(record[kpi_at])) if long_kpis else None
        for column, value in zip(frame.columns, record, strict=True):
            kind = kinds[column]
            if column == "kpi":
                text = kpi_label(str(value), currency)
            elif row_kind is not None and kind in ("number", "money") and column != "n":
                text = format_value(value, row_kind)
            else:
                text = format_value(value, kind)
            cls = ' class="num"' if kind in _NUMERIC else ""
            cells.append(f"<td{cls}>{escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table class="data"><thead><tr>{"".join(header)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _dtype_kind(kind: Kind) -> str:
    return {"bool": "b", "text": "O", "integer": "i", "id": "i"}.get(kind, "f")


# ----------------------------------------------------------------------------- definitions, manifest


def _definitions(run: RunDir) -> str:
    definitions = run.definitions
    if not definitions:
        return '<p class="note">This run states no definitions.</p>'
    return _dl(definitions)


def _dl(mapping: dict[str, Any]) -> str:
    items = []
    for key, value in mapping.items():
        shown = _dl(value) if isinstance(value, dict) and value else escape(_plain(value))
        items.append(f"<dt>{escape(humanize(str(key)))}</dt><dd>{shown}</dd>")
    return f'<dl class="defs">{"".join(items)}</dl>'


def _plain(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return str(value)


_MANIFEST_ROWS = (
    ("keiretsu_version", "keiretsu version"),
    ("kind", "run kind"),
    ("argv", "command line"),
    ("scenario_path", "scenario file"),
    ("scenario_sha256", "scenario SHA-256"),
    ("seed", "seed"),
    ("replications", "replications"),
    ("workers", "workers"),
    ("started", "started"),
    ("finished", "finished"),
    ("git_sha", "git commit"),
    ("python", "Python"),
    ("platform", "platform"),
    ("packages", "packages"),
)
_NOT_SHOWN = {"scenario", "plan", "plans", "definitions", "tables", "figures", "command"}


def _manifest(run: RunDir) -> str:
    m = run.manifest
    rows: list[tuple[str, str, bool]] = [
        ("scenario", str(run.fields.get("scenario", "?")), False),
        ("plan", str(run.fields.get("plan", "?")), False),
    ]
    for key, label in _MANIFEST_ROWS:
        if key == "kind":
            rows.append((label, run.kind, False))
        elif key == "argv" and isinstance(m.get("argv"), list):
            rows.append((label, shlex.join(str(a) for a in m["argv"]), True))
        elif key == "packages" and isinstance(m.get("packages"), dict):
            listed = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
            rows.append((label, listed, False))
        elif key in ("started", "finished") and m.get(key):
            rows.append((label, _when(m[key]), False))
        elif key in m:
            rows.append((label, _plain(m[key]), key in ("scenario_sha256", "git_sha")))
    if m.get("started") and m.get("finished"):
        try:
            took = dt.datetime.fromisoformat(m["finished"]) - dt.datetime.fromisoformat(
                m["started"]
            )
            rows.append(("duration", f"{took.total_seconds():,.1f} s", False))
        except (TypeError, ValueError):
            pass
    known = {k for k, _ in _MANIFEST_ROWS} | _NOT_SHOWN
    for key, value in m.items():
        if key not in known:
            rows.append((humanize(key), _plain(value), False))
    rows.append(("run directory", str(run.path), True))
    body = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        f"<td>{f'<code>{escape(text)}</code>' if code else escape(text)}</td></tr>"
        for label, text, code in rows
    )
    files = "".join(
        f'<tr><td>{escape(t.name)}</td><td class="num">{t.rows:,}</td>'
        f'<td class="num">{len(t.columns)}</td><td>{escape(", ".join(t.files))}</td></tr>'
        for t in run.tables.values()
    )
    figures = ", ".join(f"{name}.png" for name in run.figures) or "none"
    as_run = {"scenario": m.get("scenario"), "plan": m.get("plan")}
    if isinstance(m.get("plans"), list):  # a comparison: every plan it ran
        as_run = {"scenario": m.get("scenario"), "plans": m["plans"]}
    resolved = json.dumps(as_run, indent=2, default=str)
    return (
        f'<table class="kv"><tbody>{body}</tbody></table>'
        "<h3>Files</h3>"
        '<div class="scroll"><table class="data"><thead><tr><th scope="col">table</th>'
        '<th scope="col" class="num">rows</th><th scope="col" class="num">columns</th>'
        f'<th scope="col">files</th></tr></thead><tbody>{files}</tbody></table></div>'
        f"<p>Figures: {escape(figures)}. The manifest is in manifest.json.</p>"
        f"<details><summary>Resolved scenario and {'plans' if 'plans' in as_run else 'plan'} (JSON, as run)</summary>"
        f"<pre>{escape(resolved)}</pre></details>"
    )


class _Slugs:
    """Unique, safe ``id`` values for section anchors."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, text: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
        slug, i = base, 2
        while slug in self.seen:
            slug, i = f"{base}-{i}", i + 1
        self.seen.add(slug)
        return slug


_CSS = """
:root{--fg:#1c2329;--muted:#5a6570;--line:#d8dde2;--accent:#1f5f99;--alt:#f4f6f8}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--fg);background:#fff;
font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 32px 64px}
header.top{border-bottom:3px solid var(--accent);padding-bottom:8px;margin-bottom:18px}
.kicker{margin:0;color:var(--accent);font-size:12.5px;font-weight:600;letter-spacing:.06em;text-transform:uppercase}
h1{font-size:26px;line-height:1.25;margin:4px 0 6px}
.sub{color:var(--muted);margin:0}
h2{font-size:20px;margin:38px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15.5px;margin:22px 0 6px}
p{max-width:80ch}
a{color:var(--accent)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(210px,1fr));gap:12px;margin:18px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:var(--alt)}
.card .label{color:var(--muted);font-size:13px}
.card .value{font-size:25px;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.3}
.card .range{color:var(--muted);font-size:12.5px;font-variant-numeric:tabular-nums}
.card .delta{color:var(--fg)}
p.group{margin:14px 0 -8px;font-weight:600;color:var(--accent)}
nav.toc{background:var(--alt);border-radius:8px;padding:8px 16px;margin:12px 0 8px}
nav.toc ol{margin:0;padding-left:20px;columns:2;column-gap:32px}
nav.toc li{margin:2px 0}
.scroll{overflow-x:auto;margin:6px 0;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;font-size:13.5px}
table.data{width:100%}
table.data th,table.data td{padding:5px 9px;text-align:left;border-bottom:1px solid var(--line);white-space:nowrap}
table.data thead th{background:var(--alt);font-weight:600;vertical-align:bottom;white-space:normal;min-width:4.5em;line-height:1.3}
table.data tbody tr:nth-child(even){background:#fafbfc}
table.data tbody tr:last-child td{border-bottom:0}
.num{text-align:right!important;font-variant-numeric:tabular-nums}
table.kv th{text-align:left;font-weight:600;padding:4px 16px 4px 0;vertical-align:top;white-space:nowrap}
table.kv td{padding:4px 0;vertical-align:top;word-break:break-word}
figure{margin:12px 0 22px}
figure img{display:block;max-width:100%;height:auto;border:1px solid var(--line);border-radius:6px}
figcaption{color:var(--muted);font-size:13px;margin-top:4px}
.file{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12px}
.note{color:var(--muted);font-size:13.5px;background:var(--alt);border-left:3px solid var(--line);padding:6px 10px;max-width:none}
dl.defs{display:grid;grid-template-columns:minmax(120px,max-content) 1fr;gap:6px 18px;margin:8px 0}
dl.defs dt{font-weight:600}
dl.defs dd{margin:0}
dl.defs dl.defs{margin:0;font-size:14px}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
code{word-break:break-all}
pre{background:var(--alt);padding:10px 12px;border-radius:6px;overflow:auto;max-height:480px}
details{margin:12px 0}
summary{cursor:pointer;color:var(--accent)}
footer{margin-top:48px;color:var(--muted);font-size:12.5px;border-top:1px solid var(--line);padding-top:8px}
@media print{main{max-width:none;padding:0}nav.toc{display:none}.scroll{overflow:visible;border:0}
h2,h3{break-after:avoid}figure,tr{break-inside:avoid}details pre{max-height:none}}
"""
