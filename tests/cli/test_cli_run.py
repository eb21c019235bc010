"""End to end through the CLI: a small sweep lands in DuckDB with the right rows and values."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from cli_helpers import RECORDS, WINDOW, invoke, small, write_config

import incentive_lab


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> tuple[Path, Path, str]:
    tmp = tmp_path_factory.mktemp("sweep")
    config = write_config(tmp / "small.yaml", small())
    db = tmp / "lab.duckdb"
    result = invoke("run", config, "--db", db, "--workers", "1")
    assert result.exit_code == 0, result.output
    return config, db, result.stdout


def sql(db: Path, query: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_run_prints_summary_and_where_results_are(swept) -> None:
    _, db, stdout = swept
    assert "small-pd" in stdout
    assert str(db.resolve()) in stdout.replace("\n", "")
    assert "action_tax" in stdout and "cooperation" in stdout


def test_row_counts(swept) -> None:
    _, db, _ = swept
    assert sql(
        db, "SELECT count(*), count(DISTINCT point), count(DISTINCT seed_index) FROM runs"
    ) == [(4, 2, 2)]
    assert sql(db, "SELECT DISTINCT status, experiment FROM runs") == [("finished", "small-pd")]
    (names,) = sql(db, "SELECT count(DISTINCT name) FROM metrics")[0]
    assert names >= 7  # the stable metrics at least
    assert sql(db, "SELECT count(*) FROM metrics") == [(4 * RECORDS * names,)]
    per_series = sql(db, "SELECT DISTINCT count(*) FROM metrics GROUP BY run_id, name")
    assert per_series == [(RECORDS,)]
    assert sql(db, "SELECT count(DISTINCT step) FROM metrics") == [(RECORDS,)]
    recorded = "name IN (SELECT DISTINCT name FROM metrics)"
    assert sql(db, f"SELECT count(*) FROM summary WHERE {recorded}") == [(4 * names,)]
    # plus when each run settled (convergence step, stability) and the price of anarchy
    derived = sql(db, f"SELECT DISTINCT name FROM summary WHERE NOT {recorded}")
    assert ("convergence_step/cooperation_rate",) in derived
    for name in ("social_welfare", "cooperation_rate", "gini", "incentive_cost"):
        assert sql(db, f"SELECT count(*) FROM summary WHERE name = '{name}'") == [(4,)]


def test_summary_is_the_mean_of_the_last_window(swept) -> None:
    _, db, _ = swept
    rows = sql(
        db,
        f"""
        WITH ranked AS (
            SELECT run_id, name, value,
                   row_number() OVER (PARTITION BY run_id, name ORDER BY step DESC) AS k
            FROM metrics)
        SELECT s.run_id, s.name, s.value, avg(r.value)
        FROM summary s JOIN ranked r USING (run_id, name)
        WHERE r.k <= {WINDOW}
        GROUP BY s.run_id, s.name, s.value
        """,
    )
    recorded = "name IN (SELECT DISTINCT name FROM metrics)"
    assert len(rows) == sql(db, f"SELECT count(*) FROM summary WHERE {recorded}")[0][0]
    for _, _, stored, recomputed in rows:
        assert stored == pytest.approx(recomputed, rel=1e-12, abs=1e-12)


def test_tax_above_threshold_raises_cooperation_and_costs(swept) -> None:
    _, db, _ = swept
    rows = dict(
        sql(
            db,
            "SELECT r.point->>'mechanism', avg(s.value) FROM summary s JOIN runs r USING (run_id) "
            "WHERE s.name = 'cooperation_rate' GROUP BY 1",
        )
    )
    taxed = next(v for k, v in rows.items() if k.startswith("action_tax"))
    assert taxed > rows["none"] + 0.3
    costs = sql(
        db,
        "SELECT min(s.value) FROM summary s JOIN runs r USING (run_id) "
        "WHERE s.name = 'incentive_cost' AND r.point->>'mechanism' = 'none'",
    )
    assert costs == [(0.0,)]


def test_rerun_skips_everything_and_adds_no_rows(swept) -> None:
    config, db, _ = swept
    before = sql(db, "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM metrics)")
    result = invoke("run", config, "--db", db, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert sql(db, "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM metrics)") == before


def test_show_and_export(swept, tmp_path: Path) -> None:
    _, db, _ = swept
    shown = invoke("show", "--db", db, "--experiment", "small-pd", "-m", "gini")
    assert shown.exit_code == 0, shown.output
    assert "small-pd" in shown.stdout and "gini" in shown.stdout
    wrong = invoke("show", "--db", db, "--experiment", "small_pd")
    assert wrong.exit_code == 2
    assert "did you mean 'small-pd'" in wrong.stderr
    for fmt in ("csv", "parquet"):
        out = tmp_path / fmt
        exported = invoke("export", "--db", db, "--out", out, "--format", fmt)
        assert exported.exit_code == 0, exported.output
        reader = "read_csv_auto" if fmt == "csv" else "read_parquet"
        con = duckdb.connect()
        count = con.execute(f"SELECT count(*) FROM {reader}('{out / ('metrics.' + fmt)}')")
        assert count.fetchall() == sql(db, "SELECT count(*) FROM metrics")


def test_python_api_equals_the_cli(swept) -> None:
    config, db, _ = swept
    results = incentive_lab.run(config, db=db, workers=1)
    summary = results.summary()
    assert list(summary.columns[:3]) == ["run_id", "experiment", "mechanism"]
    assert len(summary) == sql(db, "SELECT count(*) FROM summary")[0][0]
    stored = dict(((r, n), v) for r, n, v in sql(db, "SELECT run_id, name, value FROM summary"))
    assert {
        (r, n): v for r, n, v in summary[["run_id", "name", "value"]].itertuples(index=False)
    } == stored
    assert len(results.runs()) == 4
    assert len(results.metrics()) == sql(db, "SELECT count(*) FROM metrics")[0][0]


def test_list_json_names_parameters() -> None:
    import json

    result = invoke("list", "learners", "--json")
    assert result.exit_code == 0
    listing = json.loads(result.stdout)
    q = next(e for e in listing["learners"] if e["id"] == "q_learning")
    alpha = next(p for p in q["parameters"] if p["name"] == "alpha")
    assert alpha["type"] == "float" and alpha["default"] == 0.1 and "> 0.0" in alpha["constraints"]
    table = invoke("list", "mechanisms")
    assert table.exit_code == 0 and "action_tax" in table.stdout
    assert "budget_balanced" in table.stdout  # parameter names in the overview
    one = invoke("list", "games", "public_goods")
    assert one.exit_code == 0 and "r_c" in one.stdout and "Multiplier" in one.stdout
    typo = invoke("list", "games", "pubic_goods")
    assert typo.exit_code == 2 and "did you mean 'public_goods'" in typo.stderr


def test_demo_configs_are_valid_and_small() -> None:
    """The main job: several MechBench scenarios × at least 5 mechanisms × 5 seeds."""
    from incentive_lab.cli.bench import demo_configs
    from incentive_lab.experiments import plan_runs

    configs = demo_configs()
    assert len(configs) >= 3
    for config in configs:
        tasks = plan_runs(config)
        mechanisms = {task.config["mechanism"]["id"] for task in tasks}
        assert len(mechanisms) >= 5, config["name"]
        assert {task.seed_index for task in tasks} == set(range(5))
    total = sum(t.config["steps"] * 1 for c in configs for t in plan_runs(c))
    assert total <= 500_000  # a few minutes on two cores


def test_export_marl_eval_json(swept, tmp_path: Path) -> None:
    import json

    _, db, _ = swept
    result = invoke("export", "--db", db, "--out", tmp_path / "me", "--format", "marl-eval")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "me" / "marl_eval.json").read_text())
    tasks = data["incentive_lab"]
    assert list(tasks) == ["experiment=small-pd"]
    algorithms = tasks["experiment=small-pd"]
    assert len(algorithms) == 2  # the two sweep points
    for runs in algorithms.values():
        assert sorted(runs) == ["run_0", "run_1"]
        run = runs["run_0"]
        assert run["absolute_metrics"]["social_welfare"]
        assert len([k for k in run if k.startswith("step_")]) == RECORDS


def test_experiment_filter_on_show_and_export(tmp_path: Path) -> None:
    """``-e`` is the same repeatable option on show, export and report."""
    pd = pytest.importorskip("pandas")
    db = tmp_path / "lab.duckdb"
    for name in ("first", "second"):
        config = small(name=name, steps=40, record_every=20, sweep={})
        result = invoke("run", write_config(tmp_path / f"{name}.yaml", config), "--db", db)
        assert result.exit_code == 0, result.output
    shown = invoke("show", "--db", db, "-e", "second")
    assert shown.exit_code == 0 and "second" in shown.stdout and "first" not in shown.stdout
    both = invoke("show", "--db", db, "-e", "first", "-e", "second")
    assert "first" in both.stdout and "second" in both.stdout
    out = tmp_path / "out"
    exported = invoke("export", "--db", db, "--out", out, "-e", "first")
    assert exported.exit_code == 0, exported.output
    runs = pd.read_parquet(out / "runs.parquet")  # pandas reads our Parquet (pyarrow, dev)
    assert set(runs["experiment"]) == {"first"} and len(runs) == 2
    metrics = pd.read_parquet(out / "metrics.parquet")
    assert set(metrics["run_id"]) == set(runs["run_id"])
    assert (
        len(metrics)
        == sql(
            db, "SELECT count(*) FROM metrics JOIN runs USING (run_id) WHERE experiment = 'first'"
        )[0][0]
    )
    unknown = invoke("export", "--db", db, "--out", tmp_path / "x", "-e", "frist")
    assert unknown.exit_code == 2 and "did you mean 'first'" in unknown.stderr
    assert not (tmp_path / "x").exists()
