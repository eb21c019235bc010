"""``maddpg``: critic inputs, Gumbel-max, replay ring, soft updates, stag hunt, recommender."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from gymnasium import spaces

from incentive_lab.core import ConfigError, LearnerContext, Topology, make_game, make_learner
from incentive_lab.learners.neural.maddpg_critic import CriticInput, critic_input
from incentive_lab.learners.neural.replay import ReplayBuffer

from .test_actor_critic import simulate

torch = pytest.importorskip("torch")

from incentive_lab.learners.neural.torch_nets import AgentMLP, gumbel_softmax_st  # noqa: E402


def context(m: int, topology: Topology | None = None) -> LearnerContext:
    return LearnerContext(
        agents=np.arange(m, dtype=np.int64),
        n_actions=2,
        observation_space=spaces.Discrete(2),
        population_size=m,
        topology=topology,
    )


def test_joint_blocks_gather_the_other_block_members_in_cyclic_order() -> None:
    critic = CriticInput("joint", 6, block=3)
    np.testing.assert_array_equal(critic.index, [[1, 2], [2, 0], [0, 1], [4, 5], [5, 3], [3, 4]])
    z = torch.arange(6.0).reshape(1, 6, 1)
    joined = critic.join(z, z)[0].numpy()
    np.testing.assert_array_equal(
        joined, [[0, 1, 2], [1, 2, 0], [2, 0, 1], [3, 4, 5], [4, 5, 3], [5, 3, 4]]
    )


def test_neighbour_and_mean_critics_average_the_others() -> None:
    ring = Topology.from_edges(4, np.array([[0, 1], [1, 2], [2, 3], [3, 0]]))
    z = torch.tensor([1.0, 2.0, 4.0, 8.0]).reshape(1, 4, 1)
    own = torch.zeros(1, 4, 1)
    neighbours = critic_input("auto", None, context(4, ring)).join(own, z)[0, :, 1].numpy()
    np.testing.assert_allclose(neighbours, [(2 + 8) / 2, (1 + 4) / 2, (2 + 8) / 2, (4 + 1) / 2])
    mean = critic_input("mean", None, context(4)).join(own, z)[0, :, 1].numpy()
    np.testing.assert_allclose(mean, [14 / 3, 13 / 3, 11 / 3, 7 / 3])
    # a group of agents 2..3 of the ring keeps only the edges inside the group
    sub = LearnerContext(
        agents=np.array([2, 3]),
        n_actions=2,
        observation_space=spaces.Discrete(2),
        population_size=4,
        topology=ring,
    )
    inside = critic_input("neighbours", None, sub).join(own[:, :2], z[:, 2:])[0, :, 1].numpy()
    np.testing.assert_allclose(inside, [8.0, 4.0])
    assert critic_input("auto", None, context(16)).mode == "joint"
    assert critic_input("auto", None, context(17)).mode == "mean"


def test_auto_critic_is_joint_over_each_copy_of_the_game() -> None:
    from incentive_lab.core import make_game

    game = make_game("stag_hunt", {"n_copies": 30})  # 60 agents in pairs
    chosen = critic_input("auto", None, LearnerContext.for_game(game))
    assert (chosen.mode, chosen.slots) == ("joint", 1)
    # a group that cuts through a copy falls back to the group-level rule
    assert critic_input("auto", None, LearnerContext.for_game(game, 1, 60)).mode == "mean"


def test_bad_critic_configurations_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="divisor of the group size 6"):
        critic_input("joint", 4, context(6))
    with pytest.raises(ConfigError, match="only with critic: joint"):
        critic_input("mean", 2, context(6))
    with pytest.raises(ConfigError, match="a game with a topology"):
        critic_input("neighbours", None, context(6))
    with pytest.raises(ConfigError, match="at most 64 agents"):
        critic_input("joint", None, context(100))
    with pytest.raises(ConfigError, match="buffer_size"):
        make_learner(
            "maddpg", {"batch_size": 64, "buffer_size": 10}, context(2), np.random.default_rng(0)
        )


def test_gumbel_max_samples_the_softmax_and_passes_its_gradient() -> None:
    logits = torch.tensor([[1.0, 0.0, -1.0]]).repeat(40_000, 1).requires_grad_(True)
    g = torch.from_numpy(np.random.default_rng(0).gumbel(size=(40_000, 3)).astype(np.float32))
    sample = gumbel_softmax_st(logits, g, 0.5)
    assert set(sample.detach().sum(dim=1).tolist()) == {1.0}
    freq = sample.detach().mean(dim=0).numpy()
    np.testing.assert_allclose(freq, torch.softmax(logits[0], 0).detach().numpy(), atol=0.01)
    sample[:, 0].sum().backward()  # straight-through: d onehot ≈ d softmax((f+g)/T)
    soft = torch.softmax((logits.detach() + g) / 0.5, dim=-1)
    expected = (soft[:, 0:1] * ((torch.arange(3) == 0).float() - soft) / 0.5).sum(0)
    np.testing.assert_allclose(logits.grad.sum(0).numpy(), expected.numpy(), rtol=1e-4, atol=1e-3)


def test_replay_ring_overwrites_oldest_and_pickles_only_what_is_filled() -> None:
    buffer = ReplayBuffer(3)
    for t in range(5):
        buffer.add(np.full(2, t), np.array([t, t]), np.array([t, t]), np.full(2, t + 1), t == 4)
    assert buffer.size == 3 and buffer.cursor == 2
    assert sorted(buffer.arrays["obs"][:, 0].tolist()) == [2, 3, 4]
    a = buffer.sample(8, np.random.default_rng(1))
    b = buffer.sample(8, np.random.default_rng(1))
    np.testing.assert_array_equal(a["actions"], b["actions"])
    np.testing.assert_array_equal(a["next_obs"], a["obs"] + 1)
    assert np.all((a["done"] == 1.0) == (a["obs"][:, 0] == 4))
    half = ReplayBuffer(1000)
    half.add(np.zeros((2, 3)), np.zeros(2, int), np.zeros(2), np.zeros((2, 3)), False)
    assert len(pickle.dumps(half)) < 5_000
    clone = pickle.loads(pickle.dumps(half))
    assert clone.arrays["obs"].shape == (1000, 2, 3) and clone.arrays["obs"].dtype == np.float32


def test_soft_update_is_polyak_averaging() -> None:
    gen = torch.Generator().manual_seed(0)
    source = AgentMLP(torch, gen, 3, [2, 4, 1])
    target = AgentMLP(torch, gen, 3, [2, 4, 1])
    before = [p.detach().clone() for p in target.parameters()]
    target.soft_update(torch, source, 0.25)
    for new, old, src in zip(target.parameters(), before, source.parameters(), strict=True):
        torch.testing.assert_close(new, 0.75 * old + 0.25 * src.detach())
    target.soft_update(torch, source, 1.0)
    for new, src in zip(target.parameters(), source.parameters(), strict=True):
        torch.testing.assert_close(new, src.detach())


def pairs_at(actions: np.ndarray, action: int) -> float:
    """Fraction of pairs whose two players both play ``action`` in ≥ 90% of the rounds."""
    share = (actions == action).mean(axis=0).reshape(-1, 2)
    return float((share >= 0.9).all(axis=1).mean())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_team_reward_maddpg_pairs_reach_the_payoff_dominant_stag_hunt_equilibrium(seed) -> None:
    # Stag hunt R=3, T=2, P=1, S=0: (C,C) payoff-dominant, (D,D) risk-dominant. With
    # team_reward (pair sum) hunting the stag is weakly dominant. 20 pairs, each with a
    # joint critic over its pair (block 2), γ = 0 (stateless), 200 steps.
    game = make_game("stag_hunt", {"n_copies": 20})
    params = {"critic": "joint", "block": 2, "gamma": 0.0}
    rec = simulate(game, "maddpg", params, "team_reward", seed, 200)
    assert pairs_at(np.array(rec.actions[-50:]), 0) >= 0.9  # measured: 20/20 pairs, 3 seeds


def test_selfish_maddpg_pairs_settle_on_pure_stag_hunt_equilibria() -> None:
    game = make_game("stag_hunt", {"n_copies": 20})
    params = {"critic": "joint", "block": 2, "gamma": 0.0}
    actions = np.array(simulate(game, "maddpg", params, "none", 0, 400).actions[-50:])
    stag, hare = pairs_at(actions, 0), pairs_at(actions, 1)
    assert stag + hare >= 0.9 and hare > 0.0  # measured: 9 stag + 11 hare of 20 pairs


def test_recommender_maddpg_beats_random_slates_ctr() -> None:
    params = {"n_users": 500, "n_items": 200, "n_agents": 4}
    random = simulate(
        make_game("recommender", params), "fixed", {"policy": "random"}, "none", 0, 150
    )
    maddpg = simulate(make_game("recommender", params), "maddpg", {}, "none", 0, 150)
    assert np.mean(maddpg.ctr[-50:]) > np.mean(random.ctr[-50:]) + 0.3  # ≈ 0.8 vs ≈ 0.33
