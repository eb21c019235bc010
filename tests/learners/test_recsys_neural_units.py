"""The neural recommenders by hand: the logQ-corrected in-batch softmax on a 2-click batch,
Yi et al.'s streaming frequency estimate, SASRec's causal mask and loss positions, the
click histories, sequential LearnBPR, seeded reproducibility."""

from __future__ import annotations

import math

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
from incentive_lab.learners.recsys._bpr_sgd import bpr_sgd  # noqa: E402
from incentive_lab.learners.recsys._history import ClickBuffer, ClickHistory  # noqa: E402
from incentive_lab.learners.recsys._sasrec_net import SASRec  # noqa: E402
from incentive_lab.learners.recsys._towers import (  # noqa: E402
    logq_softmax_loss,
    slate_choice_loss,
)
from incentive_lab.learners.recsys.two_tower import FrequencyEstimator  # noqa: E402
from incentive_lab.rollout import LearnerGroup, Simulation  # noqa: E402


def test_logq_corrected_in_batch_softmax_by_hand():
    user = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    item = torch.tensor([[1.0, 0.0], [0.6, 0.8]])
    q = [0.5, 0.25]
    loss = logq_softmax_loss(user, item, torch.log(torch.tensor(q)), temperature=0.5)
    # s(x_b, y_j) = <u_b, v_j>/τ:  [[2, 1.2], [0, 1.6]];  s^c = s − log q_j
    row0 = [2 - math.log(0.5), 1.2 - math.log(0.25)]
    row1 = [0 - math.log(0.5), 1.6 - math.log(0.25)]

    def log_softmax(row, b):
        return row[b] - math.log(sum(math.exp(v) for v in row))

    expected = -(log_softmax(row0, 0) + log_softmax(row1, 1)) / 2
    assert float(loss) == pytest.approx(expected, rel=1e-6)
    # by hand: row 0 log-softmax 2.6931 − 3.3343 = −0.6412, row 1 2.9863 − 3.0825 = −0.0962
    assert float(loss) == pytest.approx((0.6412 + 0.0962) / 2, abs=1e-4)
    # without the correction (q uniform): the plain in-batch softmax
    plain = logq_softmax_loss(user, item, torch.zeros(2), temperature=0.5)
    expected_plain = -(log_softmax([2, 1.2], 0) + log_softmax([0, 1.6], 1)) / 2
    assert float(plain) == pytest.approx(expected_plain, rel=1e-6)
    # rewards weight the rows: r = (1, 0) keeps only the first click's term, halved
    weighted = logq_softmax_loss(
        user, item, torch.log(torch.tensor(q)), 0.5, reward=torch.tensor([1.0, 0.0])
    )
    assert float(weighted) == pytest.approx(-log_softmax(row0, 0) / 2, rel=1e-6)


def test_accidental_hits_leave_the_softmax():
    # rows 0 and 2 clicked the same item 7: column 2 is not a negative of row 0 (nor 0 of 2)
    user = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    item = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    log_q = torch.zeros(3)
    loss = logq_softmax_loss(user, item, log_q, 1.0, ids=torch.tensor([7, 3, 7]))
    # logits: row 0 [1, 0, (1)], row 1 [0, 1, 0], row 2 [(0.6), 0.8, 0.6]; () removed
    rows = [(1.0, [1.0, 0.0]), (1.0, [0.0, 1.0, 0.0]), (0.6, [0.8, 0.6])]
    expected = -sum(pos - math.log(sum(math.exp(v) for v in row)) for pos, row in rows) / 3
    assert float(loss) == pytest.approx(expected, rel=1e-6)


def test_slate_choice_loss_is_the_conditional_logit_with_no_click_by_hand():
    user = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    slate = torch.tensor([[[1.0, 0.0], [0.0, 1.0]], [[0.6, 0.8], [1.0, 0.0]]])
    no_click = torch.tensor([0.5], requires_grad=True)
    loss = slate_choice_loss(user, slate, torch.tensor([0, -1]), no_click, temperature=0.5)
    # utilities s = <u, v>/τ: row 0 [2, 0] (clicked slot 0), row 1 [1.6, 0] (no click), c = 0.5
    row0 = 2.0 - math.log(math.exp(0.5) + math.exp(2.0) + math.exp(0.0))
    row1 = 0.5 - math.log(math.exp(0.5) + math.exp(1.6) + math.exp(0.0))
    assert loss.item() == pytest.approx(-(row0 + row1) / 2, rel=1e-6)
    # ∂L/∂c = ½ Σ_u (P_u(no click) − [u did not click]) — row 0: P₀ − 0, row 1: P₁ − 1
    loss.backward()
    p0 = math.exp(0.5) / (math.exp(0.5) + math.exp(2.0) + 1.0)
    p1 = math.exp(0.5) / (math.exp(0.5) + math.exp(1.6) + 1.0)
    assert float(no_click.grad) == pytest.approx((p0 + p1 - 1.0) / 2, rel=1e-5)


def test_sasrec_impression_loss_by_hand():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        net = SASRec(n_items=6, max_len=4, hidden=8, blocks=1, heads=1, dropout=0.0)
    seq = torch.tensor([[6, 6, 2, 4], [6, 6, 6, 6]])  # the second user has no history yet
    slates = torch.tensor([[1, 3, 5], [0, 2, 4]])
    with torch.no_grad():
        loss = net.impression_loss(seq, slates, torch.tensor([1, -1]))
        last = net(seq)[:, -1]
    total = 0.0
    for u, clicked in ((0, 1), (1, -1)):
        for r in range(3):
            x = float(last[u] @ net.item.weight[slates[u, r]])
            p = 1 / (1 + math.exp(-x))
            total -= math.log(p) if r == clicked else math.log(1 - p)
    assert float(loss) == pytest.approx(total / 2, rel=1e-5)


@pytest.mark.parametrize("learner_id", ["recsys_two_tower", "recsys_sasrec"])
def test_impressions_are_omitted_from_stored_params_at_their_default(learner_id):
    game = make_game("recommender", GAME)
    context = LearnerContext.for_game(game)
    plain = make_learner(learner_id, {}, context, make_rng(0)).params.model_dump()
    assert "impressions" not in plain and "shaping" not in plain  # earlier run ids hold
    on = make_learner(learner_id, {"impressions": True}, context, make_rng(0)).params
    assert on.model_dump()["impressions"] is True


def test_frequency_estimation_by_hand():
    est = FrequencyEstimator(n_agents=1, n_items=3, alpha=0.5)
    est.update(0, np.array([0, 0, 2]))  # t = 1: first sight B = t = 1; item 0 twice: ×(1 − α)
    assert est.gap[0].tolist() == [0.5, 1.0, 1.0] and est.last[0].tolist() == [1, -1, 1]
    est.update(0, np.array([2]))  # t = 2: B₂ = 0.5·1 + 0.5·(2 − 1) = 1
    est.update(0, np.array([0]))  # t = 3: B₀ = 0.5·0.5 + 0.5·(3 − 1) = 1.25
    assert est.gap[0].tolist() == [1.25, 1.0, 1.0]
    assert est.log_prob(0, np.array([0, 2])) == pytest.approx([-math.log(1.25), 0.0])


def test_frequency_estimation_matches_algorithm_2_one_occurrence_at_a_time():
    rng = np.random.default_rng(3)
    est = FrequencyEstimator(n_agents=1, n_items=6, alpha=0.1)
    last, gap = np.full(6, -1), np.ones(6)
    for t in range(1, 40):
        batch = rng.integers(6, size=rng.integers(1, 8))
        est.update(0, batch)
        for y in batch:  # Yi et al. Algorithm 2, with our first-sight rule
            gap[y] = t if last[y] < 0 else 0.9 * gap[y] + 0.1 * (t - last[y])
            last[y] = t
    assert est.gap[0] == pytest.approx(gap) and est.last[0].tolist() == last.tolist()


def test_sasrec_position_t_ignores_later_items_and_the_loss_skips_padding():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = SASRec(n_items=6, max_len=5, hidden=8, blocks=2, heads=1, dropout=0.2)
    net.eval()
    pad = 6
    a = torch.tensor([[pad, pad, 3, 1, 4]])
    b = torch.tensor([[pad, pad, 3, 1, 2]])
    c = torch.tensor([[pad, pad, 3, 5, 2]])
    with torch.no_grad():
        fa, fb, fc = net(a), net(b), net(c)
    assert torch.allclose(fa[:, :4], fb[:, :4], atol=1e-6)  # only position 4 changed
    assert not torch.allclose(fa[:, 4], fb[:, 4])
    assert torch.allclose(fb[:, :3], fc[:, :3], atol=1e-6)  # positions 0..2 precede the change
    assert not torch.allclose(fb[:, 3], fc[:, 3])
    assert torch.isfinite(net(torch.full((1, 5), pad))).all()  # an empty history
    # BCE: only position 4 has a real input and a real target: −log σ(F·M_5) − log(1 − σ(F·M_0))
    seq, positives = torch.tensor([[pad, pad, pad, pad, 3]]), torch.tensor([[pad, pad, pad, 3, 5]])
    negatives = torch.tensor([[1, 1, 1, 1, 0]])
    with torch.no_grad():
        loss = net.bce_loss(seq, positives, negatives)
        f = net(seq)[0, 4]
        pos, neg = float(f @ net.item.weight[5]), float(f @ net.item.weight[0])
    expected = -math.log(1 / (1 + math.exp(-pos))) - math.log(1 - 1 / (1 + math.exp(-neg)))
    assert float(loss) == pytest.approx(expected, rel=1e-5)


def test_click_history_and_buffer_by_hand():
    history = ClickHistory(n_agents=2, n_users=3, length=3, pad=9)
    history.push(np.array([0, 1]), np.array([2, 2]), np.array([4, 5]))
    history.push(np.array([0]), np.array([2]), np.array([7]))
    assert history.sequences(np.array([0, 1]), np.array([2, 2])).tolist() == [[9, 4, 7], [9, 9, 5]]
    assert history.lengths(np.array([0, 0]), np.array([2, 0])).tolist() == [2, 0]
    history.drop_items(np.array([4]))
    history.forget(np.array([1]), np.array([2]))
    assert history.items[0, 2].tolist() == [9, 9, 7] and history.items[1, 2].tolist() == [9, 9, 9]
    buffer = ClickBuffer(n_agents=1, size=2)
    buffer.add(0, np.array([0, 1, 2]), np.array([10, 11, 12]), np.array([3, 4, 5]))  # 0 dropped
    serial = np.array([10, 99, 12])  # user 1 was replaced: its click is not replayed
    users, items = buffer.sample(0, 20, serial, np.random.default_rng(0))
    assert set(users.tolist()) == {2} and set(items.tolist()) == {5}


def test_sequential_learnbpr_is_one_triple_after_the_other():
    user = np.array([[0.1, 0.2], [0.5, -0.5]])
    item = np.array([[0.3, -0.1], [0.0, 0.2], [0.7, 0.7]])
    bias = np.array([0.1, 0.0, -0.2])
    expected_user, expected_item, expected_bias = user.copy(), item.copy(), bias.copy()
    for u, i, j in ((0, 0, 1), (0, 0, 2)):  # the second triple sees the first's update
        pu, qi, qj = expected_user[u].copy(), expected_item[i].copy(), expected_item[j].copy()
        g = 1 / (1 + math.exp(pu @ (qi - qj) + expected_bias[i] - expected_bias[j]))
        expected_user[u] += 0.1 * (g * (qi - qj) - 0.01 * pu)
        expected_item[i] += 0.1 * (g * pu - 0.01 * qi)
        expected_item[j] += 0.1 * (-g * pu - 0.01 * qj)
        bi, bj = expected_bias[i], expected_bias[j]
        expected_bias[i], expected_bias[j] = bi + 0.1 * (g - 0.01 * bi), bj + 0.1 * (-g - 0.01 * bj)
    triples = (np.array([0, 0]), np.array([0, 0]), np.array([1, 2]))
    bpr_sgd(user, item, bias, *triples, 0.1, 0.01, True)
    assert user == pytest.approx(expected_user) and item == pytest.approx(expected_item)
    assert bias == pytest.approx(expected_bias)


GAME = {
    "n_users": 12, "n_items": 15, "n_topics": 3, "n_agents": 2, "slate_size": 3,
    "agents_choose": "items",
}  # fmt: skip


def slates_of(learner_id, seed, steps=6, params=None):
    game = make_game("recommender", GAME)
    learner = make_learner(learner_id, params or {}, LearnerContext.for_game(game), make_rng(seed))
    sim = Simulation(
        game, [LearnerGroup(0, 2, learner)], make_mechanism("none", {}, game, make_rng(0)),
        make_rng(0),
    )  # fmt: skip
    out = []

    class Keep:
        def record(self, record):
            out.append(game.last_slates.copy())

    sim.run(steps, Keep())
    return out, learner


@pytest.mark.parametrize("impressions", [False, True])
@pytest.mark.parametrize("learner_id", ["recsys_two_tower", "recsys_sasrec"])
def test_seeded_runs_repeat_and_other_seeds_differ(learner_id, impressions):
    params = {"impressions": impressions}
    first, learner = slates_of(learner_id, 5, params=params)
    again, _ = slates_of(learner_id, 5, params=params)
    other, _ = slates_of(learner_id, 6, params=params)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))
    assert torch.get_num_threads() == 1
    scores = learner.scores(np.array([0, 1]), np.array([0, 0]))
    assert scores.shape == (2, 15) and np.isfinite(scores).all()
    assert not np.allclose(scores[0], scores[1])  # the two agents keep their own models


def test_two_tower_user_tower_reads_the_history():
    _, learner = slates_of("recsys_two_tower", 1, steps=1)
    before = learner.scores(np.array([0]), np.array([3]))
    learner.history.push(np.array([0]), np.array([3]), np.array([7]))
    after = learner.scores(np.array([0]), np.array([3]))
    assert not np.allclose(before, after)
    learner.forget_users(np.array([0]), np.array([3]))
    assert learner.history.lengths(np.array([0]), np.array([3])).tolist() == [0]


def test_sasrec_heads_must_divide_hidden():
    game = make_game("recommender", GAME)
    with pytest.raises(ConfigError, match="heads"):
        make_learner(
            "recsys_sasrec", {"hidden": 50, "heads": 3}, LearnerContext.for_game(game), make_rng(0)
        )


def test_item_bias_enters_both_losses_by_hand():
    user = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    item = torch.tensor([[1.0, 0.0], [0.6, 0.8]])
    bias = torch.tensor([0.3, -0.2])
    loss = logq_softmax_loss(user, item, torch.zeros(2), 0.5, bias=bias)
    # s = <u_b, v_j>/τ + b_j: [[2.3, 1.0], [0.3, 1.4]]
    rows = [(2.3, [2.3, 1.0]), (1.4, [0.3, 1.4])]
    expected = -sum(pos - math.log(sum(math.exp(v) for v in row)) for pos, row in rows) / 2
    assert float(loss) == pytest.approx(expected, rel=1e-6)
    slate = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    choice = slate_choice_loss(
        user[:1],
        slate,
        torch.tensor([1]),
        torch.tensor([0.5]),
        0.5,
        bias=torch.tensor([[0.3, 1.0]]),
    )
    # utilities [2.3, 0 + 1.0], no click 0.5; slot 1 clicked
    expected_choice = -(1.0 - math.log(math.exp(0.5) + math.exp(2.3) + math.exp(1.0)))
    assert float(choice) == pytest.approx(expected_choice, rel=1e-6)


def test_two_tower_later_options_keep_the_default_draws_and_stored_params():
    from incentive_lab.learners.recsys._towers import TwoTower

    nets = []
    for bias in (False, True):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(4)
            nets.append(TwoTower(5, 6, 3, 4, 8, no_click=True, item_bias=bias))
    plain, biased = (dict(n.named_parameters()) for n in nets)
    assert set(biased) - set(plain) == {"bias"} and biased["bias"].abs().sum() == 0
    assert all(torch.equal(plain[k], biased[k]) for k in plain)
    game = make_game("recommender", GAME)
    context = LearnerContext.for_game(game)
    stored = make_learner("recsys_two_tower", {}, context, make_rng(0)).params.model_dump()
    assert "skips" not in stored and "item_bias" not in stored
    on = make_learner("recsys_two_tower", {"skips": 5, "item_bias": True}, context, make_rng(0))
    assert on.params.model_dump()["skips"] == 5 and on.params.model_dump()["item_bias"] is True


def test_two_tower_skips_are_the_unclicked_slate_items_and_the_user_tower_reads_them():
    params = {"impressions": True, "skips": 4, "item_bias": True}
    _, learner = slates_of("recsys_two_tower", 1, steps=1, params=params)
    fb = learner.channel.feedback(learner.context.agents)
    row = int(np.flatnonzero(fb.clicked >= 0)[0])
    a, u = learner.local(fb.agents[row : row + 1])[0], fb.users[row]
    shown = fb.slates[row].tolist()
    kept = [i for r, i in enumerate(shown) if r != fb.clicked[row]]  # k − 1 = 2 skipped items
    assert learner.skipped.sequences(np.array([a]), np.array([u])).tolist() == [[15, 15, *kept]]
    before = learner.scores(np.array([a]), np.array([u]))
    learner.skipped.push(np.array([a]), np.array([u]), np.array([shown[fb.clicked[row]]]))
    assert not np.allclose(before, learner.scores(np.array([a]), np.array([u])))
    learner.forget_users(np.array([a]), np.array([u]))
    assert learner.skipped.lengths(np.array([a]), np.array([u])).tolist() == [0]
    with torch.no_grad():
        learner.nets[0].bias[3] = 2.0
    learner.forget_items(np.array([3]))
    assert float(learner.nets[0].bias[3]) == 0.0  # a new item starts unbiased


def test_two_tower_without_user_ids_scores_users_by_their_histories_alone():
    params = {"user_id": False, "skips": 3}
    _, learner = slates_of("recsys_two_tower", 1, steps=1, params=params)
    assert learner.params.model_dump()["user_id"] is False
    fresh = np.array([0, 1])
    learner.forget_users(np.zeros(2, dtype=int), fresh)  # two new users: empty histories
    scores = learner.scores(np.zeros(2, dtype=int), fresh)
    assert np.array_equal(scores[0], scores[1])  # the same "no history yet" embedding
    for table in (learner.history, learner.skipped):  # same clicks and skips: same scores
        table.push(np.zeros(2, dtype=int), fresh, np.array([7, 7]))
    scores = learner.scores(np.zeros(2, dtype=int), fresh)
    assert np.array_equal(scores[0], scores[1])
    learner.history.push(np.zeros(1, dtype=int), fresh[:1], np.array([2]))
    scores = learner.scores(np.zeros(2, dtype=int), fresh)
    assert not np.allclose(scores[0], scores[1])
    ids = learner.nets[0].user_id.weight.detach().clone()
    learner.forget_users(np.zeros(1, dtype=int), fresh[:1])
    assert torch.equal(ids, learner.nets[0].user_id.weight)  # the unread table is left alone
