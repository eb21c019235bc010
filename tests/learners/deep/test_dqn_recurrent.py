"""Recurrent ``dqn`` (``gru: true``, R2D2-style stored state and burn-in): the cue task that no
memoryless policy solves, the sequence replay, the stored states, and unchanged stored
params without ``gru``."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import LearnerContext, make_learner
from incentive_lab.core.learner import Transition
from incentive_lab.learners.deep.buffers import Replay
from incentive_lab.learners.deep.dqn import DQNParams

from .toy import Cue, CueParams, simulate

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

PARAMS = {
    "hidden": 32,
    "layers": 1,
    "lr": 3e-3,
    "gamma": 0.9,
    "learning_starts": 32,
    "exploration_steps": 400,
    "target_every": 50,
    "batch_size": 32,
}
RECURRENT = {"gru": True, "sequence_length": 4, "burn_in": 1}


def recall(learner, episodes: int = 20) -> float:
    """Greedy success rate at the recall step, from a zero hidden state each episode."""
    game, rng = Cue(CueParams(n_copies=16)), np.random.default_rng(9)
    wins = []
    for _ in range(episodes):
        obs = game.reset(rng)
        if learner.params.gru:
            learner.h = torch.zeros_like(learner.h)
        _, h = learner._forward(obs)
        learner.h = h
        blank = game.step(np.zeros(game.n_agents, dtype=np.int64)).obs
        wins.append(np.mean(learner.q_values(blank).argmax(axis=1) == game.cue))
    return float(np.mean(wins))


def test_recurrent_dqn_recalls_the_cue_and_a_memoryless_one_cannot():
    recurrent, _ = simulate(Cue(CueParams(n_copies=16)), "dqn", {**PARAMS, **RECURRENT}, 600)
    plain, _ = simulate(Cue(CueParams(n_copies=16)), "dqn", PARAMS, 600)
    assert recall(recurrent) > 0.95
    # a memoryless greedy policy plays one action on the blank: right for half the cues
    assert recall(plain) < 0.7


def test_sequences_are_consecutive_stored_steps_that_never_cross_the_cursor():
    replay = Replay(5)
    for k in range(8):  # slots hold steps 5, 6, 7, 3, 4 (oldest: slot 3)
        replay.add(step=np.int64(k))
    slots = replay.sequences(200, 3, np.random.default_rng(0))
    steps = replay.arrays["step"][slots]
    np.testing.assert_array_equal(np.diff(steps, axis=1), 1)
    assert set(steps[:, 0]) == {3, 4, 5}  # every start whose run is stored whole


def test_the_replay_stores_the_hidden_state_before_each_step_and_episode_starts():
    game = Cue(CueParams(n_copies=3))
    learner = make_learner(
        "dqn",
        {**PARAMS, **RECURRENT, "threads": 1},
        LearnerContext.for_game(game),
        np.random.default_rng(0),
    )
    rng = np.random.default_rng(1)
    obs, seen = game.reset(rng), []
    for _ in range(4):
        seen.append(learner.h.reshape(3, -1).numpy().copy())
        actions = learner.act(obs)
        result = game.step(actions)
        learner.update(Transition(obs, actions, result.rewards, result.obs, result.terminated))
        obs = game.reset(rng) if result.terminated else result.obs
    arrays = learner.replay.arrays
    np.testing.assert_array_equal(arrays["starts"][:4], [1, 0, 1, 0])
    np.testing.assert_array_equal(arrays["h"][:4], np.array(seen))
    assert np.all(arrays["h"][[0, 2]] == 0) and np.abs(arrays["h"][[1, 3]]).max() > 0
    assert np.all(learner.h.numpy() == 0)  # the episode just ended


def test_stored_params_omit_the_recurrent_fields_without_gru():
    assert {"gru", "sequence_length", "burn_in"}.isdisjoint(DQNParams().model_dump())
    stored = DQNParams(gru=True).model_dump()
    assert stored["gru"] is True and stored["sequence_length"] == 8 and stored["burn_in"] == 2


def test_burn_in_must_leave_steps_to_learn_from():
    game = Cue(CueParams(n_copies=2))
    with pytest.raises(Exception, match="burn_in"):
        make_learner(
            "dqn",
            {"gru": True, "sequence_length": 3, "burn_in": 3},
            LearnerContext.for_game(game),
            np.random.default_rng(0),
        )
