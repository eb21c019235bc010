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
