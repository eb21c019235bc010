"""Incentive mechanisms: reward shaping and payments between the game and the learners.

Each module is one mechanism registered under kind ``"mechanism"`` (built as
``factory(params, game, rng)``; see ``core.mechanism``):

* ``none`` (:mod:`.identity`) — the baseline;
* pure shaping (no money moves): ``team_reward``, ``difference_rewards``,
  ``inequity_aversion``, ``svo``, ``mutual_welfare``;
* payments (real transfers, designer pays ``+`` / collects ``−``): ``action_tax``,
  ``pigouvian_tax``, ``asymmetric_feedback``, ``adaptive_planner`` (:mod:`.planner`), the
  auction payment rules ``first_price``, ``second_price``, ``vcg`` (:mod:`.auction`), road
  tolls, departure-time tolls (:mod:`.bottleneck_tolls`) and the platform mechanisms
  ``engagement_shaping``, ``diversity_bonus``,
  ``exposure_fairness``, ``platform_difference`` (:mod:`.platform`) (most with a
  budget-balanced variant, :mod:`.budget`).

Helpers: :mod:`.copies` (vectorised reductions over a game's independent copies),
:mod:`.counterfactual` (clamping an agent to a default action), :mod:`.checked` (parameters
validated against the game, also on ``reconfigure``).
"""

from incentive_lab.mechanisms import (
    action_tax,
    asymmetric_feedback,
    auction,
    bottleneck_tolls,
    difference_rewards,
    identity,
    inequity_aversion,
    mutual_welfare,
    pigouvian_tax,
    planner,
    platform,
    svo,
    team_reward,
    tolls,
)

__all__ = [
    "action_tax",
    "asymmetric_feedback",
    "auction",
    "bottleneck_tolls",
    "difference_rewards",
    "identity",
    "inequity_aversion",
    "mutual_welfare",
    "pigouvian_tax",
    "planner",
    "platform",
    "svo",
    "team_reward",
    "tolls",
]
