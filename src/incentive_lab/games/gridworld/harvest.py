"""Harvest (``harvest``): a common-pool resource whose apples regrow only near other apples.

Rules (Perolat et al. 2017, *A multi-agent reinforcement learning model of common-pool
resource appropriation*; Hughes et al. 2018, *Inequity aversion improves cooperation in
intertemporal social dilemmas*; constants of their reference implementations)
    ``N = n_agents`` agents (default 5, as Hughes et al.) walk on the map of ``preset``
    (default ``hughes2018``, ``maps``) with 8 actions (``rules``: stay, four strafes, two
    turns, zap). An agent stepping on an apple eats it: ``+1``. An empty apple cell regrows
    each step with probability ``regrowth_probabilities[min(k, 3)]``, ``k`` the apples within
    Euclidean distance ``regrowth_radius`` (2) — default ``[0, 0.001, 0.005, 0.025]`` as
    SocialJax's ``commons_harvest`` (Melting Pot 2.0 ``commons_harvest__open``:
    ``[0, 0.0025, 0.005, 0.025]``; the reference implementation of Hughes et al.:
    ``[0, 0.005, 0.02, 0.05]`` over a 5×5 window). With ``p[0] = 0`` an apple cell with no
    apple nearby never regrows, so eating the last apples of a patch destroys it: the
    tragedy of the commons.

Tagging beam (Perolat et al.: a tagged agent is removed for 25 steps)
    ``zap`` fires a beam ``zap_length`` (5, the reference implementation) cells ahead and
    ``2·beam_radius + 1`` (3) wide; the first agent on each ray is hit and removed for
    ``tag_timeout`` (25) steps, then respawns at a free spawn point. ``zap_penalty`` /
    ``zap_cost`` (0 here; Hughes et al.'s penalty beam: 50 / 1) are taken from the hit agent
    / the firer. A removed agent's actions are ignored and its view shows ``removed``.

Observations
    ``[V, V, 4]`` planes ``wall, apple, agent, removed`` (``_observe``), ``V = view_size``
    (default 11, Melting Pot's and SocialJax's window size, centred here).

Metrics
    Per step ``apples`` (on the map, mean over copies); per episode (at its last step) the
    social outcomes ``efficiency``, ``equality``, ``sustainability``, ``peace``
    (``metrics``), ``apples_remaining`` and ``depletion_time``.

Bots (``scripted``): ``sustainable`` eats only apples with at least ``sustainable_neighbours``
(3) other apples within the regrowth radius — it leaves the last apples of a patch — and
``greedy`` eats the nearest apple.

Version history: ``harvest`` — first version.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from incentive_lab.core.registry import register
from incentive_lab.core.types import FloatArray, IntArray
from incentive_lab.games.gridworld import rules
from incentive_lab.games.gridworld._observe import AGENT_F, APPLE_F, REMOVED_F, WALL_F
from incentive_lab.games.gridworld.base import GridworldGame
from incentive_lab.games.gridworld.params import GridworldParams

REGROWTH = (0.0, 0.001, 0.005, 0.025)
"""Regrowth probability by apples nearby (0, 1, 2, ≥3): SocialJax ``commons_harvest``."""


class HarvestParams(GridworldParams):
    """Parameters of ``harvest``."""

    n_agents: int = Field(5, ge=1, le=16)
    """Players per copy (Hughes et al. 2018: 5)."""
    preset: str = "hughes2018"
    """Map: ``hughes2018`` (38×16), ``meltingpot_open`` (24×18) or ``small`` (16×9)."""
    episode_length: int = Field(1000, ge=1)
    """Steps per episode (Perolat et al. 2017 and Hughes et al. 2018: 1000)."""
    regrowth_probabilities: list[float] = Field(default_factory=lambda: list(REGROWTH))
    """Regrowth probability of an empty apple cell with ``k`` apples nearby, entry
    ``min(k, len − 1)``."""
    regrowth_radius: float = Field(2.0, ge=0.0, le=10.0)
    """Euclidean radius of the neighbourhood counted for regrowth."""
    zap_length: int = Field(5, ge=0, le=50)
    """Cells the tagging beam reaches ahead (reference implementation: 5)."""
    beam_radius: int = Field(1, ge=0, le=5)
    """The beam is ``2·beam_radius + 1`` cells wide."""
    tag_timeout: int = Field(25, ge=0)
    """Steps a tagged agent is removed for (Perolat et al. 2017: 25; 0: never removed)."""
    zap_penalty: float = Field(0.0, ge=0.0)
    """Taken from an agent per beam that hits it."""
    zap_cost: float = Field(0.0, ge=0.0)
    """Taken from the agent firing the beam."""
    apple_reward: float = 1.0
    """Reward for eating an apple."""
    sustainable_neighbours: int = Field(3, ge=0, le=50)
    """The ``sustainable`` bot eats only apples with at least this many other apples nearby."""

    @field_validator("regrowth_probabilities")
    @classmethod
    def _probabilities(cls, value: list[float]) -> list[float]:
        if not value or any(not 0.0 <= p <= 1.0 for p in value):
            allowed = "a non-empty list of probabilities in [0, 1]"
            raise PydanticCustomError("config", "{allowed}", {"allowed": allowed})
        return value


@register(
    "game",
    "harvest",
    params=HarvestParams,
    description="Harvest: apples regrow only near apples; a tagging beam (Perolat et al. 2017)",
    stochastic=True,
)
class Harvest(GridworldGame[HarvestParams]):
    """Harvest on ``n_copies`` copies (see the module docstring)."""

    kind = rules.HARVEST
    map_family = "harvest"
    features = (WALL_F, APPLE_F, AGENT_F, REMOVED_F)
    bot_names = ("sustainable", "greedy")
    n_actions = 8

    def _rules(self) -> tuple[IntArray, FloatArray, IntArray, FloatArray]:
        p = self.params
        irules, frules = rules.empty_rules()
        irules[rules.BLOCKING] = 1
        irules[rules.ZAP_LENGTH] = p.zap_length
        irules[rules.BEAM_RADIUS] = p.beam_radius
        irules[rules.TAG_TIMEOUT] = p.tag_timeout
        frules[rules.APPLE_REWARD] = p.apple_reward
        frules[rules.ZAP_PENALTY] = -p.zap_penalty
        frules[rules.ZAP_COST] = -p.zap_cost
        offsets = rules.disc_offsets(p.regrowth_radius)
        return irules, frules, offsets, np.asarray(p.regrowth_probabilities, dtype=np.float64)

    @property
    def bot_thresholds(self) -> tuple[float, float]:
        """Other apples the ``sustainable`` bot requires around an apple it eats."""
        return float(self.params.sustainable_neighbours), 0.0

    def _step_metrics(self) -> dict[str, float]:
        return {"apples": float(self._stats[:, 0].mean())}

    def episode_metrics(self) -> dict[str, float]:
        """Social outcomes, apples left and when the map first ran out of apples."""
        out = super().episode_metrics()
        depleted = self.totals.depleted_at
        out["apples_remaining"] = float(self._stats[:, 0].mean())
        out["depletion_time"] = float(np.where(depleted > 0, depleted, self._t).mean())
        return out

    def describe(self) -> str:
        """The rules in plain text."""
        p = self.params
        return (
            f"Harvest: {p.n_agents} agents on a {self.grid.shape[1]}x{self.grid.shape[0]} map "
            f"({p.preset}) for {p.episode_length} steps. Eating an apple gives "
            f"{p.apple_reward:g}. An empty apple cell regrows with a probability that grows "
            f"with the apples within distance {p.regrowth_radius:g} "
            f"({p.regrowth_probabilities}); with none nearby it never regrows. Actions: "
            "stay, forward, backward, step left, step right, turn left, turn right, zap. "
            f"The zap beam reaches {p.zap_length} cells ahead; a hit agent is removed for "
            f"{p.tag_timeout} steps and loses {p.zap_penalty:g}; firing costs {p.zap_cost:g}."
        )
