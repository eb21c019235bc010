"""The fused recorder pass, copy-free identity adjustments and the rollout's act hand-over."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism
from incentive_lab.core.mechanism import Adjustment, shared_zeros
from incentive_lab.evaluation.metrics import window_metrics
from incentive_lab.evaluation.recorder import WindowRecorder
from incentive_lab.rollout import LearnerGroup, Simulation, StepRecord


def plain_windows(records: list[StepRecord], n: int, every: int, coop: int | None) -> list[Any]:
    """Window metrics from NumPy sums of every array (the recorder's specification)."""
    out = []
    for start in range(0, len(records), every):
        chunk = records[start : start + every]
        base, shaped, transfers = np.zeros(n), np.zeros(n), np.zeros(n)
        cooperations = np.zeros(n, dtype=np.int64)
        spend = collected = 0.0
        for record in chunk:
            base += record.base_rewards
            shaped += record.shaped_rewards
            transfers += record.transfers
            for t in np.asarray(record.transfers, dtype=np.float64):  # the kernel's order
                spend, collected = spend + max(t, 0.0), collected + max(-t, 0.0)
            cooperations += record.actions == coop
        cost = sum(record.cost for record in chunk)
        counts = cooperations if coop is not None else None
        out.append(
            window_metrics(
                base,
                shaped,
                transfers,
                counts,
                cost,
                len(chunk),
                spend_sum=spend,
                collected_sum=collected,
            )
        )
    return out


@pytest.mark.parametrize("kind", ["identity", "payments", "shaping"])
@pytest.mark.parametrize("coop", [0, 1, None])
def test_fused_sums_equal_numpy_sums(kind: str, coop: int | None) -> None:
    rng = np.random.default_rng(2)
    n, every, steps = 37, 4, 10
    records = []
    for t in range(steps):
        base = rng.normal(size=n)
        if kind == "identity":
            adjustment = Adjustment.identity(base)
        elif kind == "payments":
            adjustment = Adjustment.payments(base, rng.normal(size=n))
        else:
            adjustment = Adjustment.shaping(base * 2.0)
        actions = rng.integers(0, 3, n)
        records.append(
            StepRecord(
                t,
                actions,
                base,
                adjustment.shaped_rewards,
                adjustment.transfers,
                adjustment.cost,
                False,
            )
        )
    recorder = WindowRecorder(n, every, coop)
    for record in records:
        recorder.record(record)
    recorder.flush()
    expected = plain_windows(records, n, every, coop)
    for k, window in enumerate(expected):
        at = min((k + 1) * every, steps)
        got = {name: value for step, name, value in recorder.rows if step == at}
        assert got == window  # bit-identical: the skipped reads and adds are exact


def test_identity_is_copy_free_and_read_only() -> None:
    rewards = np.array([1.0, -2.0, 3.5])
    adjustment = Adjustment.identity(rewards)
    assert np.shares_memory(adjustment.shaped_rewards, rewards)
    assert np.array_equal(adjustment.shaped_rewards, rewards) and adjustment.cost == 0.0
    assert adjustment.transfers is shared_zeros(3) and not adjustment.transfers.any()
    assert rewards.flags.writeable  # the caller's array is untouched
    with pytest.raises(ValueError, match="read-only"):
        adjustment.shaped_rewards[0] = 9.0
    with pytest.raises(ValueError, match="read-only"):
        adjustment.transfers[0] = 9.0
    ints = Adjustment.identity(np.array([1, 2]))  # converted: a new float array
    assert ints.shaped_rewards.dtype == np.float64


def lattice_sim(learner_id: str, params: dict[str, Any]) -> tuple[Simulation, Any]:
    game = make_game("spatial_public_goods", {"side": 8, "r": 4.5})
    rng = np.random.default_rng(0)
    learner = make_learner(learner_id, params, LearnerContext.for_game(game), rng)
    mechanism = make_mechanism("none", {}, game, rng)
    return Simulation(game, [LearnerGroup(0, game.n_agents, learner)], mechanism, rng), learner


def test_act_hands_over_fresh_actions_and_copies_the_rest() -> None:
    sim, learner = lattice_sim("faq", {})
    assert learner.fresh_actions
    first, second = sim.act(sim.obs), sim.act(sim.obs)
    assert first is not second and first.dtype == np.int64 and first.shape == (64,)

    class Keep:
        """Records the actions array each step and a snapshot of its values."""

        def __init__(self) -> None:
            self.seen: list[tuple[Any, Any]] = []

        def record(self, record: StepRecord) -> None:
            self.seen.append((record.actions, record.actions.copy()))

    # fermi_imitation returns its own strategy array and changes it in update: the rollout
    # must copy, so each record keeps the actions that were played.
    sim, learner = lattice_sim("fermi_imitation", {"K": 0.5, "update": "synchronous"})
    assert not getattr(learner, "fresh_actions", False)
    keep = Keep()
    sim.run(5, keep)
    for actions, snapshot in keep.seen:
        assert actions is not learner.strategies
        assert np.array_equal(actions, snapshot)
