"""``recsys_two_tower`` with ``warm_start: logged``: the inputs it builds from the log by
hand, that it fits the log it is given and nothing else, and the histories it ends with."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

pytest.importorskip("torch")

from incentive_lab.core import LearnerContext, make_game, make_learner, make_rng
from incentive_lab.core.logged_interactions import LoggedInteractions
from incentive_lab.learners.recsys._base import WARM
from incentive_lab.learners.recsys._two_tower_fit import (
    last_items,
    log_frequencies,
    prior_histories,
)
from incentive_lab.learners.recsys.two_tower import TwoTowerParams

PAD = 9
LOG = LoggedInteractions(np.array([0, 0, 0, 2, 2]), np.array([3, 4, 5, 6, 7]), 4, PAD)


def test_prior_histories_hold_only_earlier_items_by_hand():
    assert prior_histories(LOG, 2).tolist() == [
        [PAD, PAD], [PAD, 3], [3, 4],  # user 0: nothing, then 3, then 3 4 (never its own 5)
        [PAD, PAD], [PAD, 6],  # user 2
    ]  # fmt: skip
    users, histories = last_items(LOG, 3)
    assert users.tolist() == [0, 2] and histories.tolist() == [[3, 4, 5], [PAD, 6, 7]]
    share = np.exp(log_frequencies(LOG))
    assert share[[3, 4, 5, 6, 7]] == pytest.approx([0.2] * 5) and share[0] == 0.0


def game_and_context(log: LoggedInteractions):
    game = make_game(
        "recommender",
        {"n_users": 4, "n_items": PAD, "slate_size": 2, "agents_choose": "items", "n_agents": 2},
    )
    return game, dataclasses.replace(LearnerContext.for_game(game), logged_interactions=log)


PARAMS_HISTORY = 20  # the learner's default ``history``
PARAMS = {"warm_start": "logged", "warm_epochs": 100, "warm_batch": 4, "dim": 8, "hidden": 16}


def test_the_fit_learns_the_log_and_leaves_the_logged_histories():
    _, context = game_and_context(LOG)
    learner = make_learner("recsys_two_tower", PARAMS, context, make_rng(3))
    before = learner.scores(np.zeros(1, np.int64), np.array([2]))[0]
    learner.warm_start()
    assert len(learner.warm_losses) == 2 * 100  # two agents, 100 epochs each
    for a in range(2):
        losses = learner.warm_losses[100 * a : 100 * (a + 1)]
        assert losses[-1] < 0.5 * losses[0]
        assert learner.history.sequences(np.array([a, a]), np.array([0, 2]))[:, -3:].tolist() == [
            [3, 4, 5], [learner.n_items, 6, 7],
        ]  # fmt: skip
        assert learner.history.lengths(np.array([a, a]), np.array([1, 3])).tolist() == [0, 0]
    assert (learner.user_serial[:, [0, 2]] == WARM).all()
    after = learner.scores(np.zeros(1, np.int64), np.array([2]))[0]
    assert not np.allclose(before, after)
    # it fits its five clicks: given a logged click's own inputs (the user and its earlier
    # items), the clicked item scores highest among the logged items (its softmax's rivals)
    net, logged = learner.nets[0], np.array([3, 4, 5, 6, 7])
    u = learner.user_tower(net, LOG.users, (prior_histories(LOG, PARAMS_HISTORY), None))
    scores = (u @ learner.item_embeddings(0).T).detach().numpy()[:, logged]
    assert logged[scores.argmax(axis=1)].tolist() == LOG.items.tolist()


def test_seeded_fits_repeat_and_another_log_gives_another_model():
    _, context = game_and_context(LOG)
    a = make_learner("recsys_two_tower", PARAMS, context, make_rng(3))
    b = make_learner("recsys_two_tower", PARAMS, context, make_rng(3))
    a.warm_start()
    b.warm_start()
    assert a.warm_losses == b.warm_losses
    users = np.array([0, 1, 2, 3])
    assert np.array_equal(
        a.scores(np.zeros(4, np.int64), users), b.scores(np.zeros(4, np.int64), users)
    )
    other = LoggedInteractions(np.array([0, 0, 1]), np.array([1, 2, 8]), 4, PAD)
    _, context = game_and_context(other)
    c = make_learner("recsys_two_tower", PARAMS, context, make_rng(3))
    c.warm_start()
    assert c.warm_losses != a.warm_losses


def test_new_fields_stay_out_of_the_stored_params_at_their_defaults():
    assert not {"warm_start", "warm_epochs", "warm_batch"} & set(TwoTowerParams().model_dump())
    changed = TwoTowerParams(warm_start="logged", warm_epochs=5).model_dump()
    assert changed["warm_start"] == "logged" and changed["warm_epochs"] == 5
