"""The ``simulate`` study and the run manifest.

Memory stays bounded for any number of replications: per-period tables (replication x
period, and x part or supplier) go to a sink chunk by chunk and are never held; what is
held is one row per replication (and per part and offer), which the summary needs for
its percentiles, and, for the figures, the network per-period series (all columns, or
with ``keep="summary"`` only the few the figures draw). With a checkpoint, each chunk's
tables are also saved as the chunk completes (see :func:`simulate`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from keiretsu.analysis.stats import PERCENTILE_CONVENTION, summarize
from keiretsu.fileio import Checkpoint, ChunkStore
from keiretsu.scenario.disruptions import Drill
from keiretsu.scenario.model import Plan, Scenario
from keiretsu.sim import COST_COLUMNS, OTIF_DEFINITION
from keiretsu.sim.backends import Backend, LocalBackend
from keiretsu.sim.runner import Selection, chunk_ranges, chunk_size, run_chunks

SUMMARY_KPIS = [
    "fill_rate",
    "otif",
    "lost_sales_units",
    "mean_backorder_units",
    "mean_on_hand_units",
    "mean_on_hand_value",
    "mean_days_of_cover",
    *COST_COLUMNS,
    "total_cost",
    "revenue",
    "margin",
]
"""KPIs summarised over replications, in the order reports show them."""


class Sink(Protocol):
    def write(self, name: str, frame: pd.DataFrame) -> None: ...


KEEP_LEVELS = ("per-period", "network", "summary")
"""What a run stores (``keep``); see :func:`simulate`."""

STREAMED_TABLES = {
    "per-period": ("periods", "part_periods", "supplier_periods"),
    "network": ("periods",),
    "summary": (),
}
"""Per-period tables streamed to the sink, by ``keep`` level."""

REPLICATION_TABLES = ("replications", "parts", "suppliers", "events")
OPTIONAL_TABLES = ("programs", "program_outcomes", "contract_reviews", "improvements")
"""Tables a run has only when the scenario has what they describe (funded programs,
contracts): per replication and period or review, small; kept whatever ``keep``."""
"""Replication-level tables: one row per replication (and part, offer or spell)."""

FIGURE_PERIOD_COLUMNS = [
    "replication",
    "period",
    "demand_units",
    "filled_now_units",
    "on_hand_value",
    "days_of_cover",
]
"""Network per-period columns kept in memory with ``keep="summary"`` (what the figures use)."""

_DETAIL_OF_KEEP = {"per-period": "part", "network": "network", "summary": "network"}
KEEP_OF_DETAIL = {"part": "per-period", "network": "network"}
"""The older ``detail`` option in terms of ``keep`` (``detail`` is kept as an alias)."""


@dataclass
class SimulationResult:
    """What ``simulate`` returns: per-replication tables, the summary and the definitions.

    ``periods`` is the network table per replication and period: every column, except
    with ``keep="summary"``, where it holds :data:`FIGURE_PERIOD_COLUMNS` only.
    """

    replications: pd.DataFrame
    parts: pd.DataFrame
    suppliers: pd.DataFrame
    periods: pd.DataFrame
    summary: pd.DataFrame
    events: pd.DataFrame  # disruption spells per replication
    part_periods: pd.DataFrame | None = None  # kept only when asked (keep_part_periods)
    supplier_periods: pd.DataFrame | None = None  # kept only when asked (keep_part_periods)
    programs: pd.DataFrame | None = None  # replication x period x funded program: cash flows
    program_outcomes: pd.DataFrame | None = None  # replication x program: completed, when
    contract_reviews: pd.DataFrame | None = None  # replication x review x supplier: scorecards,
    # settlements, escalations
    improvements: pd.DataFrame | None = None  # supplier-driven improvements log
    definitions: dict[str, Any] = field(default_factory=dict)


def resolve_keep(keep: str | None, detail: str | None) -> str:
    """The ``keep`` level from ``keep`` or the older ``detail`` (give at most one)."""
    if detail is not None:
        if keep is not None:
            raise ValueError("give keep or its older name detail, not both")
        if detail not in KEEP_OF_DETAIL:
            raise ValueError(f"detail must be one of {tuple(KEEP_OF_DETAIL)}")
        return KEEP_OF_DETAIL[detail]
    keep = "per-period" if keep is None else keep
    if keep not in KEEP_LEVELS:
        raise ValueError(f"keep must be one of {KEEP_LEVELS}, got {keep!r}")
    return keep


def simulate(
    scenario: Scenario,
    plan: Plan | None = None,
    *,
    seed: int | None = None,
    replications: int | None = None,
    workers: int = 1,
    backend: Backend | None = None,
    keep: str | None = None,
    detail: str | None = None,
    sink: Sink | None = None,
    checkpoint: ChunkStore | None = None,
    on_progress: Callable[[int], None] | None = None,
    batch: int | None = None,
    drills: Sequence[Drill] = (),
    keep_part_periods: bool = False,
) -> SimulationResult:
    """Monte Carlo of ``scenario`` under ``plan`` (default: its own), summarised.

    ``keep`` says what the run stores (default ``"per-period"``):

    * ``"per-period"``: the per-period tables by part (``part_periods``) and by supplier
      (``supplier_periods``) and the network one (``periods``) are streamed to ``sink``;
    * ``"network"``: only the network per-period table is streamed;
    * ``"summary"``: no per-period table is streamed; ``periods`` stays in memory with the
      columns the figures need only (:data:`FIGURE_PERIOD_COLUMNS`).

    Whatever ``keep``, the replication-level tables (:data:`REPLICATION_TABLES`, one row
    per replication and part or offer) are returned, and the summary is computed from
    them (percentiles need every replication's value; they are small). ``detail`` is the
    older name of the option (``"part"`` = ``"per-period"``, ``"network"``), still accepted.

    ``backend`` (see :mod:`keiretsu.sim.backends`) computes the chunks (default:
    ``workers`` local processes); ``batch`` is the replications per chunk (default
    :func:`keiretsu.sim.runner.chunk_size`). With ``checkpoint``, each chunk's tables are
    saved there as it completes and chunks already there are read back instead of being
    simulated again, so a run that was interrupted finishes with exactly the tables and
    summary of an uninterrupted one (the chunk ranges must be those of the first attempt:
    keep ``batch`` fixed). ``on_progress(n)`` is called with the replications done.
    """
    keep = resolve_keep(keep, detail)
    if keep_part_periods and keep != "per-period":
        raise ValueError('keep_part_periods needs keep="per-period"')
    if backend is not None and workers != 1:
        raise ValueError("give workers (local processes) or a backend, not both")
    plan = scenario.plan if plan is None else plan
    seed = scenario.run.seed if seed is None else seed
    n = scenario.run.replications if replications is None else replications
    own_backend = backend is None
    backend = LocalBackend(workers) if backend is None else backend
    chunks = chunk_ranges(n, batch or chunk_size(scenario, n, backend.workers))
    streamed = STREAMED_TABLES[keep]
    wanted = (*REPLICATION_TABLES, "periods", *streamed)
    if keep_part_periods:
        wanted = (*wanted, "part_periods", "supplier_periods")
    wanted = tuple(dict.fromkeys(wanted))
    saved = {} if checkpoint is None else checkpoint.completed()
    for i, chunk in enumerate(chunks):
        if i in saved and saved[i]["key"] != [chunk.start, chunk.stop]:
            raise ValueError(
                f"checkpoint chunk {i} holds replications {saved[i]['key']}, not "
                f"[{chunk.start}, {chunk.stop}): it belongs to a run with other chunks"
            )
        if i in saved and not set(wanted) - set(OPTIONAL_TABLES) <= set(saved[i]["tables"]):
            raise ValueError(f"checkpoint chunk {i} lacks tables of this run: it has another keep")
    todo = [c for i, c in enumerate(chunks) if i not in saved]
    held = [*REPLICATION_TABLES, "periods", *OPTIONAL_TABLES]
    if keep_part_periods:
        held += ["part_periods", "supplier_periods"]
    kept: dict[str, list[pd.DataFrame]] = {name: [] for name in held}
    fresh = run_chunks(
        scenario,
        plan,
        seed,
        todo,
        detail=_DETAIL_OF_KEEP[keep],
        drills=drills,
        backend=backend,
        select=Selection(  # run in the worker: only what the run keeps travels back
            tables=(*wanted, *OPTIONAL_TABLES),
            columns=(("periods", tuple(FIGURE_PERIOD_COLUMNS)),) if keep == "summary" else (),
            by_replication=("events",),
        ),
    )
    done = 0
    try:
        for i, chunk in enumerate(chunks):
            if i in saved:
                frames = checkpoint.load(i)  # type: ignore[union-attr]
            else:
                frames = next(fresh)
                if checkpoint is not None:  # tables a run does not have are not saved
                    present = {k: v for k, v in frames.items() if v is not None}
                    checkpoint.save(i, [chunk.start, chunk.stop], present)
            for name, parts in kept.items():
                if frames.get(name) is not None:
                    parts.append(frames[name])
            if sink is not None:
                for name in streamed:
                    sink.write(name, frames[name])
            done += len(chunk)
            if on_progress is not None:
                on_progress(done)
    finally:
        fresh.close()
        if own_backend:
            backend.close()
    return _result(scenario, kept, keep_part_periods)


def _result(
    scenario: Scenario, kept: dict[str, list[pd.DataFrame]], keep_part_periods: bool
) -> SimulationResult:
    def joined(name: str) -> pd.DataFrame:
        return pd.concat(kept[name], ignore_index=True)

    def optional(name: str) -> pd.DataFrame | None:
        return pd.concat(kept[name], ignore_index=True) if kept.get(name) else None

    rep = joined("replications")
    summary = summarize(rep, SUMMARY_KPIS, scenario.run.percentiles)
    definitions = {
        "otif": OTIF_DEFINITION,
        "percentiles": PERCENTILE_CONVENTION,
        "fill_rate": "unit fill rate: share of each period's demand met from stock in that period",
        "warmup_periods": scenario.run.warmup_periods,
        "currency": scenario.meta.currency,
        "period": scenario.horizon.period,
    }
    return SimulationResult(
        replications=rep,
        parts=joined("parts"),
        suppliers=joined("suppliers"),
        periods=joined("periods"),
        events=joined("events"),
        part_periods=joined("part_periods") if keep_part_periods else None,
        supplier_periods=optional("supplier_periods"),
        programs=optional("programs"),
        program_outcomes=optional("program_outcomes"),
        contract_reviews=optional("contract_reviews"),
        improvements=optional("improvements"),
        summary=summary,
        definitions=definitions,
    )


def manifest(
    *,
    command: str,
    scenario: Scenario,
    scenario_path: str | None,
    plan: Plan,
    seed: int,
    replications: int,
    workers: int,
    started: str,
    finished: str,
    definitions: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything needed to reproduce or audit a run (written as ``manifest.json``)."""
    import platform
    import sys
    from importlib import metadata

    from keiretsu import __version__

    sha = file_sha256(scenario_path)
    git = git_sha()
    packages = {}
    for name in (
        "numpy",
        "pandas",
        "scipy",
        "simpy",
        "pulp",
        "highspy",
        "pydantic",
        "pyarrow",
        "joblib",
        "numba",
    ):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {
        "keiretsu_version": __version__,
        "command": command,
        "argv": sys.argv,
        "scenario_path": scenario_path,
        "scenario_sha256": sha,
        "scenario": scenario.model_dump(mode="json"),
        "plan": plan.model_dump(mode="json"),
        "seed": seed,
        "replications": replications,
        "workers": workers,
        "git_sha": git,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": packages,
        "started": started,
        "finished": finished,
        "definitions": definitions,
        **(extra or {}),
    }


def file_sha256(path: str | Path | None) -> str | None:
    """SHA-256 of the file at ``path`` (None if there is none)."""
    import hashlib

    if path is None or not Path(path).is_file():
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def git_sha() -> str | None:
    """The commit of the keiretsu source tree, when it is a git checkout."""
    import subprocess

    try:
        return (
            subprocess.run(
                ["git", "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                timeout=5,
                cwd=Path(__file__).resolve().parent,
                check=False,
            ).stdout.strip()
            or None
        )
    except (OSError, subprocess.SubprocessError):
        return None


# --------------------------------------------------------------------------- resume

RUN_SETTINGS = "run.json"
"""Written in the run directory when a run starts; holds what ``--resume`` needs."""
RUN_SETTINGS_FORMAT = 1


def run_settings(
    *,
    command: str,
    scenario: Scenario,
    scenario_path: str | None,
    overrides: Sequence[str],
    plan: Plan,
    seed: int,
    replications: int,
    chunk_size: int,
    started: str,
    options: dict[str, Any],
) -> dict[str, Any]:
    """What ``--resume`` needs to finish a run exactly as it began (``run.json``): the
    resolved scenario and plan, seed, replications, the chunk size (so the chunks are the
    same), the command's own options, and the keiretsu version and commit that began it."""
    import sys

    from keiretsu import __version__

    return {
        "format": RUN_SETTINGS_FORMAT,
        "command": command,
        "keiretsu_version": __version__,
        "git_sha": git_sha(),
        "argv": sys.argv,
        "started": started,
        "scenario_path": scenario_path,
        "scenario_sha256": file_sha256(scenario_path),
        "overrides": list(overrides),
        "scenario": scenario.model_dump(mode="json"),
        "plan": plan.model_dump(mode="json"),
        "seed": seed,
        "replications": replications,
        "chunk_size": chunk_size,
        "options": options,
        "resumed": [],
    }


def read_run_settings(
    run_dir: str | Path, command: str | tuple[str, ...]
) -> tuple[dict[str, Any], list[str]]:
    """The settings of the unfinished ``command`` run (or one of several commands) in
    ``run_dir``, and warnings to show.

    :class:`InputError` when ``run_dir`` holds no unfinished run of that command, or one
    begun by another keiretsu version (its remaining chunks could differ).
    """
    import json

    from keiretsu import __version__
    from keiretsu.errors import InputError, Problem

    run_dir = Path(run_dir)

    def fail(message: str) -> InputError:
        return InputError(Problem(str(run_dir), 0, 0, "", message))

    if not run_dir.is_dir():
        raise fail("no such run directory")
    if (run_dir / "manifest.json").is_file():
        raise fail("the run is complete (manifest.json is there): nothing to resume")
    file = run_dir / RUN_SETTINGS
    if not file.is_file():
        raise fail(f"not a resumable run directory (no {RUN_SETTINGS})")
    try:
        settings = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise fail(f"{RUN_SETTINGS} is unreadable: {exc}") from None
    if not isinstance(settings, dict) or settings.get("format") != RUN_SETTINGS_FORMAT:
        raise fail(f"{RUN_SETTINGS} is not a keiretsu run-settings file of this version")
    commands = (command,) if isinstance(command, str) else command
    if settings.get("command") not in commands:
        theirs = str(settings.get("command")).split()[0]
        raise fail(f"the run was begun by `keiretsu {theirs}`: resume it with that command")
    if settings.get("keiretsu_version") != __version__:
        raise fail(
            f"the run was begun by keiretsu {settings.get('keiretsu_version')}, this is "
            f"{__version__}: resume it with that version (chunks could differ)"
        )
    warnings = []
    then, now = settings.get("git_sha"), git_sha()
    if then and now and then != now:
        warnings.append(
            f"the run was begun at commit {then[:10]}, this is {now[:10]}: if the model "
            "changed in between, the resumed chunks will not match the saved ones"
        )
    return settings, warnings


def scenario_and_plan(settings: dict[str, Any]) -> tuple[Scenario, Plan]:
    """The resolved scenario and plan saved in ``settings`` (validated again)."""
    from keiretsu.errors import InputError, Problem

    try:
        return (
            Scenario.model_validate(settings["scenario"]),
            Plan.model_validate(settings["plan"]),
        )
    except (KeyError, ValueError) as exc:
        raise InputError(
            Problem(RUN_SETTINGS, 0, 0, "", f"the saved scenario or plan is invalid: {exc}")
        ) from None


def replications_done(
    checkpoint: Checkpoint, replications: int, *, exclude: Collection[str] = ()
) -> int:
    """Replications already simulated in ``checkpoint``: every saved chunk's replications,
    and ``replications`` for each whole piece of work saved as one (a sweep's nodes);
    stores named in ``exclude`` hold no replications (a frontier's solved points)."""
    done = 0
    for store in checkpoint.stores():
        if store.directory.name in exclude:
            continue
        for entry in store.completed().values():
            key = entry["key"]
            is_range = isinstance(key, list) and len(key) == 2
            done += key[1] - key[0] if is_range else replications
    return done
