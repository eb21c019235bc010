"""Social outcome metrics of Perolat et al. (2017) and the games' own, per episode.

Perolat, Leibo, Zambaldi, Beattie, Tuyls & Graepel (2017), *A multi-agent reinforcement
learning model of common-pool resource appropriation* (NeurIPS), §3: for one episode of
``T`` steps of ``N`` agents with returns ``R_i = Σ_t r_i^t``,

* **efficiency** ``U = Σ_i R_i / T`` — collective return per step;
* **equality** ``E = 1 − G(R)``, ``G`` the Gini coefficient of the returns. Returns may be
  negative here (penalty beams), so ``G`` is the signed-value Gini of
  ``incentive_lab.evaluation.metrics.gini``: ``Σ_i Σ_j |R_i − R_j| / (2 N Σ_i |R_i|)``
  (the usual Gini for non-negative returns; ``G = 0`` when all returns are 0);
* **sustainability** ``S = (1/N) Σ_i t_i`` with ``t_i = E[t | r_i^t > 0]`` the mean step
  (1-based) at which agent ``i`` received a positive reward. Agents that never did are left
  out of the mean (``S = 0`` when nobody did);
* **peace** ``P = (N·T − Σ_i Σ_t I(i tagged out at t)) / T`` — the number of agents not
  tagged out, averaged over steps (``N`` when nobody is ever tagged).

Game-specific, also per episode: Harvest ``apples_remaining`` (apples on the map at the
end) and ``depletion_time`` (first step after which no apple was left, ``T`` if never);
Cleanup ``waste_density`` (mean over steps of polluted / river cells) and
``cleaning_share`` (agent-steps spent firing the cleaning beam over ``N·T``); Coins
``own_coin_rate`` (coins picked that were the picker's own colour, over all coins picked;
omitted when no coin was picked).

Each value is computed per copy (one episode) and the game reports the mean over copies in
``info["metrics"]`` at the episode's last step. Shapes: ``C`` copies, ``N`` players;
accumulators are ``[C, N]`` arrays summed over the episode.
"""

from __future__ import annotations

import numpy as np

from incentive_lab.core.types import FloatArray, IntArray


def signed_gini(values: FloatArray) -> FloatArray:
    """``float64[C]``: the signed-value Gini of each row of ``values: float64[C, N]``."""
    x = np.asarray(values, dtype=np.float64)
    pairs = np.abs(x[:, :, None] - x[:, None, :]).sum(axis=(1, 2))
    scale = 2.0 * x.shape[1] * np.abs(x).sum(axis=1)
    return np.divide(pairs, scale, out=np.zeros(x.shape[0]), where=scale > 0)


def efficiency(returns: FloatArray, steps: int) -> FloatArray:
    """``float64[C]``: ``Σ_i R_i / T`` per copy."""
    return np.asarray(returns, dtype=np.float64).sum(axis=1) / steps


def equality(returns: FloatArray) -> FloatArray:
    """``float64[C]``: ``1 − G(R)`` per copy."""
    return 1.0 - signed_gini(returns)


def sustainability(time_sums: FloatArray, reward_steps: IntArray) -> FloatArray:
    """``float64[C]``: mean over agents with a positive reward of their mean reward step.

    ``time_sums[c, i]`` = sum of the steps ``t`` (1-based) at which ``r_i^t > 0``;
    ``reward_steps[c, i]`` = how many such steps.
    """
    counts = np.asarray(reward_steps, dtype=np.float64)
    t_i = np.divide(time_sums, counts, out=np.zeros_like(counts), where=counts > 0)
    agents = (counts > 0).sum(axis=1)
    return np.divide(t_i.sum(axis=1), agents, out=np.zeros(t_i.shape[0]), where=agents > 0)


def peace(tagged_steps: IntArray, steps: int) -> FloatArray:
    """``float64[C]``: ``(N·T − Σ_i tagged_i) / T`` per copy."""
    tagged = np.asarray(tagged_steps, dtype=np.float64)
    return (tagged.shape[1] * steps - tagged.sum(axis=1)) / steps


def social_outcomes(
    returns: FloatArray,
    time_sums: FloatArray,
    reward_steps: IntArray,
    tagged_steps: IntArray,
    steps: int,
) -> dict[str, float]:
    """The four metrics of Perolat et al., each the mean over copies."""
    return {
        "efficiency": float(efficiency(returns, steps).mean()),
        "equality": float(equality(returns).mean()),
        "sustainability": float(sustainability(time_sums, reward_steps).mean()),
        "peace": float(peace(tagged_steps, steps).mean()),
    }


def own_coin_rate(own: IntArray, other: IntArray) -> float | None:
    """Own-colour coins over all coins picked, pooled over agents and copies (``None``: none)."""
    total = int(np.sum(own) + np.sum(other))
    return None if total == 0 else float(np.sum(own)) / total


def cleaning_share(cleans: IntArray, steps: int) -> float:
    """Agent-steps firing the cleaning beam over all agent-steps (pooled over copies)."""
    cleans = np.asarray(cleans)
    return float(cleans.sum()) / (cleans.size * steps)
