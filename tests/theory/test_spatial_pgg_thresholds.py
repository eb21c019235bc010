"""Literature check: the spatial public goods game with random-sequential Fermi updates.

Square lattice, von Neumann groups (G = 5), K = 0.5, r_c = r_d = r: cooperators die out
below r ≈ 3.74 and defectors above r ≈ 5.49 (Szolnoki, Perc & Szabó, PRE 80, 056109, 2009;
Szabó & Hauert, PRL 89, 118101, 2002). Runs start from a random half-and-half field and go
through the ordinary rollout (one step = one Monte Carlo step).

Sizes: far from the thresholds (r = 3.3, 4.5, 6.0) a 50 × 50 lattice decides within a few
hundred MCS (cooperators vanish in < 50 MCS at r = 3.3; defectors in < 1,000 at r = 6;
at r = 4.5 the cooperator fraction settles near 0.75 and stays far from both absorbing
states). Closer to them (r = 3.6 / 3.9 and 5.3 / 5.7) a 100 × 100 lattice and up to 3,000
MCS are needed so that finite-size extinction does not blur the transitions. Every run is
seeded; the whole file takes about 10 s.
"""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism
from incentive_lab.rollout import LearnerGroup, Simulation


def cooperation_series(r: float, side: int, mcs: int, seed: int) -> np.ndarray:
    """Cooperator fraction after each MCS, stopping at an absorbing state."""
    game = make_game("spatial_public_goods", {"side": side, "r": r})
    rng = np.random.default_rng(seed)
    learner = make_learner("fermi_imitation", {"K": 0.5}, LearnerContext.for_game(game), rng)
    mechanism = make_mechanism("none", {}, game, rng)
    sim = Simulation(game, [LearnerGroup(0, game.n_agents, learner)], mechanism, rng)
    series = []
    for _ in range(mcs):
        sim.run(1)
        series.append(np.mean(learner.strategies == 0))
        if series[-1] in (0.0, 1.0):
            break
    return np.array(series)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cooperators_die_out_well_below_the_lower_threshold(seed):
    series = cooperation_series(3.3, side=50, mcs=500, seed=seed)
    assert series[-1] == 0.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_defectors_die_out_well_above_the_upper_threshold(seed):
    series = cooperation_series(6.0, side=50, mcs=2000, seed=seed)
    assert series[-1] == 1.0


@pytest.mark.parametrize("seed", [0, 1])
def test_both_strategies_coexist_in_between(seed):
    series = cooperation_series(4.5, side=50, mcs=1500, seed=seed)
    assert len(series) == 1500  # never absorbed
    late = series[-500:]
    assert 0.05 < late.min() and late.max() < 0.95
    assert 0.6 < late.mean() < 0.9


@pytest.mark.parametrize(
    ("r", "outcome"),
    [(3.6, "C extinct"), (3.9, "coexist"), (5.3, "coexist"), (5.7, "D extinct")],
)
def test_the_transitions_bracket_the_literature_values(r, outcome):
    series = cooperation_series(r, side=100, mcs=3000, seed=0)
    final = series[-1]
    if outcome == "C extinct":
        assert final == 0.0
    elif outcome == "D extinct":
        assert final == 1.0
    else:
        assert len(series) == 3000 and 0.0 < final < 1.0
