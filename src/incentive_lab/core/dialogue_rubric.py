"""The GTAlign welfare rubric of one user–assistant exchange: user welfare U, LLM welfare L.

GTAlign (Zhu, Zhang, Cisneros-Velarde & You, "GTAlign: Game-Theoretic Alignment of LLM
Assistants for Mutual Welfare", 2025, arXiv:2510.08872) scores every answer twice: for the
user (``U``) and for the model (``L``), and rewards the mutual welfare ``√(U·L)``. Its
payoff block crosses the user's question type with the assistant's strategy:

* question type (row): ``DQ`` a clear (definite) question, ``VQ`` an ambiguous (vague) one;
* strategy (column, the assistant's action, in this order): ``DA`` a direct, concise
  answer; ``CQ`` a clarifying question first (then a tailored answer); ``AQ`` an answer that
  covers the plausible readings plus a follow-up question — the long, *verbose* strategy.

The user also has a persona: ``expert``, ``novice`` or ``time_pressed``. This module holds
the rubric that turns (question type, persona, strategy) into ``(U, L)``; it lives in
``core`` because the ``user_assistant`` game scores with it and the ``llm`` learner's
best-of-n selection ranks answers with it (games and learners meet only in ``core``).

Facts of a strategy (per exchange)
    ====  ==================  ===========  ============  ===========
    str.  first reply words   words read   extra turns   words made
    ====  ==================  ===========  ============  ===========
    DA    120                 120          0             120
    CQ    30 (the question)   150          1             150
    AQ    700                 700          0             700
    ====  ==================  ===========  ============  ===========

Components (the seed's seven plus GTAlign's length term), each in ``[0, 1]``
    ==========================  =====  =====  =====  =====  =====  =====
    component                   DQ_DA  DQ_CQ  DQ_AQ  VQ_DA  VQ_CQ  VQ_AQ
    ==========================  =====  =====  =====  =====  =====  =====
    answer quality ``Aq``       1      1      1      0.5    1      1
    need satisfaction ``Ns``    1      0      1      0      1      1
    task success ``Ts``         1      1      1      0.5    1      1
    safety ``Sf``               1      1      1      0.5    1      1
    format ``Fm``               1      1      1      1      1      1
    length reward ``Lr``        0.13   0.09   0.60   0.13   0.09   0.60
    compute cost ``Cc``         0.12   0.15   0.70   0.12   0.15   0.70
    ==========================  =====  =====  =====  =====  =====  =====

Interaction cost ``Ic = min(1, ρ·(words read)/1000 + τ·(extra turns))`` by persona
    ============  ======================  ==================  =====  =====  =====
    persona       ρ (per 1000 words)      τ (per extra turn)  DA     CQ     AQ
    ============  ======================  ==================  =====  =====  =====
    expert        0.8                     0.10                0.096  0.22   0.56
    novice        0.2                     0.35                0.024  0.38   0.14
    time_pressed  1.0                     0.30                0.12   0.45   0.70
    ============  ======================  ==================  =====  =====  =====

Weights
    ``U = 0.30·Ts + 0.10·Aq + 0.10·Ns + 0.10·Sf + 0.40·(1 − Ic)``

    ``L = 0.30·Aq + 0.25·Ns + 0.10·Fm + 0.10·Sf + 0.25·Lr − 0.10·Cc``

Reasoning. Answer quality and need satisfaction are GTAlign's two judge scores (its
Ambig-QA reward: *correctness* — a guess at one of two readings is right half the time,
``VQ_DA = 0.5`` — and *ambiguity handling* — a clear question should be answered, an
ambiguous one clarified or answered under every reading, so ``DQ_CQ = VQ_DA = 0``); answer
quality is the final answer's, counted over the exchange as in multi-turn rewards
(CollabLLM, which GTAlign builds on), so a clarifying question followed by the tailored
answer scores 1. Task success is whether the user's need is met at the end; safety drops
when the assistant acts on a guessed reading of an ambiguous request (GTAlign's WildGuard
task). Format is GTAlign's format reward; every strategy is a well-formed answer here, so
it only sets L's level. The length reward is GTAlign's ``response_reward_logistic`` of the
LLM (word band ``[500, 1000]``, ``k = 0.005``: ``1/(1+e^{k(500−w)}) · 1/(1+e^{k(w−1000)})``
at the first reply's ``w`` words, rounded to 2 decimals) — the reward model's taste for
long answers that drives the verbose failure mode; compute cost is the words generated per
thousand. The user's side weighs the outcome 0.6 and the interaction cost 0.4 (GTAlign's
math reward: answer 0.5, length and reasoning time 0.5); the model's side weighs the judge
scores 0.55, format and safety 0.2, length 0.25, less 0.1 per thousand words of compute
(GTAlign's LLM reward: answer 0.4, format 0.2, payoff 0.2, length 0.2). Personas differ in
the interaction cost only: experts dislike reading padding (ρ = 0.8) but answer a
clarifying question in seconds (τ = 0.1); novices read a thorough answer gladly (ρ = 0.2)
but find a clarifying question hard (τ = 0.35); the time-pressed pay for both.

Resulting ``U`` / ``L`` (4 decimals; ``*``: argmax of L, ``†``: argmax of ``√(U·L)``)
    ======================  ===============  ===============  ===============
    question, persona       DA               CQ               AQ
    ======================  ===============  ===============  ===============
    clear, expert           0.9616 / 0.7705† 0.8120 / 0.5075  0.7760 / 0.8300*
    clear, novice           0.9904 / 0.7705  0.7480 / 0.5075  0.9440 / 0.8300*†
    clear, time_pressed     0.9520 / 0.7705† 0.7200 / 0.5075  0.7200 / 0.8300*
    ambiguous, expert       0.6116 / 0.3205  0.9120 / 0.7575† 0.7760 / 0.8300*
    ambiguous, novice       0.6404 / 0.3205  0.8480 / 0.7575  0.9440 / 0.8300*†
    ambiguous, time_pressed 0.6020 / 0.3205  0.8200 / 0.7575† 0.7200 / 0.8300*
    ======================  ===============  ===============  ===============

Maximising L alone picks the verbose ``AQ`` everywhere (GTAlign's failure mode: the user
pays the reading time); maximising ``√(U·L)`` answers clear questions directly and clarifies
ambiguous ones for experts and the time-pressed, and keeps ``AQ`` for novices, who profit
from the thorough answer.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from incentive_lab.core.types import FloatArray

QUESTIONS: Final = ("clear", "ambiguous")
"""Question types (GTAlign rows ``DQ``, ``VQ``)."""
ROWS: Final = ("DQ", "VQ")
PERSONAS: Final = ("expert", "novice", "time_pressed")
STRATEGIES: Final = ("DA", "CQ", "AQ")
"""The assistant's strategies, in action order (GTAlign payoff columns)."""
STRATEGY_TEXT: Final = {
    "DA": "a direct, concise answer (about 120 words)",
    "CQ": "a clarifying question first (about 30 words), then a tailored answer",
    "AQ": "a long answer covering every plausible reading plus a follow-up question "
    "(about 700 words)",
}
VERBOSE: Final = STRATEGIES.index("AQ")
CLARIFY: Final = STRATEGIES.index("CQ")
N_STATES: Final = len(QUESTIONS) * len(PERSONAS)

WORDS_READ: Final = np.array([120.0, 150.0, 700.0])
EXTRA_TURNS: Final = np.array([0.0, 1.0, 0.0])
WORDS_MADE: Final = np.array([120.0, 150.0, 700.0])
FIRST_REPLY_WORDS: Final = np.array([120.0, 30.0, 700.0])

# component[question, strategy]
ANSWER_QUALITY: Final = np.array([[1.0, 1.0, 1.0], [0.5, 1.0, 1.0]])
NEED_SATISFACTION: Final = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
TASK_SUCCESS: Final = np.array([[1.0, 1.0, 1.0], [0.5, 1.0, 1.0]])
SAFETY: Final = np.array([[1.0, 1.0, 1.0], [0.5, 1.0, 1.0]])
FORMAT: Final = np.ones((2, 3))
LENGTH_REWARD: Final = np.array([[0.13, 0.09, 0.60], [0.13, 0.09, 0.60]])
COMPUTE_COST: Final = np.tile(WORDS_MADE / 1000.0, (2, 1))

READING_COST: Final = np.array([0.8, 0.2, 1.0])
"""ρ per persona: interaction cost per 1000 words read."""
TURN_COST: Final = np.array([0.10, 0.35, 0.30])
"""τ per persona: interaction cost per extra turn."""

USER_WEIGHTS: Final = {"Ts": 0.30, "Aq": 0.10, "Ns": 0.10, "Sf": 0.10, "Ic": 0.40}
LLM_WEIGHTS: Final = {"Aq": 0.30, "Ns": 0.25, "Fm": 0.10, "Sf": 0.10, "Lr": 0.25, "Cc": 0.10}


def length_reward(
    words: float, low: float = 500.0, high: float = 1000.0, k: float = 0.005
) -> float:
    """GTAlign's ``response_reward_logistic``: a soft band ``[low, high]`` over word counts."""
    return float(1.0 / (1.0 + np.exp(k * (low - words))) / (1.0 + np.exp(k * (words - high))))


def interaction_cost() -> FloatArray:
    """``float64[persona, strategy]``: ``min(1, ρ·words/1000 + τ·turns)``."""
    cost = READING_COST[:, None] * WORDS_READ[None, :] / 1000.0
    cost = cost + TURN_COST[:, None] * EXTRA_TURNS[None, :]
    return np.minimum(cost, 1.0)


def state_index(question: int, persona: int) -> int:
    """The observation of a (question type, persona) pair: ``3·question + persona``."""
    return question * len(PERSONAS) + persona


def decode(state: int) -> tuple[int, int]:
    """``(question, persona)`` of a state index."""
    return divmod(int(state), len(PERSONAS))


def state_text(state: int) -> str:
    """The state in words, for prompts."""
    question, persona = decode(state)
    return f"the user's question is {QUESTIONS[question]}; the user is {PERSONAS[persona]}"


def welfare_tables() -> tuple[FloatArray, FloatArray]:
    """``(U, L)``, each ``float64[N_STATES, 3]`` indexed by state and strategy."""
    w, v = USER_WEIGHTS, LLM_WEIGHTS
    ic = interaction_cost()
    user = np.empty((N_STATES, len(STRATEGIES)))
    llm = np.empty_like(user)
    for state in range(N_STATES):
        q, p = decode(state)
        user[state] = (
            w["Ts"] * TASK_SUCCESS[q]
            + w["Aq"] * ANSWER_QUALITY[q]
            + w["Ns"] * NEED_SATISFACTION[q]
            + w["Sf"] * SAFETY[q]
            + w["Ic"] * (1.0 - ic[p])
        )
        llm[state] = (
            v["Aq"] * ANSWER_QUALITY[q]
            + v["Ns"] * NEED_SATISFACTION[q]
            + v["Fm"] * FORMAT[q]
            + v["Sf"] * SAFETY[q]
            + v["Lr"] * LENGTH_REWARD[q]
            - v["Cc"] * COMPUTE_COST[q]
        )
    return user, llm


def mutual_welfare(user: FloatArray, llm: FloatArray) -> FloatArray:
    """``√(max(U,0)·max(L,0))`` elementwise (GTAlign's Cobb-Douglas mutual welfare)."""
    return np.sqrt(np.maximum(user, 0.0) * np.maximum(llm, 0.0))


def score(states: np.ndarray, actions: np.ndarray) -> tuple[FloatArray, FloatArray]:
    """``(U, L)`` of each (state, strategy) pair, ``float64[m]`` each."""
    user, llm = welfare_tables()
    states = np.asarray(states, dtype=np.int64)
    actions = np.asarray(actions, dtype=np.int64)
    return user[states, actions], llm[states, actions]
