"""Learned mechanism state survives a phase (issue #18, item 4): a run on a tiny Cleanup with
``lio_deep`` learners and the sampled ``adaptive_planner`` changes the game's rules and the
planner's parameters at step 30; neither the learners' incentive (and policy) networks nor
the planner's payment parameters are reset — they equal, bit for bit, those of the same
simulation played to step 30 by hand, and are not their initial values."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from incentive_lab.core.seeding import run_seed  # noqa: E402
from incentive_lab.experiments import plan_runs  # noqa: E402
from incentive_lab.experiments.execution.runner import build_simulation, simulate  # noqa: E402

torch.set_num_threads(1)
CONFIG = {
    "name": "lio-deep-phases",
    "game": {
        "id": "cleanup",
        "params": {"preset": "small", "n_agents": 2, "n_copies": 2, "episode_length": 20},
    },
    "mechanism": {"id": "adaptive_planner", "params": {"gradient": "sampled", "lr": 5.0}},
    "learners": [{"id": "lio_deep", "params": {"horizon": 10, "hidden": 16, "lr_incentive": 0.01}}],
    "steps": 31,
    "seeds": 1,
    "record_every": 10,
    # segments end at steps 10, 20 (episode end) and 30: step 31 only fills the buffer, and
    # the planner switched off at 30 no longer learns, so step 31 changes neither state
    "phases": [
        {
            "at_step": 30,
            "overrides": {
                "mechanism.params.off_after": 30,
                "game.params.apple_probability": 0.2,
            },
        }
    ],
}


def _state(sim):
    learner = sim.groups[0].learner
    nets = [p.detach().clone() for net in (learner.incentive_net, learner.policy_net)
            for p in net.parameters()]  # fmt: skip
    return nets, sim.mechanism.theta.copy()


def test_phase_keeps_lio_deep_incentive_networks_and_planner_state():
    run = plan_runs(CONFIG)[0].run
    fresh, _ = build_simulation(run, run_seed(0, 0))
    initial_nets, initial_theta = _state(fresh)
    manual, _ = build_simulation(run, run_seed(0, 0))
    manual.run(30)
    before_nets, before_theta = _state(manual)

    phased, _ = simulate(run, run_seed(0, 0))
    assert phased.mechanism.params.off_after == 30  # the phase applied, in place
    assert phased.game.params.apple_probability == 0.2
    assert phased.groups[0].learner.segments == 3
    after_nets, after_theta = _state(phased)
    np.testing.assert_array_equal(after_theta, before_theta)
    assert np.abs(before_theta - initial_theta).max() > 0.0
    for after, before in zip(after_nets, before_nets, strict=True):
        assert torch.equal(after, before)
    moved = [not torch.equal(b, i) for b, i in zip(before_nets, initial_nets, strict=True)]
    n_incentive = len(list(phased.groups[0].learner.incentive_net.parameters()))
    assert any(moved[:n_incentive]) and any(moved[n_incentive:])
