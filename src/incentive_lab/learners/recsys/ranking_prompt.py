"""The chat of the LLM recommender (``recsys_llm``): prompt, answer schema, strict parser.

Prompt (two messages)
    *system*: the task (rank candidate items for one user by how likely the user is to
    click them) and the answer format; *user*: the user's recent clicks, oldest first, one
    item label per line (``SlateChoice.item_labels``: MovieLens ``"Title (year) [genres]"``,
    synthetic ``"item 17 (topic 3)"``), then the numbered candidates ``"0: label"`` …
    ``"M−1: label"``, then the question. A user with no click yet is said to be new. Item
    labels come from the data, not from users, and are cut to ``LABEL_CHARS`` characters.

Answer
    exactly one JSON object ``{"ranking": [c_0, …, c_{k−1}]}`` (bare, or alone in one fenced
    code block): only the key ``ranking``, a non-empty list of at most ``M`` JSON integers
    (not booleans, not ``1.0``, not ``"1"``) with ``0 ≤ c < M``. :func:`ranking_schema` is its
    JSON schema (``enum`` of the candidate numbers and ``minItems = maxItems = k``, which
    llama.cpp turns into a grammar). A schema cannot say "distinct", so the parser keeps
    the first occurrence of each number and, if fewer than ``k`` distinct numbers remain
    (repeats or a short list), fills the slate with the next candidates in the retriever's
    order; such an answer counts as *repaired* (a metric), not as unparsed. Anything else
    is rejected with a reason (:func:`reask_message` sends it back) and ends in a recorded
    fallback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from incentive_lab.core.chat import parse_object

LABEL_CHARS = 200
"""Longest item label shown in a prompt."""
SYSTEM = (
    "You are the recommender system of a platform. You read the items a user clicked "
    "recently and rank candidate items by how likely this user is to click them. Answer "
    'with only a JSON object {{"ranking": [a, b, ...]}} listing exactly {k} different '
    "candidate numbers (from 0 to {last}), best first, and nothing else."
)


@dataclass(frozen=True)
class Ranking:
    """A parse result: ``order`` (candidate numbers, ``k`` distinct) or the ``error``."""

    order: list[int] | None
    error: str = ""
    repaired: bool = False
    raw: list[int] = field(default_factory=list)


def label(text: str) -> str:
    """An item label on one line, at most ``LABEL_CHARS`` characters."""
    return " ".join(str(text).split())[:LABEL_CHARS]


def ranking_schema(n_candidates: int, k: int) -> dict[str, Any]:
    """JSON schema of ``{"ranking": [k candidate numbers in 0..n_candidates−1]}``."""
    return {
        "type": "object",
        "properties": {
            "ranking": {
                "type": "array",
                "items": {"type": "integer", "enum": list(range(n_candidates))},
                "minItems": k,
                "maxItems": k,
            }
        },
        "required": ["ranking"],
        "additionalProperties": False,
    }


def messages(history: Sequence[str], candidates: Sequence[str], k: int) -> list[tuple[str, str]]:
    """The chat asking for a ranked slate of ``k`` of ``candidates`` (module docstring)."""
    system = SYSTEM.format(k=k, last=len(candidates) - 1)
    if history:
        seen = "The user recently clicked (oldest first):\n" + "\n".join(
            f"- {label(h)}" for h in history
        )
    else:
        seen = "The user is new: no click yet."
    listed = "\n".join(f"{c}: {label(text)}" for c, text in enumerate(candidates))
    user = (
        f"{seen}\n\nCandidates:\n{listed}\n\n"
        f"Rank the {k} candidates this user is most likely to click, best first."
    )
    return [("system", system), ("user", user)]


def parse_ranking(text: str, n_candidates: int, k: int, max_chars: int = 4000) -> Ranking:
    """Parse an answer into ``k`` distinct candidate numbers (module docstring)."""
    if not isinstance(text, str) or not text.strip():
        return Ranking(None, "the answer is empty")
    if len(text) > max_chars:
        return Ranking(None, f"the answer is longer than {max_chars} characters")
    value = parse_object(text)
    if value is None:
        return Ranking(None, "the answer is not exactly one JSON object")
    if set(value) != {"ranking"}:
        return Ranking(None, f"the object must have only the key 'ranking', got {sorted(value)}")
    ranking = value["ranking"]
    if not isinstance(ranking, list) or not ranking:
        return Ranking(None, "'ranking' must be a non-empty list of candidate numbers")
    if len(ranking) > n_candidates:
        return Ranking(None, f"'ranking' lists {len(ranking)} numbers, more than {n_candidates}")
    for c in ranking:
        if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c < n_candidates:
            return Ranking(
                None, f"'ranking' must hold integers from 0 to {n_candidates - 1}, got {c!r}"[:200]
            )
    distinct = list(dict.fromkeys(ranking))
    repaired = len(distinct) < min(k, n_candidates) or len(ranking) != k
    order = distinct[:k]
    for c in range(n_candidates):
        if len(order) >= k:
            break
        if c not in order:
            order.append(c)
    return Ranking(order, repaired=repaired, raw=list(ranking))


def reask_message(error: str, n_candidates: int, k: int) -> str:
    """The correction sent after a rejected answer."""
    return (
        f"Your answer could not be used: {error}. Reply with only a JSON object "
        f'{{"ranking": [a, b, ...]}} listing exactly {k} different candidate numbers from 0 '
        f"to {n_candidates - 1}, best first, and nothing else."
    )
