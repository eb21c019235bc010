"""execute_run: deterministic, common random numbers across sweep points, phases."""

from __future__ import annotations

import pickle

import numpy as np
from toy_units import ToyQ, ToyTax, toy_config

from incentive_lab.core.seeding import run_seed
from incentive_lab.experiments import RunTask, execute_run, plan_runs
from incentive_lab.experiments.execution.runner import build_simulation, simulate


def test_same_task_gives_identical_results_and_tasks_pickle() -> None:
    task = plan_runs(toy_config(seeds=1))[0]
    task = pickle.loads(pickle.dumps(task))
    assert isinstance(task, RunTask)
    first, second = execute_run(task), execute_run(task)
    assert first.metrics == second.metrics
    assert first.summary == second.summary
    assert first.run_id == task.run_id and first.config == task.config
    assert first.package_version
    other_seed = execute_run(plan_runs(toy_config(seeds=[1]))[0])
    assert other_seed.metrics != first.metrics


def test_rows_windows_and_summary() -> None:
    result = execute_run(plan_runs(toy_config(seeds=1, steps=205, record_every=20))[0])
    steps = sorted({step for step, _, _ in result.metrics})
    assert steps == [*range(20, 201, 20), 205]  # the last, partial window is flushed
    names = {name for _, name, _ in result.metrics}
    assert {
        "social_welfare",
        "mean_reward",
        "cooperation_rate",
        "gini",
        "min_reward",
        "incentive_cost",
        "net_transfer",
        "mean_shaped_reward",
        "mutual_cooperation",
        "learner0/mean_q",
    } <= names
    # summary_window 0.1 of 11 records -> the last 2
    welfare = [v for _, n, v in result.metrics if n == "social_welfare"]
    assert result.summary["social_welfare"] == np.mean(welfare[-2:])
    # the toy tax collects 2.5 per defection: cost equals |net transfer|
    assert np.isclose(result.summary["incentive_cost"], -result.summary["net_transfer"])
    defect_rate = 1 - result.summary["cooperation_rate"]
    assert np.isclose(result.summary["incentive_cost"], 2.5 * 6 * defect_rate)


def test_same_seed_index_shares_random_streams_across_sweep_points() -> None:
    tasks = plan_runs(
        toy_config(
            seeds=2,
            sweep={
                "mechanism": [{"id": "none"}, {"id": "test_tax"}],
                "game.params.reward": [3.0, 4.0],
            },
        )
    )
    pairings: dict[int, list] = {0: [], 1: []}
    for task in tasks:
        sim, _ = build_simulation(task.run, run_seed(task.seed, task.seed_index))
        sim.run(3)
        pairings[task.seed_index].append(np.stack(sim.game.pairings))
    for index in (0, 1):
        for other in pairings[index][1:]:
            np.testing.assert_array_equal(pairings[index][0], other)
    assert not np.array_equal(pairings[0][0], pairings[1][0])


def test_learner_streams_do_not_depend_on_the_mechanism() -> None:
    # with epsilon = 1 the actions are pure learner randomness: identical at both points
    tasks = plan_runs(
        toy_config(
            seeds=1,
            learners=[{"id": "test_q", "params": {"epsilon": 1.0}}],
            sweep={"mechanism": [{"id": "none"}, {"id": "test_tax"}]},
        )
    )
    results = [execute_run(t) for t in tasks]
    coop = [[v for _, n, v in r.metrics if n == "cooperation_rate"] for r in results]
    assert coop[0] == coop[1]


def test_phase_switches_mechanism_off_without_resetting_learners() -> None:
    base = toy_config(
        steps=400,
        record_every=50,
        learners=[{"id": "test_q", "params": {"alpha": 0.5, "epsilon": 0.2}}],
    )
    phased = {**base, "phases": [{"at_step": 200, "overrides": {"mechanism": {"id": "none"}}}]}
    config = plan_runs(phased)[0].run
    sim, recorder = simulate(config, run_seed(0, 0))
    learner = sim.groups[0].learner
    assert isinstance(learner, ToyQ)
    assert learner.updates == 400  # one learner object for the whole run
    assert not isinstance(sim.mechanism, ToyTax)
    cost = {step: v for step, n, v in recorder.rows if n == "incentive_cost"}
    assert all(cost[s] > 0 for s in (50, 100, 150, 200))
    assert all(cost[s] == 0 for s in (250, 300, 350, 400))
    # up to the phase the run equals the unphased one, afterwards it differs
    plain = plan_runs(base)[0].run
    _, plain_recorder = simulate(plain, run_seed(0, 0))
    before = [r for r in recorder.rows if r[0] <= 200]
    assert before == [r for r in plain_recorder.rows if r[0] <= 200]
    assert recorder.rows != plain_recorder.rows


def test_phase_keeps_learned_q_tables() -> None:
    # the runner's phase equals "play 50 steps, change the rules, play on" with the same
    # learner: one step after the phase exactly one Q entry per agent has moved and every
    # other entry is as learned before the phase (nothing was reset)
    base = toy_config(
        steps=51, record_every=10, learners=[{"id": "test_q", "params": {"epsilon": 0.0}}]
    )
    config = plan_runs(
        {**base, "phases": [{"at_step": 50, "overrides": {"game.params.reward": 10.0}}]}
    )[0].run
    phased, _ = simulate(config, run_seed(0, 0))
    manual, _ = build_simulation(config, run_seed(0, 0))
    manual.run(50)
    q_before = manual.groups[0].learner.q.copy()
    manual.game.reconfigure(reward=10.0)
    manual.run(1)
    q_after = phased.groups[0].learner.q
    np.testing.assert_array_equal(q_after, manual.groups[0].learner.q)
    changed = q_after != q_before
    assert changed.sum() == phased.game.n_agents
    np.testing.assert_array_equal(q_after[~changed], q_before[~changed])
    assert np.any(q_before != 0)


def test_phase_changes_game_parameters_mid_run() -> None:
    # greedy learners (epsilon 0) start on C (argmax of a tied Q row is action 0) and, with
    # R > 0 reinforcing C, keep cooperating: mean reward is R before the phase, the new R after
    base = toy_config(
        steps=100,
        record_every=10,
        mechanism={"id": "none"},
        learners=[{"id": "test_q", "params": {"epsilon": 0.0}}],
    )
    config = plan_runs(
        {**base, "phases": [{"at_step": 50, "overrides": {"game.params.reward": 7.0}}]}
    )[0].run
    result = execute_run(RunTask("x", "toy", 0, 0, config, {}))
    mean = {s: v for s, n, v in result.metrics if n == "mean_reward"}
    assert mean[50] == 3.0 and mean[60] == 7.0
    assert result.summary["mean_reward"] == 7.0


def test_mechanism_reconfigure_keeps_mechanism_state() -> None:
    base = toy_config(steps=100, record_every=10)
    config = plan_runs(
        {**base, "phases": [{"at_step": 40, "overrides": {"mechanism.params.tax": 0.0}}]}
    )[0].run
    sim, recorder = simulate(config, run_seed(0, 0))
    assert isinstance(sim.mechanism, ToyTax)
    assert sim.mechanism.seen == 100 and sim.mechanism.params.tax == 0.0
    cost = {s: v for s, n, v in recorder.rows if n == "incentive_cost"}
    assert cost[100] == 0.0


def test_several_learner_groups() -> None:
    task = plan_runs(
        toy_config(
            seeds=1,
            learners=[
                {"id": "test_q", "agents": "0:2", "params": {"epsilon": 0.0}},
                {"id": "test_q", "agents": "2:6", "params": {"epsilon": 1.0}},
            ],
        )
    )[0]
    result = execute_run(task)
    assert {"learner0/mean_q", "learner1/mean_q"} <= set(result.summary)
