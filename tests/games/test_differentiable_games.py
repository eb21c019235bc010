"""Differentiable games: hand values, copies, tensor contraction, metrics, bad input, no torch."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from incentive_lab.core import ConfigError, make_game, make_rng  # noqa: E402
from incentive_lab.core.capabilities import Capability, provided  # noqa: E402
from incentive_lab.core.differentiable import DifferentiableGame  # noqa: E402
from incentive_lab.games.differentiable_toy import toy_losses_numpy  # noqa: E402


def losses_at(game, theta):
    return game.losses(torch.tensor(np.asarray(theta, dtype=np.float64))).numpy()


def test_pgg_hand_values_at_the_centre():
    game = make_game("differentiable_pgg", {"init": [0.0, 0.0]})
    game.reset(make_rng(0))
    result = game.step(np.array([0, 1]))
    # a = (0.5, 0.5): r_i = 0.75 * 1 - 0.5 = 0.25
    np.testing.assert_allclose(result.rewards, [0.25, 0.25], atol=1e-15)
    assert result.info["metrics"]["distance_to_optimum"] == pytest.approx(np.sqrt(0.5))
    assert result.info["metrics"]["strategy_0"] == pytest.approx(0.5)
    assert isinstance(provided(game, Capability.DIFFERENTIABLE), DifferentiableGame)


def test_pgg_formula_at_random_points_and_dilemma_structure():
    game = make_game("differentiable_pgg", {"n_players": 3, "p": 2.0, "dim": 4})
    theta = make_rng(1).normal(size=12)
    a = 1.0 / (1.0 + np.exp(-theta.reshape(3, 4)))
    expected = -((2.0 / 3.0) * a.sum(axis=0) - a).mean(axis=1)
    np.testing.assert_allclose(losses_at(game, theta), expected, atol=1e-14)
    # contributing more raises one's own loss (1 − p/n > 0) but lowers the total (p > 1)
    t = torch.tensor(theta, requires_grad=True)
    own = torch.autograd.grad(game.losses(t)[0], t)[0][:4]
    total = torch.autograd.grad(game.losses(t).sum(), t)[0]
    assert torch.all(own > 0) and torch.all(total < 0)


def test_copies_are_independent_games():
    single = make_game("differentiable_toy", {})
    batch = make_game("differentiable_toy", {"n_copies": 3})
    theta = make_rng(2).normal(size=6)
    np.testing.assert_allclose(
        losses_at(batch, theta),
        np.concatenate([losses_at(single, theta[2 * c : 2 * c + 2]) for c in range(3)]),
    )
    np.testing.assert_array_equal(batch.copies, [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(batch.roles, [0, 1, 0, 1, 0, 1])


def test_toy_game_matches_the_paper_formula():
    game = make_game("differentiable_toy", {})
    for theta in make_rng(3).normal(size=(5, 2)):
        np.testing.assert_allclose(losses_at(game, theta), toy_losses_numpy(theta), atol=1e-14)


def test_matrix_mixed_pure_limits_and_uniform_mean():
    game = make_game("matrix_mixed", {"preset": "prisoners_dilemma"})
    big = 40.0
    # (C, D): logits push player 0 to C and player 1 to D -> payoffs (0, 5)
    np.testing.assert_allclose(losses_at(game, [big, -big, -big, big]), [0.0, -5.0], atol=1e-12)
    np.testing.assert_allclose(losses_at(game, np.zeros(4)), [-2.25, -2.25])
    assert game.metadata.cooperative_action == 0
    assert game.distance_to_optimum(np.array([big, -big, big, -big]))[0] < 1e-12


def test_matrix_mixed_three_players_match_enumeration():
    tensor = make_rng(4).normal(size=(3, 3, 3, 3))
    game = make_game("matrix_mixed", {"payoffs": tensor.tolist(), "n_copies": 2})
    theta = make_rng(5).normal(size=18)
    logits = theta.reshape(6, 3)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = []
    for c in range(2):
        value = np.zeros(3)
        for joint in itertools.product(range(3), repeat=3):
            weight = np.prod([probs[3 * c + k, joint[k]] for k in range(3)])
            value += weight * tensor[joint]
        expected.extend(-value)
    np.testing.assert_allclose(losses_at(game, theta), expected, atol=1e-12)
    assert game.distance_to_optimum(theta) is not None  # a random tensor has a unique best


def test_zero_sum_game_reports_no_distance():
    game = make_game("matrix_mixed", {"preset": "matching_pennies"})
    game.reset(make_rng(0))
    assert "distance_to_optimum" not in game.step(np.zeros(2, dtype=np.int64)).info["metrics"]


def test_seeded_starts_are_reproducible_and_differ_by_seed():
    game = make_game("differentiable_pgg", {"n_copies": 4})
    game.reset(make_rng(7))
    first = game.theta
    game.reset(make_rng(7))
    np.testing.assert_array_equal(first, game.theta)
    game.reset(make_rng(8))
    assert not np.array_equal(first, game.theta)
    assert np.all(np.abs(first) <= 2.0)


@pytest.mark.parametrize(
    ("game_id", "params", "field"),
    [
        ("differentiable_pgg", {"init": [0.0]}, "game.params.init"),
        ("differentiable_pgg", {"p": float("nan")}, "game.params.p"),
        ("differentiable_pgg", {"n_players": 1}, "game.params.n_players"),
        ("matrix_mixed", {"preset": "prisoner"}, "game.params.preset"),
        ("differentiable_toy", {"init_scale": -1.0}, "game.params.init_scale"),
    ],
)
def test_bad_parameters_name_the_field(game_id, params, field):
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        make_game(game_id, params)


def test_nan_parameters_are_rejected():
    game = make_game("differentiable_pgg", {})
    with pytest.raises(ConfigError, match="theta: got 'nan at index 1'"):
        game.set_theta(np.array([0.0, np.nan]))
    # a non-finite start is refused with the parameters, naming the element
    with pytest.raises(ConfigError, match=r"init\.1: got inf"):
        make_game("differentiable_toy", {"init": [0.0, float("inf")]})


def test_without_torch_the_ids_name_the_extra(monkeypatch):
    import incentive_lab.core.differentiable as differentiable

    real = differentiable.importlib.import_module

    def no_torch(name, *args):
        if name == "torch":
            raise ImportError("No module named 'torch'")
        return real(name, *args)

    monkeypatch.setattr(differentiable.importlib, "import_module", no_torch)
    for game_id in ("differentiable_pgg", "differentiable_toy", "matrix_mixed"):
        with pytest.raises(ConfigError, match=r'pip install -e "\.\[torch\]"'):
            make_game(game_id, {})


def test_registering_does_not_import_torch():
    code = (
        "import sys; from incentive_lab.core import ids; "
        "assert {'differentiable_pgg', 'matrix_mixed'} <= set(ids('game')); "
        "assert 'aga' in ids('learner'); assert 'torch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
