"""Checkpoint and resume through the CLI: a run killed (SIGKILL) or interrupted (Ctrl-C)
part-way leaves no partial output, and `--resume` finishes it to exactly the outputs of
an uninterrupted run; a chunk that fails twice is reported by name with the way to go on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from keiretsu.cli import main
from keiretsu.sim.runner import FAULT_ENV

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
TWO = str(SCENARIOS / "two_supplier.yaml")
EV = str(SCENARIOS / "ev_battery.yaml")
SIMULATE = ["simulate", TWO, "-n", "40", "--seed", "3", "--chunk-size", "2"]
KEYS = ["node", "replication", "period", "part", "supplier", "disruption", "kpi"]


def _cli(*args: str, env: dict[str, str] | None = None):
    return CliRunner(env=env).invoke(main, [str(a) for a in args], catch_exceptions=False)


def _assert_same_run(a: Path, b: Path) -> None:
    """Same tables (sorted by their keys, compared exactly, and CSV byte for byte), same
    summary and figures listed; nothing temporary or of the checkpoint left."""
    ma, mb = (json.loads((d / "manifest.json").read_text()) for d in (a, b))
    assert ma["tables"] == mb["tables"] and ma["figures"] == mb["figures"]
    for name in ma["tables"]:
        x, y = pd.read_parquet(a / f"{name}.parquet"), pd.read_parquet(b / f"{name}.parquet")
        keys = [k for k in KEYS if k in x]
        if keys:
            x = x.sort_values(keys, kind="stable", ignore_index=True)
            y = y.sort_values(keys, kind="stable", ignore_index=True)
        pd.testing.assert_frame_equal(x, y, check_exact=True)
        assert (a / f"{name}.csv").read_bytes() == (b / f"{name}.csv").read_bytes(), name
    assert json.loads((a / "summary.json").read_text()) == json.loads(
        (b / "summary.json").read_text()
    )
    for d in (a, b):
        assert not list(d.glob(".*.tmp")) and not (d / ".checkpoint").exists()
        assert not (d / "run.json").exists()


def _completed_chunks(run_dir: Path, work: str = "simulate") -> int:
    index = run_dir / ".checkpoint" / work / "index.json"
    try:
        return len(json.loads(index.read_text())["chunks"])
    except (OSError, ValueError):
        return 0


def _interruptible() -> None:
    """In the child: Ctrl-C live, as in a terminal, even when the test run itself was
    started with SIGINT ignored (a shell's background job: ``(make test &)``), which the
    child would otherwise inherit (Python then installs no KeyboardInterrupt handler)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(args: list[str], **kw) -> subprocess.Popen:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.Popen(
        [sys.executable, "-m", "keiretsu.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, like a job in a terminal
        preexec_fn=_interruptible,
        **kw,
    )


def _wait_for_chunks(
    proc: subprocess.Popen, run_dir: Path, count: int, work: str = "simulate"
) -> None:
    """Wait (by the chunk index, not by the clock) until ``count`` chunks are saved."""
    deadline = time.monotonic() + 120
    while _completed_chunks(run_dir, work) < count:
        assert proc.poll() is None, f"the run ended early: {proc.communicate()}"
        assert time.monotonic() < deadline, "no progress in 120 s"
        time.sleep(0.005)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("whole") / "run"
    result = _cli(*SIMULATE, "--out", out)
    assert result.exit_code == 0, result.stderr
    return out


def _unfinished(run_dir: Path) -> None:
    assert not (run_dir / "manifest.json").exists()
    assert not list(run_dir.glob("*.parquet")) and not list(run_dir.glob("*.csv"))
    assert (run_dir / "run.json").is_file()


def test_sigkill_then_resume_gives_the_uninterrupted_run(tmp_path: Path, uninterrupted) -> None:
    out = tmp_path / "run"
    proc = _start([*SIMULATE, "--out", str(out)])
    _wait_for_chunks(proc, out, 3)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    saved = _completed_chunks(out)
    assert 3 <= saved < 20, saved  # killed part-way
    _unfinished(out)  # may hold hidden temporaries of the killed writer, never a table
    result = _cli("simulate", "--resume", out)
    assert result.exit_code == 0, result.stderr
    _assert_same_run(uninterrupted, out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["resumed"]) == 1 and manifest["chunk_size"] == 2


def test_ctrl_c_exits_130_says_how_to_resume_and_leaves_no_partial_file(
    tmp_path: Path, uninterrupted
) -> None:
    out = tmp_path / "run"
    proc = _start([*SIMULATE, "-j", "2", "--out", str(out)])
    _wait_for_chunks(proc, out, 2)
    os.killpg(proc.pid, signal.SIGINT)  # the whole group, as a terminal's Ctrl-C
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert f"keiretsu simulate --resume {out}" in stderr
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    _unfinished(out)
    assert not list(out.glob(".*.tmp")), "temporary files left behind"
    result = _cli("simulate", "--resume", out, "-j", "2")  # workers may change
    assert result.exit_code == 0, result.stderr
    _assert_same_run(uninterrupted, out)


def test_sigterm_is_a_clean_stop_too(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = _start([*SIMULATE, "--out", str(out)])
    _wait_for_chunks(proc, out, 2)
    os.kill(proc.pid, signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert "terminated" in stderr and "--resume" in stderr and "Traceback" not in stderr
    _unfinished(out)
    assert not list(out.glob(".*.tmp"))


def test_a_chunk_failing_twice_is_named_and_the_run_resumes(tmp_path: Path, uninterrupted):
    out = tmp_path / "run"
    result = _cli(*SIMULATE, "--out", out, env={FAULT_ENV: "9:2"})
    assert result.exit_code == 1
    assert "chunk of replications 8-9 failed on all 2 attempts" in result.stderr
    assert f"keiretsu simulate --resume {out}" in result.stderr
    assert _completed_chunks(out) == 4  # the chunks before it are kept
    _unfinished(out)
    assert _cli("simulate", "--resume", out).exit_code == 0
    _assert_same_run(uninterrupted, out)


def test_a_chunk_failing_once_is_retried_silently(tmp_path: Path, uninterrupted) -> None:
    out = tmp_path / "run"
    result = _cli(*SIMULATE, "--out", out, env={FAULT_ENV: "9:1"})
    assert result.exit_code == 0, result.stderr
    _assert_same_run(uninterrupted, out)


def test_drill_resumes_after_a_failure(tmp_path: Path) -> None:
    args = ["drill", EV, "--event", "BMS-fire-8w", "-n", "4", "--chunk-size", "1"]
    whole = tmp_path / "whole"
    assert _cli(*args, "--out", whole).exit_code == 0
    out = tmp_path / "run"
    failed = _cli(*args, "--out", out, env={FAULT_ENV: "2:2"})  # in the twin
    assert failed.exit_code == 1 and "keiretsu drill --resume" in failed.stderr
    assert _completed_chunks(out, "twin") == 2
    assert _cli("drill", "--resume", out).exit_code == 0
    _assert_same_run(whole, out)


def test_sweep_resumes_after_a_failure(tmp_path: Path) -> None:
    args = ["drill", TWO, "--sweep", "suppliers", "--weeks", "6", "-n", "4", "--chunk-size", "2"]
    whole = tmp_path / "whole"
    assert _cli(*args, "--out", whole).exit_code == 0
    out = tmp_path / "run"
    assert _cli(*args, "--out", out, env={FAULT_ENV: "3:2"}).exit_code == 1
    failed = _cli(*args, "--out", out, "--force", "--json", env={FAULT_ENV: "3:2"})
    assert failed.exit_code == 1
    payload = json.loads(failed.stdout)
    assert "replications 2-3 failed on all 2 attempts" in payload.pop("error")
    assert payload == {"ok": False, "run_dir": str(out), "resume": f"keiretsu drill --resume {out}"}
    assert _cli("drill", "--resume", out, "--json").exit_code == 0
    _assert_same_run(whole, out)


def test_compare_resumes_plan_by_plan_after_a_failure(tmp_path: Path) -> None:
    plans = SCENARIOS / "plans" / "ev_battery"
    args = ["compare", EV, "--plan", plans / "transactional_single_source.yaml"]
    args += ["-n", "4", "--chunk-size", "2", "--seed", "5"]
    whole = tmp_path / "whole"
    assert _cli(*args, "--out", whole).exit_code == 0
    out = tmp_path / "run"
    failed = _cli(*args, "--out", out, env={FAULT_ENV: "3:2"})  # in the first plan
    assert failed.exit_code == 1 and f"keiretsu compare --resume {out}" in failed.stderr
    _unfinished(out)
    assert _completed_chunks(out, "plan-00") == 1
    assert _cli("compare", "--resume", out, "-j", "2").exit_code == 0
    _assert_same_run(whole, out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["plan_names"] == json.loads((whole / "manifest.json").read_text())["plan_names"]


def test_payback_killed_in_its_tornado_resumes_to_the_uninterrupted_case(tmp_path: Path):
    args = ["payback", EV, "--program", "bms_quality_analytics", "-n", "4"]
    args += ["--chunk-size", "1", "--tornado-replications", "2"]
    whole = tmp_path / "whole"
    assert _cli(*args, "--out", whole).exit_code == 0
    out = tmp_path / "run"
    proc = _start([*map(str, args), "--out", str(out)])
    _wait_for_chunks(proc, out, 1, "bms_quality_analytics-tornado-base")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    _unfinished(out)
    assert _completed_chunks(out, "bms_quality_analytics-with") == 4  # kept, not rerun
    assert _cli("payback", "--resume", out).exit_code == 0
    _assert_same_run(whole, out)


def test_frontier_resumes_without_solving_or_simulating_again(tmp_path: Path) -> None:
    args = ["frontier", EV, "--points", "2", "--scenarios", "5", "-n", "4", "--chunk-size", "2"]
    args += ["--seed", "5", "--set", "optimize.evaluation_replications=2"]  # reps 0, 1
    whole = tmp_path / "whole"
    assert _cli(*args, "--out", whole).exit_code == 0
    out = tmp_path / "run"
    failed = _cli(*args, "--out", out, env={FAULT_ENV: "3:2"})  # the first point's 2nd chunk
    assert failed.exit_code == 1 and f"keiretsu frontier --resume {out}" in failed.stderr
    _unfinished(out)
    assert _completed_chunks(out, "points") == 2 and _completed_chunks(out, "plan-00") == 1
    resumed = _cli("frontier", "--resume", out, "-j", "2")
    assert resumed.exit_code == 0, resumed.stderr
    assert resumed.stderr.count("solved before, from the checkpoint") == 2
    _assert_same_run(whole, out)
    for plan in ("plan-00.yaml", "plan-01.yaml"):
        assert (whole / "plans" / plan).read_bytes() == (out / "plans" / plan).read_bytes()


# ---- what --resume refuses


def test_resume_takes_no_other_settings(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert _cli(*SIMULATE, "--out", out, env={FAULT_ENV: "1:2"}).exit_code == 1
    result = CliRunner().invoke(main, ["simulate", "--resume", str(out), "-n", "5", "--seed", "1"])
    assert result.exit_code == 2
    assert "drop -n/--replications, --seed" in result.output
    result = CliRunner().invoke(main, ["simulate", TWO, "--resume", str(out)])
    assert result.exit_code == 2 and "drop SCENARIO" in result.output


def test_resume_of_a_complete_run_is_refused(uninterrupted) -> None:
    result = _cli("simulate", "--resume", uninterrupted)
    assert result.exit_code == 2 and "the run is complete" in result.stderr


def test_resume_of_a_folder_without_run_settings_is_refused(tmp_path: Path) -> None:
    result = _cli("simulate", "--resume", tmp_path)
    assert result.exit_code == 2 and "not a resumable run directory (no run.json)" in result.stderr


def test_resume_with_the_wrong_command_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert _cli(*SIMULATE, "--out", out, env={FAULT_ENV: "1:2"}).exit_code == 1
    result = _cli("drill", "--resume", out)
    assert result.exit_code == 2 and "resume it with that command" in result.stderr


def test_a_new_run_in_an_unfinished_directory_needs_force(tmp_path: Path, uninterrupted) -> None:
    out = tmp_path / "run"
    assert _cli(*SIMULATE, "--out", out, env={FAULT_ENV: "1:2"}).exit_code == 1
    refused = _cli(*SIMULATE, "--out", out)
    assert refused.exit_code == 2 and f"--resume {out}" in refused.stderr
    forced = _cli(*SIMULATE, "--out", out, "--force")  # starts again, reusing nothing
    assert forced.exit_code == 0
    _assert_same_run(uninterrupted, out)
    assert "resumed" in json.loads((out / "manifest.json").read_text())
