"""``ppo``: solved tasks, parameter sharing, MAPPO's critic, recurrence, reproducibility, errors.

Every run is seeded, on one torch thread; budgets are fixed, not tuned per outcome.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from incentive_lab.core import ConfigError, LearnerContext, make_game, make_learner
from incentive_lab.core.capabilities import Capability
from incentive_lab.core.registry import get

from .toy import Bandit, BanditParams, Corridor, CorridorParams, obs_at, simulate

pytest.importorskip("torch")


def right_probability(learner, game: Corridor) -> np.ndarray:
    """``[cells, m]``: each agent's probability of moving right at each non-goal cell."""
    return np.array([learner.policy(obs_at(game, c))[:, 1] for c in range(game.params.length - 1)])


def test_ppo_solves_a_one_step_two_armed_bandit():
    game = Bandit(BanditParams(n_copies=8))
    learner, _ = simulate(game, "ppo", {"n_steps": 16}, 400)
    assert learner.policy(np.zeros(8, dtype=np.int64))[:, 1].min() > 0.95


def test_ppo_solves_the_corridor_with_shared_parameters():
    game = Corridor(CorridorParams(n_copies=8))
    learner, _ = simulate(game, "ppo", {"n_steps": 32}, 1500)
    assert right_probability(learner, game).min() > 0.95


def test_ppo_with_separate_networks_on_images_runs_and_learns():
    game = Corridor(CorridorParams(n_copies=4, format="image"))
    learner, _ = simulate(game, "ppo", {"n_steps": 32, "share": False, "channels": [8]}, 1200)
    assert learner.groups == 4  # one network per agent
    assert right_probability(learner, game).min() > 0.9


def test_mappo_centralised_critic_reads_the_global_state_and_learns():
    game = Corridor(CorridorParams(n_copies=4, players=2))
    params = {"n_steps": 32, "critic": "centralised", "agent_id": True}
    learner, _ = simulate(game, "ppo", params, 1200)
    # one state per copy, not per agent: [T, copies, players·length]
    assert learner.buffer.arrays["state"].shape == (32, 4, 2 * 5)
    assert list(learner.state_inverse) == list(game.copies)
    assert right_probability(learner, game).min() > 0.9


def test_centralised_critic_is_a_declared_need_and_refused_without_it():
    entry = get("learner", "ppo")
    assert entry.needs(entry.validate({"critic": "centralised"})) == {Capability.GLOBAL_STATE}
    assert entry.needs(entry.validate({})) == frozenset()
    game = make_game("prisoners_dilemma", {"n_copies": 2})
    with pytest.raises(ConfigError, match=r"learner\.params\.critic"):
        make_learner(
            "ppo", {"critic": "centralised"}, LearnerContext.for_game(game), np.random.default_rng()
        )


def test_recurrent_ppo_resets_its_hidden_state_at_episode_ends_and_learns():
    # the budget of the shared-parameter corridor test (1500 steps, n_steps 32, 8 copies)
    game = Corridor(CorridorParams(n_copies=8, episode_length=12))
    params = {"n_steps": 32, "gru": True, "hidden": 16}
    learner, actions = simulate(game, "ppo", params, 1500, record=True)
    starts = learner.buffer.arrays["starts"]
    # 1500 = 46·32 + 28: the buffer holds steps 1472..1499 in slots 0..27 (28..31 are older,
    # 1468..1471); episodes start at 1476 and 1488 (multiples of 12): slots 4 and 16
    np.testing.assert_array_equal(np.flatnonzero(starts), [4, 16])
    hidden = learner.buffer.arrays["h_actor"]
    assert np.all(hidden[4] == 0.0) and np.all(hidden[16] == 0.0)  # zero at episode starts
    assert np.any(hidden[5] != 0.0)
    # judged by what it did (a recurrent policy's output at a cell depends on its history):
    # moves right in > 90% of its last 120 steps (always right is optimal)
    assert (actions[-120:] == 1).mean() > 0.9


@pytest.mark.parametrize(
    "params",
    [
        {"n_steps": 8},
        {"n_steps": 8, "share": False, "channels": [4]},
        {"n_steps": 8, "gru": True, "agent_id": True, "critic": "centralised"},
    ],
    ids=["shared", "separate-cnn", "gru-mappo"],
)
def test_seeded_runs_repeat_bit_for_bit(params):
    fmt = "image" if "channels" in params else "flat"
    runs = [
        simulate(
            Corridor(CorridorParams(n_copies=3, format=fmt, players=2)),
            "ppo",
            params,
            40,
            seed=seed,
            record=True,
        )[1]
        for seed in (5, 5, 6)
    ]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"minibatches": 200, "n_steps": 100}, "learner.params.minibatches"),
        ({"agent_id": True, "share": False}, "learner.params.agent_id"),
        ({"device": "cuda"}, "learner.params.device"),
        ({"channels": [8, 0]}, "learner.params.channels"),
    ],
)
def test_bad_parameters_are_one_line_config_errors(params, field):
    import torch

    if field.endswith("device") and torch.cuda.is_available():
        pytest.skip("a CUDA device is available")
    game = Corridor(CorridorParams(n_copies=2, format="image"))
    with pytest.raises(ConfigError, match=re.escape(field)):
        make_learner("ppo", params, LearnerContext.for_game(game), np.random.default_rng(0))


def test_team_reward_makes_ppo_cooperate_in_the_prisoners_dilemma():
    """The PD as a repeated one-state game (memory 0), 64 pairs, ``n_steps: 32``, 1500 steps.

    Without a mechanism defection is dominant; with ``team_reward`` each agent is paid its
    pair's total and cooperation is dominant. Cooperation rate = share of C in the last 100
    steps' actions.
    """
    rates = {}
    for mechanism in ("team_reward", "none"):
        game = make_game("prisoners_dilemma", {"n_copies": 64})
        _, actions = simulate(game, "ppo", {"n_steps": 32}, 1500, mechanism=mechanism, record=True)
        rates[mechanism] = float((actions[-100:] == 0).mean())
    assert rates["team_reward"] > 0.9, rates
    assert rates["none"] < 0.1, rates


def test_rollout_bootstraps_from_the_final_observation_only_when_truncated():
    """Corridor episodes of 4 steps, ``n_steps`` 6, 5 steps played (no update yet)."""
    torch = pytest.importorskip("torch")
    game = Corridor(CorridorParams(n_copies=2, episode_length=4))
    finals = []
    step = game.step

    def keep(actions):
        result = step(actions)
        if result.truncated:
            finals.append(result.obs)
        return result

    game.step = keep
    learner, _ = simulate(game, "ppo", {"n_steps": 6}, 5)
    assert learner.buffer.t == 5
    np.testing.assert_array_equal(learner.buffer.arrays["ends"][:5], [0, 0, 0, 1, 0])
    with torch.no_grad():
        x = learner.rows(learner.tensor(learner.prep(finals[0], 1)))
        v_final = learner.numpy(learner.critic(x)[0])[:, 0]
    np.testing.assert_allclose(learner.bootstrap[3], v_final, rtol=1e-6)
    assert np.all(learner.bootstrap[[0, 1, 2, 4]] == 0.0)
    # inside the episode V̂_t is the next stored value; after the end it is the bootstrap
    next_values = learner.buffer.next_values(learner.bootstrap)
    np.testing.assert_array_equal(next_values[:3], learner.buffer.arrays["values"][1:4])
    np.testing.assert_allclose(next_values[3], v_final, rtol=1e-6)


def test_terminated_steps_never_bootstrap():
    game = Bandit(BanditParams(n_copies=3))
    learner, _ = simulate(game, "ppo", {"n_steps": 8}, 7)
    assert np.all(learner.buffer.arrays["ends"][:7])
    assert np.all(learner.bootstrap[:7] == 0.0)
