"""AgA and the other gradient adjustments against theory (SPEC §1.5, §2).

* Hessian-vector products equal finite-difference Hessians (of the losses alone) times
  vectors, for the collective Hessian, the game Hessian and its transpose;
* first-order LOLA equals the finite-difference gradient of the look-ahead objective;
* on a separable game (public goods: ξ_i depends on θ_i only) A = H_o = χ = 0, so SGA and
  LOLA coincide with the simultaneous gradient;
* AgA's sign rule holds at every step (checked on independently computed quantities);
* public goods (p = 1.5, 50 seeded starts, 100 steps): individual-gradient methods end near
  (0, 0), AgA and the collective gradient near (1, 1), AgA no farther than the collective;
* toy game: AgA with small λ splits the welfare more equally than the collective gradient
  (equality measure: mean over starts of the final reward gap |r_1 − r_2|).
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from incentive_lab.core import LearnerContext, Mechanism, make_game, make_learner  # noqa: E402
from incentive_lab.core.params import Params  # noqa: E402
from incentive_lab.games.differentiable_toy import toy_losses_numpy  # noqa: E402
from incentive_lab.learners.gradient_play.aga import aga_direction  # noqa: E402
from incentive_lab.learners.gradient_play.hvp import GameDerivatives  # noqa: E402
from incentive_lab.learners.gradient_play.lola import lola_direction  # noqa: E402
from incentive_lab.learners.gradient_play.sga import sga_direction  # noqa: E402
from incentive_lab.rollout import LearnerGroup, Simulation  # noqa: E402

STEP = 1e-4


def fd_gradient(f, theta, h=STEP):
    """Central differences of a numpy function ``f: R^D -> R^n``: ``[n, D]``."""
    cols = []
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = h
        cols.append((f(theta + e) - f(theta - e)) / (2 * h))
    return np.stack(cols, axis=-1)


def fd_parts(losses, theta, player_of):
    """ξ, ξ_c and the Jacobians of ξ and ξ_c by nested finite differences of the losses."""
    cols = np.arange(theta.size)

    def xi(t):
        return fd_gradient(losses, t)[player_of, cols]

    def xi_c(t):
        return fd_gradient(losses, t).sum(axis=0)

    return xi(theta), xi_c(theta), fd_gradient(xi, theta, 1e-3), fd_gradient(xi_c, theta, 1e-3)


def numpy_losses(game):
    return lambda t: game.losses(torch.tensor(t)).numpy()


@pytest.mark.parametrize(
    ("game_id", "params"),
    [
        ("differentiable_toy", {}),
        ("matrix_mixed", {"payoffs": np.sin(np.arange(24.0)).reshape(2, 2, 2, 3).tolist()}),
        ("differentiable_pgg", {"n_players": 3, "dim": 2}),
    ],
)
def test_hessian_vector_products_match_finite_differences(game_id, params):
    game = make_game(game_id, params)
    theta = np.random.default_rng(0).normal(size=game.n_parameters) * 0.7
    xi, xi_c, jac_xi, hess_c = fd_parts(numpy_losses(game), theta, game.player_of)
    d = GameDerivatives(game.losses, game.player_of, theta)
    np.testing.assert_allclose(d.xi().detach().numpy(), xi, atol=1e-7)
    np.testing.assert_allclose(d.collective().detach().numpy(), xi_c, atol=1e-7)
    # the headline: H_c ξ_c equals the finite-difference Hessian times the collective gradient
    h = d.collective_hvp(d.collective().detach()).numpy()
    np.testing.assert_allclose(h, hess_c @ xi_c, atol=1e-5)
    v = np.random.default_rng(1).normal(size=theta.size)
    vt = torch.tensor(v)
    np.testing.assert_allclose(d.game_hvp(vt).numpy(), jac_xi @ v, atol=1e-5)
    np.testing.assert_allclose(d.game_hvp_transposed(vt).numpy(), jac_xi.T @ v, atol=1e-5)
    owner = game.player_of
    off = np.where(owner[:, None] != owner[None, :], jac_xi, 0.0)
    np.testing.assert_allclose(d.off_diagonal_hvp(vt).numpy(), off @ v, atol=1e-5)


def test_lola_is_the_gradient_of_the_look_ahead_objective():
    game = make_game("differentiable_toy", {})
    theta = np.array([0.3, -0.4])
    alpha = 1e-3
    d = GameDerivatives(game.losses, game.player_of, theta)
    xi_0 = d.xi().detach().numpy()
    lola = lola_direction(d, alpha)[0].numpy()

    def look_ahead(t, i):  # ℓ_i after the other player's naive step, from parameters t
        step = np.zeros(2)
        j = 1 - i
        step[j] = alpha * fd_gradient(lambda s: toy_losses_numpy(s)[j], t)[j]
        return toy_losses_numpy(t - step)[i]

    exact = np.array(
        [fd_gradient(lambda t, i=i: np.array(look_ahead(t, i)), theta, 1e-4)[i] for i in (0, 1)]
    )
    # first-order expansion: agrees with the exact look-ahead gradient up to O(α²)
    np.testing.assert_allclose((lola - xi_0) / alpha, (exact - xi_0) / alpha, atol=2e-2)
    assert np.abs((lola - xi_0) / alpha).max() > 0.1  # the correction is not zero here


def test_sga_and_lola_equal_the_simultaneous_gradient_on_a_separable_game():
    game = make_game("differentiable_pgg", {"n_players": 3, "dim": 2})
    theta = np.random.default_rng(2).normal(size=6)
    d = GameDerivatives(game.losses, game.player_of, theta)
    xi = d.xi().detach()
    torch.testing.assert_close(sga_direction(d, 5.0)[0], xi, atol=1e-15, rtol=0)
    torch.testing.assert_close(lola_direction(d, 5.0)[0], xi, atol=1e-15, rtol=0)


def simulation(game_id, game_params, learner_id, learner_params, seed=0):
    game = make_game(game_id, game_params)
    learner = make_learner(
        learner_id, learner_params, LearnerContext.for_game(game), np.random.default_rng(seed)
    )
    group = LearnerGroup(0, game.n_agents, learner)
    rng = np.random.default_rng(seed)
    return Simulation(game, [group], Mechanism(Params(), game, rng), rng)


def test_aga_sign_rule_holds_at_every_step():
    lam, lr = 0.5, 0.02
    sim = simulation("differentiable_toy", {"init": [0.8, -0.6]}, "aga", {"lr": lr, "lam": lam})
    game = sim.game
    for _ in range(60):
        theta = game.theta
        xi, xi_c, _, hess_c = fd_parts(toy_losses_numpy, theta, game.player_of)
        h = hess_c.T @ xi_c
        sim.run(1)
        direction = (theta - game.theta) / lr
        adjusted = xi + h
        signed = (direction - xi_c) @ adjusted / (adjusted @ adjusted)
        assert abs(signed) == pytest.approx(lam, rel=1e-3)
        assert signed * (xi_c @ h) * (xi @ h + h @ h) >= -1e-9


def test_aga_sign_flips_where_the_rule_says():
    # over 40 random starts the rule picks λ < 0 in some copies and λ > 0 in others
    sim = simulation("differentiable_toy", {"n_copies": 40}, "aga", {"lr": 0.01, "lam": 0.1})
    flipped = kept = False
    for _ in range(20):
        game = sim.game
        d = GameDerivatives(game.losses, game.player_of, game.theta, None, game.copies)
        _, stats = aga_direction(d, 0.1)
        assert stats["sign_product"] >= 0.0
        flipped |= stats["lam"] < 0.1 - 1e-12  # the mean over copies is below +|λ|
        kept |= stats["lam"] > -0.1 + 1e-12
        sim.run(1)
    assert flipped and kept


def final_contributions(learner_id, params):
    sim = simulation("differentiable_pgg", {"p": 1.5, "n_copies": 50}, learner_id, params)
    sim.run(100)
    game = sim.game
    return game.strategy_summary(game.theta).reshape(50, 2)


def test_public_goods_individual_methods_defect_collective_and_aga_cooperate():
    lr = 1.0
    for learner_id in ("simul_ind", "sga", "lola", "cga"):
        a = final_contributions(learner_id, {"lr": lr})
        assert np.linalg.norm(a, axis=1).max() < 0.15, learner_id
    co = final_contributions("simul_co", {"lr": lr})
    aga = final_contributions("aga", {"lr": lr, "lam": 0.1})
    distance_co = np.linalg.norm(co - 1.0, axis=1)
    distance_aga = np.linalg.norm(aga - 1.0, axis=1)
    assert distance_co.max() < 0.1 and distance_aga.max() < 0.1
    assert distance_aga.mean() <= distance_co.mean()


def test_toy_game_aga_splits_more_equally_than_the_collective_gradient():
    def final_gap(learner_id, params):
        game_params = {"init_scale": 1.0, "n_copies": 50}
        sim = simulation("differentiable_toy", game_params, learner_id, params)
        sim.run(300)
        rewards = sim.game.rewards_for(np.zeros(100, dtype=np.int64)).reshape(50, 2)
        return np.abs(rewards[:, 0] - rewards[:, 1]).mean(), rewards.sum(axis=1).mean()

    gap_co, welfare_co = final_gap("simul_co", {"lr": 0.01})
    gap_aga, welfare_aga = final_gap("aga", {"lr": 0.01, "lam": 0.1})
    assert gap_aga < gap_co
    assert welfare_aga >= welfare_co - 0.01  # equality is not bought with welfare
