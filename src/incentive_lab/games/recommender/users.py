"""User state of the ``recommender`` game: drift, sessions, satisfaction, churn, competition.

Every user slot ``u`` holds (arrays over the ``U`` slots, see :class:`UserState`):

Interest drift (toward consumed items; a filter-bubble feedback)
    after clicking item ``i``: ``θ_u ← θ_u + η · f̂_i ⊙ (1 − θ_u)`` — the interests in the
    item's topics move toward +1 by the fraction ``η`` (``drift``), staying in ``[−1, 1]``.
Session time budget (RecSim interest-evolution style, Ie et al. 2019)
    each round costs one unit; a click on an item of quality ``q ∈ [0, 1]`` gives back
    ``q · session_refund``; when the budget reaches 0 the session ends (its length in rounds
    is recorded) and the next round starts a new session with ``session_budget`` units.
Latent satisfaction and churn (patience)
    ``S_u ← min(patience, S_u − boredom + click · q)``, starting at ``patience``; the user
    leaves for good (churns) when ``S_u ≤ 0``. Poor slates (few or low-quality clicks) drain
    ``S`` by ``boredom`` per round, good ones refill it.
Arrivals (cold start)
    each empty slot is filled by a new user with probability ``user_arrival`` per round
    (fresh interests, full satisfaction, age 0, neutral reputations); users younger than
    ``cold_start_rounds`` rounds count as cold-start users.
Competition among agents (reputation)
    user ``u`` keeps a reputation ``R_uk`` of every agent (initially 1, optimistic) updated
    when served: ``R_uk ← (1 − ρ) R_uk + ρ · click``. Each round the user picks the agent by
    ``hardmax`` (argmax, ties at random), ``epsilon`` (uniform with probability ε, else
    hardmax) or ``softmax`` (``P(k) ∝ exp(R_uk / τ)``).
Competition for users with a switching cost (``logit_switching``)
    the user chooses the platform (agent) by a conditional logit over its recent
    satisfaction with each — the reputation ``R_uk``, an exponentially weighted average of
    its clicks there — plus a switching cost ``c`` paid to leave the agent it used last
    (Klemperer 1995, "Competition when consumers have switching costs", Review of Economic
    Studies 62(4); the logit with state dependence of Dubé, Hitsch & Rossi 2010, "State
    dependence and alternative explanations for consumer inertia", RAND J. Econ. 41(3))::

        P(k | u) ∝ exp((R_uk + c · 1[k = last_u]) / τ)

    ``last_u``: the agent ``u`` was served by in its previous round (none for a new user,
    who then chooses by the plain soft-max). ``c = 0`` is ``softmax``; a large ``c`` locks
    users in (churn between platforms falls, incumbents keep their share).
Satiation (boredom with a topic) is in ``games.recommender.satiation``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from incentive_lab.core.types import BoolArray, FloatArray, IntArray

Competition = Literal["hardmax", "epsilon", "softmax", "logit_switching"]


@dataclass
class UserState:
    """Mutable state of the ``U`` user slots (the game owns it; rules stay in params)."""

    theta: FloatArray
    active: BoolArray
    satisfaction: FloatArray
    budget: FloatArray
    session_rounds: IntArray
    age: IntArray
    last_topic: IntArray
    reputation: FloatArray
    last_agent: IntArray
    """The agent that served each user in its previous round (−1: none yet)."""
    satiation: FloatArray
    """Per-topic satiation ``σ_u[d]`` (``games.recommender.satiation``; 0 without it)."""


def new_state(theta: FloatArray, n_agents: int, patience: float, budget: float) -> UserState:
    """Every slot filled with a fresh user of interests ``theta[U, d]``."""
    n = theta.shape[0]
    return UserState(
        theta=theta,
        active=np.ones(n, dtype=bool),
        satisfaction=np.full(n, patience),
        budget=np.full(n, budget),
        session_rounds=np.zeros(n, dtype=np.int64),
        age=np.zeros(n, dtype=np.int64),
        last_topic=np.full(n, -1, dtype=np.int64),
        reputation=np.ones((n, n_agents)),
        last_agent=np.full(n, -1, dtype=np.int64),
        satiation=np.zeros(theta.shape),
    )


def choose_agents(
    reputation: FloatArray,
    rule: Competition,
    temperature: float,
    epsilon: float,
    uniforms: FloatArray,
    last: IntArray | None = None,
    switching_cost: float = 0.0,
) -> IntArray:
    """``int64[U]``: each user's agent; ``uniforms[U, 2]`` are the round's draws.

    ``last[U]``: each user's previous agent (−1: none), read by ``logit_switching`` only.
    """
    k = reputation.shape[1]
    if rule == "logit_switching":
        reputation = switching_utility(reputation, last, switching_cost)
    if rule in ("softmax", "logit_switching"):
        z = (reputation - reputation.max(axis=1, keepdims=True)) / max(temperature, 1e-12)
        cum = np.cumsum(np.exp(z), axis=1)
        pick = (cum <= (uniforms[:, 0] * cum[:, -1])[:, None]).sum(axis=1)
        return np.minimum(pick, k - 1).astype(np.int64)
    best = reputation == reputation.max(axis=1, keepdims=True)
    cum = np.cumsum(best, axis=1)
    nth = np.floor(uniforms[:, 0] * cum[:, -1]).astype(np.int64)  # a uniform tied maximum
    chosen = (cum <= nth[:, None]).sum(axis=1).astype(np.int64)
    if rule == "epsilon":
        explore = uniforms[:, 1] < epsilon
        random = np.minimum((uniforms[:, 1] / max(epsilon, 1e-300) * k).astype(np.int64), k - 1)
        chosen = np.where(explore, random, chosen)
    return chosen


def switching_utility(reputation: FloatArray, last: IntArray | None, cost: float) -> FloatArray:
    """``float64[U, K]``: ``R_uk + c · 1[k = last_u]`` (no bonus where ``last_u = −1``)."""
    utility = np.array(reputation, dtype=np.float64)
    if last is None or cost == 0.0:
        return utility
    rows = np.flatnonzero(last >= 0)
    utility[rows, last[rows]] += cost
    return utility


def drift(theta: FloatArray, consumed: FloatArray, rate: float) -> FloatArray:
    """``θ + η · f̂ ⊙ (1 − θ)`` for rows ``consumed[U', d]`` (``f̂`` of the clicked items)."""
    return np.asarray(theta + rate * consumed * (1.0 - theta), dtype=np.float64)


def update_satisfaction(
    satisfaction: FloatArray, gain: FloatArray, boredom: float, patience: float
) -> FloatArray:
    """``min(patience, S − boredom + gain)`` with ``gain = click · q``."""
    return np.minimum(patience, satisfaction - boredom + gain)


def advance_sessions(
    state: UserState, served: BoolArray, gain: FloatArray, refund: float, budget: float
) -> IntArray:
    """Spend one round of every served user's budget; return the lengths of ended sessions."""
    state.budget[served] += refund * gain[served] - 1.0
    state.session_rounds[served] += 1
    ended = served & (state.budget <= 0.0)
    lengths = state.session_rounds[ended].copy()
    state.budget[ended] = budget
    state.session_rounds[ended] = 0
    return lengths


def update_reputation(
    reputation: FloatArray, users: IntArray, agents: IntArray, clicked: FloatArray, rate: float
) -> None:
    """``R_uk ← (1 − ρ) R_uk + ρ · click`` for the served pairs ``(users, agents)``."""
    reputation[users, agents] += rate * (clicked - reputation[users, agents])


def arrive(
    state: UserState, arrivals: BoolArray, theta: FloatArray, patience: float, budget: float
) -> None:
    """Fill the slots ``arrivals`` with new users of interests ``theta[arrivals.sum(), d]``."""
    state.theta[arrivals] = theta
    state.active[arrivals] = True
    state.satisfaction[arrivals] = patience
    state.budget[arrivals] = budget
    state.session_rounds[arrivals] = 0
    state.age[arrivals] = 0
    state.last_topic[arrivals] = -1
    state.reputation[arrivals] = 1.0
    state.last_agent[arrivals] = -1
    state.satiation[arrivals] = 0.0
