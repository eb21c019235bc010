"""The ``core.chat`` provider: the ``llm`` learner's backends as a :class:`~core.chat.Chat`.

:func:`build_chat` validates a ``backend`` block (:class:`.learner.BackendParams`: ``kind``
``openai`` / ``local`` / ``replay``, ``record``, ``cache``, deadlines, …) and builds the
backend exactly as the ``llm`` learner does (:func:`.learner.build_backend`), with errors
naming the caller's field. :class:`BackendChat` turns ``ask`` into a
:class:`~.backends.ChatRequest` (the backend's ``model``, ``temperature`` and fixed
``seed`` if any) and a :class:`~.backends.BackendError` into a ``core.chat.ChatError``.
Importing this module provides it to ``core.chat.build_chat`` (the recommender game's LLM
user simulator builds its chat that way) and the ``recsys_llm`` learner uses it directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from incentive_lab.core.chat import ChatError, provide_chat
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.params import validate_params
from incentive_lab.learners.llm.backends import BackendError, ChatBackend, ChatRequest
from incentive_lab.learners.llm.learner import BackendParams, build_backend

LEARNER_FIELD = "learner.params.backend"
"""The field name :func:`.learner.build_backend` puts in its errors (rewritten here)."""


class BackendChat:
    """A ``core.chat.Chat`` over a built backend and its parameters."""

    def __init__(self, backend: ChatBackend, params: BackendParams) -> None:
        self.backend = backend
        self.params = params
        self.name = backend.name

    def ask(
        self,
        messages: Sequence[tuple[str, str]],
        *,
        json_schema: str | None = None,
        max_tokens: int = 64,
        seed: int | None = None,
    ) -> str:
        """The backend's answer (``ChatError`` when it has none)."""
        p = self.params
        request = ChatRequest(
            messages=tuple((str(role), str(text)) for role, text in messages),
            model=p.model,
            temperature=p.temperature,
            seed=p.seed if p.seed is not None else seed,
            max_tokens=max_tokens,
            json_schema=json_schema,
        )
        try:
            return self.backend.complete(request)
        except BackendError as exc:
            raise ChatError(str(exc)) from None


def chat_from_params(params: BackendParams, field: str) -> BackendChat:
    """Build the backend of validated ``params``; errors name ``field``."""
    try:
        backend = build_backend(params)
    except ConfigError as exc:
        name = exc.field.replace(LEARNER_FIELD, field, 1)
        raise ConfigError(name, exc.value, exc.allowed) from None
    return BackendChat(backend, params)


def build_chat(config: Any, field: str) -> BackendChat:
    """Validate the ``backend`` block ``config`` and build its chat (``core.chat`` factory)."""
    return chat_from_params(validate_params(BackendParams, config, field), field)


provide_chat(build_chat)
