"""Guess ``p`` of the average (``guess_average``; Keynes' beauty contest, Nagel 1995).

Rules
    ``n_agents`` players (default 5) each guess a number in ``[0, max_guess]`` (default
    100). Guesses are discretised: action ``k`` of ``levels`` (default 101) guesses
    ``g_k = k·max_guess/(levels−1)`` (so by default the integers 0..100). The target is
    ``p`` times the mean guess (default ``p = 0.8``). The guess closest to the target wins
    a prize of 1, split equally among ties (``|g − target|`` equal within 1e-9).

Rewards: the prize share (``1/w`` for each of ``w`` winners, else 0), so welfare is 1 per
round whatever happens (a constant-sum game). The game is repeated ``rounds`` rounds per
episode (``None``: continuing); it is stateless (``Discrete(1)`` observations, every
observation 0) — learners see the others' past guesses through their history.

Theory: for ``p < 1`` iterated elimination of dominated guesses leads to everyone guessing
0, the unique Nash equilibrium of the continuous game (on a coarse grid, all guessing the
smallest positive level can also be an equilibrium). Human first-round guesses average
around 35 with spikes at 33 and 22 (levels of reasoning), converging towards 0 with
repetition (Nagel 1995); LLM agents are compared against this.

Metrics (``info["metrics"]``): ``mean_guess``, ``target``, ``winning_guess``.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces
from pydantic import Field

from incentive_lab.core.game import Game, GameMetadata, StepResult
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, Obs, Rewards

TIE_TOLERANCE = 1e-9


class GuessAverageParams(Params):
    """Parameters of ``guess_average``."""

    n_agents: int = Field(5, ge=2, le=100_000)
    """Number of players."""
    p: float = Field(0.8, gt=0.0, le=2.0)
    """The target is ``p`` times the mean guess."""
    max_guess: float = Field(100.0, gt=0.0)
    """Largest guess."""
    levels: int = Field(101, ge=2, le=10_001)
    """Number of guess actions (evenly spaced on ``[0, max_guess]``)."""
    rounds: int | None = Field(None, ge=1)
    """Rounds per episode (``None``: a continuing game)."""


def prize_shares(guesses: FloatArray, p: float) -> Rewards:
    """Each player's share of the prize of 1 (closest to ``p·mean``, ties split)."""
    target = p * float(np.mean(guesses))
    distance = np.abs(guesses - target)
    winners = distance <= distance.min() + TIE_TOLERANCE
    shares: Rewards = winners / winners.sum()
    return shares


@register(
    "game",
    "guess_average",
    params=GuessAverageParams,
    description="Guess p (0.8) of the average: the closest guess wins, Nash equilibrium at 0",
    cooperative_action=None,
    stochastic=False,
)
class GuessAverage(Game[GuessAverageParams]):
    """The "guess 0.8 of the average" beauty contest, repeated."""

    def __init__(self, params: GuessAverageParams) -> None:
        super().__init__(params)
        self.n_agents = params.n_agents
        self.n_actions = params.levels
        self.max_steps = params.rounds
        self.observation_space = spaces.Discrete(1)
        self.grid: FloatArray = np.linspace(0.0, params.max_guess, params.levels)
        self.metadata = GameMetadata(
            action_names=tuple(f"{g:g}" for g in self.grid),
            social_optimum=1.0 / params.n_agents,
            nash_value=1.0 / params.n_agents,
            pure_equilibria=((0,) * params.n_agents,) if params.n_agents <= 8 else (),
        )
        self._t = 0

    def reset(self, rng: np.random.Generator) -> Obs:
        """Start a new episode (the game has no randomness)."""
        self._t = 0
        return np.zeros(self.n_agents, dtype=np.int64)

    def step(self, actions: Actions) -> StepResult:
        """Score one round of guesses."""
        actions = self.check_actions(actions)
        guesses = self.grid[actions]
        rewards = prize_shares(guesses, self.params.p)
        self._t += 1
        target = self.params.p * float(guesses.mean())
        metrics = {
            "mean_guess": float(guesses.mean()),
            "target": target,
            "winning_guess": float(guesses[rewards > 0].mean()),
        }
        truncated = self.max_steps is not None and self._t >= self.max_steps
        return StepResult(
            obs=np.zeros(self.n_agents, dtype=np.int64),
            rewards=rewards,
            truncated=truncated,
            info={"metrics": metrics},
        )

    def rewards_for(self, actions: Actions) -> Rewards:
        """Prize shares of any joint action."""
        return prize_shares(self.grid[np.asarray(actions, dtype=np.int64)], self.params.p)

    def describe(self) -> str:
        """The rules in plain text, for LLM agents."""
        p = self.params
        step = p.max_guess / (p.levels - 1)
        return "\n".join(
            [
                f"Guess {p.p:g} of the average: {p.n_agents} players each guess a number "
                f"between 0 and {p.max_guess:g}.",
                f"The target is {p.p:g} times the average of all guesses. The guess closest "
                "to the target wins a prize of 1 (split equally on ties); others get 0.",
                f"Actions 0..{p.levels - 1}: action k guesses k*{step:g}.",
                "After each round every player sees all guesses.",
            ]
        )
