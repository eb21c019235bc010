"""Every examples/*.yaml loads, plans and runs; the headline examples show their claim."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from incentive_lab.experiments import execute_run, load_config, plan_runs

# design*.yaml are mechanism searches (experiment + design block): tests/experiments/test_design*.
# Examples running the local language model live are run by the real-model tier (tests/llm).


def _live_local_model(path: Path) -> bool:
    learners = yaml.safe_load(path.read_text()).get("learners") or []
    return any((g.get("params") or {}).get("backend", {}).get("kind") == "local" for g in learners)


EXAMPLES = sorted(
    p
    for p in (Path(__file__).parents[2] / "examples").glob("*.yaml")
    if not p.name.startswith("design") and not _live_local_model(p)
)


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_loads_plans_and_runs(path: Path) -> None:
    config = load_config(path)
    tasks = plan_runs(config)
    assert len(tasks) == len({t.run_id for t in tasks}) >= 1
    result = execute_run(tasks[0])
    assert {"social_welfare", "mean_reward", "gini"} <= set(result.summary)


def test_pd_tax_above_threshold_makes_learners_cooperate() -> None:
    tasks = plan_runs(EXAMPLES[0].parent / "prisoners_dilemma_action_tax.yaml")
    by_tax = {t.point["mechanism.params.taxes"]: t for t in tasks if t.seed_index == 0}
    low = execute_run(by_tax["[0.0,0.0]"]).summary["cooperation_rate"]
    high = execute_run(by_tax["[0.0,3.0]"]).summary["cooperation_rate"]
    assert low < 0.2 < 0.8 < high


def test_cooperation_decays_after_the_tax_is_switched_off() -> None:
    task = plan_runs(EXAMPLES[0].parent / "phases_tax_off.yaml")[0]
    rows = execute_run(task).metrics
    coop = {step: v for step, name, v in rows if name == "cooperation_rate"}
    assert coop[2000] > 0.8 and coop[4000] < 0.2
