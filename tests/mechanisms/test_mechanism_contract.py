"""Contract tests run over every registered mechanism id.

Each mechanism must: return ``float64[n]`` arrays and a finite float cost, leave its input
arrays untouched, be reproducible from a seed, survive pickling, report transfers and cost
consistent with its registry metadata (``pays``, ``stateless``), and reject unknown
parameters naming them.

Games: the test-local PD and irregular random game of ``conftest.py``. A mechanism that does
not fit them (it raises ``ConfigError`` at construction: auctions, tolls, platform
mechanisms, the exact adaptive planner on a game without a payoff tensor) runs every check
on the game its registry entry declares as ``contract_game={"id": ..., "params": {...}}``
(small parameters); only a mechanism that fits neither is skipped. Each episode resets the
game with the same seed and passes the step's ``info`` to ``adjust``, as the rollout does.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.registry import get, ids, make_game, make_mechanism

# Parameters that make each built-in mechanism non-trivial on a two-action game; ids
# registered later by other packages fall back to their defaults.
EXAMPLES = {
    "action_tax": {"taxes": [0.5, 2.5], "budget_balanced": True},
    "difference_rewards": {"default_action": 1},
    "inequity_aversion": {"alpha": 1.0, "beta": 0.5, "smoothing": 0.9},
    "mutual_welfare": {"disagreement": -1.0},
    "pigouvian_tax": {"scale": 0.7},
    "svo": {"angle": 30.0},
    "team_reward": {"normalise": True},
}
MINE = {"none", *EXAMPLES}
# Mechanisms of other packages that need non-default parameters to move money on their
# contract game (not part of MINE: their own tests own their behaviour).
EXAMPLES["fixed_toll"] = {"tolls": {"s->t": 0.5, "s->t#1": 1.0}}


def make(mechanism_id, game, seed):
    return make_mechanism(
        mechanism_id, EXAMPLES.get(mechanism_id, {}), game, np.random.default_rng(seed)
    )


def fitting_game(mechanism_id, game):
    """``game`` if the mechanism applies to it, else its declared ``contract_game``."""
    try:
        make(mechanism_id, game, 0)
        return game
    except ConfigError as error:  # another package's mechanism that needs another game
        if mechanism_id in MINE:
            raise
        spec = get("mechanism", mechanism_id).metadata.get("contract_game")
        if spec is None:
            pytest.skip(f"{mechanism_id} does not apply to the test game: {error}")
        return make_game(spec["id"], spec.get("params", {}))


def episode(game, mechanism, steps=4, seed=1, with_base=False):
    game.reset(np.random.default_rng(0))
    rng = np.random.default_rng(seed)
    outs, base = [], []
    for _ in range(steps):
        actions = rng.integers(0, game.n_actions, size=game.n_agents)
        result = game.step(actions)
        adjustment = mechanism.adjust(game, actions, result.rewards, result.info)
        mechanism.update(game, actions, result.rewards, adjustment)
        outs.append(adjustment)
        base.append(result.rewards)
    return (outs, base) if with_base else outs


@pytest.fixture(params=["pd", "random"])
def game(request, pd_game, random_game):
    if request.param == "pd":
        return pd_game(5)
    return random_game([4, 1, 4, 2, 1, 4, 0, 2, 2], 2, 7)


def test_my_mechanisms_are_registered():
    assert MINE <= set(ids("mechanism"))


@pytest.mark.parametrize("mechanism_id", ids("mechanism"))
def test_types_and_shapes(mechanism_id, game):
    game = fitting_game(mechanism_id, game)
    mechanism = make(mechanism_id, game, 0)
    assert isinstance(mechanism, Mechanism)
    for out in episode(game, mechanism):
        assert isinstance(out, Adjustment)
        for array in (out.shaped_rewards, out.transfers):
            assert array.dtype == np.float64
            assert array.shape == (game.n_agents,)
            assert np.all(np.isfinite(array))
        assert isinstance(out.cost, float) and np.isfinite(out.cost) and out.cost >= 0


@pytest.mark.parametrize("mechanism_id", ids("mechanism"))
def test_inputs_are_not_mutated(mechanism_id, game):
    game = fitting_game(mechanism_id, game)
    game.reset(np.random.default_rng(0))
    mechanism = make(mechanism_id, game, 0)
    actions = np.random.default_rng(3).integers(0, game.n_actions, size=game.n_agents)
    result = game.step(actions)
    rewards = np.array(result.rewards, dtype=np.float64)
    kept_actions, kept_rewards = actions.copy(), rewards.copy()
    actions.flags.writeable = False
    rewards.flags.writeable = False
    out = mechanism.adjust(game, actions, rewards, result.info)
    mechanism.update(game, actions, rewards, out)
    np.testing.assert_array_equal(actions, kept_actions)
    np.testing.assert_array_equal(rewards, kept_rewards)
    # the adjustment never lets the caller's reward array be written through it: a copy,
    # or a read-only view (``Adjustment.identity`` may return one)
    shaped = out.shaped_rewards
    assert not np.shares_memory(shaped, rewards) or not shaped.flags.writeable


@pytest.mark.parametrize("mechanism_id", ids("mechanism"))
def test_seeded_reproducibility_and_pickling(mechanism_id, game):
    game = fitting_game(mechanism_id, game)
    first = episode(game, make(mechanism_id, game, 5))
    second = episode(game, make(mechanism_id, game, 5))
    clone = pickle.loads(pickle.dumps(make(mechanism_id, game, 5)))
    third = episode(game, clone)
    for a, b, c in zip(first, second, third, strict=True):
        np.testing.assert_array_equal(a.shaped_rewards, b.shaped_rewards)
        np.testing.assert_array_equal(a.shaped_rewards, c.shaped_rewards)
        np.testing.assert_array_equal(a.transfers, c.transfers)
        assert a.cost == b.cost == c.cost


@pytest.mark.parametrize("mechanism_id", sorted(MINE))
def test_metadata_matches_behaviour(mechanism_id, game):
    entry = get("mechanism", mechanism_id)
    # only inequity_aversion may keep state (its smoothed-reward traces)
    assert entry.metadata["stateless"] is (mechanism_id != "inequity_aversion")
    outs, base = episode(game, make(mechanism_id, game, 0), with_base=True)
    for out, rewards in zip(outs, base, strict=True):
        if entry.metadata["pays"]:
            np.testing.assert_allclose(out.shaped_rewards, rewards + out.transfers)
            assert out.cost == pytest.approx(float(np.abs(out.transfers).sum()))
            assert np.any(out.transfers != 0.0)  # the example parameters do move money
        else:
            np.testing.assert_array_equal(out.transfers, 0.0)
            assert out.cost == 0.0


@pytest.mark.parametrize("mechanism_id", ids("mechanism"))
def test_transfers_and_state_match_the_registry_metadata(mechanism_id, game):
    """``pays``: shaped = base + transfers, cost = Σ|transfers|, money moves; else none.

    ``stateless``: after an episode the mechanism adjusts the last step as a fresh one does.
    """
    game = fitting_game(mechanism_id, game)
    entry = get("mechanism", mechanism_id)
    mechanism = make(mechanism_id, game, 0)
    outs, base = episode(game, mechanism, with_base=True)
    for out, rewards in zip(outs, base, strict=True):
        if entry.metadata.get("pays", False):
            np.testing.assert_allclose(out.shaped_rewards, rewards + out.transfers)
            assert out.cost == pytest.approx(float(np.abs(out.transfers).sum()))
        else:
            np.testing.assert_array_equal(out.transfers, 0.0)
            assert out.cost == 0.0
    if entry.metadata.get("pays", False) and mechanism_id != "none":
        assert any(np.any(out.transfers != 0.0) for out in outs)  # the contract moves money
    if entry.metadata.get("stateless", False):
        actions = np.random.default_rng(9).integers(0, game.n_actions, size=game.n_agents)
        result = game.step(actions)
        used = mechanism.adjust(game, actions, result.rewards, result.info)
        fresh = make(mechanism_id, game, 0).adjust(game, actions, result.rewards, result.info)
        np.testing.assert_allclose(used.shaped_rewards, fresh.shaped_rewards)
        np.testing.assert_allclose(used.transfers, fresh.transfers)


@pytest.mark.parametrize("mechanism_id", sorted(MINE))
def test_unknown_parameter_is_named(mechanism_id, pd_game):
    with pytest.raises(ConfigError, match=r"mechanism\.params\.bogus"):
        make_mechanism(
            mechanism_id, {**EXAMPLES.get(mechanism_id, {}), "bogus": 1}, pd_game(1), None
        )


@pytest.mark.parametrize("mechanism_id", sorted(MINE))
def test_description_and_docstrings(mechanism_id):
    entry = get("mechanism", mechanism_id)
    assert entry.description and "\n" not in entry.description
    for name, info in entry.params.model_fields.items():
        assert info.description, f"{mechanism_id}.{name} has no docstring"


@pytest.mark.parametrize("mechanism_id", ids("mechanism"))
def test_every_mechanism_has_a_contract_game(mechanism_id, pd_game):
    """A mechanism fits the test PD or declares a ``contract_game`` it fits (never skipped)."""
    try:
        make(mechanism_id, pd_game(2), 0)
        return
    except ConfigError:
        pass
    spec = get("mechanism", mechanism_id).metadata.get("contract_game")
    assert spec is not None, (
        f"{mechanism_id} does not fit the test PD: declare "
        f'contract_game={{"id": ..., "params": {{...}}}} in its register(...) call'
    )
    make(mechanism_id, make_game(spec["id"], spec.get("params", {})), 0)
