"""Which game (and which parameters) each registered unit's contract is checked on.

This table is the one place that says how to exercise a unit under test, so production
registrations carry no test fixtures. An id missing from it gets the defaults:

* a game: :func:`game_params` — small parameters (``GAME_PARAMS``, else the overrides of
  ``GENERIC_SMALL`` that the id accepts, else its defaults);
* a learner: its default parameters on ``testing/random_rewards`` (``toy_games``) with 5
  agents, plus shape checks with 1, 7 and 1000 agents;
* a mechanism: its default parameters on ``testing/pd_pairs`` (5 pairs), the registered
  ``prisoners_dilemma`` (5 pairs) and ``testing/coupled_random`` (irregular copies).

``exemptions`` name a check that cannot apply to a unit and why; the checks skip it and list
it (with the reason) in their report. Exemptions are for genuine impossibilities only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.params import validate_params
from incentive_lab.core.registry import get, make_game
from incentive_lab.testing.toy_games import TOY_GAMES

# -- check names that exemptions may refer to ---------------------------------------------
REPRODUCIBILITY = "seeded reproducibility"
PICKLING = "pickle round trip"
SEED_SENSITIVITY = "different seeds differ"


@dataclass(frozen=True)
class GameSpec:
    """A game to build: a registered id or a ``testing/...`` toy id, with parameters."""

    id: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """``id(k=v,...)`` for messages and reports."""
        args = ",".join(f"{k}={v}" for k, v in self.params.items() if k != "payoffs")
        return f"{self.id}({args})"

    def build(self) -> Game[Any]:
        """A fresh game."""
        if self.id in TOY_GAMES:
            model, factory = TOY_GAMES[self.id]
            return factory(validate_params(model, dict(self.params), "game.params"))
        return make_game(self.id, dict(self.params))  # type: ignore[no-any-return]


# -- games ------------------------------------------------------------------------------------
GAME_PARAMS: dict[str, dict[str, Any]] = {
    "matrix": {"preset": "prisoners_dilemma", "n_copies": 2},
    "public_goods": {"n_agents": 6, "group_size": 3},
    "spatial_public_goods": {"side": 4},
}
"""Explicit small parameters for game ids whose defaults are large or incomplete."""

GENERIC_SMALL: dict[str, Any] = {"n_copies": 2, "n_agents": 6, "group_size": 3}
"""Overrides tried (only the fields an id has) for game ids not in ``GAME_PARAMS``."""


def game_params(game_id: str) -> dict[str, Any]:
    """Small valid parameters for the registered game ``game_id``."""
    if game_id in GAME_PARAMS:
        return dict(GAME_PARAMS[game_id])
    fields = get("game", game_id).params.model_fields
    generic = {k: v for k, v in GENERIC_SMALL.items() if k in fields}
    try:
        make_game(game_id, generic)
    except ConfigError:
        return {}
    return generic


# -- learners ---------------------------------------------------------------------------------
def random_rewards(n_agents: int) -> GameSpec:
    """The learner contract's default game with ``n_agents`` agents."""
    return GameSpec("testing/random_rewards", {"n_agents": n_agents})


@dataclass(frozen=True)
class LearnerFixture:
    """How to check a learner.

    ``params``: its parameters; ``game``: the game of every check (reproducibility, pickling,
    diagnostics, shapes); ``shape_games``: further games for the shape and policy checks
    only (sizes that would make the other checks slow).
    """

    params: Mapping[str, Any] = field(default_factory=dict)
    game: GameSpec = field(default_factory=lambda: random_rewards(5))
    shape_games: tuple[GameSpec, ...] = field(
        default_factory=lambda: (random_rewards(1), random_rewards(7), random_rewards(1000))
    )
    exemptions: Mapping[str, str] = field(default_factory=dict)


_GRADIENT_PLAY = LearnerFixture(
    game=GameSpec("matrix_mixed", {"n_copies": 3}),
    shape_games=(
        GameSpec("differentiable_pgg", {"n_players": 3, "dim": 2}),
        GameSpec("differentiable_toy", {"n_copies": 2, "init_scale": 0.5}),
    ),
)
"""Gradient play needs a differentiable game; its group must cover every player."""

_PLANNING = GameSpec("global_local", {"instance": "median", "n_agents": 6})
"""Planning learners need the generative model of ``global_local``."""


def _recommender_items(n_agents: int) -> GameSpec:
    small = {"n_users": 40, "n_items": 12, "n_providers": 3, "slate_size": 3}
    return GameSpec("recommender", {**small, "n_agents": n_agents, "agents_choose": "items"})


_RECSYS = LearnerFixture(
    game=_recommender_items(3),
    shape_games=(_recommender_items(1), _recommender_items(7)),
    exemptions={
        SEED_SENSITIVITY: "its action is always 'submitted'; what it chooses (and what its "
        "seed changes) are the item slates it submits through slate_choice",
    },
)
"""Learning recommenders need a game offering ``slate_choice``."""

LEARNERS: dict[str, LearnerFixture] = {
    "fixed": LearnerFixture(
        exemptions={
            SEED_SENSITIVITY: "its default plays the pure action 0, which no seed changes",
        }
    ),
    "lio": LearnerFixture(params={"gradient": "sampled"}),
    # small buffers so that 30 contract steps train the deep learners several times
    "ppo": LearnerFixture(params={"n_steps": 8, "minibatches": 2, "hidden": 16}),
    "dqn": LearnerFixture(params={"learning_starts": 4, "batch_size": 8, "target_every": 5}),
    # neural LIO: every copy needs 2+ agents (no 1-agent game); a small gridworld for images
    "lio_deep": LearnerFixture(
        params={"horizon": 5, "hidden": 16},
        shape_games=(
            random_rewards(2),
            random_rewards(7),
            GameSpec("cleanup", {"preset": "small", "n_agents": 2, "n_copies": 2}),
        ),
    ),
    "llm": LearnerFixture(params={"backend": {"kind": "replay", "path": None}}),
    **dict.fromkeys(("simul_ind", "simul_co", "cga", "sga", "lola", "aga"), _GRADIENT_PLAY),
    "subsample_q": LearnerFixture(
        params={"k": 3, "m": 4, "sweeps": 10}, game=_PLANNING, shape_games=()
    ),
    "mean_field_vi": LearnerFixture(game=_PLANNING, shape_games=()),
    **dict.fromkeys(
        ("recsys_bpr", "recsys_linucb", "recsys_two_tower", "recsys_sasrec", "recsys_slateq"),
        _RECSYS,
    ),
    # an empty recording: every model request falls back to the retriever's slate
    "recsys_llm": LearnerFixture(
        params={"backend": {"kind": "replay", "path": None}, "max_users": 2},
        game=_RECSYS.game,
        shape_games=_RECSYS.shape_games,
        exemptions=_RECSYS.exemptions,
    ),
    "myopic": LearnerFixture(game=_PLANNING, shape_games=()),
    # scripted bots need a game offering scripted_policy (the gridworlds)
    "scripted": LearnerFixture(
        params={"policy": "cooperator"},
        game=GameSpec("cleanup", {"preset": "small", "n_agents": 3, "n_copies": 2}),
        shape_games=(
            GameSpec("coins", {"n_copies": 3}),
            GameSpec("harvest", {"preset": "small", "n_copies": 2}),
        ),
    ),
}
"""Learner ids that need other parameters or another game than the defaults."""


def learner_fixture(learner_id: str | None) -> LearnerFixture:
    """The fixture of ``learner_id`` (the defaults for an unlisted id or a bare factory)."""
    return LEARNERS.get(learner_id or "", LearnerFixture())


# -- mechanisms -------------------------------------------------------------------------------
DEFAULT_MECHANISM_GAMES: tuple[GameSpec, ...] = (
    GameSpec("testing/pd_pairs", {"n_copies": 5}),
    GameSpec("prisoners_dilemma", {"n_copies": 5}),
    GameSpec("testing/coupled_random"),
)


@dataclass(frozen=True)
class MechanismFixture:
    """How to check a mechanism: ``params`` on each of ``games``."""

    params: Mapping[str, Any] = field(default_factory=dict)
    games: tuple[GameSpec, ...] = DEFAULT_MECHANISM_GAMES
    exemptions: Mapping[str, str] = field(default_factory=dict)


_AUCTION = (
    GameSpec("auction", {"n_bidders": 3, "n_copies": 2, "bid_levels": 5, "n_value_buckets": 2}),
)
_ROUTING = (GameSpec("congestion", {"n_agents": 6}),)
_BOTTLENECK = (GameSpec("bottleneck", {"n_commuters": 20, "n_copies": 2, "capacity": 20.0}),)
_RECOMMENDER = (
    GameSpec(
        "recommender",
        {"n_users": 40, "n_items": 12, "n_providers": 3, "n_agents": 3, "slate_size": 3},
    ),
)

MECHANISMS: dict[str, MechanismFixture] = {
    # parameters that make each mechanism non-trivial on a two-action game
    "action_tax": MechanismFixture({"taxes": [0.5, 2.5], "budget_balanced": True}),
    "difference_rewards": MechanismFixture({"default_action": 1}),
    "inequity_aversion": MechanismFixture({"alpha": 1.0, "beta": 0.5, "smoothing": 0.9}),
    "mutual_welfare": MechanismFixture({"disagreement": -1.0}),
    "pigouvian_tax": MechanismFixture({"scale": 0.7}),
    "svo": MechanismFixture({"angle": 30.0}),
    "team_reward": MechanismFixture({"normalise": True}),
    # mechanisms that need a game with a particular structure
    "adaptive_planner": MechanismFixture(
        games=(
            GameSpec("prisoners_dilemma", {"n_copies": 5}),
            GameSpec("prisoners_dilemma", {"n_copies": 3}),
        )
    ),
    "asymmetric_feedback": MechanismFixture(
        games=(GameSpec("public_goods", {"n_agents": 10, "group_size": 5}),)
    ),
    "first_price": MechanismFixture(games=_AUCTION),
    "second_price": MechanismFixture(games=_AUCTION),
    "vcg": MechanismFixture(games=_AUCTION),
    "fixed_toll": MechanismFixture({"tolls": {"s->t": 0.5, "s->t#1": 1.0}}, games=_ROUTING),
    "marginal_cost_toll": MechanismFixture(games=_ROUTING),
    "bottleneck_fine_toll": MechanismFixture(games=_BOTTLENECK),
    "bottleneck_coarse_toll": MechanismFixture(games=_BOTTLENECK),
    "diversity_bonus": MechanismFixture(games=_RECOMMENDER),
    "engagement_shaping": MechanismFixture(games=_RECOMMENDER),
    "exposure_fairness": MechanismFixture(games=_RECOMMENDER),
    "platform_difference": MechanismFixture(games=_RECOMMENDER),
}
"""Mechanism ids that need other parameters or other games than the defaults."""


def mechanism_fixture(mechanism_id: str | None) -> MechanismFixture:
    """The fixture of ``mechanism_id`` (the defaults for an unlisted id or a bare factory)."""
    return MECHANISMS.get(mechanism_id or "", MechanismFixture())
