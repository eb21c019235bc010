"""The runner hands learners everything the game shares through core (LearnerContext.for_game)."""

from incentive_lab.experiments import execute_run, plan_runs


def test_fermi_imitation_runs_random_sequential_from_a_config():
    config = {
        "name": "spatial-context",
        "game": {"id": "spatial_public_goods", "params": {"side": 6, "r": 4.5}},
        "learners": [{"id": "fermi_imitation", "params": {"K": 0.5}}],
        "steps": 4,
        "record_every": 2,
        "seeds": 1,
    }
    result = execute_run(plan_runs(config)[0])
    names = {name for _, name, _ in result.metrics}
    # the synchronous fallback reports learner0/synchronous; the real rule never does
    assert "learner0/synchronous" not in names
    assert "learner0/adoptions" in names


def test_summary_reports_convergence_adaptation_and_price_of_anarchy():
    config = {
        "name": "settle",
        "game": {"id": "prisoners_dilemma", "params": {"n_copies": 50}},
        "mechanism": {"id": "action_tax", "params": {"taxes": [0.0, 3.0]}},
        "learners": [{"id": "q_learning", "params": {"epsilon": 0.05}}],
        "steps": 2000,
        "record_every": 50,
        "seeds": 1,
        "phases": [{"at_step": 1000, "overrides": {"mechanism": {"id": "none"}}}],
    }
    summary = execute_run(plan_runs(config)[0]).summary
    assert 1000 < summary["convergence_step/cooperation_rate"] <= 2000
    # after the tax is switched off, cooperation collapses within the second phase
    assert 0 < summary["adaptation_time/cooperation_rate/0"] <= 1000
    assert summary["cooperation_rate"] < 0.2
    # PD optimum is 3 per agent; mutual defection earns about 1
    assert summary["price_of_anarchy"] == 3.0 / summary["mean_reward"]
    assert summary["price_of_anarchy"] > 2
