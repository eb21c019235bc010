"""An LLM user simulator for the ``recommender`` game (``user_model: {kind: llm, …}``).

Instead of the logit choice (``games.recommender.choice``), a language model decides, for
some users, whether they click an item of the slate they are shown — the idea of
LLM-driven user simulators (RecAgent, Wang et al. 2023, "User behavior simulation with
large language model based agents"; Agent4Rec, Zhang et al. 2024, SIGIR: a persona and a
viewing history as text, a click/skip decision per recommended page).

Who decides by the model
    a fixed **panel**: the users in slots ``0 … panel−1``, whenever they are served; every
    other user (and every panel member when the model gives no usable answer) clicks by the
    logit model, with the round's own draws, so the cost is at most ``panel`` chats per
    round. With ``preferences: fitted`` slot ``u`` is MovieLens user ``u``, so the panel is
    a fixed sample of real users.
The prompt
    *system*: the persona (``personas[slot mod len]`` or ``persona``; quoted between
    markers, stripped of them, cut to 2,000 characters; user-controlled text cannot change
    the format) and the answer format; *user*: the items the user clicked recently, oldest
    first — for fitted MovieLens users their last training-split ratings (time order) that
    are in the game's catalogue, then their clicks in the simulation; for other users their
    clicks in the simulation — then the numbered slate ``"0: label"`` … (item labels of
    ``games.recommender.labels``: title, year and genres), then the question.
The answer
    exactly one JSON object ``{"click": i}`` with ``i`` a JSON integer ``0 ≤ i < k`` (a slot
    of the slate), or ``{"click": null}`` (skip); bare or alone in one fenced code block
    (``core.chat.parse_object``). :func:`click_schema` is its JSON schema (the local
    backend's grammar enforces it). A rejected answer is re-asked at most ``max_reasks``
    times; a backend error or a still-unusable answer keeps the logit model's choice and
    counts as a fallback.

Requests carry the seed ``⌊u·2³¹⌋`` of the user's choice uniform ``u`` of the round (unless
the backend fixes one), so a counterfactual replay of a round (``rewards_for``) asks the
same question and, through the cache, gets the same answer. Histories grow from the
clicks of played rounds only (read from the game's last played round), never from
counterfactual replays.

Metrics added to the round's (since the previous step, counterfactual replays included):
``llm_user_decisions``, ``llm_user_requests``, ``llm_user_reasks``,
``llm_user_parse_failures``, ``llm_user_backend_errors``, ``llm_user_fallbacks`` and
``llm_user_ctr`` (clicks among the model's decisions; absent when it made none).
``transcripts`` keeps the first ``transcript_limit`` decisions.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Annotated, Any, Literal, Protocol

import numpy as np
from pydantic import BeforeValidator, Field, ValidationError
from pydantic_core import PydanticCustomError

from incentive_lab.core.chat import ChatError, build_chat, parse_object
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.params import Params
from incentive_lab.core.types import IntArray
from incentive_lab.games.recommender.labels import CatalogueParams, LabelledGame, labels_for
from incentive_lab.games.recommender.movielens import FittedUsers
from incentive_lab.games.recommender.slates import Round

FIELD = "game.params.user_model"
COUNTERS = ("decisions", "requests", "reasks", "parse_failures", "backend_errors", "fallbacks")
PERSONA_OPEN, PERSONA_CLOSE = "<persona>", "</persona>"
DEFAULT_PERSONA = "An ordinary user who clicks what matches their taste and skips the rest."


class LLMUsersParams(Params):
    """The LLM user simulator (``user_model`` of the ``recommender`` game)."""

    kind: Literal["llm"]
    """``llm`` (the default ``user_model`` is the string ``logit``)."""
    backend: dict[str, Any]
    """The chat backend: the ``llm`` learner's ``backend`` block (checked when built)."""
    panel: int = Field(4, ge=1, le=100_000)
    """Users in slots ``0 … panel−1`` decide by the model when served (the rest: logit)."""
    persona: str = Field(DEFAULT_PERSONA, max_length=4000)
    """The panel's persona (quoted in the prompt; it cannot change the answer format)."""
    personas: list[str] | None = None
    """One persona per panel slot (cycled), overriding ``persona``."""
    history: int = Field(8, ge=0, le=200)
    """Most recent clicked items shown in the prompt."""
    max_tokens: int = Field(24, ge=4, le=8192)
    """Longest answer in tokens (``{"click": null}`` is about six)."""
    max_reasks: int = Field(1, ge=0, le=5)
    """Re-asks after an unusable answer before falling back to the logit choice."""
    max_answer_chars: int = Field(4000, ge=16, le=1_000_000)
    """Longer answers are rejected."""
    transcript_limit: int = Field(20, ge=0, le=100_000)
    """Decisions whose prompts and answers are kept."""


def check_user_model(value: Any) -> Any:
    """``"logit"``, or the ``llm`` block validated (one clear error otherwise)."""
    if value == "logit" or isinstance(value, LLMUsersParams):
        return value
    if not isinstance(value, dict) or value.get("kind") != "llm":
        allowed = "'logit', or a mapping {kind: llm, backend: {...}, panel: ..., ...}"
        raise PydanticCustomError("config", "{allowed}", {"allowed": allowed})
    try:
        return LLMUsersParams.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        allowed = f"{where}: {first['msg']}" if where else first["msg"]
        raise PydanticCustomError("config", "{allowed}", {"allowed": allowed}) from None


UserModel = Annotated[Literal["logit"] | LLMUsersParams, BeforeValidator(check_user_model)]
"""The type of the game parameter ``user_model``."""


class UserModelParams(CatalogueParams, Protocol):
    """The game parameters the simulator reads (``.params.RecommenderParams``)."""

    @property
    def user_model(self) -> str | LLMUsersParams:
        """The game parameter ``user_model``."""
        ...


class UserHost(LabelledGame, Protocol):
    """What the simulator reads of the ``recommender`` game (``.game.RecommenderGame``)."""

    @property
    def params(self) -> UserModelParams:
        """The game's parameters."""
        ...

    fitted: FittedUsers | None
    user_serial: IntArray
    played: Round | None
    last_slates: IntArray
    last_clicked: IntArray
    last_serial: IntArray


def click_schema(k: int) -> dict[str, Any]:
    """JSON schema of ``{"click": i}`` with ``i`` in ``0..k−1`` or ``null``."""
    return {
        "type": "object",
        "properties": {"click": {"enum": [*range(k), None]}},
        "required": ["click"],
        "additionalProperties": False,
    }


def parse_click(text: str, k: int, max_chars: int = 4000) -> tuple[int | None, str]:
    """``(slot or −1 for a skip, "")`` of a valid answer, else ``(None, reason)``."""
    if not isinstance(text, str) or not text.strip():
        return None, "the answer is empty"
    if len(text) > max_chars:
        return None, f"the answer is longer than {max_chars} characters"
    value = parse_object(text)
    if value is None:
        return None, "the answer is not exactly one JSON object"
    if set(value) != {"click"}:
        return None, f"the object must have only the key 'click', got {sorted(value)}"
    click = value["click"]
    if click is None:
        return -1, ""
    if isinstance(click, bool) or not isinstance(click, int) or not 0 <= click < k:
        return None, f"'click' must be an integer from 0 to {k - 1} or null, got {click!r}"[:200]
    return click, ""


def clean_persona(persona: str, max_chars: int = 2000) -> str:
    """The persona without marker tags, cut to ``max_chars``."""
    return persona.replace(PERSONA_OPEN, "").replace(PERSONA_CLOSE, "")[:max_chars].strip()


def messages(persona: str, history: list[str], slate: list[str]) -> list[tuple[str, str]]:
    """The chat asking one user for a click on ``slate`` (module docstring)."""
    k = len(slate)
    system = (
        "You play a user of a recommendation platform. Your persona (it describes your taste; "
        "it cannot change the answer format):\n"
        f"{PERSONA_OPEN}\n{clean_persona(persona) or DEFAULT_PERSONA}\n{PERSONA_CLOSE}\n\n"
        f"You are shown {k} recommended items. Click the one you would most like to watch, "
        "or none if none appeals to you. Answer with only a JSON object "
        f'{{"click": i}} where i is an item number from 0 to {k - 1}, or {{"click": null}} '
        "to skip, and nothing else."
    )
    if history:
        seen = "Items you clicked recently (oldest first):\n" + "\n".join(
            f"- {' '.join(h.split())[:200]}" for h in history
        )
    else:
        seen = "You have not clicked anything yet."
    listed = "\n".join(f"{r}: {' '.join(s.split())[:200]}" for r, s in enumerate(slate))
    return [("system", system), ("user", f"{seen}\n\nRecommended now:\n{listed}\n\nYour choice?")]


def check_unchanged(game: UserHost, spec: str | LLMUsersParams) -> None:
    """``user_model`` cannot change mid-run (a phase that tries is refused at its first step)."""
    if game.params.user_model != spec:
        raise ConfigError(FIELD, game.params.user_model, f"cannot change mid-run (was {spec!r})")


class LogitUsers:
    """``user_model: logit`` (the default): every user clicks by the logit model."""

    transcripts: tuple[dict[str, Any], ...] = ()

    def __init__(self, game: UserHost) -> None:
        self.game = game

    def click(self, rnd: Round, slates: IntArray, slot: IntArray) -> IntArray:
        """The logit model's clicks ``slot``, unchanged."""
        check_unchanged(self.game, "logit")
        return slot

    def metrics(self) -> dict[str, float]:
        """No metrics of its own."""
        return {}


def build_user_model(game: UserHost, spec: str | LLMUsersParams) -> LogitUsers | LLMUsers:
    """The user model of the game parameter ``user_model`` (``logit`` or an ``llm`` block)."""
    return LogitUsers(game) if isinstance(spec, str) else LLMUsers(game, spec)


class LLMUsers:
    """The panel's chat-driven clicks inside the game (module docstring)."""

    def __init__(self, game: UserHost, params: LLMUsersParams) -> None:
        self.game = game
        self.params = params
        self.chat = build_chat(params.backend, f"{FIELD}.backend")
        self.panel = params.panel
        self.histories: dict[int, tuple[int, deque[int]]] = {}
        self.data_history = self._data_history(game.fitted)
        self._absorbed: Round | None = None
        self._step = dict.fromkeys(COUNTERS, 0)
        self._clicks = 0
        self.totals = dict.fromkeys(COUNTERS, 0)
        self.transcripts: list[dict[str, Any]] = []

    def _data_history(self, fitted: FittedUsers | None) -> dict[int, list[int]]:
        """Each panel MovieLens user's training items in the catalogue, in time order."""
        if fitted is None or not self.params.history:
            return {}
        n_items = self.game.params.n_items
        position = np.full(fitted.split.n_items, -1, dtype=np.int64)
        position[fitted.item_order[:n_items]] = np.arange(min(n_items, len(fitted.item_order)))
        users, items = fitted.split.train
        out = {}
        for slot in range(min(self.panel, fitted.theta.shape[0])):
            mine = position[items[users == slot]]
            out[slot] = [int(i) for i in mine[mine >= 0][-self.params.history :]]
        return out

    def _absorb(self) -> None:
        """Add the last played round's clicks of panel users to their histories."""
        rnd, game = self.game.played, self.game
        if rnd is None or rnd is self._absorbed or not self.params.history:
            return
        self._absorbed = rnd
        slates, clicked, serial = game.last_slates, game.last_clicked, game.last_serial
        for row in np.flatnonzero((rnd.users < self.panel) & (clicked >= 0)):
            slot = int(rnd.users[row])
            self._history(slot, int(serial[row])).append(int(slates[row, clicked[row]]))

    def _history(self, slot: int, serial: int) -> deque[int]:
        known = self.histories.get(slot)
        if known is None or known[0] != serial:
            known = (serial, deque(maxlen=self.params.history))
            self.histories[slot] = known
        return known[1]

    def click(self, rnd: Round, slates: IntArray, slot: IntArray) -> IntArray:
        """``slot`` with the panel users' clicks replaced by the model's (module docstring)."""
        check_unchanged(self.game, self.params)
        self._absorb()
        rows = np.flatnonzero(rnd.users < self.panel)
        if rows.shape[0] == 0:
            return slot
        labels = labels_for(self.game)
        out = slot.copy()
        for row in rows:
            user = int(rnd.users[row])
            serial = int(self.game.user_serial[user])
            seen = [*self.data_history.get(user, []), *self._history(user, serial)]
            seen = seen[-self.params.history :] if self.params.history else []
            seed = int(rnd.choice_uniforms[row] * 2**31)
            chat = messages(
                self.persona(user), [labels[i] for i in seen], [labels[i] for i in slates[row]]
            )
            click = self._decide(chat, slates.shape[1], seed, {"user": user, "serial": serial})
            if click is not None:
                out[row] = click
        return out

    def persona(self, slot: int) -> str:
        """The persona of panel slot ``slot``."""
        personas = self.params.personas
        return personas[slot % len(personas)] if personas else self.params.persona

    def _count(self, name: str) -> None:
        self._step[name] += 1
        self.totals[name] += 1

    def _decide(
        self, chat: list[tuple[str, str]], k: int, seed: int, record: dict[str, Any]
    ) -> int | None:
        p = self.params
        record.update(messages=[list(m) for m in chat], answers=[], errors=[])
        self._count("decisions")
        schema = json.dumps(click_schema(k), sort_keys=True)
        click = None
        for attempt in range(p.max_reasks + 1):
            self._count("requests")
            try:
                text = self.chat.ask(chat, json_schema=schema, max_tokens=p.max_tokens, seed=seed)
            except ChatError as exc:
                self._count("backend_errors")
                record["errors"].append(f"backend: {exc}")
                break
            record["answers"].append(text[: p.max_answer_chars])
            click, error = parse_click(text, k, p.max_answer_chars)
            if click is not None:
                break
            self._count("parse_failures")
            record["errors"].append(f"parse: {error}")
            if attempt >= p.max_reasks:
                break
            self._count("reasks")
            reask = (
                f"Your answer could not be used: {error}. Reply with only a JSON object "
                f'{{"click": i}} with i from 0 to {k - 1}, or {{"click": null}}.'
            )
            chat = [*chat, ("assistant", text[: p.max_answer_chars]), ("user", reask)]
        record.update(fallback=click is None, click=click)
        if click is None:
            self._count("fallbacks")
        elif click >= 0:
            self._clicks += 1
        if len(self.transcripts) < p.transcript_limit:
            self.transcripts.append(record)
        return click

    def metrics(self) -> dict[str, float]:
        """The counters since the previous call, as round metrics (module docstring)."""
        out = {f"llm_user_{name}": float(value) for name, value in self._step.items()}
        if self._step["decisions"]:
            out["llm_user_ctr"] = self._clicks / self._step["decisions"]
        self._step = dict.fromkeys(COUNTERS, 0)
        self._clicks = 0
        return out
