"""RecBole-style BPR by hand: Adam steps, the mean BPR loss's gradients, the negatives, and
the online ``optimizer: adam`` step of ``recsys_bpr``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from incentive_lab.core import ConfigError, LearnerContext, make_game, make_learner, make_rng
from incentive_lab.core.slate_choice import SlateFeedback
from incentive_lab.learners.recsys._bpr_adam import (
    Adam,
    bpr_epochs,
    bpr_gradients,
    sample_negatives,
    xavier_normal,
)

torch.set_num_threads(1)


def test_adam_two_steps_by_hand():
    theta = np.array([1.0, -2.0])
    adam = Adam(lr=0.1)
    adam.step([theta], [np.array([0.5, -0.25])])
    # t = 1: m̂ = g, v̂ = g², so θ moves by α·g/(|g| + ε) ≈ α·sign(g)
    first = np.array([1.0 - 0.1 * 0.5 / (0.5 + 1e-8), -2.0 + 0.1 * 0.25 / (0.25 + 1e-8)])
    assert theta == pytest.approx(first, abs=1e-15) and first == pytest.approx([0.9, -1.9])
    adam.step([theta], [np.array([-1.0, 0.0])])
    # t = 2, coordinate 0: m = 0.9·0.05 + 0.1·(−1) = −0.055, v = 0.999·0.00025 + 0.001·1
    m, v = -0.055, 0.999 * 0.00025 + 0.001
    step0 = 0.1 * (m / (1 - 0.9**2)) / (np.sqrt(v / (1 - 0.999**2)) + 1e-8)
    # coordinate 1: g = 0, m = 0.9·(−0.025), v = 0.999·0.0000625: it still moves (momentum)
    m1, v1 = 0.9 * -0.025, 0.999 * 0.0000625
    step1 = 0.1 * (m1 / (1 - 0.9**2)) / (np.sqrt(v1 / (1 - 0.999**2)) + 1e-8)
    assert theta == pytest.approx(first - [step0, step1], abs=1e-12)
    # m̂ = −0.055/0.19 = −0.289474, v̂ = 0.00124975/0.001999 = 0.625188, √v̂ = 0.790688
    assert step0 == pytest.approx(0.1 * -0.289474 / 0.790688, abs=1e-6)


def test_adam_matches_torch_on_three_steps():
    rng = np.random.default_rng(0)
    ours = rng.standard_normal((3, 2))
    ref = torch.tensor(ours.copy(), requires_grad=True)
    opt = torch.optim.Adam([ref], lr=0.01)
    adam = Adam(lr=0.01)
    for _ in range(3):
        grad = rng.standard_normal((3, 2))
        grad[1] = 0.0  # a row without gradient this step
        adam.step([ours], [grad])
        ref.grad = torch.tensor(grad)
        opt.step()
    assert ours == pytest.approx(ref.detach().numpy(), abs=1e-12)


def test_bpr_gradients_by_hand_and_against_autograd():
    user = np.array([[0.1, 0.2], [0.5, -0.5]])
    item = np.array([[0.3, -0.1], [0.0, 0.2], [0.7, 0.7]])
    bias = np.array([0.1, 0.0, -0.2])
    one = (np.array([0]), np.array([0]), np.array([1]))
    fit, (d_user, d_item, d_bias) = bpr_gradients(user, item, bias, one, reg=0.0)
    # x = p0·(q0 − q1) + b0 − b1 = 0.07, g = σ(−0.07); ∂p0 = −g(q0 − q1), ∂q0 = −g p0, …
    g = 0.48250714
    assert fit == pytest.approx(np.log(1 / (1 + np.exp(-0.07))))
    assert d_user[0] == pytest.approx([-0.3 * g, 0.3 * g])
    assert d_item[0] == pytest.approx([-0.1 * g, -0.2 * g])
    assert d_item[1] == pytest.approx([0.1 * g, 0.2 * g])
    assert d_bias.tolist() == pytest.approx([-g, g, 0.0])
    assert not d_user[1].any() and not d_item[2].any()
    # three triples sharing rows, with L2: the mean loss's autograd gradients
    triples = (np.array([0, 1, 1]), np.array([0, 2, 2]), np.array([1, 0, 1]))
    _, grads = bpr_gradients(user, item, bias, triples, reg=0.05)
    tensors = [torch.tensor(a, requires_grad=True) for a in (user, item, bias)]
    p, q, b = tensors
    u, i, j = (torch.tensor(t) for t in triples)
    x = (p[u] * (q[i] - q[j])).sum(1) + b[i] - b[j]
    l2 = (p[u] ** 2).sum(1) + (q[i] ** 2).sum(1) + (q[j] ** 2).sum(1) + b[i] ** 2 + b[j] ** 2
    loss = (-torch.nn.functional.logsigmoid(x) + 0.05 / 2 * l2).mean()
    loss.backward()
    for ours, ref in zip(grads, tensors, strict=True):
        assert ours == pytest.approx(ref.grad.numpy(), abs=1e-12)


def test_negatives_are_uniform_over_the_users_non_positives():
    positive = np.zeros((2, 6), dtype=bool)
    positive[0, [0, 1, 2]] = True
    positive[1, [5]] = True
    users = np.repeat([0, 1], 30_000)
    neg = sample_negatives(users, positive, make_rng(0))
    assert not positive[users, neg].any()
    share0 = np.bincount(neg[:30_000], minlength=6) / 30_000
    assert share0[:3].tolist() == [0, 0, 0]
    assert share0[3:] == pytest.approx([1 / 3] * 3, abs=0.015)
    assert np.bincount(neg[30_000:], minlength=6)[:5] / 30_000 == pytest.approx(
        [0.2] * 5, abs=0.015
    )


def test_xavier_normal_scale_and_training_fits_the_positives():
    rng = make_rng(0)
    assert xavier_normal(2000, 64, rng).std() == pytest.approx(np.sqrt(2 / 2064), rel=0.02)
    # 6 users, 8 items: users 0-2 like items 0-3, users 3-5 items 4-7 (a few held out)
    users = np.repeat(np.arange(6), 3)
    items = np.array([0, 1, 2, 1, 2, 3, 0, 2, 3, 4, 5, 6, 5, 6, 7, 4, 6, 7])
    epochs = bpr_epochs((users, items), (6, 8), make_rng(1), factors=4, lr=0.05, batch=4)
    fits = [fit for _, (_model, fit) in zip(range(60), epochs, strict=False)]
    model = next(epochs)[0]
    assert fits[-1] > fits[0]  # the mean ln σ(x) rises
    scores = model.scores()
    # the held-out item of each user's group outranks every item of the other group
    held = {0: 3, 1: 0, 2: 1, 3: 7, 4: 4, 5: 5}
    for u, i in held.items():
        other = np.arange(4, 8) if u < 3 else np.arange(4)
        assert scores[u, i] > scores[u, other].max()


def items_game(n_items=4, slate_size=2):
    features = np.eye(2)[np.arange(n_items) % 2].tolist()
    params = {
        "n_users": 2, "n_items": n_items, "n_agents": 1, "slate_size": slate_size,
        "n_topics": 2, "n_providers": 1, "item_features": features, "agents_choose": "items",
    }  # fmt: skip
    return make_game("recommender", params)


def test_online_adam_step_is_one_adam_step_on_the_mean_loss():
    game = items_game()
    game.reset(make_rng(0))
    params = {"n_sampled": 0, "replay": 0, "factors": 2, "optimizer": "adam", "lr": 0.01}
    learner = make_learner("recsys_bpr", params, LearnerContext.for_game(game), make_rng(0))
    learner.act(np.zeros((1, 5)))
    learner.user[0, 1] = [0.3, -0.2]
    user, item, bias = learner.user[0].copy(), learner.item[0].copy(), learner.bias[0].copy()
    feedback = SlateFeedback(
        agents=np.array([0]), users=np.array([1]), serial=game.user_serial[1:2],
        slates=np.array([[3, 0]]), clicked=np.array([1]),
    )  # fmt: skip
    stats = learner.learn(np.array([0]), feedback)
    triple = (np.array([1]), np.array([0]), np.array([3]))  # clicked 0, shown 3
    fit, grads = bpr_gradients(user, item, None, triple, 0.01)
    Adam(lr=0.01).step([user, item, bias], grads)
    assert stats["bpr_log_likelihood"] == pytest.approx(fit)
    assert learner.user[0] == pytest.approx(user, abs=1e-15)
    assert learner.item[0] == pytest.approx(item, abs=1e-15)
    assert learner.item[0, 1] == pytest.approx(item[1])  # no gradient, no moment: unmoved


def test_adam_with_sequential_updates_is_refused_in_one_line():
    game = items_game()
    context = LearnerContext.for_game(game)
    with pytest.raises(ConfigError, match="optimizer: got 'adam'; sgd with update: sequential"):
        make_learner(
            "recsys_bpr", {"optimizer": "adam", "update": "sequential"}, context, make_rng(0)
        )
    with pytest.raises(ConfigError, match="optimizer"):
        make_learner("recsys_bpr", {"optimizer": "rmsprop"}, context, make_rng(0))
