"""GTAlign structured reasoning: four blocks, a payoff matrix, welfare choices, steering.

GTAlign (game-theoretic alignment of LLM assistants) has the model answer in four tagged
blocks, in this order and each exactly once::

    <thinking> free text </thinking>
    <payoff> {"DQ_DA": {"LLM": 3.1, "user": 3.5}, ..., "VQ_AQ": {...}} </payoff>
    <analysis> free text </analysis>
    <response> the answer </response>

The payoff block is a JSON object with one cell per ``<row>_<col>`` of a
:class:`PayoffSchema` — in the original, the six cells of the user's question type
(``DQ`` definite / ``VQ`` vague) × the assistant's strategy (``DA`` direct answer, ``CQ``
clarifying question, ``AQ`` answer + question) — each cell ``{"LLM": U, "user": L}`` with
finite numbers. For game play the columns are the agent's own actions (``act0``…) and the
rows the other player's actions (``other0``…; one row ``others`` in larger populations), so
``U`` is the agent's payoff and ``L`` the others'.

**Choices are computed here, not by the model.** Among the candidate cells (all cells, or
one row when the row is known) keep the Pareto frontier of ``(U, L)``, then take the cell of
highest welfare: ``cobb_douglas`` ``W = √(max(U,0)·max(L,0))`` (the Nash product / mutual
welfare, zero if either side is ≤ 0), ``sum`` ``W = U + L``, or ``llm`` ``W = U`` (the
model's own payoff only: what an assistant rewarded by L alone maximises); ties go to the
first cell in row-major order. The agent plays the chosen cell's column.

**Steering.** Generation is stopped after the payoff block (stop sequence ``</payoff>``);
a transformation is applied to the matrix (:func:`steer`: an additive change per column
to ``U`` and/or ``L`` — the action tax or subsidy a mechanism would impose), and the model
continues from the transformed block (:mod:`.continuation`); the action is the model's, the
choice on the transformed matrix a recorded fallback when the continuation is unusable. The
smallest change to one column's ``U`` that makes that column chosen is
:func:`steering_threshold` (closed form for both welfare rules).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from incentive_lab.core.types import BoolArray, FloatArray

Welfare = Literal["cobb_douglas", "sum", "llm"]
BLOCKS = ("thinking", "payoff", "analysis", "response")
FULL = re.compile(
    r"\A\s*<thinking>(.*?)</thinking>\s*<payoff>(.*?)</payoff>\s*"
    r"<analysis>(.*?)</analysis>\s*<response>(.*?)</response>\s*\Z",
    re.DOTALL,
)
PREFIX = re.compile(
    r"\A\s*<thinking>(.*?)</thinking>\s*<payoff>(.*?)(?:</payoff>)?\s*\Z", re.DOTALL
)


@dataclass(frozen=True)
class PayoffSchema:
    """Rows (the other side's types or actions) × columns (own strategies)."""

    rows: tuple[str, ...]
    cols: tuple[str, ...]

    @property
    def cells(self) -> tuple[str, ...]:
        """Cell keys ``<row>_<col>`` in row-major order."""
        return tuple(f"{r}_{c}" for r in self.rows for c in self.cols)

    @classmethod
    def for_game(cls, n_actions: int, population_size: int) -> PayoffSchema:
        """Own actions as columns; the other's actions (2 players) or ``others`` as rows."""
        rows = tuple(f"other{j}" for j in range(n_actions)) if population_size == 2 else ()
        return cls(rows or ("others",), tuple(f"act{k}" for k in range(n_actions)))


GTALIGN_SCHEMA = PayoffSchema(("DQ", "VQ"), ("DA", "CQ", "AQ"))
"""The six cells of the original GTAlign payoff block."""


@dataclass(frozen=True)
class Payoff:
    """A payoff matrix: ``llm[r, c]`` (own, U) and ``user[r, c]`` (other side, L)."""

    schema: PayoffSchema
    llm: FloatArray
    user: FloatArray

    def to_json(self) -> str:
        """The payoff block's JSON text."""
        cells = {}
        for r, row in enumerate(self.schema.rows):
            for c, col in enumerate(self.schema.cols):
                cells[f"{row}_{col}"] = {
                    "LLM": float(self.llm[r, c]),
                    "user": float(self.user[r, c]),
                }
        return json.dumps(cells)


@dataclass(frozen=True)
class Blocks:
    """A parsed four-block answer (``payoff`` validated against the schema)."""

    thinking: str
    payoff: Payoff
    analysis: str
    response: str


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def parse_payoff(text: str, schema: PayoffSchema) -> Payoff | str:
    """The payoff block's JSON validated against ``schema``, or the error message."""
    try:
        value = json.loads(text.strip())
    except ValueError:
        return "the payoff block is not valid JSON"
    if not isinstance(value, dict) or set(value) != set(schema.cells):
        return f"the payoff block must have exactly the cells {', '.join(schema.cells)}"
    shape = (len(schema.rows), len(schema.cols))
    llm, user = np.empty(shape), np.empty(shape)
    for k, key in enumerate(schema.cells):
        cell = value[key]
        if not isinstance(cell, dict) or set(cell) != {"LLM", "user"}:
            return f'cell {key} must be {{"LLM": number, "user": number}}'
        u, v = _number(cell["LLM"]), _number(cell["user"])
        if u is None or v is None:
            return f"cell {key} must hold finite numbers"
        llm[divmod(k, shape[1])], user[divmod(k, shape[1])] = u, v
    return Payoff(schema, llm, user)


def _tags_once(text: str, names: tuple[str, ...]) -> bool:
    return all(text.count(f"<{n}>") == 1 and text.count(f"</{n}>") == 1 for n in names)


def parse_blocks(text: str, schema: PayoffSchema) -> Blocks | str:
    """A complete four-block answer, or the error message."""
    match = FULL.match(text) if _tags_once(text, BLOCKS) else None
    if match is None:
        return "the answer must be the four blocks <thinking>, <payoff>, <analysis>, <response>"
    payoff = parse_payoff(match.group(2), schema)
    if isinstance(payoff, str):
        return payoff
    return Blocks(match.group(1).strip(), payoff, match.group(3).strip(), match.group(4).strip())


def parse_prefix(text: str, schema: PayoffSchema) -> tuple[str, Payoff] | str:
    """``(thinking, payoff)`` of an answer stopped after the payoff block, or the error."""
    match = PREFIX.match(text) if _tags_once(text, ("thinking",)) else None
    if match is None or "<payoff>" in match.group(2):
        return "the answer must start with <thinking>...</thinking><payoff>{...}"
    payoff = parse_payoff(match.group(2), schema)
    return payoff if isinstance(payoff, str) else (match.group(1).strip(), payoff)


# -- welfare choices (pure) ----------------------------------------------------------------
def welfare(u: FloatArray, v: FloatArray, rule: Welfare) -> FloatArray:
    """Cobb-Douglas ``√(max(U,0)·max(L,0))``, the sum ``U + L`` or ``U`` alone, elementwise."""
    if rule == "llm":
        return np.asarray(u, dtype=np.float64)
    if rule == "sum":
        return np.asarray(u + v, dtype=np.float64)
    return np.sqrt(np.maximum(u, 0.0) * np.maximum(v, 0.0))


def pareto_mask(u: FloatArray, v: FloatArray) -> BoolArray:
    """``True`` for points not dominated (≥ in both, > in one) by another point."""
    u, v = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
    ge = (u[None, :] >= u[:, None]) & (v[None, :] >= v[:, None])
    gt = (u[None, :] > u[:, None]) | (v[None, :] > v[:, None])
    frontier: BoolArray = ~np.asarray((ge & gt).any(axis=1), dtype=bool)
    return frontier


def choose(
    payoff: Payoff, rule: Welfare = "cobb_douglas", row: int | None = None
) -> tuple[int, int]:
    """The chosen cell ``(row, col)``: highest welfare on the Pareto frontier, first on ties."""
    u, v = payoff.llm, payoff.user
    n_cols = u.shape[1]
    rows = range(u.shape[0]) if row is None else [row]
    cells = [(r, c) for r in rows for c in range(n_cols)]
    us = np.array([u[cell] for cell in cells])
    vs = np.array([v[cell] for cell in cells])
    scores = np.where(pareto_mask(us, vs), welfare(us, vs, rule), -np.inf)
    return cells[int(np.argmax(scores))]


def steer(payoff: Payoff, own: FloatArray | None = None, other: FloatArray | None = None) -> Payoff:
    """Add ``own[c]`` to ``U`` and ``other[c]`` to ``L`` in every cell of column ``c``."""
    n_cols = payoff.llm.shape[1]
    du = np.zeros(n_cols) if own is None else np.asarray(own, dtype=np.float64)
    dv = np.zeros(n_cols) if other is None else np.asarray(other, dtype=np.float64)
    return Payoff(payoff.schema, payoff.llm + du[None, :], payoff.user + dv[None, :])


def steering_threshold(payoff: Payoff, col: int, rule: Welfare = "cobb_douglas") -> float:
    """Smallest ``t`` such that adding more than ``t`` to ``U`` in column ``col`` picks it.

    Above the threshold some cell of ``col`` has welfare strictly above every other
    column's best (and then lies on the frontier); ``inf`` if no cell of ``col`` can win
    (Cobb-Douglas with ``L ≤ 0`` throughout the column).
    """
    u, v = payoff.llm, payoff.user
    others = np.delete(np.arange(u.shape[1]), col)
    best = float(welfare(u[:, others], v[:, others], rule).max()) if others.size else -np.inf
    if rule == "llm":
        return float(best - u[:, col].max())
    if rule == "sum":
        return float((best - (u[:, col] + v[:, col])).min())
    positive = v[:, col] > 0
    if not positive.any():
        return math.inf
    needed = max(best, 0.0) ** 2 / v[positive, col] - u[positive, col]
    return float(needed.min())
