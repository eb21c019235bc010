"""Best-of-n selection by mutual welfare: a training-free alignment baseline.

Sample ``n`` answers to the same prompt (different sampling seeds), read each answer's
strategy, score every strategy with the GTAlign rubric of the current exchange
(:mod:`incentive_lab.core.dialogue_rubric`: user welfare ``U``, model welfare ``L``) by the
mutual welfare ``√(U·L)``, and keep the best (the first sampled on ties). Best-of-n (rejection
sampling against a reward model; Nakano et al. 2021, WebGPT; Stiennon et al. 2020) spends
inference compute instead of training: GTAlign trains its model with the mutual-welfare
reward (GRPO/PPO), which needs a trainable model — out of scope on a CPU-only machine with a
135M-parameter GGUF, so this selection is the baseline we can run.

The scores need the rubric's state (question type, persona), so the ``llm`` learner offers
``best_of_n > 1`` only with ``payoff_schema: gtalign`` (the ``user_assistant`` game, whose
observation is that state). Answers that gave no action (backend error, unparseable) are
skipped; when all fail the learner falls back as usual.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from incentive_lab.core import dialogue_rubric


def scores(state: int, actions: Sequence[int]) -> list[float]:
    """``√(U·L)`` of each strategy in ``actions`` for the exchange ``state``."""
    user, llm = dialogue_rubric.score(np.full(len(actions), state), np.asarray(actions))
    return [float(w) for w in dialogue_rubric.mutual_welfare(user, llm)]


def select(state: int, candidates: Sequence[int | None]) -> int | None:
    """The candidate action of highest mutual welfare (first on ties); ``None`` if none."""
    usable = [a for a in candidates if a is not None]
    if not usable:
        return None
    values = scores(state, usable)
    return usable[int(np.argmax(values))]
