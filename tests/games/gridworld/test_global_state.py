"""``global_state``: each copy's whole map as planes, checked by hand; MAPPO runs on it."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import LearnerContext, make_learner
from incentive_lab.core.capabilities import Capability, provided
from incentive_lab.core.registry import get, make_mechanism
from incentive_lab.core.seeding import make_rng
from incentive_lab.games.gridworld.maps import APPLE, CLEANUP_SMALL, COIN, WASTE
from incentive_lab.rollout import LearnerGroup, Simulation

from .helpers import E, N, S, W, arrange, game


def test_every_gridworld_game_declares_global_state():
    for gid in ("coins", "harvest", "cleanup"):
        assert Capability.GLOBAL_STATE in get("game", gid).factory.capabilities
        g = game(gid, n_copies=2, preset="small")
        assert provided(g, Capability.GLOBAL_STATE) is not None


def test_coins_global_state_equals_the_hand_built_planes():
    g = game("coins", n_copies=2)  # classic 3x3 torus, 2 players
    arrange(g, 1, [(0, 0, N), (1, 2, N)], {(2, 1): COIN + 1})
    state = g.global_state()
    assert state.shape == (2, 3, 3, 4) and state.dtype == np.float32
    assert g.global_plane_names == ("coin_0", "coin_1", "player_0", "player_1")
    expected = np.zeros((3, 3, 4), dtype=np.float32)
    expected[2, 1, 1] = 1  # player 1's coin
    expected[0, 0, 2] = 1  # player 0
    expected[1, 2, 3] = 1  # player 1
    np.testing.assert_array_equal(state[1], expected)


def test_cleanup_global_state_equals_the_hand_built_planes_and_hides_tagged_agents():
    g = game("cleanup", n_copies=1, n_agents=3, preset="small")
    arrange(g, 0, [(1, 5, E), (2, 6, S), (4, 6, W)], {(1, 1): WASTE, (3, 9): APPLE})
    g.state.timeout[0, 2] = 5  # player 2 is tagged out
    state = g.global_state()[0]
    names = g.global_plane_names
    assert names == (
        "wall", "apple", "waste", "river", "player_0", "player_1", "player_2",
        "facing_n", "facing_e", "facing_s", "facing_w",
    )  # fmt: skip
    plane = {name: state[..., k] for k, name in enumerate(names)}
    wall = np.array([[ch == "@" for ch in r] for r in CLEANUP_SMALL], dtype=np.float32)
    river = np.array([[ch in "HR" for ch in r] for r in CLEANUP_SMALL], dtype=np.float32)
    np.testing.assert_array_equal(plane["wall"], wall)
    np.testing.assert_array_equal(plane["river"], river)
    one = np.zeros((8, 12), dtype=np.float32)
    for name, cell in (("apple", (3, 9)), ("waste", (1, 1)), ("player_0", (1, 5))):
        expected = one.copy()
        expected[cell] = 1
        np.testing.assert_array_equal(plane[name], expected, err_msg=name)
    assert plane["player_1"][2, 6] == 1 and plane["player_1"].sum() == 1
    assert plane["player_2"].sum() == 0  # removed agents are not on the map
    assert plane["facing_e"][1, 5] == 1 and plane["facing_s"][2, 6] == 1
    assert plane["facing_n"].sum() == plane["facing_w"].sum() == 0
    assert state.sum() == wall.sum() + river.sum() + 1 + 1 + 2 + 2


def test_mappo_with_a_centralised_critic_runs_on_coins():
    pytest.importorskip("torch")
    g = game("coins", n_copies=4)
    params = {"critic": "centralised", "agent_id": True, "n_steps": 16, "hidden": 16}
    params |= {"channels": [4], "minibatches": 2, "epochs": 1}
    learner = make_learner("ppo", params, LearnerContext.for_game(g), make_rng(1))
    before = [p.detach().clone() for p in learner.critic.parameters()]
    mechanism = make_mechanism("none", {}, g, make_rng(2))
    sim = Simulation(g, [LearnerGroup(0, g.n_agents, learner)], mechanism, make_rng(3))
    sim.run(40)  # two updates of 16 steps, 8 steps pending
    states = learner.buffer.arrays["state"]
    assert states.shape == (16, 4, 3, 3, 4)  # [T, copies, H, W, planes]: one per copy
    # each stored state is the global state of one copy: one coin, two players
    assert np.all(states[..., :2].sum(axis=(2, 3, 4)) == 1)
    assert np.all(states[..., 2:].sum(axis=(2, 3, 4)) == 2)
    after = [p.detach().numpy() for p in learner.critic.parameters()]
    assert any(not np.allclose(a, b.numpy()) for a, b in zip(after, before, strict=True))
