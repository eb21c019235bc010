"""``actor_critic``: TD(0) signs, bandit and PD learning, recommender CTR, encoding, bad input."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest
from gymnasium import spaces

from incentive_lab.core import (
    ConfigError,
    LearnerContext,
    Transition,
    make_game,
    make_learner,
    make_mechanism,
)
from incentive_lab.rollout import LearnerGroup, Simulation

torch = pytest.importorskip("torch")


def context(m: int, space: spaces.Space, n_actions: int = 2) -> LearnerContext:
    return LearnerContext(
        agents=np.arange(m, dtype=np.int64),
        n_actions=n_actions,
        observation_space=space,
        population_size=m,
    )


def learner(m: int, space: spaces.Space, seed: int = 0, n_actions: int = 2, **params):
    return make_learner(
        "actor_critic", params, context(m, space, n_actions), np.random.default_rng(seed)
    )


class Actions:
    """Recorder keeping actions and the recommender's CTR."""

    def __init__(self) -> None:
        self.actions: list[np.ndarray] = []
        self.ctr: list[float] = []

    def record(self, record) -> None:
        self.actions.append(record.actions.copy())
        if "metrics" in record.info:
            self.ctr.append(record.info["metrics"]["ctr"])


def simulate(game, learner_id, params, mechanism, seed, steps) -> Actions:
    rng = np.random.default_rng(seed)
    group = make_learner(
        learner_id, params, LearnerContext.for_game(game), np.random.default_rng(seed + 100)
    )
    sim = Simulation(
        game, [LearnerGroup(0, game.n_agents, group)], make_mechanism(mechanism, {}, game, rng), rng
    )
    recorder = Actions()
    sim.run(steps, recorder)
    return recorder


def test_one_step_moves_the_chosen_action_with_the_sign_of_the_td_error() -> None:
    # First order: Adam's first step is lr·sign(g), so ln π(a) moves like −sign of the loss
    # gradient, i.e. up when δ = r − V(o) > 0 and down when δ < 0; V moves toward r.
    m = 200
    ac = learner(m, spaces.Discrete(3), seed=1, lr=1e-3, gamma=0.0, entropy=0.0)
    obs = np.random.default_rng(0).integers(0, 3, m)
    actions = ac.act(obs)
    before = ac.policy(obs)[np.arange(m), actions]
    x = torch.from_numpy(ac.encode(obs))[None]
    value = ac.critic(x)[0, :, 0].detach().numpy().astype(np.float64)
    rewards = np.where(np.arange(m) % 2 == 0, value + 1.0, value - 1.0)
    ac.update(Transition(obs, actions, rewards, obs))
    after = ac.policy(obs)[np.arange(m), actions]
    new_value = ac.critic(x)[0, :, 0].detach().numpy()
    up = rewards > value
    assert np.all(after[up] > before[up]) and np.all(after[~up] < before[~up])
    assert np.all(np.abs(new_value - rewards) < np.abs(value - rewards))


def test_policy_moves_to_the_better_arm_of_a_noisy_bandit() -> None:
    m = 100
    ac = learner(m, spaces.Discrete(1), seed=2, gamma=0.0)
    env = np.random.default_rng(3)
    obs = np.zeros(m, dtype=np.int64)
    for _ in range(300):
        a = ac.act(obs)
        r = (a == 1) + env.standard_normal(m)  # arm 1 pays 1 more, noise sd 1
        ac.update(Transition(obs, a, r, obs))
    p_best = ac.policy(obs)[:, 1]
    assert np.median(p_best) > 0.95 and p_best.mean() > 0.9


def test_contextual_bandit_learns_the_best_action_per_discrete_state() -> None:
    # Reward 1 iff action == state: one-hot encoding lets each state have its own answer.
    m, n = 50, 3
    ac = learner(m, spaces.Discrete(n), seed=4, n_actions=n, gamma=0.0)
    env = np.random.default_rng(5)
    for _ in range(400):
        s = env.integers(0, n, m)
        a = ac.act(s)
        ac.update(Transition(s, a, (a == s).astype(float), env.integers(0, n, m)))
    for state in range(n):
        probs = ac.policy(np.full(m, state))
        assert probs[:, state].mean() > 0.9


def test_terminal_steps_do_not_bootstrap() -> None:
    # Constant reward 1: with every step terminal V → 1; continuing, V → 1/(1 − γ) = 10.
    obs = np.zeros(4, dtype=np.int64)
    values = {}
    for terminal in (True, False):
        ac = learner(4, spaces.Discrete(1), seed=6, gamma=0.9, lr=0.03)
        for _ in range(600):
            a = ac.act(obs)
            ac.update(Transition(obs, a, np.ones(4), obs, terminated=terminal))
        x = torch.from_numpy(ac.encode(obs))[None]
        values[terminal] = ac.critic(x)[0, :, 0].detach().numpy()
    np.testing.assert_allclose(values[True], 1.0, atol=0.05)
    assert np.all(values[False] > 3.0)


def test_team_reward_makes_pd_actor_critics_cooperate() -> None:
    # PD (T=5, R=3, P=1, S=0): defection is dominant; under team_reward (pair sum) C is
    # dominant (6 > 5, 5 > 2). 50 pairs, 300 steps, γ = 0 (stateless game).
    rates = {}
    for mechanism in ("none", "team_reward"):
        game = make_game("prisoners_dilemma", {"n_copies": 50})
        rec = simulate(game, "actor_critic", {"gamma": 0.0}, mechanism, 0, 300)
        rates[mechanism] = float((np.array(rec.actions[-50:]) == 0).mean())
    assert rates["none"] < 0.05
    assert rates["team_reward"] > 0.8


def test_recommender_actor_critic_beats_random_slates_ctr() -> None:
    params = {"n_users": 500, "n_items": 200, "n_agents": 4}
    random = simulate(
        make_game("recommender", params), "fixed", {"policy": "random"}, "none", 0, 150
    )
    ac = simulate(make_game("recommender", params), "actor_critic", {}, "none", 0, 150)
    ctr_random, ctr_ac = np.mean(random.ctr[-50:]), np.mean(ac.ctr[-50:])
    assert 0.25 < ctr_random < 0.4  # SPEC §1.7 calibration ≈ 0.3
    assert ctr_ac > ctr_random + 0.3  # measured ≈ 0.8 vs ≈ 0.33


def test_box_observations_are_scaled_and_pickling_continues_identically() -> None:
    space = spaces.Box(0.0, 2.0, shape=(3,))
    ac = learner(5, space, seed=7)
    np.testing.assert_allclose(ac.encode(np.array([[0.0, 1.0, 2.0]] * 5)), [[-1.0, 0.0, 1.0]] * 5)
    env = np.random.default_rng(8)

    def run(agent, rng, steps):
        out = []
        for _ in range(steps):
            obs = rng.random((5, 3)) * 2
            a = agent.act(obs)
            agent.update(Transition(obs, a, rng.random(5), rng.random((5, 3)) * 2))
            out.append(a)
        return np.array(out)

    run(ac, env, 20)
    clone = pickle.loads(pickle.dumps(ac))
    np.testing.assert_array_equal(
        run(ac, np.random.default_rng(9), 30), run(clone, np.random.default_rng(9), 30)
    )


def test_bad_input_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="at most 4096 discrete observations"):
        learner(2, spaces.Discrete(10_000))
    with pytest.raises(ConfigError, match="Discrete or Box"):
        learner(2, spaces.MultiBinary(3))
    with pytest.raises(ConfigError, match="lr"):
        learner(2, spaces.Discrete(2), lr=-1.0)
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ConfigError, match=r'pip install -e "\.\[torch\]"'):
        learner(2, spaces.Discrete(2))


def test_registration_does_not_import_torch() -> None:
    code = "import sys, incentive_lab.learners; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
