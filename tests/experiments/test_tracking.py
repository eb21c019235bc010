"""Trackers: every stored run reaches ``on_run`` once; TensorBoard files hold the store's values."""

from __future__ import annotations

import struct
from pathlib import Path

import duckdb
import pytest

from incentive_lab.experiments.execution.orchestrate import run_experiment
from incentive_lab.experiments.execution.tracking import TensorBoardTracker, run_directory

CONFIG = {
    "name": "tracked",
    "game": {"id": "prisoners_dilemma", "params": {"n_copies": 4}},
    "learners": [{"id": "q_learning", "params": {"alpha": 0.2, "epsilon": 0.1}}],
    "steps": 60,
    "seeds": 2,
    "record_every": 20,
    "sweep": {"mechanism": [{"id": "none"}, {"id": "action_tax", "params": {"taxes": [0, 3]}}]},
}


class Collect:
    def __init__(self) -> None:
        self.results: list = []

    def on_run(self, result) -> None:
        self.results.append(result)


def stored(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_each_stored_run_reaches_the_tracker_once(tmp_path: Path) -> None:
    db = tmp_path / "lab.duckdb"
    first = Collect()
    run_experiment({**CONFIG, "seeds": 1}, db=db, workers=1, trackers=[first])
    assert sorted(r.run_id for r in first.results) == sorted(
        row[0] for row in stored(db, "SELECT run_id FROM runs")
    )
    more = Collect()  # one more seed: only the two new runs are handed over
    run_experiment(CONFIG, db=db, workers=1, trackers=[more])
    assert len(more.results) == 2 and {r.seed_index for r in more.results} == {1}
    for result in more.results:
        values = dict(
            stored(db, f"SELECT name, value FROM summary WHERE run_id = '{result.run_id}'")
        )
        assert values.keys() == result.summary.keys()
        for name, value in values.items():  # NaN (e.g. a series that never settled) == NaN
            assert value == pytest.approx(result.summary[name], nan_ok=True, rel=0, abs=0)


def _events(directory: Path) -> list:
    """Decode TFRecord event files (length, crc, payload, crc) with tensorboardX's protos."""
    from tensorboardX.proto import event_pb2

    out = []
    for path in sorted(directory.glob("events.out.tfevents.*")):
        data = path.read_bytes()
        position = 0
        while position < len(data):
            (length,) = struct.unpack("<Q", data[position : position + 8])
            payload = data[position + 12 : position + 12 + length]
            out.append(event_pb2.Event.FromString(payload))
            position += 12 + length + 4
    return out


def _scalars(directory: Path) -> dict[tuple[str, int], float]:
    return {
        (value.tag, event.step): value.simple_value
        for event in _events(directory)
        for value in event.summary.value
    }


def test_tensorboard_files_hold_the_stored_series(tmp_path: Path) -> None:
    pytest.importorskip("tensorboardX")
    db, logs = tmp_path / "lab.duckdb", tmp_path / "tb"
    run_experiment(CONFIG, db=db, workers=1, trackers=[TensorBoardTracker(logs)])
    runs = stored(db, "SELECT run_id, point, seed_index FROM runs")
    assert len(runs) == 4
    for run_id, point, seed_index in runs:
        import json

        scalars = _scalars(logs / run_directory("tracked", json.loads(point), seed_index))
        series = stored(db, f"SELECT name, step, value FROM metrics WHERE run_id = '{run_id}'")
        for name, step, value in series:
            assert scalars[(name, step)] == pytest.approx(value, rel=1e-6, abs=1e-6)  # float32
        last = max(step for _, step, _ in series)
        for name, value in stored(db, f"SELECT name, value FROM summary WHERE run_id = '{run_id}'"):
            assert scalars[(f"summary/{name}", last)] == pytest.approx(value, rel=1e-6, abs=1e-6)


def test_cli_run_tensorboard_and_export_write_the_same_scalars(tmp_path: Path) -> None:
    pytest.importorskip("tensorboardX")
    import yaml
    from typer.testing import CliRunner

    from incentive_lab.cli import app

    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump({**CONFIG, "seeds": 1}))
    db = tmp_path / "lab.duckdb"
    ran = CliRunner().invoke(
        app, ["run", str(config), "--db", str(db), "--tensorboard", str(tmp_path / "live")]
    )
    assert ran.exit_code == 0, ran.output
    done = CliRunner().invoke(
        app, ["export", "--db", str(db), "--out", str(tmp_path / "off"), "--format", "tensorboard"]
    )
    assert done.exit_code == 0, done.output
    live = sorted(p.relative_to(tmp_path / "live") for p in (tmp_path / "live").rglob("seed*"))
    off = sorted(p.relative_to(tmp_path / "off") for p in (tmp_path / "off").rglob("seed*"))
    assert live == off and len(live) == 2
    for rel in live:
        assert _scalars(tmp_path / "live" / rel) == _scalars(tmp_path / "off" / rel)
    a_file = tmp_path / "file"
    a_file.write_text("x")
    bad = CliRunner().invoke(
        app, ["run", str(config), "--db", str(db), "--tensorboard", str(a_file)]
    )
    assert bad.exit_code == 2 and "tensorboard" in bad.stderr


class Watch(Collect):
    """Records live rows per run and the order of live calls and finished runs."""

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[str, list] = {}
        self.events: list[tuple[str, str]] = []

    def on_metrics(self, task, rows) -> None:  # type: ignore[no-untyped-def]
        assert task.run_id not in {r.run_id for r in self.results}, "rows after on_run"
        self.live.setdefault(task.run_id, []).extend(rows)
        self.events.append(("rows", task.run_id))

    def on_run(self, result) -> None:  # type: ignore[no-untyped-def]
        super().on_run(result)
        self.events.append(("run", result.run_id))


LONG = {**CONFIG, "game": {"id": "prisoners_dilemma", "params": {"n_copies": 400}},
        "steps": 4000, "record_every": 100, "seeds": 1}  # fmt: skip


@pytest.mark.parametrize("workers", [1, 2])
def test_live_rows_are_the_runs_own_rows_in_order_before_it_finishes(
    tmp_path: Path, workers: int
) -> None:
    watch = Watch()
    run_experiment(LONG, db=tmp_path / "lab.duckdb", workers=workers, trackers=[watch])
    assert len(watch.results) == 2
    for result in watch.results:
        rows = watch.live.get(result.run_id, [])
        assert rows == list(result.metrics)[: len(rows)]  # a prefix, in order
        calls = [e for e in watch.events if e == ("rows", result.run_id)]
        if workers == 1:  # inline: every row live, in many calls, flushed before on_run
            assert rows == list(result.metrics) and len(calls) > 10
    if workers == 2:  # from worker processes: runs of ~1 s each send rows while running
        assert sum(len(rows) for rows in watch.live.values()) > 0
    # live watching changes nothing stored
    plain = tmp_path / "plain.duckdb"
    run_experiment(LONG, db=plain, workers=1)
    sql = "SELECT run_id, name, value FROM summary ORDER BY run_id, name"
    assert stored(plain, sql) == stored(tmp_path / "lab.duckdb", sql)


def test_tensorboard_writes_live_from_workers_and_replaces_stale_files(tmp_path: Path) -> None:
    pytest.importorskip("tensorboardX")
    import json

    db, logs = tmp_path / "lab.duckdb", tmp_path / "tb"
    stale = logs / run_directory("tracked", {"mechanism": "none"}, 0)
    stale.mkdir(parents=True)
    (stale / "events.out.tfevents.0.old").write_bytes(b"")  # an earlier failed attempt
    run_experiment(LONG, db=db, workers=2, trackers=[TensorBoardTracker(logs)])
    for run_id, point, seed_index in stored(db, "SELECT run_id, point, seed_index FROM runs"):
        directory = logs / run_directory("tracked", json.loads(point), seed_index)
        assert len(list(directory.glob("events.out.tfevents.*"))) == 1
        scalars = _scalars(directory)
        series = stored(db, f"SELECT name, step, value FROM metrics WHERE run_id = '{run_id}'")
        assert len([k for k in scalars if not k[0].startswith("summary/")]) == len(series)
        for name, step, value in series:
            assert scalars[(name, step)] == pytest.approx(value, rel=1e-6, abs=1e-6)
