"""The vocabulary every layer speaks: arrays of agents and the three contracts."""

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Deviation, Game, GameMetadata, StepResult
from incentive_lab.core.learner import Learner, LearnerContext, Transition
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.params import Params, validate_params
from incentive_lab.core.registry import (
    Entry,
    entries,
    get,
    ids,
    make_game,
    make_learner,
    make_mechanism,
    register,
)
from incentive_lab.core.seeding import make_rng, run_seed, spawn_rngs
from incentive_lab.core.topology import Topology

__all__ = [
    "Adjustment",
    "ConfigError",
    "Deviation",
    "Entry",
    "Game",
    "GameMetadata",
    "Learner",
    "LearnerContext",
    "Mechanism",
    "Params",
    "StepResult",
    "Topology",
    "Transition",
    "entries",
    "get",
    "ids",
    "make_game",
    "make_learner",
    "make_mechanism",
    "make_rng",
    "register",
    "run_seed",
    "spawn_rngs",
    "validate_params",
]
