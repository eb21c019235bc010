"""WindowRecorder: window means checked by hand."""

from __future__ import annotations

import numpy as np

from incentive_lab.evaluation.recorder import WindowRecorder
from incentive_lab.rollout import StepRecord


def step(
    t: int, actions: list[int], base: list[float], cost: float = 0.0, **extra: object
) -> StepRecord:
    b = np.array(base)
    transfers = np.array(extra.pop("transfers", np.zeros_like(b)))  # type: ignore[arg-type]
    return StepRecord(
        step=t,
        actions=np.array(actions, dtype=np.int64),
        base_rewards=b,
        shaped_rewards=b + transfers,
        transfers=transfers,
        cost=cost,
        episode_end=False,
        info=extra.pop("info", {}),  # type: ignore[arg-type]
        diagnostics=extra.pop("diagnostics", {}),  # type: ignore[arg-type]
    )


def as_dict(rows: list[tuple[int, str, float]], at: int) -> dict[str, float]:
    return {name: value for s, name, value in rows if s == at}


def test_window_means_by_hand() -> None:
    recorder = WindowRecorder(n_agents=2, record_every=2, cooperative_action=0)
    recorder.record(
        step(
            0,
            [0, 1],
            [3.0, 5.0],
            cost=1.0,
            transfers=[0.0, -1.0],
            info={"metrics": {"pairs": 1.0}},
            diagnostics={"learner0/td": 2.0},
        )
    )
    assert recorder.rows == []
    recorder.record(step(1, [0, 0], [1.0, 1.0], info={"metrics": {"pairs": 3.0}}))
    window = as_dict(recorder.rows, 2)
    # per-agent per-step means of base rewards: (2, 3)
    assert window["social_welfare"] == 5.0
    assert window["mean_reward"] == 2.5
    assert window["min_reward"] == 2.0
    assert window["cooperation_rate"] == 0.75
    assert np.isclose(window["gini"], 2.0 / (2 * 2 * 5))
    assert window["incentive_cost"] == 0.5
    assert window["net_transfer"] == -0.5
    assert window["incentive_spend"] == 0.0 and window["incentive_collected"] == 0.5
    assert window["mean_shaped_reward"] == 2.25
    assert window["pairs"] == 2.0
    assert window["learner0/td"] == 2.0  # mean over the steps that reported it
    # the next window starts from zero; flush emits a partial window at its own step
    recorder.record(step(2, [1, 1], [0.0, 0.0]))
    recorder.flush()
    last = as_dict(recorder.rows, 3)
    assert last["cooperation_rate"] == 0.0 and last["social_welfare"] == 0.0
    assert "pairs" not in last and "learner0/td" not in last
    recorder.flush()  # nothing new: no rows
    assert max(s for s, _, _ in recorder.rows) == 3
    assert len([r for r in recorder.rows if r[0] == 3]) == 10


def test_money_paid_and_collected_within_one_window_are_not_netted() -> None:
    recorder = WindowRecorder(n_agents=2, record_every=2, cooperative_action=None)
    recorder.record(step(0, [0, 0], [1.0, 1.0], cost=3.0, transfers=[2.0, -1.0]))
    recorder.record(step(1, [0, 0], [1.0, 1.0], cost=2.0, transfers=[-2.0, 0.0]))
    window = as_dict(recorder.rows, 2)
    # agent 0: +2 then -2 (nets to 0 over the window, but 2 was paid and 2 collected)
    assert window["incentive_spend"] == 1.0  # 2 paid out over 2 steps
    assert window["incentive_collected"] == 1.5  # 1 + 2 collected over 2 steps
    assert window["net_transfer"] == -0.5 == window["incentive_spend"] - 1.5
    assert window["incentive_cost"] == 2.5  # the declared cost: here Σ|t| = spend + collected


def test_no_cooperation_rate_without_cooperative_action() -> None:
    recorder = WindowRecorder(n_agents=3, record_every=1, cooperative_action=None)
    recorder.record(step(0, [0, 1, 2], [1.0, 2.0, 3.0]))
    names = [name for _, name, _ in recorder.rows]
    assert "cooperation_rate" not in names and names[0] == "social_welfare"
