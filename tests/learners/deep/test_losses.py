"""The formulas of the deep learners against hand-computed values (``learners.deep._losses``)."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.learners.deep._losses import (
    clip_grouped,
    dqn_targets,
    gae,
    normalise,
    ppo_loss,
)
from incentive_lab.learners.deep.buffers import Rollout

torch = pytest.importorskip("torch")


def test_gae_follows_its_recursion_by_hand_across_a_truncated_episode_end():
    # γ = 0.9, λ = 0.8; the episode is truncated after step 1 (bootstrap V = 4 of its final
    # observation); step 2 starts a new episode and bootstraps from V(s_3) = 2.
    rewards = np.array([[1.0], [2.0], [3.0]])
    values = np.array([[0.5], [1.0], [1.5]])
    next_values = np.array([[1.0], [4.0], [2.0]])
    ends = np.array([False, True, False])
    advantages, returns = gae(rewards, values, next_values, ends, 0.9, 0.8)
    # δ0 = 1 + 0.9·1 − 0.5 = 1.4, δ1 = 2 + 0.9·4 − 1 = 4.6, δ2 = 3 + 0.9·2 − 1.5 = 3.3
    # A2 = 3.3; A1 = δ1 (the end cuts the trace); A0 = 1.4 + 0.9·0.8·4.6 = 4.712
    np.testing.assert_allclose(advantages[:, 0], [4.712, 4.6, 3.3], rtol=1e-12)
    np.testing.assert_allclose(returns[:, 0], [5.212, 5.6, 4.8], rtol=1e-12)


def test_gae_terminated_step_bootstraps_from_zero_and_agents_are_separate():
    rewards = np.array([[1.0, 0.0], [1.0, 2.0]])
    values = np.array([[0.0, 1.0], [0.5, 0.0]])
    next_values = np.array([[0.5, 0.0], [0.0, 0.0]])  # step 1 terminated: V̂ = 0
    advantages, _ = gae(rewards, values, next_values, [False, True], 0.5, 1.0)
    # agent 0: δ1 = 1 − 0.5 = 0.5, δ0 = 1 + 0.25 − 0 = 1.25, A0 = 1.25 + 0.5·0.5 = 1.5
    # agent 1: δ1 = 2 − 0 = 2, δ0 = 0 + 0 − 1 = −1, A0 = −1 + 0.5·2 = 0
    np.testing.assert_allclose(advantages, [[1.5, 0.0], [0.5, 2.0]], rtol=1e-12)


def test_rollout_next_values_take_the_next_value_inside_episodes_only():
    buffer = Rollout(3)
    for t in range(3):
        buffer.add(values=np.array([10.0 * (t + 1)]), ends=t == 1)
    bootstrap = np.array([[-1.0], [4.0], [2.0]])
    # step 0 → V(s_1) = 20; step 1 ended → its bootstrap 4; step 2 is the last → 2
    np.testing.assert_array_equal(buffer.next_values(bootstrap)[:, 0], [20.0, 4.0, 2.0])


def _loss(clip_value: bool):
    ratios = np.array([0.5, -0.1, np.log(0.5)])  # log ρ: ρ = e^0.5, e^−0.1, 0.5
    old = torch.tensor([[-1.0, -0.7, -0.4]])
    logp = (old + torch.tensor(ratios, dtype=torch.float32)).requires_grad_(True)
    loss, parts = ppo_loss(
        logp,
        old,
        torch.tensor([[1.0, -2.0, -1.0]]),
        torch.tensor([[0.6, 0.5, 0.4]]),
        torch.tensor([[1.0, 0.0, 2.0]]),
        torch.tensor([[0.5, 0.1, 2.0]]),
        torch.tensor([[2.0, 0.0, 1.0]]),
        clip=0.2,
        vf_coef=0.5,
        ent_coef=0.01,
        clip_value=clip_value,
    )
    return loss, parts, logp


def test_ppo_loss_equals_the_hand_computed_value_with_clipping_active_and_inactive():
    loss, parts, logp = _loss(clip_value=True)
    # row 0: ρ = e^0.5 = 1.6487, Â = +1 → min(1.6487, 1.2) = 1.2       (upper clip active)
    # row 1: ρ = e^−0.1 = 0.904837, Â = −2 → −1.809675                   (inactive)
    # row 2: ρ = 0.5, Â = −1 → min(−0.5, −0.8) = −0.8                    (lower clip active)
    surrogate = -(1.2 - 2 * np.exp(-0.1) - 0.8) / 3
    # values: (V − R)² = 1, 0, 1; clipped V: 0.7, 0.0, 2.0 → 1.69, 0, 1; max → 1.69, 0, 1
    value = 0.5 * (1.69 + 0.0 + 1.0) / 3
    expected = surrogate + 0.5 * value - 0.01 * 0.5
    assert float(parts["policy_loss"]) == pytest.approx(surrogate, abs=1e-6)
    assert float(parts["value_loss"]) == pytest.approx(value, abs=1e-6)
    assert float(loss.detach()) == pytest.approx(expected, abs=1e-6)
    loss.backward()
    # a clipped row has no policy gradient; the unclipped row has −Â·ρ/3
    np.testing.assert_allclose(
        logp.grad.numpy()[0], [0.0, 2 * np.exp(-0.1) / 3, 0.0], rtol=1e-5, atol=1e-7
    )
    unclipped, parts, _ = _loss(clip_value=False)
    assert float(parts["value_loss"]) == pytest.approx(0.5 * 2.0 / 3, abs=1e-6)
    assert float(unclipped.detach()) == pytest.approx(surrogate + 0.5 * (1 / 3) - 0.005, abs=1e-6)


def test_advantages_are_normalised_per_group_with_bessel_corrected_std():
    a = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 6.0]])
    out = normalise(a).numpy()
    np.testing.assert_allclose(out[0], [-1.0, 0.0, 1.0], atol=1e-6)  # std 1
    s = np.sqrt(((0 - 2) ** 2 * 2 + 4**2) / 2)  # mean 2, Bessel std √12
    np.testing.assert_allclose(out[1], [-2 / s, -2 / s, 4 / s], atol=1e-6)


def test_dqn_targets_plain_and_double_by_hand():
    r = torch.tensor([1.0, 0.5])
    done = torch.tensor([0.0, 1.0])
    q_target = torch.tensor([[1.0, 3.0], [2.0, 5.0]])
    q_online = torch.tensor([[4.0, 0.0], [0.0, 1.0]])
    # plain: 1 + 0.9·max(1, 3) = 3.7; terminated: 0.5
    np.testing.assert_allclose(dqn_targets(r, done, 0.9, q_target).numpy(), [3.7, 0.5], 1e-6)
    # double: the online net picks action 0 in row 0 → 1 + 0.9·Q'(s', 0) = 1.9
    double = dqn_targets(r, done, 0.9, q_target, q_online).numpy()
    np.testing.assert_allclose(double, [1.9, 0.5], rtol=1e-6)


def test_gradient_clipping_is_per_group():
    w = torch.zeros(2, 2, requires_grad=True)
    conv = torch.zeros(2 * 3, 1, requires_grad=True)  # a grouped conv: 3 channels per group
    w.grad = torch.tensor([[3.0, 0.0], [0.3, 0.0]])
    conv.grad = torch.tensor([[4.0], [0.0], [0.0], [0.0], [0.0], [0.4]])
    largest = clip_grouped([w, conv], 2, 1.0)
    assert largest == pytest.approx(5.0)
    # group 0 had norm 5 → scaled to 1; group 1 had norm 0.5 → unchanged
    np.testing.assert_allclose(w.grad.numpy(), [[0.6, 0.0], [0.3, 0.0]], rtol=1e-5)
    np.testing.assert_allclose(conv.grad.numpy()[:, 0], [0.8, 0, 0, 0, 0, 0.4], rtol=1e-5)
