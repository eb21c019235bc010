"""Language models for every layer: the chat a game may ask, and strict JSON answers.

The chat backends (OpenAI-compatible HTTP with a deadline and a response-size cap, the
in-process llama.cpp model with grammar-constrained decoding, JSONL record/replay, the
cache) live in ``learners.llm``. A *game* may ask a language model too — the recommender's
LLM user simulator (``games.recommender.llm_users``) — but games must not import learners
(import-linter: games, learners and mechanisms are independent siblings). So the
vocabulary sits here, in ``core``, and the implementation is provided from above:

* :class:`Chat` — ``ask(messages, json_schema=…, max_tokens=…, seed=…) → text``, raising
  :class:`ChatError` when no answer comes (the caller records a fallback, never crashes);
* :func:`provide_chat` — ``learners.llm.chat`` registers its factory on import (the
  registry imports every built-in package before it builds a unit, so the factory is there
  whenever a game is made through the registry or a config);
* :func:`build_chat` — a game turns its ``backend`` parameters (the ``llm`` learner's
  ``backend`` block, validated by the factory with errors naming the game's field) into a
  :class:`Chat`;
* :func:`parse_object` — the one strict JSON-object reader of answers: the text must be
  exactly one JSON object, bare or alone in one fenced code block, without duplicate keys
  (a 1,500-deep nesting is rejected, never a crash).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from incentive_lab.core.errors import ConfigError

FENCE = re.compile(r"\A```(?:json)?[ \t]*\n(.*?)\n?[ \t]*```\Z", re.DOTALL)


class ChatError(Exception):
    """A chat model produced no answer (transport failure, missing recording, …)."""


class Chat(Protocol):
    """A chat model to ask (see the module docstring)."""

    name: str

    def ask(
        self,
        messages: Sequence[tuple[str, str]],
        *,
        json_schema: str | None = None,
        max_tokens: int = 64,
        seed: int | None = None,
    ) -> str:
        """The answer text to ``messages`` (``(role, content)`` pairs) or raise ChatError.

        ``json_schema``: canonical JSON text of the schema the answer must follow (backends
        that constrain decoding enforce it); ``seed``: the sampling seed unless the backend
        configuration fixes one.
        """
        ...


ChatFactory = Callable[[Any, str], Chat]
"""``(raw backend parameters, field name) → Chat``; a bad config raises ``ConfigError``."""

_FACTORY: list[ChatFactory] = []


def provide_chat(factory: ChatFactory) -> None:
    """Make ``factory`` the builder of :func:`build_chat` (``learners.llm`` calls this)."""
    _FACTORY[:] = [factory]


def build_chat(config: Any, field: str) -> Chat:
    """The chat described by ``config`` (the ``llm`` learner's ``backend`` block).

    ``field``: where ``config`` sits in the user's file, named by every error.
    """
    if not _FACTORY:
        from incentive_lab.core import registry

        registry.ids("learner")  # imports the built-in packages, learners.llm among them
    if not _FACTORY:
        raise ConfigError(field, config, "needs the LLM backends of incentive_lab.learners.llm")
    return _FACTORY[0](config, field)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate keys")
    return dict(pairs)


def parse_object(text: str) -> dict[str, Any] | None:
    """The single JSON object that ``text`` is (bare or fenced), else ``None``."""
    body = text.strip()
    fenced = FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    if not (body.startswith("{") and body.endswith("}")):
        return None
    try:
        value = json.loads(body, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError):  # RecursionError: e.g. 1,500 nested brackets
        return None
    return value if isinstance(value, dict) else None


def canonical_schema(schema: dict[str, Any]) -> str:
    """The canonical JSON text of a schema (what requests carry and cache keys hash)."""
    return json.dumps(schema, sort_keys=True)
