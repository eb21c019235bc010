"""Cleanup (``cleanup``): apples grow only while someone cleans the polluted river.

Rules (Hughes et al. 2018, *Inequity aversion improves cooperation in intertemporal social
dilemmas*; Yang et al. 2020, LIO; constants of the reference implementation
sequential_social_dilemma_games ``cleanup.py`` and of Melting Pot 2.0 ``clean_up``)
    ``N = n_agents`` agents (default 5, Hughes et al.) on the map of ``preset`` (default
    ``hughes2018``) with 9 actions (``rules``: stay, four strafes, two turns, zap, clean).
    Eating an apple gives ``+1``. With ``D`` the fraction of river cells holding waste, each
    empty orchard cell grows an apple with probability ``apple_probability`` (0.05) while
    ``D ≤ restoration_threshold`` (0), 0 once ``D ≥ depletion_threshold`` (0.4), linearly
    in between; while ``D < depletion_threshold`` one clean river cell becomes polluted with
    probability ``waste_probability`` (0.5) per step. The maps start polluted above the
    depletion threshold, so nobody eats until somebody cleans — a public good.

Beams (reference implementation: both 5 cells long, three rays wide)
    ``clean`` removes the first waste cell on each ray of a beam ``clean_length`` long
    (optional ``clean_cost``). ``zap`` is Hughes et al.'s penalty beam: the first agent on
    each ray loses ``zap_penalty`` (50) and the firer pays ``zap_cost`` (1); with
    ``tag_timeout > 0`` (Melting Pot: 50) a hit agent is also removed for that many steps.

Observations
    ``[V, V, 6]`` planes ``wall, apple, waste, river, agent, removed`` (``_observe``).

Metrics
    Per step ``apples`` and ``waste_density`` (means over copies; the recorder's window mean
    is the waste level); per episode the social outcomes (``metrics``) and
    ``cleaning_share`` (agent-steps firing the cleaning beam). ``metadata.cooperative_action``
    is ``clean``, so ``cooperation_rate`` is the share of cleaning actions too.

Bots (``scripted``): ``cleaner`` cleans while pollution is high — from when ``D`` exceeds
``cleaner_threshold`` (0.2) until it is down to ``cleaner_stop`` (0.05) — and harvests
otherwise; ``harvester`` only harvests.

Version history: ``cleanup`` — first version.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from incentive_lab.core.game import GameMetadata
from incentive_lab.core.registry import register
from incentive_lab.core.types import FloatArray, IntArray
from incentive_lab.games.gridworld import rules
from incentive_lab.games.gridworld._observe import (
    AGENT_F,
    APPLE_F,
    REMOVED_F,
    RIVER_F,
    WALL_F,
    WASTE_F,
)
from incentive_lab.games.gridworld.base import GridworldGame
from incentive_lab.games.gridworld.metrics import cleaning_share
from incentive_lab.games.gridworld.params import GridworldParams


class CleanupParams(GridworldParams):
    """Parameters of ``cleanup``."""

    n_agents: int = Field(5, ge=1, le=16)
    """Players per copy (Hughes et al. 2018: 5)."""
    preset: str = "hughes2018"
    """Map: ``hughes2018`` (18×25), ``meltingpot`` (30×21) or ``small`` (12×8)."""
    episode_length: int = Field(1000, ge=1)
    """Steps per episode (Hughes et al. 2018: 1000)."""
    apple_probability: float = Field(0.05, ge=0.0, le=1.0)
    """Apple spawn probability per orchard cell while the river is clean enough."""
    depletion_threshold: float = Field(0.4, gt=0.0, le=1.0)
    """Waste density at and above which no apple grows and no more waste appears."""
    restoration_threshold: float = Field(0.0, ge=0.0, lt=1.0)
    """Waste density at and below which apples grow at ``apple_probability``."""
    waste_probability: float = Field(0.5, ge=0.0, le=1.0)
    """Probability per step that one clean river cell becomes polluted."""
    clean_length: int = Field(5, ge=0, le=50)
    """Cells the cleaning beam reaches ahead."""
    zap_length: int = Field(5, ge=0, le=50)
    """Cells the penalty beam reaches ahead."""
    beam_radius: int = Field(1, ge=0, le=5)
    """Both beams are ``2·beam_radius + 1`` cells wide."""
    zap_penalty: float = Field(50.0, ge=0.0)
    """Taken from an agent per penalty beam that hits it (Hughes et al.: 50)."""
    zap_cost: float = Field(1.0, ge=0.0)
    """Taken from the agent firing the penalty beam (Hughes et al.: 1)."""
    tag_timeout: int = Field(0, ge=0)
    """Steps a zapped agent is removed for (0: not removed; Melting Pot: 50)."""
    clean_cost: float = Field(0.0, ge=0.0)
    """Taken from the agent firing the cleaning beam."""
    apple_reward: float = 1.0
    """Reward for eating an apple."""
    cleaner_threshold: float = Field(0.2, ge=0.0, le=1.0)
    """The ``cleaner`` bot starts cleaning when the waste density exceeds this..."""
    cleaner_stop: float = Field(0.05, ge=0.0, le=1.0)
    """... and cleans until the density is down to this, then harvests."""

    @model_validator(mode="after")
    def _thresholds(self) -> CleanupParams:
        if self.restoration_threshold >= self.depletion_threshold:
            raise ValueError("restoration_threshold must be below depletion_threshold")
        if self.cleaner_stop > self.cleaner_threshold:
            raise ValueError("cleaner_stop must not exceed cleaner_threshold")
        return self


@register(
    "game",
    "cleanup",
    params=CleanupParams,
    description="Cleanup: apples grow only while agents clean the river (Hughes et al. 2018)",
    cooperative_action=rules.CLEAN,
    stochastic=True,
)
class Cleanup(GridworldGame[CleanupParams]):
    """Cleanup on ``n_copies`` copies (see the module docstring)."""

    kind = rules.CLEANUP
    map_family = "cleanup"
    features = (WALL_F, APPLE_F, WASTE_F, RIVER_F, AGENT_F, REMOVED_F)
    bot_names = ("cleaner", "harvester")
    n_actions = 9

    def _rules(self) -> tuple[IntArray, FloatArray, IntArray, FloatArray]:
        p = self.params
        irules, frules = rules.empty_rules()
        irules[rules.BLOCKING] = 1
        irules[rules.ZAP_LENGTH] = p.zap_length
        irules[rules.CLEAN_LENGTH] = p.clean_length
        irules[rules.BEAM_RADIUS] = p.beam_radius
        irules[rules.TAG_TIMEOUT] = p.tag_timeout
        frules[rules.APPLE_REWARD] = p.apple_reward
        frules[rules.ZAP_PENALTY] = -p.zap_penalty
        frules[rules.ZAP_COST] = -p.zap_cost
        frules[rules.CLEAN_COST] = -p.clean_cost
        frules[rules.APPLE_PROBABILITY] = p.apple_probability
        frules[rules.DEPLETION] = p.depletion_threshold
        frules[rules.RESTORATION] = p.restoration_threshold
        frules[rules.WASTE_PROBABILITY] = p.waste_probability
        return irules, frules, rules.NO_OFFSETS, rules.NO_PROBABILITIES

    def _metadata(self) -> GameMetadata:
        return GameMetadata(
            cooperative_action=rules.CLEAN, action_names=rules.ACTION_NAMES, stochastic=True
        )

    @property
    def bot_thresholds(self) -> tuple[float, float]:
        """Waste densities at which the ``cleaner`` bot starts and stops cleaning."""
        return float(self.params.cleaner_threshold), float(self.params.cleaner_stop)

    def _step_metrics(self) -> dict[str, float]:
        return {
            "apples": float(self._stats[:, 0].mean()),
            "waste_density": float(self._stats[:, 1].mean()),
        }

    def episode_metrics(self) -> dict[str, float]:
        """Social outcomes and the share of agent-steps spent cleaning."""
        out = super().episode_metrics()
        out["cleaning_share"] = cleaning_share(self.totals.cleans, max(self._t, 1))
        return out

    def describe(self) -> str:
        """The rules in plain text."""
        p = self.params
        return (
            f"Cleanup: {p.n_agents} agents on a {self.grid.shape[1]}x{self.grid.shape[0]} map "
            f"({p.preset}) for {p.episode_length} steps. Eating an apple gives "
            f"{p.apple_reward:g}. Apples grow in the orchard only while the river is clean: "
            f"with probability {p.apple_probability:g} per cell when the waste density is at "
            f"most {p.restoration_threshold:g}, falling linearly to 0 at "
            f"{p.depletion_threshold:g}; waste appears in the river with probability "
            f"{p.waste_probability:g} per step. Actions: stay, forward, backward, step left, "
            "step right, turn left, turn right, zap, clean. The cleaning beam removes waste "
            f"up to {p.clean_length} cells ahead; the penalty beam costs the firer "
            f"{p.zap_cost:g} and a hit agent {p.zap_penalty:g}."
        )
