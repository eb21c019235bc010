"""``dqn``: the corridor solved, target updates, ε schedule, sharing, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import LearnerContext, make_learner
from incentive_lab.core.learner import Transition

from .toy import Corridor, CorridorParams, obs_at, simulate

torch = pytest.importorskip("torch")

SCHEDULE = {"learning_starts": 100, "exploration_steps": 500, "target_every": 100}
"""A short schedule for the 12-step corridor: ε falls from 1 to 0.05 over 500 steps."""


def greedy(learner, game: Corridor) -> np.ndarray:
    """``[cells, m]``: each agent's greedy action at each non-goal cell."""
    cells = range(game.params.length - 1)
    return np.array([learner.q_values(obs_at(game, c)).argmax(axis=1) for c in cells])


def test_dqn_solves_the_corridor_with_shared_parameters():
    game = Corridor(CorridorParams(n_copies=8))
    learner, _ = simulate(game, "dqn", SCHEDULE, 1500)
    assert learner.epsilon == pytest.approx(0.05)
    assert np.all(greedy(learner, game) == 1)


def test_double_dqn_with_separate_networks_on_images_solves_the_corridor():
    game = Corridor(CorridorParams(n_copies=4, format="image"))
    params = {**SCHEDULE, "double": True, "share": False, "channels": [8]}
    learner, _ = simulate(game, "dqn", params, 1500)
    assert learner.groups == 4
    assert np.all(greedy(learner, game) == 1)


def _learner(**params):
    game = Corridor(CorridorParams(n_copies=2))
    context = LearnerContext.for_game(game)
    return game, make_learner("dqn", {"threads": 1, **params}, context, np.random.default_rng(0))


def test_epsilon_falls_linearly_and_the_replay_holds_buffer_size_agent_transitions():
    _, learner = _learner(epsilon_start=1.0, epsilon_end=0.1, exploration_steps=10, buffer_size=9)
    assert learner.replay.capacity == 4  # 9 agent transitions // 2 agents
    for steps, expected in ((0, 1.0), (5, 0.55), (10, 0.1), (50, 0.1)):
        learner.steps = steps
        assert learner.epsilon == pytest.approx(expected)


@pytest.mark.parametrize("tau", [1.0, 0.25])
def test_target_network_moves_every_target_every_steps(tau):
    params = {"learning_starts": 1, "batch_size": 4, "target_every": 3, "tau": tau}
    game, learner = _learner(**params)
    obs = game.reset(np.random.default_rng(1))
    before = [p.detach().clone() for p in learner.target.parameters()]
    for step in range(3):
        if step > 0:  # untouched between updates (learning has started: online moves)
            for old, new in zip(before, learner.target.parameters(), strict=True):
                assert torch.equal(old, new)
        actions = learner.act(obs)
        result = game.step(actions)
        learner.update(Transition(obs, actions, result.rewards, result.obs))
        obs = result.obs
    for old, online, target in zip(
        before, learner.q.parameters(), learner.target.parameters(), strict=True
    ):
        torch.testing.assert_close(target, tau * online.detach() + (1 - tau) * old)


def test_seeded_runs_repeat_bit_for_bit():
    params = {"learning_starts": 5, "batch_size": 8, "exploration_steps": 20, "agent_id": True}
    runs = [
        simulate(
            Corridor(CorridorParams(n_copies=3, players=2)), "dqn", params, 40, seed=s, record=True
        )[1]
        for s in (3, 3, 4)
    ]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])
