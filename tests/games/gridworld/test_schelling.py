"""Schelling diagrams of the scripted bots meet the dilemma conditions of Hughes et al. (2018).

On the default maps (5 players, 1000-step episodes), 5 seeds × 2 copies each, conditions
tested on seed-paired bootstrap CIs (``evaluation.schelling.dilemma_conditions``):
all-cooperators earn more than all-defectors, and at some number of other cooperators a
defector earns more than a cooperator.
"""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import ConfigError
from incentive_lab.evaluation.schelling import dilemma_conditions, schelling, schelling_figure


@pytest.fixture(scope="module", params=["harvest", "cleanup"])
def diagram(request):
    return schelling(request.param, {"n_copies": 2}, seeds=5)


def test_the_default_maps_are_social_dilemmas(diagram):
    check = dilemma_conditions(diagram)
    report = (
        f"{diagram.game}: R_c = {diagram.cooperator.mean(axis=1).round(1)}, "
        f"R_d = {diagram.defector.mean(axis=1).round(1)}, {check}"
    )
    assert check.mutual_cooperation.ci_low > 0, report  # R_c(N−1) > R_d(0)
    assert check.defection_pays_at, report  # R_d(x) > R_c(x) for some x
    assert check.not_exploited.ci_low > 0, report  # R_c(N−1) > R_c(0)


def test_the_diagram_has_both_curves_at_every_count(diagram):
    n = diagram.n_players
    assert n == 5 and diagram.steps == 1000
    assert diagram.cooperator.shape == diagram.defector.shape == (n, 5)
    assert diagram.collective.shape == (n + 1, 5)
    # the all-defector profile is the defector curve at x = 0 and the collective at k = 0
    np.testing.assert_allclose(diagram.collective[0], diagram.defector[0])
    np.testing.assert_allclose(diagram.collective[n], diagram.cooperator[n - 1])
    cooperators, defectors = diagram.intervals()
    assert all(e.ci_low <= e.value <= e.ci_high for e in cooperators + defectors)


def test_the_figure_draws_two_curves_with_bands(diagram):
    fig = schelling_figure(diagram)
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and len(ax.collections) == 2
    assert diagram.names[0] in ax.get_legend().get_texts()[0].get_text()


def test_the_coin_game_is_a_dilemma_too():
    d = schelling("coins", {"n_copies": 4}, seeds=4)
    check = dilemma_conditions(d)
    assert check.is_dilemma and check.fear and check.greed


def test_a_mechanism_can_remove_the_dilemma():
    # team reward: each agent is paid its copy's total, so defection no longer pays
    d = schelling("coins", {"n_copies": 4}, seeds=4, mechanism="team_reward", rewards="shaped")
    assert not dilemma_conditions(d).defection_pays_at


def test_games_without_bots_are_refused():
    with pytest.raises(ConfigError, match="scripted_policy"):
        schelling("prisoners_dilemma", seeds=1)
