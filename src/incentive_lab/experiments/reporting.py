"""Read experiments from a store into report tables and write the HTML report.

The bridge between the store and :mod:`incentive_lab.evaluation.report` (which never
touches a database): each experiment's summary and metrics are read, their sweep points
flattened into columns, and MechBench metadata (description, objective, budget) attached
when the experiment is a scenario of :mod:`~incentive_lab.experiments.bench`.
``Results.report`` and ``incentive-lab report`` both end here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from incentive_lab.core.errors import ConfigError, unknown_choice
from incentive_lab.evaluation.report import ExperimentTables, write_report
from incentive_lab.evaluation.report_analysis import pooled_stats, prepare
from incentive_lab.evaluation.report_verdicts import Verdict, verdicts
from incentive_lab.experiments.bench import scenario_of
from incentive_lab.experiments.results import Results, point_columns


def tables_of(results: Results) -> ExperimentTables:
    """The report tables of one experiment (restricted to ``results.run_ids`` if set)."""
    summary = results.summary()
    metrics = results.metrics()
    runs = results.runs()
    scenario = scenario_of(results.experiment)
    return ExperimentTables(
        name=results.experiment,
        summary=summary,
        metrics=metrics,
        runs=runs,
        point_columns=tuple(point_columns(summary)),
        description=scenario.description if scenario else "",
        objective=scenario.objective if scenario else "social_welfare",
        budget=scenario.budget if scenario else None,
        mechanism_order=tuple(scenario.mechanisms) if scenario else (),
    )


def report_results(
    results: Sequence[Results], out: str | Path, *, seed: int = 0, title: str | None = None
) -> Path:
    """Write the report of several :class:`Results` to ``out``; return its path."""
    if not results:
        raise ConfigError("experiment", "<none>", "at least one experiment with finished runs")
    tables = [tables_of(r) for r in results]
    empty = [t.name for t in tables if t.summary.empty]
    if empty:
        raise ConfigError("experiment", empty[0], "an experiment with finished runs")
    source = str(Path(results[0].db_path))
    return write_report(
        out, tables, seed=seed, title=title or "incentive-lab report", source=source
    )


def report_store(
    db: str | Path,
    out: str | Path,
    experiments: Sequence[str] | None = None,
    *,
    seed: int = 0,
) -> Path:
    """Write the report of ``experiments`` (default: all) stored in ``db`` to ``out``."""
    from incentive_lab.experiments.store import RunStore

    with RunStore(db, read_only=True) as store:
        names = store.experiments()
    if not names:
        raise ConfigError("db", str(db), "a store with at least one finished run")
    chosen = list(experiments) if experiments else names
    for name in chosen:
        if name not in names:
            raise unknown_choice("experiment", name, names)
    target = Path(out)
    if target.is_dir():
        raise ConfigError("out", str(target), "a file path for the HTML report, not a directory")
    if not target.parent.is_dir():
        raise ConfigError("out", str(target), "a path whose directory exists")
    return report_results([Results(Path(db), name) for name in chosen], target, seed=seed)


def best_mechanisms(
    results: Sequence[Results], *, seed: int = 0
) -> list[tuple[str, list[Verdict]]]:
    """Per experiment, the best mechanism per objective (the report's summary, no figures)."""
    rng = np.random.default_rng(seed)
    out = []
    for result in results:
        prep = prepare(tables_of(result))
        out.append((result.experiment, verdicts(prep, pooled_stats(prep, rng), rng)))
    return out
