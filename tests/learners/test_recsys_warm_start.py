"""Warm start of recommender learners from the game's logged interactions: what the game
logs (exactly the training split), what the learner fits, the slot and item adoption, and
the one-line errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from incentive_lab.core import ConfigError, LearnerContext, make_game, make_learner, make_rng
from incentive_lab.core.capabilities import Capability
from incentive_lab.core.logged_interactions import LoggedInteractions
from incentive_lab.core.slate_choice import SlateRequest
from incentive_lab.learners.recsys._base import WARM
from incentive_lab.learners.recsys._bpr_adam import bpr_epochs
from incentive_lab.learners.recsys.bpr import BPRParams

FITTED = {
    "data": "movielens100k", "preferences": "fitted", "n_users": 60, "n_items": 300,
    "n_agents": 1, "slate_size": 5, "drift": 0.0, "agents_choose": "items",
}  # fmt: skip


@pytest.fixture(scope="module")
def fitted_game():
    return make_game("recommender", FITTED)


def pairs(users, items):
    return set(zip(users.tolist(), items.tolist(), strict=True))


def test_the_log_is_exactly_the_training_split_of_the_simulated_users_and_items(fitted_game):
    game = fitted_game
    assert Capability.LOGGED_INTERACTIONS in game.offers()
    log = LearnerContext.for_game(game).logged_interactions
    assert log is game.logged_interactions and (log.n_users, log.n_items) == (60, 300)
    split, order = game.fitted.split, game.fitted.item_order
    logged = pairs(log.users, order[log.items])  # back to MovieLens item indices
    kept = set(order[:300].tolist())

    def simulated(part):
        return {(u, i) for u, i in pairs(*part) if u < 60 and i in kept}

    assert logged == simulated(split.train)
    assert len(logged) == log.users.shape[0] > 1000  # no duplicates, a real log
    assert not logged & simulated(split.valid) and not logged & simulated(split.test)
    assert simulated(split.valid) and simulated(split.test)  # there was something to leak
    assert (np.diff(log.users) >= 0).all()  # grouped by user


def test_synthetic_games_offer_no_log_and_the_warm_start_is_refused_in_one_line():
    game = make_game("recommender", {"n_users": 5, "n_items": 10, "agents_choose": "items"})
    assert Capability.LOGGED_INTERACTIONS not in game.offers()
    context = LearnerContext.for_game(game)
    assert context.logged_interactions is None
    message = "learner.params.warm_start: got 'logged'; none, or a game offering logged_"
    with pytest.raises(ConfigError, match=message):
        make_learner("recsys_bpr", {"warm_start": "logged"}, context, make_rng(0))
    with pytest.raises(ConfigError, match="warm_start"):
        make_learner("recsys_bpr", {"warm_start": "yes"}, context, make_rng(0))
    with pytest.raises(ConfigError, match="warm_epochs"):
        make_learner("recsys_bpr", {"warm_epochs": 0}, context, make_rng(0))


def test_learners_without_a_warm_start_refuse_it(fitted_game):
    context = LearnerContext.for_game(fitted_game)
    with pytest.raises(ConfigError, match=r"learner\.params\.warm_start: got 'logged'; none"):
        make_learner("recsys_linucb", {"warm_start": "logged"}, context, make_rng(0))


def test_a_log_of_another_shape_is_refused(fitted_game):
    context = LearnerContext.for_game(fitted_game)
    small = LoggedInteractions(np.array([0]), np.array([1]), n_users=3, n_items=300)
    context = dataclasses.replace(context, logged_interactions=small)
    with pytest.raises(ConfigError, match=r"warm_start: got 'logged over \(3, 300\)'"):
        make_learner("recsys_bpr", {"warm_start": "logged"}, context, make_rng(0))


def test_bpr_fits_exactly_the_log_it_is_given(fitted_game):
    context = LearnerContext.for_game(fitted_game)
    params = {"warm_start": "logged", "warm_epochs": 3, "factors": 8}
    learner = make_learner("recsys_bpr", params, context, make_rng(4))
    assert learner.pending_log is context.logged_interactions
    learner.warm_start()
    # the same generator state, the same three epochs on the log alone: the same factors
    rng = make_rng(4)
    make_learner("recsys_bpr", params, context, rng)  # consumes the init draws alike
    log = context.logged_interactions
    epochs = bpr_epochs((log.users, log.items), (60, 300), rng, factors=8)
    for _ in range(3):
        model, _fit = next(epochs)
    assert learner.user[0] == pytest.approx(model.user, abs=1e-12)
    assert learner.item[0] == pytest.approx(model.item, abs=1e-12)
    assert learner.pending_log is None
    assert (learner.user_serial[0, np.unique(log.users)] == WARM).all()


def synthetic_with_log(log_users, log_items, n_users=4, n_items=6):
    game = make_game(
        "recommender",
        {"n_users": n_users, "n_items": n_items, "slate_size": 2, "agents_choose": "items"},
    )
    log = LoggedInteractions(np.array(log_users), np.array(log_items), n_users, n_items)
    return game, dataclasses.replace(LearnerContext.for_game(game), logged_interactions=log)


def request(slots, serials):
    n = len(slots)
    return SlateRequest(np.zeros(n, np.int64), np.array(slots), np.array(serials), np.ones(n))


def test_warm_slots_and_items_adopt_their_first_serial_and_reset_on_the_next():
    game, context = synthetic_with_log([0, 0, 1, 2, 3], [0, 1, 2, 3, 4])
    params = {"warm_start": "logged", "warm_epochs": 2, "factors": 3}
    learner = make_learner("recsys_bpr", params, context, make_rng(0))
    game.reset(make_rng(1))  # new serials for every user and item, as a run's start does
    learner.warm_start()
    fitted_user, fitted_item = learner.user[0].copy(), learner.item[0].copy()
    assert np.abs(fitted_user).sum(axis=1).min() > 0  # xavier start, trained: not zeros
    assert (learner.item_serial == WARM).all()
    learner._sync(request([0, 1], [100, 101]), np.zeros(2, np.int64))
    assert (learner.user[0] == fitted_user).all() and (learner.item[0] == fitted_item).all()
    assert learner.user_serial[0].tolist() == [100, 101, WARM, WARM]
    assert (learner.item_serial == game.item_serial).all()  # adopted, not reset
    # a new user in slot 0 (another serial) starts afresh; slot 1 keeps its fitted factors
    learner._sync(request([0, 1], [200, 101]), np.zeros(2, np.int64))
    assert not learner.user[0, 0].any() and (learner.user[0, 1:] == fitted_user[1:]).all()
    # a slot first served after others keeps its fitted factors too
    learner._sync(request([2], [300]), np.zeros(1, np.int64))
    assert (learner.user[0, 2] == fitted_user[2]).all()


def test_new_fields_stay_out_of_the_stored_params_at_their_defaults():
    stored = BPRParams().model_dump()
    assert not {"warm_start", "optimizer", "warm_epochs"} & set(stored)
    changed = BPRParams(warm_start="logged", optimizer="adam", warm_epochs=5).model_dump()
    assert changed["warm_start"] == "logged" and changed["optimizer"] == "adam"
    assert changed["warm_epochs"] == 5
    game = make_game("recommender", {"n_users": 5, "n_items": 10, "agents_choose": "items"})
    linucb = make_learner("recsys_linucb", {}, LearnerContext.for_game(game), make_rng(0))
    assert "warm_start" not in linucb.params.model_dump()


def test_in_a_run_the_warm_model_survives_the_first_steps(fitted_game):
    """The run resets the game (new serials for every user and item) after the learner is
    built: the warm-started factors must be adopted, not reset, at the first slates."""
    from incentive_lab.core import make_mechanism
    from incentive_lab.rollout import LearnerGroup, Simulation

    game = fitted_game
    params = {"warm_start": "logged", "warm_epochs": 2, "factors": 8, "optimizer": "adam"}
    params["lr"] = 1e-9  # online steps too small to matter: what changes is a reset
    learner = make_learner("recsys_bpr", params, LearnerContext.for_game(game), make_rng(0))
    sim = Simulation(
        game, [LearnerGroup(0, 1, learner)], make_mechanism("none", {}, game, make_rng(0)),
        make_rng(0),
    )  # fmt: skip
    learner.warm_start()
    user, item = learner.user[0].copy(), learner.item[0].copy()
    sim.run(3)
    served = learner.user_serial[0] >= 0
    assert served.sum() > 10
    assert learner.item[0] == pytest.approx(item, abs=1e-6)
    assert learner.user[0][served] == pytest.approx(user[served], abs=1e-6)
    assert np.abs(learner.user[0][served]).sum(axis=1).min() > 0
