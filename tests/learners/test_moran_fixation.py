"""Moran process: fixation probabilities of one mutant against theory (Monte Carlo).

A mutant (strategy 1, payoff 1) among residents (strategy 0, payoff 0) has constant relative
fitness ``r``: linear fitness ``1 − w + w·π`` gives ``r = 1/(1 − w)``, exponential
``exp(w·π)`` gives ``r = e^w``. Birth–death fixation ``ρ = (1 − 1/r)/(1 − 1/r^N)``; neutral
drift (``w = 0``) gives ``1/N`` for both processes, on any graph. By the isothermal theorem
(Lieberman, Hauert & Nowak 2005) birth–death on a cycle has the well-mixed ``ρ``.
Tolerance: 4 binomial standard errors of the Monte Carlo estimate.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from gymnasium import spaces

from incentive_lab.core import ConfigError, LearnerContext, Topology, Transition, make_learner

N, RUNS = 10, 3000


def context(ring: bool) -> LearnerContext:
    edges = np.stack([np.arange(N), (np.arange(N) + 1) % N], axis=1)
    return LearnerContext(
        agents=np.arange(N, dtype=np.int64),
        n_actions=2,
        observation_space=spaces.Discrete(1),
        population_size=N,
        topology=Topology.from_edges(N, edges) if ring else None,
    )


def fixation_frequency(params: dict, ring: bool = False, seed: int = 0) -> float:
    learner = make_learner(
        "moran",
        {**params, "updates_per_step": 500, "role_model": "neighbour" if ring else "population"},
        context(ring),
        np.random.default_rng(seed),
    )
    obs = np.zeros(N, dtype=np.int64)
    fixed = 0
    for run in range(RUNS):
        start = np.zeros(N, dtype=np.int64)
        start[run % N] = 1
        learner.strategies = start
        while 0 < learner.strategies.sum() < N:
            actions = learner.act(obs)
            learner.update(Transition(obs, actions, actions.astype(np.float64), obs))
        fixed += int(learner.strategies[0] == 1)
    return fixed / RUNS


def moran_rho(r: float) -> float:
    return (1 - 1 / r) / (1 - r**-N)


@pytest.mark.parametrize(
    ("params", "ring", "expected"),
    [
        ({"process": "birth_death", "w": 0.0}, False, 1 / N),
        ({"process": "death_birth", "w": 0.0}, False, 1 / N),
        ({"process": "death_birth", "w": 0.0}, True, 1 / N),
        ({"process": "birth_death", "w": 0.5}, False, moran_rho(2.0)),
        (
            {"process": "birth_death", "w": math.log(1.5), "fitness": "exponential"},
            False,
            moran_rho(1.5),
        ),
        ({"process": "birth_death", "w": 0.5}, True, moran_rho(2.0)),
    ],
    ids=["bd-neutral", "db-neutral", "db-neutral-ring", "bd-r2", "bd-exp-r1.5", "bd-r2-ring"],
)
def test_fixation_probability_of_one_mutant(params, ring, expected):
    frequency = fixation_frequency(params, ring)
    tolerance = 4 * math.sqrt(expected * (1 - expected) / RUNS)
    assert frequency == pytest.approx(expected, abs=tolerance)


def test_selection_is_visible_against_neutral_drift():
    # the two reference values are far apart relative to the tolerance: the test can fail
    assert moran_rho(2.0) - 1 / N > 10 * math.sqrt(0.25 / RUNS)


def test_one_generation_per_step_by_default_and_same_seed_same_path():
    def path(seed: int) -> np.ndarray:
        learner = make_learner("moran", {"w": 0.2}, context(False), np.random.default_rng(seed))
        obs = np.zeros(N, dtype=np.int64)
        history = []
        for _ in range(20):
            actions = learner.act(obs)
            stats = learner.update(Transition(obs, actions, actions * 1.0, obs))
            history.append(learner.strategies.copy())
        assert stats == {"events": float(N)}
        return np.array(history)

    np.testing.assert_array_equal(path(3), path(3))


def test_bad_input_is_a_config_error():
    rng = np.random.default_rng(0)
    with pytest.raises(ConfigError, match="w"):
        make_learner("moran", {"w": 1.5}, context(False), rng)
    with pytest.raises(ConfigError, match="w"):
        make_learner("moran", {"w": -0.1}, context(False), rng)
    with pytest.raises(ConfigError, match="initial"):
        make_learner("moran", {"initial": [0.2, 0.2]}, context(False), rng)
    with pytest.raises(ConfigError, match="process"):
        make_learner("moran", {"process": "birth"}, context(False), rng)
    learner = make_learner("moran", {"w": 1.0}, context(False), rng)
    obs = np.zeros(N, dtype=np.int64)
    with pytest.raises(ConfigError, match="exponential"):  # negative linear fitness
        learner.update(Transition(obs, learner.act(obs), np.full(N, -2.0), obs))
