"""Recommender learners learn from the mechanism's shaped reward (``recsys._base`` credit)."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core import LearnerContext, make_game, make_learner, make_mechanism, make_rng
from incentive_lab.learners.recsys._base import credit_step
from incentive_lab.mechanisms.platform.fairness import exposure_distance
from incentive_lab.rollout import LearnerGroup, Simulation

GAME = {
    "n_users": 120, "n_items": 30, "n_topics": 5, "n_agents": 1, "drift": 0.0,
    "agents_choose": "items",
}  # fmt: skip


def test_credit_step_is_the_normalised_lms_step() -> None:
    credit = np.array([0.0, 1.0, -1.0, 0.5])
    counts = np.array([2.0, 0.0, 1.0, 0.0])  # ‖n‖² = 5, n·c = −1
    out = credit_step(credit, counts, total=4.0, rate=0.5)
    np.testing.assert_allclose(out, credit + 0.5 * (4.0 - -1.0) * counts / 5.0)
    # μ = 1 fits the step exactly (the Kaczmarz projection); unseen items keep their credit
    exact = credit_step(credit, counts, total=4.0, rate=1.0)
    assert counts @ exact == pytest.approx(4.0)
    np.testing.assert_array_equal(exact[[1, 3]], credit[[1, 3]])
    np.testing.assert_array_equal(credit_step(credit, np.zeros(4), 3.0, 1.0), credit)


def test_the_per_slot_tax_of_exposure_fairness_sums_to_the_tax() -> None:
    """The docstring's exact decomposition: slots of an over-exposed provider ``p`` cost
    ``(λ/k)(1 − π_p/ê_p)``, other slots nothing; they sum to ``λ · TV · served``."""
    rng = make_rng(3)
    lam, k, served = 2.0, 5, 40
    exposure = rng.multinomial(served * k, rng.dirichlet(np.ones(6))).astype(np.float64)
    target = rng.dirichlet(np.ones(6))
    share = exposure / exposure.sum()
    over = share > target
    per_slot = np.where(over, lam / k * (1.0 - target / np.where(share > 0, share, 1.0)), 0.0)
    tax = lam * exposure_distance(exposure[None, :], target)[0] * served
    assert (per_slot * exposure).sum() == pytest.approx(tax)


def run(learner_id: str, mechanism: str, params: dict[str, float], seed: int = 0):  # type: ignore[no-untyped-def]
    game = make_game("recommender", GAME)
    agent = make_learner(learner_id, params, LearnerContext.for_game(game), make_rng(10 + seed))
    mech = make_mechanism(mechanism, {}, game, make_rng(0))
    sim = Simulation(game, [LearnerGroup(0, 1, agent)], mech, make_rng(seed))
    ctr: list[float] = []

    class Ctr:
        def record(self, record) -> None:  # type: ignore[no-untyped-def]
            ctr.append(record.info["metrics"]["ctr"])

    sim.run(40, Ctr())
    return agent, ctr


@pytest.mark.parametrize("learner_id", ["recsys_bpr", "recsys_linucb"])
def test_without_a_mechanism_the_credit_is_zero_and_slates_unchanged(learner_id: str) -> None:
    agent, ctr = run(learner_id, "none", {})
    _, ctr_off = run(learner_id, "none", {"shaping": 0.0, "shaping_rate": 0.0})
    assert not agent.credit.any()
    assert ctr == ctr_off


def test_exposure_fairness_enters_the_scores_as_a_penalty_on_shown_items() -> None:
    agent, ctr = run("recsys_linucb", "exposure_fairness", {})
    assert agent.credit.sum() < 0.0  # the tax is blamed on the items shown
    _, ctr_none = run("recsys_linucb", "none", {})
    ignored, ctr_ignored = run("recsys_linucb", "exposure_fairness", {"shaping": 0.0})
    assert ctr != ctr_none  # the tax changed the slates...
    assert ctr_ignored == ctr_none  # ...through the credit only (learned, weight 0: no change)
    assert ignored.credit.sum() < 0.0


def test_stored_params_omit_the_shaping_fields_at_default() -> None:
    from incentive_lab.learners.recsys.linucb import LinUCBRecommenderParams

    assert "shaping" not in LinUCBRecommenderParams().model_dump()
    assert LinUCBRecommenderParams(shaping=2.0).model_dump()["shaping"] == 2.0
