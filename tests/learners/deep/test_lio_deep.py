"""``lio_deep``: reduced to tables, its meta-gradient and policy step are tabular LIO's
formulas (``learners.lio.lio_gradients``); it runs on a tiny Cleanup, pays only the other
players of its own copy, and a seeded run repeats itself."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium import spaces

torch = pytest.importorskip("torch")

from incentive_lab.core import LearnerContext, make_game, make_learner  # noqa: E402
from incentive_lab.core.seeding import spawn_rngs  # noqa: E402
from incentive_lab.learners.deep.lio import Played  # noqa: E402
from incentive_lab.learners.deep.lio_meta import copy_layout  # noqa: E402
from incentive_lab.learners.exploration import softmax  # noqa: E402
from incentive_lab.learners.lio.lio_gradients import (  # noqa: E402
    giving_counts,
    incentive_gradient,
    policy_step,
    returns_to_go,
    scores,
    sigmoid,
)

from .toy import simulate  # noqa: E402

torch.set_num_threads(1)
A = 3
PARAMS = {
    "layers": 0,
    "ent_coef": 0.0,
    "lr": 0.3,
    "gamma": 0.9,
    "cost": 0.05,
    "r_max": 2.0,
    "threads": 1,
}


def _tabular_learner(theta, eta):
    """A 2-agent ``lio_deep`` on a one-state game whose networks are the tables: one-hot
    observation (size 1) and one-hot co-player action into one linear layer, biases 0 and
    frozen; ``π_i = softmax(θ_i[0])``, and ``η_j[0, a] = z_j(a_other = a)[other]``."""
    context = LearnerContext(
        agents=np.arange(2, dtype=np.int64),
        n_actions=A,
        observation_space=spaces.Discrete(1),
        population_size=2,
    )
    learner = make_learner("lio_deep", PARAMS, context, np.random.default_rng(0))
    with torch.no_grad():
        for net in (learner.policy_net, learner.incentive_net):
            net.head.bias.zero_()
            net.head.bias.requires_grad_(False)
        learner.policy_net.head.weight.copy_(torch.as_tensor(theta[:, 0, None, :]))
        w = learner.incentive_net.head.weight  # [giver, 1 + A, k]
        w.normal_(
            generator=torch.Generator().manual_seed(7)
        )  # the own column (masked) and the observation row get noise ...
        w[:, 0, :] = 0.0  # ... except the observation row, which would shift η
        for j in range(2):
            w[j, 1:, 1 - j] = torch.as_tensor(eta[j, 0])
    return learner


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_meta_gradient_reduced_to_tables_is_tabular_lio(seed):
    rng = np.random.default_rng(seed)
    theta, eta = rng.normal(size=(2, 1, A)), rng.normal(size=(2, 1, A))
    learner = _tabular_learner(theta, eta)
    T, U = 5, 4
    s, a = np.zeros((T, 2), dtype=np.int64), rng.integers(0, A, (T, 2))
    env, baseline = rng.normal(size=(T, 2)), rng.normal(size=2)
    s_next, a_next = np.zeros((U, 2), dtype=np.int64), rng.integers(0, A, (U, 2))
    adv = rng.normal(size=(U, 2))
    others = a[:, ::-1]
    prev = Played(
        obs=s, actions=a, env=env, others=np.eye(A, dtype=np.float32)[others].reshape(T, 2, A)
    )
    eta_then = learner.snapshot(learner.incentive_net)
    learner._previous = (prev, learner.snapshot(learner.policy_net), eta_then, baseline)
    new = Played(obs=s_next, actions=a_next, env=np.zeros((U, 2)), others=None)
    grads = dict(
        zip(
            [n for n, _ in learner.incentive_net.named_parameters()],
            learner.incentive_gradient(learner.meta_inputs(new, adv)),
            strict=True,
        )
    )
    got = grads["head.weight"].double().numpy()  # [giver, 1 + A, k]

    # tabular LIO on the same two segments
    r_max, lr, gamma, cost = PARAMS["r_max"], PARAMS["lr"], PARAMS["gamma"], PARAMS["cost"]
    agents = np.broadcast_to(np.arange(2), s.shape)
    psi = scores(softmax(theta[agents, s]), a)
    received = r_max * sigmoid(eta[agents[:, ::-1], 0, a])  # the other agent pays for a_i
    advantage = returns_to_go(env + received, gamma) - baseline
    theta_hat = policy_step(theta, s, psi, advantage, lr)
    psi_next = scores(
        softmax(theta_hat[np.broadcast_to(np.arange(2), s_next.shape), s_next]), a_next
    )
    sig = sigmoid(eta)
    dsig = r_max * sig * (1 - sig)
    expected = incentive_gradient(adv, s_next, psi_next, s, a, psi, dsig, lr, gamma)
    expected -= cost * dsig * giving_counts(s, a, 1, A)
    assert np.abs(expected).max() > 1e-2
    for j in range(2):
        np.testing.assert_allclose(got[j, 1:, 1 - j], expected[j, 0], rtol=1e-4, atol=1e-6)
        assert np.all(got[j, :, j] == 0.0)  # nothing flows through the masked own entry
        # the observation input is 1 at every step: its weight collects every action's gradient
        assert got[j, 0, 1 - j] == pytest.approx(expected[j, 0].sum(), rel=1e-4, abs=1e-6)


def test_policy_step_reduced_to_tables_is_tabular_reinforce():
    rng = np.random.default_rng(5)
    theta, eta = rng.normal(size=(2, 1, A)), rng.normal(size=(2, 1, A))
    learner = _tabular_learner(theta, eta)
    T = 6
    s, a = np.zeros((T, 2), dtype=np.int64), rng.integers(0, A, (T, 2))
    advantage = rng.normal(size=(T, 2))
    seg = Played(obs=s, actions=a, env=np.zeros((T, 2)), others=None)
    learner._policy_step(learner.snapshot(learner.policy_net), seg, advantage)
    agents = np.broadcast_to(np.arange(2), s.shape)
    expected = policy_step(theta, s, scores(softmax(theta[agents, s]), a), advantage, PARAMS["lr"])
    got = learner.policy_net.head.weight.detach().double().numpy()[:, 0]
    np.testing.assert_allclose(got, expected[:, 0], rtol=1e-5, atol=1e-6)


def test_copy_layout_of_three_players_in_two_copies():
    copies = np.array([0, 1, 0, 1, 0, 1])  # the gridworlds' player-major rows
    layout = copy_layout(copies, np.arange(6), "learner.id", "lio_deep")
    assert layout.k == 3
    np.testing.assert_array_equal(layout.members, [[0, 2, 4], [1, 3, 5]])
    np.testing.assert_array_equal(layout.others(), [[2, 4], [3, 5], [0, 4], [1, 5], [0, 2], [1, 3]])
    np.testing.assert_array_equal(layout.giver(1), [2, 3, 4, 5, 0, 1])
    with pytest.raises(Exception, match="at least 2 agents in every copy"):
        copy_layout(np.array([0, 1, 0]), np.arange(3), "learner.id", "lio_deep")


def _cleanup():
    return make_game("cleanup", {"preset": "small", "n_agents": 2, "n_copies": 2})


def test_runs_on_tiny_cleanup_paying_only_co_players_and_repeats_itself():
    params = {"horizon": 10, "lr_incentive": 0.01, "hidden": 16}
    game = _cleanup()
    learner, actions = simulate(game, "lio_deep", params, 40, seed=3, record=True)
    assert learner.prep.image and learner.groups == game.n_agents
    assert learner.segments == 4 and actions.shape == (40, 4)
    paid = learner.incentives(game.reset(np.random.default_rng(0)), actions[-1])
    own = np.zeros_like(paid, dtype=bool)
    own[np.arange(4), learner.layout.player] = True
    assert np.all(paid[own] == 0.0) and np.all(paid[~own] > 0.0) and paid.max() <= 2.0
    fresh = make_learner(  # the same learner before training (simulate's learner stream)
        "lio_deep", {**params, "threads": 1}, LearnerContext.for_game(_cleanup()),
        spawn_rngs(3, 3)[1],
    )  # fmt: skip
    w_new = learner.incentive_net.head.weight.detach()
    assert not torch.equal(w_new, fresh.incentive_net.head.weight.detach())

    again, actions_again = simulate(_cleanup(), "lio_deep", params, 40, seed=3, record=True)
    np.testing.assert_array_equal(actions, actions_again)
    for net, other in (
        (learner.policy_net, again.policy_net),
        (learner.incentive_net, again.incentive_net),
    ):
        for p, q in zip(net.parameters(), other.parameters(), strict=True):
            assert torch.equal(p, q)
    _, actions_other = simulate(_cleanup(), "lio_deep", params, 40, seed=4, record=True)
    assert not np.array_equal(actions, actions_other)


def test_three_givers_each_get_the_gradient_of_their_own_objective():
    """With 3 players per copy every giver's gradient is its own: central differences of
    ``J_j = Σ_u Â^j_u Σ_{i≠j} log π̂_i(â^i_u) − cost·Σ paid_j`` in giver ``j``'s parameters
    only (``θ̂`` rebuilt from scratch with every payment live), float64, hidden layers."""
    import dataclasses

    from incentive_lab.learners.deep.lio_meta import amounts, discounted, log_probs, policy_step
    from incentive_lab.learners.deep.lio_meta import received as income_of

    context = LearnerContext(
        agents=np.arange(3, dtype=np.int64),
        n_actions=A,
        observation_space=spaces.Discrete(2),
        population_size=3,
    )
    params = {**PARAMS, "layers": 1, "hidden": 4, "ent_coef": 0.2}
    learner = make_learner("lio_deep", params, context, np.random.default_rng(0))
    learner.policy_net.double()
    learner.incentive_net.double()
    rng = np.random.default_rng(3)
    T, U = 4, 3
    s, a = rng.integers(0, 2, (T, 3)), rng.integers(0, A, (T, 3))
    env, baseline = rng.normal(size=(T, 3)), rng.normal(size=3)
    from incentive_lab.learners.deep.lio_meta import actions_of_others

    prev = Played(obs=s, actions=a, env=env, others=actions_of_others(learner.layout, a, A))
    eta = learner.snapshot(learner.incentive_net)
    learner._previous = (prev, learner.snapshot(learner.policy_net), eta, baseline)
    new = Played(
        obs=rng.integers(0, 2, (U, 3)), actions=rng.integers(0, A, (U, 3)), env=None, others=None
    )
    adv = rng.normal(size=(U, 3))
    data = learner.meta_inputs(new, adv)
    data = dataclasses.replace(
        data,
        **{
            f: getattr(data, f).double()
            for f in ("x", "ids", "env", "baseline", "x_new", "advantages_new")
        },
    )
    got = learner.incentive_gradient(data)

    def objective(j, eta_values):
        with torch.no_grad():
            from torch.func import functional_call

            logits, _ = functional_call(learner.incentive_net, eta_values, (data.x, data.ids))
            paid = amounts(learner.unlay(logits), learner.layout, PARAMS["r_max"])
        returns = discounted(data.env + income_of(paid, learner.layout), PARAMS["gamma"])
        theta = {
            k: v.detach().clone().requires_grad_(True) for k, v in learner._previous[1].items()
        }
        theta_hat = policy_step(
            learner.policy_net, theta, data.x, data.actions,
            learner.lay(returns - data.baseline), PARAMS["lr"], 0.2, False,
        )  # fmt: skip
        chosen, _ = log_probs(learner.policy_net, theta_hat, data.x_new, data.actions_new)
        others = [i for i in range(3) if i != j]
        value = (data.advantages_new[:, j] @ chosen[others].T.detach()).sum()
        return float(value - PARAMS["cost"] * paid[:, j].sum())

    h = 1e-5
    checked = 0
    for (name, value), grad in zip(eta.items(), got, strict=True):
        for j in range(3):
            for flat in range(0, value[j].numel(), 3):  # every third entry of giver j's slice
                up = {k: v.detach().clone() for k, v in eta.items()}
                down = {k: v.detach().clone() for k, v in eta.items()}
                up[name][j].view(-1)[flat] += h
                down[name][j].view(-1)[flat] -= h
                numeric = (objective(j, up) - objective(j, down)) / (2 * h)
                assert grad[j].reshape(-1)[flat].item() == pytest.approx(
                    numeric, rel=1e-5, abs=1e-8
                )
                checked += 1
    assert checked > 30
