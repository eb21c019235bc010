"""Long-form seed tables and the marl-eval JSON export."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from incentive_lab.core.errors import ConfigError
from incentive_lab.evaluation.marl_eval import to_marl_eval, write_marl_eval
from incentive_lab.evaluation.seed_table import score_summary, seed_summary
from incentive_lab.evaluation.statistics import bootstrap_ci, iqm


def long_frame() -> pd.DataFrame:
    rows = []
    for mechanism, offset in [("none", 0.0), ("tax", 1.0)]:
        for task in ["pd", "sh"]:
            for seed in range(4):
                welfare = offset + seed + (10.0 if task == "sh" else 0.0)
                rows.append(
                    (f"r{mechanism}{task}{seed}", mechanism, task, seed, "welfare", welfare)
                )
                rows.append((f"r{mechanism}{task}{seed}", mechanism, task, seed, "cost", offset))
    return pd.DataFrame(
        rows, columns=["run_id", "mechanism", "game", "seed_index", "name", "value"]
    )


def test_summary_per_group_and_task():
    frame = long_frame()
    table = seed_summary(frame, ["mechanism", "game"], np.random.default_rng(0))
    assert list(table.columns) == [
        "mechanism", "game", "metric", "mean", "ci_low", "ci_high", "iqm", "n",
    ]  # fmt: skip
    assert len(table) == 2 * 2 * 2
    row = table[(table.mechanism == "tax") & (table.game == "sh") & (table.metric == "welfare")]
    assert row["mean"].item() == pytest.approx(11 + 1.5)
    assert row["iqm"].item() == pytest.approx(11 + 1.5)  # middle two of 11, 12, 13, 14
    assert row["n"].item() == 4
    assert row["ci_low"].item() <= row["mean"].item() <= row["ci_high"].item()
    cost = table[(table.mechanism == "tax") & (table.metric == "cost")]
    assert (cost["ci_low"] == 1.0).all() and (cost["ci_high"] == 1.0).all()


def test_summary_stratifies_over_task_columns():
    frame = long_frame()
    table = seed_summary(frame, ["mechanism"], np.random.default_rng(0), task_cols=["game"])
    row = table[(table.mechanism == "none") & (table.metric == "welfare")]
    scores = np.array([[s, s + 10.0] for s in range(4)])
    expected = bootstrap_ci(scores, np.random.default_rng(0))
    assert row["mean"].item() == pytest.approx(expected.value)
    assert row["iqm"].item() == pytest.approx(iqm(scores))
    assert row["n"].item() == 4
    # first group/metric consumes the generator first, so its CI matches a fresh call
    assert row["ci_low"].item() == pytest.approx(expected.ci_low)


def test_summary_rejects_ambiguous_seeds_and_missing_columns():
    frame = long_frame()
    with pytest.raises(ConfigError, match="seed_index"):
        seed_summary(frame, ["mechanism"], np.random.default_rng(0))  # two games pooled
    with pytest.raises(ConfigError, match="columns"):
        seed_summary(frame, ["point"], np.random.default_rng(0))
    ragged = frame.drop(index=frame.index[(frame.game == "sh") & (frame.seed_index == 3)])
    with pytest.raises(ConfigError, match="same seeds"):
        seed_summary(ragged, ["mechanism"], np.random.default_rng(0), task_cols=["game"])


def test_marl_eval_structure_from_final_values(tmp_path):
    frame = long_frame()
    data = to_marl_eval(frame, "mechanism", task_cols=["game"], env_name="matrix")
    assert list(data) == ["matrix"]
    assert sorted(data["matrix"]) == ["game=pd", "game=sh"]
    runs = data["matrix"]["game=sh"]["tax"]
    assert sorted(runs) == ["run_0", "run_1", "run_2", "run_3"]
    run = runs["run_2"]
    assert list(run) == ["step_0", "absolute_metrics"]  # absolute_metrics is the last key
    assert run["absolute_metrics"] == {"welfare": [13.0], "cost": [1.0]}
    assert run["step_0"] == {"step_count": 0, "welfare": [13.0], "cost": [1.0]}
    path = write_marl_eval(tmp_path / "raw.json", data)
    assert json.loads(path.read_text()) == data


def test_marl_eval_steps_from_curves():
    final = pd.DataFrame(
        [("a", 0, "welfare", 2.0), ("a", 1, "welfare", 3.0)],
        columns=["mechanism", "seed_index", "name", "value"],
    )
    curves = pd.DataFrame(
        [("a", s, step, "welfare", float(step + s)) for s in (0, 1) for step in (100, 0, 50)],
        columns=["mechanism", "seed_index", "step", "name", "value"],
    )
    data = to_marl_eval(final, "mechanism", curves=curves)
    run = data["incentive_lab"]["default"]["a"]["run_1"]
    assert list(run) == ["step_0", "step_1", "step_2", "absolute_metrics"]
    assert run["step_0"] == {"step_count": 0, "welfare": [1.0]}
    assert run["step_2"] == {"step_count": 100, "welfare": [101.0]}
    assert run["absolute_metrics"] == {"welfare": [3.0]}


def test_marl_eval_names_missing_columns():
    with pytest.raises(ConfigError, match="final"):
        to_marl_eval(pd.DataFrame({"x": [1]}), "mechanism")


def test_score_summary_from_a_dict():
    scores = {"none": [1.0, 2.0, 3.0, 4.0], "tax": np.array([[1.0, 5.0], [2.0, 6.0]])}
    table = score_summary(scores, np.random.default_rng(0))
    assert list(table.columns) == ["mechanism", "statistic", "value", "ci_low", "ci_high", "n"]
    assert table[["mechanism", "statistic"]].values.tolist() == [
        ["none", "mean"], ["none", "iqm"], ["tax", "mean"], ["tax", "iqm"],
    ]  # fmt: skip
    np.testing.assert_allclose(table["value"], [2.5, 2.5, 3.5, 3.5])
    assert table["n"].tolist() == [4, 4, 2, 2]
    assert (table["ci_low"] <= table["value"]).all() and (table["value"] <= table["ci_high"]).all()
    again = score_summary(scores, np.random.default_rng(0))
    pd.testing.assert_frame_equal(table, again)
