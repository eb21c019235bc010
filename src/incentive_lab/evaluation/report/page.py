"""The HTML report: one self-contained file comparing mechanisms across seeds.

:func:`build_report` turns the stored tables of one or more experiments
(:class:`~incentive_lab.evaluation.report.analysis.ExperimentTables`) into one HTML page;
:func:`write_report` writes it. For each experiment the page shows

1. a short summary naming the best mechanism per objective (welfare, cooperation, fairness
   = lowest Gini, incentive cost) and whether its lead is statistically clear
   (:mod:`~incentive_lab.evaluation.report.verdicts`);
2. learning curves with 95% CI bands across seeds, final outcomes with 95% CIs, the
   welfare-vs-incentive-cost Pareto plot, and — when a numeric parameter is swept besides
   the mechanism — a phase diagram (:mod:`~incentive_lab.evaluation.figures.comparison`);
   then the figures specific to the experiment's game, chosen by its game id
   (:mod:`~incentive_lab.evaluation.figures.games`: phase portraits, bid curves, flows,
   lattice snapshots, SUB-SAMPLE-Q gap vs k);
3. a table of final outcomes and one of the probability of improvement over the baseline;
4. the resolved config of every sweep point and the package version that produced it.

Statistics (:mod:`~incentive_lab.evaluation.report.analysis`) use one
``numpy.random.Generator`` seeded with ``seed``, so the same data and seed give the same
bytes. Figures are inline SVG; the file needs no network and no JavaScript.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from incentive_lab.evaluation.figures import comparison
from incentive_lab.evaluation.figures.games import game_figures
from incentive_lab.evaluation.report.analysis import (
    MECHANISM,
    ExperimentTables,
    Prepared,
    curve_stats,
    final_stats,
    pooled_stats,
    prepare,
)
from incentive_lab.evaluation.report.template import (
    Markup,
    badge,
    figure,
    join,
    page,
    table,
    tag,
)
from incentive_lab.evaluation.report.transcripts import transcript_section
from incentive_lab.evaluation.report.verdicts import Verdict, improvement_table, verdicts

__all__ = ["ExperimentTables", "build_report", "write_report"]


def _version() -> str:
    try:
        return metadata.version("incentive-lab")
    except metadata.PackageNotFoundError:
        return "unknown"


def _ci(mean: float, low: float, high: float) -> str:
    return f"{mean:.4g} [{low:.4g}, {high:.4g}]"


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def _verdict_item(v: Verdict) -> Markup:
    state = badge("clear lead", "clear") if v.clear else badge("lead not clear", "unclear")
    if v.runner_up is None:
        state = badge("only candidate", "unclear")
    extra = ""
    if v.excluded and v.objective.metric == "incentive_cost":
        extra = f" (The baseline {v.excluded[0]} is not a candidate.)"
    elif v.excluded:
        extra = f" (Over the budget, not eligible: {', '.join(v.excluded)}.)"
    return tag("li", join([state, " ", v.sentence() + extra]))


def _numeric(prep: Prepared) -> list[str]:
    out = []
    for column in prep.swept:
        values = prep.summary[column].dropna().unique()
        if len(values) > 1 and all(
            isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in values
        ):
            out.append(column)
    return out


def _figures(
    prep: Prepared, final: pd.DataFrame, pooled: pd.DataFrame, rng: np.random.Generator
) -> list[Markup]:
    colours = comparison.palette(prep.mechanisms)
    objectives = prep.objectives
    slug = _slug(prep.tables.name)
    seeds = int(prep.summary["seed_index"].nunique())
    made: list[Markup] = []

    def add(fig: Any, kind: str, caption: str) -> None:
        ident = f"fig-{slug}-{kind}"
        made.append(figure(comparison.to_svg(fig, ident), caption, ident, kind))

    curves = {o.metric: curve_stats(prep, o.metric, rng) for o in objectives}
    add(
        comparison.learning_curves(curves, objectives, prep.mechanisms, prep.conditions, colours),
        "learning-curves",
        f"Learning curves: mean over {seeds} seeds per recorded window, shaded 95% "
        "bootstrap CI across seeds.",
    )
    add(
        comparison.final_outcomes(final, objectives, prep.mechanisms, prep.conditions, colours),
        "final-outcomes",
        "Final outcomes (mean over the last part of each run, then over seeds) with 95% "
        "stratified-bootstrap CIs.",
    )
    if {"social_welfare", "incentive_cost"} <= set(prep.metric_names):
        pooled_note = " pooled over the sweep points" if len(prep.conditions) > 1 else ""
        add(
            comparison.pareto(pooled, prep.mechanisms, colours, prep.tables.budget),
            "pareto",
            f"Welfare vs incentive cost per mechanism{pooled_note} (95% CIs on both axes). "
            "Outlined markers and the dashed line: the Pareto front (no other mechanism "
            "reaches more welfare for less cost).",
        )
    numeric = _numeric(prep)
    if len(numeric) == 1:
        add(
            comparison.phase_lines(final, numeric[0], objectives, prep.mechanisms, colours),
            "phase-diagram",
            f"Phase diagram: final outcomes over the swept parameter {numeric[0]}, one line "
            "per mechanism, shaded 95% CI.",
        )
    elif len(numeric) >= 2:
        objective = next(o for o in objectives if o.metric == prep.tables.objective)
        add(
            comparison.phase_heatmaps(final, (numeric[0], numeric[1]), objective, prep.mechanisms),
            "phase-diagram",
            f"Phase diagram: mean final {objective.title.lower()} over {numeric[0]} × "
            f"{numeric[1]}, one panel per mechanism.",
        )
    for extra in game_figures(prep, rng):  # chosen by the game id
        add(extra.figure, extra.kind, extra.caption)
    return made


def _outcome_table(prep: Prepared, pooled: pd.DataFrame) -> Markup:
    objectives = prep.objectives
    budget = prep.tables.budget
    rows = []
    for mechanism in prep.mechanisms:
        part = pooled[pooled[MECHANISM] == mechanism].set_index("metric")
        cells: list[object] = [mechanism]
        for o in objectives:
            if o.metric in part.index:
                values = part.loc[o.metric, ["mean", "ci_low", "ci_high"]].to_numpy(float)
                cells.append(_ci(*(float(v) for v in values)))
            else:
                cells.append("–")
        if budget is not None:
            costs = part.loc[part.index == "incentive_cost", "mean"].to_numpy(float)
            cost = float(costs[0]) if costs.size else 0.0
            cells.append(badge("over budget", "over") if cost > budget else "within")
        rows.append(cells)
    header = ["mechanism", *[f"{o.title} ({o.unit})" for o in objectives]]
    if budget is not None:
        header.append(f"budget {budget:g}/step")
    return table(header, rows, numeric=range(1, len(objectives) + 1))


def _improvement(prep: Prepared, rng: np.random.Generator) -> Markup:
    frame = improvement_table(prep, rng)
    if frame.empty:
        return tag("p", "Only one mechanism: nothing to compare.")
    objectives = [o for o in prep.objectives if o.metric in set(frame["metric"])]
    rows, classes = [], []
    for mechanism in [m for m in prep.mechanisms if m != prep.baseline]:
        cells: list[object] = [mechanism]
        kinds: list[str | None] = [None]
        for o in objectives:
            hit = frame[(frame["mechanism"] == mechanism) & (frame["metric"] == o.metric)]
            if hit.empty:
                cells.append("–")
                kinds.append(None)
                continue
            r = hit.iloc[0]
            cells.append(f"{r['probability']:.2f} [{r['ci_low']:.2f}, {r['ci_high']:.2f}]")
            kinds.append(str(r["clear"]))
        rows.append(cells)
        classes.append(kinds)
    header = ["mechanism", *[f"{o.title}: P(better than {prep.baseline})" for o in objectives]]
    return table(header, rows, numeric=range(1, len(objectives) + 1), cell_classes=classes)


def _configs(prep: Prepared) -> Markup:
    runs = prep.tables.runs
    blocks = []
    seen: set[str] = set()
    for _, row in runs.iterrows():
        point = str(row.get("point", "{}"))
        if point in seen:
            continue
        seen.add(point)
        config = json.loads(row["config"])
        coordinates = ", ".join(f"{k} = {v}" for k, v in json.loads(point).items()) or "base"
        text = yaml.safe_dump(config, sort_keys=False, default_flow_style=None, width=96)
        blocks.append(tag("details", join([tag("summary", coordinates), tag("pre", text)])))
    return join(blocks)


def _meta(prep: Prepared) -> str:
    config = json.loads(prep.tables.runs["config"].iloc[0]) if not prep.tables.runs.empty else {}
    learners = "+".join(str(spec.get("id")) for spec in config.get("learners", []))
    seeds = int(prep.summary["seed_index"].nunique())
    game = config.get("game", {}).get("id", "?")
    sweep = ", ".join(prep.swept) if prep.swept else "none besides the mechanism"
    return (
        f"Game {game}, learners {learners}, {config.get('steps', '?')} steps, {seeds} seeds; "
        f"{len(prep.mechanisms)} mechanisms; other swept parameters: {sweep}; "
        f"baseline: {prep.baseline}."
    )


def _section(tables: ExperimentTables, rng: np.random.Generator) -> tuple[Markup, list[Verdict]]:
    prep = prepare(tables)
    final = final_stats(prep, rng)
    pooled = pooled_stats(prep, rng)
    found = verdicts(prep, pooled, rng)
    parts: list[object] = [tag("h2", tables.name)]
    if tables.description:
        parts.append(tag("p", tables.description, class_="lead"))
    parts.append(tag("p", _meta(prep), class_="lead"))
    parts.append(tag("h3", "Summary"))
    note = " (pooled over the sweep points)" if len(prep.conditions) > 1 else ""
    parts.append(tag("p", f"Best mechanism per objective{note}, final outcomes:"))
    parts.append(tag("ul", join(_verdict_item(v) for v in found), class_="summary"))
    parts.append(tag("h3", "Figures"))
    parts.extend(_figures(prep, final, pooled, rng))
    parts.append(tag("h3", "Final outcomes: mean [95% CI]"))
    parts.append(_outcome_table(prep, pooled))
    parts.append(tag("h3", f"Probability of improvement over the baseline {prep.baseline}"))
    parts.append(
        tag(
            "p",
            "P(a random run of the mechanism is better than a random run of the baseline), "
            "ties count ½, with a 95% stratified-bootstrap CI; for Gini and cost 'better' "
            "means lower. Green: CI above 0.5; red: below; grey: includes 0.5.",
            class_="lead",
        )
    )
    parts.append(_improvement(prep, rng))
    transcripts = transcript_section(tables.runs)
    if transcripts is not None:
        parts.append(transcripts)
    parts.append(tag("h3", "Resolved configurations"))
    labels = [f"{short} = {full}" for short, full in prep.full_labels.items() if short != full]
    if labels:
        parts.append(tag("p", "Mechanism names: " + "; ".join(labels) + ".", class_="lead"))
    parts.append(_configs(prep))
    body = tag("section", join(parts), class_="card", id=f"exp-{_slug(tables.name)}")
    return body, found


def _overview(items: list[tuple[ExperimentTables, list[Verdict]]]) -> Markup:
    titles = ["Social welfare", "Cooperation", "Fairness (Gini)", "Incentive cost"]
    rows = []
    for tables, found in items:
        by_title = {v.objective.title: v for v in found}
        cells: list[object] = [tag("a", tables.name, href=f"#exp-{_slug(tables.name)}")]
        for title in titles:
            v = by_title.get(title)
            if v is None:
                cells.append("–")
                continue
            mark = badge("clear", "clear") if v.clear else badge("not clear", "unclear")
            cells.append(join([", ".join(v.best), " ", mark]))
        rows.append(cells)
    return table(["experiment", *[f"best: {t}" for t in titles]], rows)


def build_report(
    experiments: Sequence[ExperimentTables],
    *,
    title: str = "incentive-lab report",
    seed: int = 0,
    source: str = "",
) -> str:
    """The report of ``experiments`` as an HTML string (``seed`` drives the bootstrap)."""
    rng = np.random.default_rng(seed)
    items = [(tables, _section(tables, rng)) for tables in experiments]
    sections = [body for _, (body, _) in items]
    overview = tag(
        "section",
        join(
            [
                tag("h2", "Overview"),
                tag(
                    "p",
                    "Which mechanism makes these learners do well for everyone, at what "
                    "incentive cost, and how sure are we? Best mechanism per objective and "
                    "whether its lead over the runner-up is statistically clear (95%).",
                    class_="lead",
                ),
                _overview([(t, found) for t, (_, found) in items]),
            ]
        ),
        class_="card",
    )
    versions: set[str] = set()
    for tables in experiments:
        if "package_version" in tables.runs.columns:
            versions |= {str(v) for v in tables.runs["package_version"].dropna().unique()}
    footer = join(
        [
            tag(
                "p",
                f"Generated by incentive-lab {_version()}; runs produced by "
                f"incentive-lab {', '.join(sorted(versions)) or 'unknown'}. Seeds are the "
                "replication unit; CIs are 95% stratified percentile-bootstrap intervals "
                f"(bootstrap seed {seed}); sweep points are pooled as bootstrap tasks.",
            ),
        ]
    )
    subtitle = f"{len(experiments)} experiment(s)" + (f" from {source}" if source else "")
    return page(title, subtitle, join([overview, *sections]), footer)


def write_report(path: str | Path, experiments: Sequence[ExperimentTables], **options: Any) -> Path:
    """Write :func:`build_report` to ``path`` (UTF-8); return the path."""
    target = Path(path)
    target.write_text(build_report(experiments, **options), encoding="utf-8")
    return target
