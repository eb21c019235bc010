"""`bench list|run`, `report` and `demo` through the command line, on tiny settings."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from cli_helpers import invoke


def _count(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return int(con.execute("SELECT count(*) FROM runs").fetchall()[0][0])


def test_bench_list_names_every_scenario() -> None:
    result = invoke("bench", "list")
    assert result.exit_code == 0, result.output
    for name in ("pd-q-v1", "pgg-faq-v1", "staghunt-pg-v1"):
        assert name in result.stdout


def test_bench_run_then_report(tmp_path: Path) -> None:
    db = tmp_path / "b.duckdb"
    args = ("bench", "run", "staghunt-pg-v1", "--db", db, "--workers", "1", "--seeds", "2")
    result = invoke(*args, "--steps", "40")
    assert result.exit_code == 0, result.output
    assert "staghunt-pg-v1-steps40" in result.stdout and _count(db) == 12
    assert "Best candidate per objective (verdict:" in " ".join(result.stdout.split())
    again = invoke(*args, "--steps", "40")  # resumes: nothing new
    assert again.exit_code == 0 and _count(db) == 12
    out = tmp_path / "r.html"
    report = invoke("report", "--db", db, "-o", out)
    assert report.exit_code == 0, report.output
    html = out.read_text(encoding="utf-8")
    assert "staghunt-pg-v1-steps40" in html and "adaptive_planner" in html
    assert "only 2 seeds (fewer than 5)" in html
    # --json: the report.json written beside the HTML, on stdout
    printed = invoke("report", "--db", db, "-o", out, "--json")
    assert printed.exit_code == 0, printed.output
    record = json.loads(printed.stdout)
    assert record == json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    (experiment,) = record["experiments"]
    assert experiment["name"] == "staghunt-pg-v1-steps40" and experiment["seeds"] == 2
    assert len(experiment["candidates"]) == 6 and experiment["warnings"]
    # --threshold re-judges the stored runs with an absolute threshold (no re-run)
    judged = invoke("report", "--db", db, "-o", out, "--json", "--threshold", "social_welfare=1e9")
    assert judged.exit_code == 0, judged.output
    (rejudged,) = json.loads(judged.stdout)["experiments"]
    rule = rejudged["thresholds"]["social_welfare"]
    assert (rule["kind"], rule["value"], rule["source"]) == ("absolute", 1e9, "argument")
    assert _count(db) == 12
    for bad, needle in (("social_welfar=1", "did you mean 'social_welfare'"), ("x=-1", ">= 0")):
        refused = invoke("report", "--db", db, "-o", out, "--threshold", bad)
        assert refused.exit_code == 2 and needle in refused.stderr, refused.stderr
    # show: mean [low, high] (never ± half-width) and the same warning
    shown = invoke("show", "--db", db)
    assert shown.exit_code == 0, shown.output
    assert "±" not in shown.stdout and "[" in shown.stdout
    assert "fewer than 5" in " ".join(shown.stdout.split())


def test_bench_and_report_bad_input_exit_2(tmp_path: Path) -> None:
    bad = invoke("bench", "run", "nope-v1", "--db", tmp_path / "x.duckdb")
    assert bad.exit_code == 2 and "scenario" in bad.stderr
    assert not (tmp_path / "x.duckdb").exists()
    missing = invoke("report", "--db", tmp_path / "absent.duckdb", "-o", tmp_path / "r.html")
    assert missing.exit_code == 2 and "error: db" in missing.stderr


def test_demo_writes_store_and_report_and_resumes(tmp_path: Path, monkeypatch) -> None:
    from incentive_lab.cli import bench as cli_bench
    from incentive_lab.experiments.bench.suite import get_scenario

    tiny = [
        get_scenario(name).experiment_config(seeds=1, steps=30)
        for name in ("pd-q-v1", "staghunt-pg-v1")
    ]
    monkeypatch.setattr(cli_bench, "demo_configs", lambda: tiny)
    out = tmp_path / "demo"
    result = invoke("demo", "--out", out, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file() and _count(out / "incentive-lab.duckdb") == 12
    text = " ".join(result.stdout.split())
    assert "Best candidate per objective (verdict: clear / tie / not clear / no effect" in text
    assert "statistically clear" not in text
    assert any(f"{kind}:" in text for kind in ("clear", "tie", "not clear", "no effect"))
    assert str((out / "report.html").resolve()) in result.stdout.replace("\n", "")
    again = invoke("demo", "--out", out, "--workers", "1")
    assert again.exit_code == 0 and _count(out / "incentive-lab.duckdb") == 12


def test_bench_table_says_the_reports_verdicts_and_reasons() -> None:
    import numpy as np
    import pandas as pd
    from rich.console import Console

    from incentive_lab.cli.bench import best_table
    from incentive_lab.evaluation.report.analysis import ExperimentTables
    from incentive_lab.evaluation.report.model import analyse

    # welfare: team_reward +10 on every seed (clear); cooperation: both equal (no effect)
    rows = [
        {"run_id": f"{m}{k}", "mechanism": m, "seed_index": k, "name": name, "value": value}
        for k in range(5)
        for m, welfare in (("none", 10.0 + k), ("team_reward", 20.0 + k))
        for name, value in (("social_welfare", welfare), ("cooperation_rate", 0.5))
    ]
    summary = pd.DataFrame(rows)
    runs = pd.DataFrame({"run_id": ["x"], "point": ["{}"], "config": ["{}"]})
    tables = ExperimentTables("toy", summary, summary.assign(step=1), runs, ("mechanism",))
    verdicts = analyse(tables, np.random.default_rng(0), 0).verdicts
    console = Console(width=600, record=True)
    console.print(best_table([("toy", verdicts)]))
    text = " ".join(console.export_text().split())
    kinds = {v.objective.metric: v.kind for v in verdicts}
    assert kinds == {"social_welfare": "clear", "cooperation_rate": "no effect"}
    for v in verdicts:
        assert f"{v.kind}: {v.reason}" in text
    assert "team_reward 22" in text  # mean of 20..24
    assert "clear: paired difference to none +10 [95% CI +10, +10] excludes 0" in text


def test_show_and_report_print_the_same_interval_text(tmp_path: Path) -> None:
    """The acceptance line: `show` and the report print the same `mean [low, high]`."""
    from cli_helpers import SMALL, write_config

    from incentive_lab.evaluation.report.sections import ci_text

    db = tmp_path / "s.duckdb"
    ran = invoke("run", write_config(tmp_path / "c.yaml", SMALL), "--db", db, "--workers", "1")
    assert ran.exit_code == 0, ran.output
    from incentive_lab.cli._common import out as console

    metrics = ("social_welfare", "cooperation_rate")
    width = console.width
    console.width = 220  # made at import: widen it directly (as test_cli_list_values)
    try:
        shown = invoke("show", "--db", db, *[a for m in metrics for a in ("-m", m)])
    finally:
        console.width = width
    assert shown.exit_code == 0, shown.output
    printed = invoke("report", "--db", db, "-o", tmp_path / "r.html", "--json")
    assert printed.exit_code == 0, printed.output
    (experiment,) = json.loads(printed.stdout)["experiments"]
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    checked = 0
    for e in experiment["estimates"]:
        if e["metric"] in metrics:
            text = ci_text(e["mean"], e["ci_low"], e["ci_high"])
            assert text in shown.stdout and text in html
            checked += 1
    assert checked == 2 * 2  # 2 candidates x 2 metrics


def test_bench_run_with_set_stores_a_renamed_changed_scenario(tmp_path: Path) -> None:
    db = tmp_path / "b.duckdb"
    args = ("bench", "run", "staghunt-pg-v1", "--db", db, "--workers", "1", "--seeds", "1")
    result = invoke(*args, "--steps", "40", "--set", "learners.0.params.lr=0.2")
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(db), read_only=True) as con:
        (name,) = con.execute("SELECT DISTINCT experiment FROM runs").fetchall()[0]
        configs = [json.loads(c) for (c,) in con.execute("SELECT config FROM runs").fetchall()]
    assert name.startswith("staghunt-pg-v1-steps40-set-") and name in result.stdout
    assert {c["learners"][0]["params"]["lr"] for c in configs} == {0.2}
    bad = invoke(*args, "--set", "learners.0.params.lr=fast")
    assert bad.exit_code == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert "lr" in bad.stderr and "fast" in bad.stderr
    assert _count(db) == 6  # nothing stored by the refused run
