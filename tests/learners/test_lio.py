"""``lio`` on the escape room ER(2, 1): LIO learns to pay for the lever, independent PG does not.

Training: 20,000 steps for LIO (several thousand episodes), 10,000 for independent
policy gradient, seeds 0-2 (measured: LIO 7, 6, 9; PG -1, -1, -1). Evaluation: 300 episodes of the
learned softmax policies *without* exploration (ε = 0), team return per episode.
"""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import LearnerContext, Transition, make_game, make_learner, make_mechanism
from incentive_lab.rollout import LearnerGroup, Simulation

LIO = {"lr_incentive": 0.3, "gradient": "sampled"}


class Flows:
    """Team return per episode and the incentive diagnostics the recorder would keep."""

    def __init__(self) -> None:
        self.returns: list[float] = []
        self.given: list[float] = []
        self.current = 0.0

    def record(self, record) -> None:
        self.current += float(record.base_rewards.sum())
        self.given.append(record.diagnostics.get("learner0/incentive_given", 0.0))
        if record.episode_end:
            self.returns.append(self.current)
            self.current = 0.0


def train(learner_id, params, seed, steps=30_000):
    game = make_game("escape_room", {"n_agents": 2, "m_required": 1})
    rng = np.random.default_rng(seed)
    learner = make_learner(learner_id, params, LearnerContext.for_game(game), rng)
    sim = Simulation(
        game, [LearnerGroup(0, 2, learner)], make_mechanism("none", {}, game, rng), rng
    )
    flows = Flows()
    sim.run(steps, flows)
    return game, learner, flows


def evaluate(game, learner, episodes=300, seed=99):
    rng = np.random.default_rng(seed)
    total = 0.0
    for _ in range(episodes):
        obs = game.reset(rng)
        for _ in range(game.max_steps):
            probs = learner.policy(obs)
            actions = (probs.cumsum(axis=1) <= rng.random((2, 1))).sum(axis=1)
            result = game.step(actions.astype(np.int64))
            total += result.rewards.sum()
            obs = result.obs
            if result.terminated:
                break
    return total / episodes


@pytest.fixture(scope="module")
def runs():
    return {
        (name, seed): train(name, params, seed, steps)
        for name, params, steps in [
            ("lio", LIO, 20_000),
            ("policy_gradient", {"gamma": 0.99}, 10_000),
        ]
        for seed in range(3)
    }


def test_lio_learns_to_open_the_door_and_independent_pg_does_not(runs):
    lio = [evaluate(*runs["lio", seed][:2]) for seed in range(3)]
    pg = [evaluate(*runs["policy_gradient", seed][:2]) for seed in range(3)]
    assert np.mean(pg) < 1.0 and max(pg) < 2.0
    assert np.mean(lio) > 6.0 and min(lio) > 4.0


def test_incentives_are_paid_and_reported(runs):
    for seed in range(3):
        _, learner, flows = runs["lio", seed]
        given = np.array(flows.given)
        assert given.min() >= 0.0 and given.max() <= 2 * learner.params.r_max
        assert given.mean() > 0.0
        _, _, pg = runs["policy_gradient", seed]
        assert not any(pg.given)


def test_incentives_flow_between_members_only():
    """A member never pays itself; what is paid is what is received."""
    context = LearnerContext.for_game(make_game("escape_room", {"n_agents": 3, "m_required": 2}))
    learner = make_learner("lio", {}, context, np.random.default_rng(0))
    learner.eta[:] = np.random.default_rng(1).normal(size=learner.eta.shape)
    obs = np.full(3, 13, dtype=np.int64)
    actions = np.array([0, 1, 2])
    paid = learner.incentives(obs, actions)
    assert np.all(np.diag(paid) == 0.0)
    stats = learner.update(Transition(obs, actions, np.zeros(3), obs))
    assert stats["incentive_given"] == pytest.approx(paid.sum())
    assert stats["incentive_received_max"] == pytest.approx(paid.sum(axis=0).max())
