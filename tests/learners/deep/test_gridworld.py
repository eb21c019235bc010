"""The deep learners on the Coin Game's image observations (skipped until ``coins`` exists).

A few hundred steps of ``ppo`` (shared and separate networks) and ``dqn`` (also recurrent) through
``rollout.Simulation``: the ``[h, w, c]`` view goes through the CNN, training happens, and
every agent's actions stay legal.
"""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import ids, make_game

from .toy import simulate

pytest.importorskip("torch")
pytestmark = pytest.mark.skipif("coins" not in ids("game"), reason="no coins game registered")


@pytest.mark.parametrize(
    ("learner_id", "params"),
    [
        ("ppo", {"n_steps": 50}),
        ("ppo", {"n_steps": 50, "share": False, "channels": [8]}),
        ("dqn", {"learning_starts": 50, "exploration_steps": 200}),
        ("dqn", {"learning_starts": 50, "exploration_steps": 200, "gru": True, "train_every": 4}),
    ],
    ids=["ppo-shared", "ppo-separate", "dqn", "dqn-gru"],
)
def test_deep_learners_train_on_coins_images(learner_id, params):
    game = make_game("coins", {"n_copies": 4})
    assert len(game.observation_space.shape) == 3
    learner, actions = simulate(game, learner_id, params, 300, record=True)
    assert learner.prep.image
    assert learner.groups == (1 if params.get("share", True) else game.n_agents)
    assert actions.shape == (300, game.n_agents)
    assert actions.min() >= 0 and actions.max() < game.n_actions
    if learner_id == "ppo":
        assert learner.buffer.t == 0  # 300 = 6 updates of 50 steps, the last one just done
    else:
        assert learner.replay.size == 300 and learner.epsilon == pytest.approx(0.05)
    # the policy moved away from its near-uniform start
    probs = learner.policy(game.reset(np.random.default_rng(0)))
    assert np.abs(probs - 1 / game.n_actions).max() > 0.01
