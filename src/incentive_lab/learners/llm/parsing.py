"""The strict answer parser and the re-ask message.

Valid answers (after stripping surrounding whitespace, at most ``max_chars`` characters):

* a JSON object ``{"action": k}``, optionally with a string ``"reason"`` field
  (``{"action": 1, "reason": "..."}``), where ``k`` is a JSON integer with
  ``0 ≤ k < n_actions`` (not a boolean, not ``1.0``, not ``"1"``);
* the same object alone inside one fenced code block (````` ```json … ``` ````` or
  ````` ``` … ``` `````).

Everything else is rejected: prose around the object, several objects, other or duplicate
keys, nested objects (at any depth: a 1,500-deep answer is rejected, never a crash),
out-of-range actions, empty or oversized answers. A rejected answer
comes with the reason, which the learner sends back in a bounded re-ask
(:func:`reask_message`) before falling back.

The JSON-object reader (bare or fenced, no duplicate keys, bounded nesting) is
``core.chat.parse_object``, shared with the recommender's LLM agents and re-exported here.

``ANSWER_SCHEMA`` is the JSON schema of a valid object, passed to backends that constrain
decoding (llama.cpp grammars, ``response_format``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from incentive_lab.core.chat import FENCE as FENCE  # re-exported (older imports)
from incentive_lab.core.chat import parse_object

ALLOWED_KEYS = frozenset({"action", "reason"})


@dataclass(frozen=True)
class Parsed:
    """A parse result: ``action`` (``None`` when rejected) and the rejection ``error``."""

    action: int | None
    error: str = ""


def answer_schema(n_actions: int) -> dict[str, Any]:
    """JSON schema of ``{"action": k}`` with ``k`` one of ``0..n_actions−1``."""
    return {
        "type": "object",
        # ``enum`` rather than minimum/maximum: llama.cpp's schema-to-grammar enforces enums.
        "properties": {"action": {"type": "integer", "enum": list(range(n_actions))}},
        "required": ["action"],
        "additionalProperties": False,
    }


def parse_action(text: str, n_actions: int, max_chars: int = 4000) -> Parsed:
    """Parse an answer into an action index (see the module docstring for the grammar)."""
    if not isinstance(text, str) or not text.strip():
        return Parsed(None, "the answer is empty")
    if len(text) > max_chars:
        return Parsed(None, f"the answer is longer than {max_chars} characters")
    value = parse_object(text)
    if value is None:
        return Parsed(None, "the answer is not exactly one JSON object")
    if "action" not in value or not set(value) <= ALLOWED_KEYS:
        return Parsed(
            None,
            f"the object must have the key 'action' (and optionally 'reason'), "
            f"got keys {sorted(value)}",
        )
    action = value["action"]
    if isinstance(action, bool) or not isinstance(action, int):
        return Parsed(None, f"'action' must be an integer, got {action!r}"[:200])
    if not 0 <= action < n_actions:
        return Parsed(None, f"'action' must be between 0 and {n_actions - 1}, got {action}")
    if "reason" in value and not isinstance(value["reason"], str):
        return Parsed(None, "'reason' must be a string")
    return Parsed(action)


def reask_message(error: str, n_actions: int) -> str:
    """The correction sent after a rejected answer."""
    return (
        f"Your answer could not be used: {error}. Reply with only a JSON object "
        f'{{"action": k}} where k is an integer from 0 to {n_actions - 1}, and nothing else.'
    )
