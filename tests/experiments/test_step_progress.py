"""The inner progress of a long run: reported in chunks, without changing the run."""

from __future__ import annotations

import io

from rich.console import Console

from incentive_lab.experiments import plan_runs
from incentive_lab.experiments.execution.orchestrate import run_experiment
from incentive_lab.experiments.execution.runner import STEP_CHUNKS, execute_run, step_progress
from incentive_lab.experiments.progress import ProgressBar

CONFIG = {
    "name": "steps",
    "game": {"id": "prisoners_dilemma", "params": {"n_copies": 8}},
    "learners": [{"id": "q_learning", "params": {"alpha": 0.2, "epsilon": 0.1}}],
    "steps": 1000,
    "seeds": 1,
    "record_every": 50,
    # a phase change at 333 splits a chunk: the listener still sees every boundary
    "phases": [
        {
            "at_step": 333,
            "overrides": {"mechanism": {"id": "action_tax", "params": {"taxes": [0, 3]}}},
        }
    ],
}


def test_listened_runs_equal_plain_runs_and_report_every_chunk() -> None:
    (task,) = plan_runs(CONFIG)
    plain = execute_run(task)
    seen: list[tuple[int, int]] = []
    with step_progress(lambda done, total: seen.append((done, total))):
        listened = execute_run(task)
    assert listened.metrics == plain.metrics and listened.summary == plain.summary
    done = [d for d, _ in seen]
    assert {t for _, t in seen} == {1000}
    assert done == sorted(done) and done[-1] == 1000 and 333 in done
    assert len(seen) <= STEP_CHUNKS + 1  # one extra chunk end at the phase change
    assert all(b - a <= 1000 // STEP_CHUNKS for a, b in zip([0, *done], done, strict=False))
    with step_progress(None):  # no listener: one call per segment, nothing reported
        assert execute_run(task).summary == plain.summary


def test_the_bar_draws_an_inner_bar_for_a_run_computed_inline(tmp_path) -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=100)
    calls: list[tuple[int, int]] = []

    class Bar(ProgressBar):
        def steps(self, done: int, total: int) -> None:
            calls.append((done, total))
            super().steps(done, total)

    with Bar("runs of steps", console) as bar:
        run_experiment(CONFIG, db=tmp_path / "lab.duckdb", workers=1, progress=bar)
    assert calls[-1] == (1000, 1000) and len(calls) > 10
    assert "steps of this run" in stream.getvalue()
