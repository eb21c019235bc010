"""``recsys_sasrec`` with ``warm_start: logged``: it fits only the logged training split,
the logged slots' histories hold their last ``max_len`` logged items (and survive the first
slates), a short fit lowers the training loss, seeded fits repeat, synthetic games refuse."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from incentive_lab.core import (  # noqa: E402
    ConfigError,
    LearnerContext,
    make_game,
    make_learner,
    make_mechanism,
    make_rng,
)
from incentive_lab.core.logged_interactions import LoggedInteractions  # noqa: E402
from incentive_lab.learners.recsys._base import WARM  # noqa: E402
from incentive_lab.learners.recsys._sasrec_fit import (  # noqa: E402
    logged_loss,
    logged_windows,
    negatives,
)
from incentive_lab.learners.recsys.sasrec import SASRecParams  # noqa: E402

FITTED = {
    "data": "movielens100k", "preferences": "fitted", "n_users": 60, "n_items": 300,
    "n_agents": 1, "slate_size": 5, "drift": 0.0, "agents_choose": "items",
}  # fmt: skip
MAX_LEN = 8
SMALL = {"warm_start": "logged", "max_len": MAX_LEN, "hidden": 16, "warm_epochs": 2}


@pytest.fixture(scope="module")
def fitted_game():
    return make_game("recommender", FITTED)


def by_user(users, items):
    out: dict[int, list[int]] = {}
    for u, i in zip(users.tolist(), items.tolist(), strict=True):
        out.setdefault(u, []).append(i)
    return out


def training_log(game):
    """The training split of the simulated users and items, rebuilt from the split itself."""
    fitted = game.fitted
    game_item = np.full(fitted.split.n_items, -1)
    game_item[fitted.item_order[:300]] = np.arange(300)
    users, items = fitted.split.train
    keep = (users < 60) & (game_item[items] >= 0)
    return LoggedInteractions(users[keep], game_item[items[keep]], 60, 300)


def weights(learner):
    return [t.detach().clone() for t in learner.nets[0].state_dict().values()]


def test_the_fit_reads_only_the_training_split(fitted_game):
    game = fitted_game
    context = LearnerContext.for_game(game)
    learner = make_learner("recsys_sasrec", SMALL, context, make_rng(2))
    assert learner.pending_log is context.logged_interactions
    learner.warm_start()
    # the same fit on a log rebuilt from the split's training part alone: the same weights
    alone = make_learner("recsys_sasrec", {**SMALL, "warm_start": "none"}, context, make_rng(2))
    alone.fit_logged(training_log(game))
    for a, b in zip(weights(learner), weights(alone), strict=True):
        assert torch.equal(a, b)
    assert (learner.history.items == alone.history.items).all()
    # nothing of valid or test is in what the net was trained on or scores from
    order = game.fitted.item_order
    seen = {(u, int(order[i])) for u in range(60) for i in learner.history.items[0, u] if i < 300}
    data = logged_windows(context.logged_interactions, MAX_LEN)
    seen |= {
        (int(u), int(order[i]))
        for u, row in zip(data.users, data.windows, strict=True)
        for i in row
        if i < 300
    }
    split = game.fitted.split
    for part in (split.valid, split.test):
        assert not seen & set(zip(part[0].tolist(), part[1].tolist(), strict=True))
    assert seen <= set(zip(split.train[0].tolist(), split.train[1].tolist(), strict=True))


def test_after_the_fit_each_logged_slot_holds_its_last_max_len_logged_items(fitted_game):
    context = LearnerContext.for_game(fitted_game)
    learner = make_learner("recsys_sasrec", SMALL, context, make_rng(0))
    learner.warm_start()
    log = context.logged_interactions
    assert log is not None
    logged = by_user(log.users, log.items)
    pad, length = learner.n_items, MAX_LEN
    for u in range(60):
        row = learner.history.items[0, u]
        expected = logged.get(u, [])[-length:]
        assert row[row != pad].tolist() == expected
        assert (row[: length - len(expected)] == pad).all()  # left-padded
    assert max(len(v) for v in logged.values()) > length  # truncation was exercised
    assert (learner.user_serial[0, list(logged)] == WARM).all()


def test_the_histories_survive_the_first_slates(fitted_game):
    """The run resets the game (new serials) after the learner is built: the first served
    user of a logged slot adopts its history, plus the click of that step."""
    from incentive_lab.rollout import LearnerGroup, Simulation

    game = fitted_game
    learner = make_learner("recsys_sasrec", SMALL, LearnerContext.for_game(game), make_rng(0))
    sim = Simulation(
        game, [LearnerGroup(0, 1, learner)], make_mechanism("none", {}, game, make_rng(0)),
        make_rng(0),
    )  # fmt: skip
    learner.warm_start()
    before = learner.history.items[0].copy()
    sim.run(1)
    served = np.flatnonzero(learner.user_serial[0] >= 0)
    assert served.shape[0] > 10
    assert (before[served] != learner.n_items).sum(axis=1).min() > 0  # logged histories
    clicked = 0
    for u in served:
        now = learner.history.items[0, u]
        if not (now == before[u]).all():  # a click appended to the logged history
            assert (now[:-1] == before[u][1:]).all() and now[-1] < learner.n_items
            clicked += 1
    assert clicked > 0


def test_negatives_avoid_the_users_logged_items():
    log = LoggedInteractions(np.array([0, 0, 0, 1]), np.array([0, 1, 2, 3]), 2, 5)
    data = logged_windows(log, 3)
    assert data.windows.tolist() == [[5, 0, 1, 2], [5, 5, 5, 3]]
    assert data.trainable.tolist() == [0]
    rng = make_rng(0)
    drawn = negatives(data, np.array([0, 1]), np.zeros((2, 400), np.int64), rng)
    assert set(drawn[0].tolist()) == {3, 4}
    assert set(drawn[1].tolist()) == {0, 1, 2, 4}


def test_a_short_fit_lowers_the_training_loss(fitted_game):
    context = LearnerContext.for_game(fitted_game)
    params = {**SMALL, "warm_epochs": 20}
    learner = make_learner("recsys_sasrec", params, context, make_rng(1))
    assert context.logged_interactions is not None
    data = logged_windows(context.logged_interactions, MAX_LEN)
    before = logged_loss(learner.nets[0], data, make_rng(7))
    learner.warm_start()
    after = logged_loss(learner.nets[0], data, make_rng(7))  # the same negatives
    assert after < before
    assert len(learner.warm_losses[0]) == 20


def test_seeded_fits_repeat_bit_for_bit(fitted_game):
    context = LearnerContext.for_game(fitted_game)
    fits = []
    for seed in (5, 5, 6):
        learner = make_learner("recsys_sasrec", SMALL, context, make_rng(seed))
        learner.warm_start()
        fits.append(weights(learner))
    assert all(torch.equal(a, b) for a, b in zip(fits[0], fits[1], strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(fits[0], fits[2], strict=True))


def test_synthetic_games_refuse_the_warm_start_in_one_line():
    game = make_game("recommender", {"n_users": 5, "n_items": 10, "agents_choose": "items"})
    context = LearnerContext.for_game(game)
    with pytest.raises(ConfigError, match="warm_start") as caught:
        make_learner("recsys_sasrec", {"warm_start": "logged"}, context, make_rng(0))
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("learner.params.warm_start: got 'logged'")
    with pytest.raises(ConfigError, match="warm_epochs"):
        make_learner("recsys_sasrec", {"warm_epochs": 0}, context, make_rng(0))


def test_the_new_field_stays_out_of_the_stored_params_at_its_default():
    assert not {"warm_start", "warm_epochs"} & set(SASRecParams.model_validate({}).model_dump())
    changed = SASRecParams.model_validate({"warm_start": "logged", "warm_epochs": 3}).model_dump()
    assert changed["warm_start"] == "logged" and changed["warm_epochs"] == 3
