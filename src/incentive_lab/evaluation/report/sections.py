"""One experiment's section of the HTML report, rendered from its :class:`Analysis`.

Summary (verdicts per condition, "no effect here" candidates, warnings), figures, the table
of final outcomes per condition, the effects against the baseline, LLM transcripts and the
resolved configurations. Every number shown comes from the
:class:`~incentive_lab.evaluation.report.model.Analysis` that ``report.json`` is built from.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import yaml

from incentive_lab.evaluation.figures import comparison, design, pareto, phase_diagram
from incentive_lab.evaluation.figures.games import game_figures
from incentive_lab.evaluation.report.analysis import CONDITION, MECHANISM, Prepared, curve_stats
from incentive_lab.evaluation.report.design_blocks import design_blocks
from incentive_lab.evaluation.report.gridworld import episode_strips
from incentive_lab.evaluation.report.model import Analysis
from incentive_lab.evaluation.report.template import (
    Markup,
    badge,
    ci_text,
    figure,
    join,
    table,
    tag,
)
from incentive_lab.evaluation.report.transcripts import transcript_section
from incentive_lab.evaluation.report.verdicts import BUDGET_METRIC, Verdict

__all__ = ["ci_text", "phase_steps", "section", "slug", "verdict_badge", "warnings_block"]

MONEY = ("incentive_collected", "net_transfer")
"""Money columns shown beside the objectives (spend is the cost objective)."""
BADGES = {"clear": "clear", "tie": "tie", "not clear": "unclear", "no effect": "over"}


def slug(text: str) -> str:
    """An id-safe version of ``text``."""
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def verdict_badge(v: Verdict) -> Markup:
    """The coloured verdict label."""
    return badge(v.kind, BADGES[v.kind])


def _verdict_item(v: Verdict) -> Markup:
    return tag("li", join([verdict_badge(v), " ", v.sentence()]), data_verdict=v.kind)


def warnings_block(warnings: list[str]) -> Markup:
    """The warnings of an experiment as a highlighted list (empty when none)."""
    if not warnings:
        return Markup("")
    items = join(tag("li", w) for w in warnings)
    return tag("div", join([tag("strong", "Warning"), tag("ul", items)]), class_="warning")


def _numeric(prep: Prepared) -> list[str]:
    out = []
    for column in prep.swept:
        values = prep.summary[column].dropna().unique()
        if len(values) > 1 and all(
            isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in values
        ):
            out.append(column)
    return out


def _override_text(overrides: Any) -> str:
    if not isinstance(overrides, dict):
        return ""
    parts = []
    for key, value in overrides.items():
        shown = value.get("id", value) if isinstance(value, dict) else value
        parts.append(f"{key}={shown}")
    return ", ".join(parts)


def phase_steps(prep: Prepared) -> list[tuple[int, str]]:
    """``(step, label)`` where a phase starts, from the stored configs (empty without phases)."""
    found: dict[int, str] = {}
    for raw in prep.tables.runs.get("config", pd.Series(dtype=object)):
        for k, phase in enumerate(json.loads(raw).get("phases") or []):
            if isinstance(phase, dict) and phase.get("at_step"):
                text = _override_text(phase.get("overrides"))
                found.setdefault(int(phase["at_step"]), f"phase {k + 1}: {text}".rstrip(": "))
    return sorted(found.items())


def _figures(a: Analysis, rng: np.random.Generator) -> list[Markup]:
    prep, final = a.prep, a.final
    colours = comparison.palette(prep.mechanisms)
    objectives = prep.objectives
    name = slug(prep.tables.name)
    made: list[Markup] = []

    def add(fig: Any, kind: str, caption: str) -> None:
        ident = f"fig-{name}-{kind}"
        made.append(figure(comparison.to_svg(fig, ident), caption, ident, kind))

    curves = {o.metric: curve_stats(prep, o.metric, rng) for o in objectives}
    per_seed = (
        {o.metric: prep.metrics[prep.metrics["name"] == o.metric] for o in objectives}
        if prep.tables.seed_curves
        else None
    )
    phases = phase_steps(prep)
    phase_note = (
        " Dotted vertical lines: a phase starts ("
        + "; ".join(f"step {step}: {text}" for step, text in phases)
        + ")."
        if phases
        else ""
    )
    add(
        comparison.learning_curves(
            curves, objectives, prep.mechanisms, prep.conditions, colours, phases, per_seed
        ),
        "learning-curves",
        f"Learning curves: mean over {prep.seeds} seeds per recorded window, shaded 95% "
        f"bootstrap CI across seeds"
        + ("; thin lines: the single seeds" if per_seed is not None else "")
        + f"; panels of one row share their y-scale.{phase_note}",
    )
    add(
        comparison.final_outcomes(final, objectives, prep.mechanisms, prep.conditions, colours),
        "final-outcomes",
        "Final outcomes (mean over the last part of each run, then over seeds) with 95% "
        "stratified-bootstrap CIs; sweep points are dodged vertically.",
    )
    cost = next((o for o in objectives if o.cost), None)
    if cost is not None and "social_welfare" in prep.metric_names:
        add(
            pareto.pareto(
                final, prep.conditions, prep.mechanisms, colours, cost, prep.tables.budget
            ),
            "pareto",
            f"Welfare vs {cost.metric} per candidate (95% CIs on both axes), one panel per "
            "sweep point. Outlined markers joined by the dashed staircase: the Pareto front "
            "(no other candidate reaches more welfare for less).",
        )
    numeric = _numeric(prep)
    if len(numeric) == 1:
        add(
            phase_diagram.phase_lines(final, numeric[0], objectives, prep.mechanisms, colours),
            "phase-diagram",
            f"Outcomes against the swept parameter {numeric[0]}: one line per candidate with "
            "its 95% CI band; candidates are compared within each value.",
        )
    elif len(numeric) >= 2:
        objective = next((o for o in objectives if o.metric == prep.primary), objectives[0])
        add(
            phase_diagram.phase_heatmaps(
                final, (numeric[0], numeric[1]), objective, prep.mechanisms
            ),
            "phase-diagram",
            f"Phase diagram: mean final {objective.title.lower()} over {numeric[0]} × "
            f"{numeric[1]}, one panel per candidate.",
        )
    trials = design.history(prep, prep.tables.budget)
    if trials is not None:
        known = (
            ""
            if prep.tables.budget is not None
            else " The design budget is not stored with the runs: every trial is drawn as "
            "within it."
        )
        add(
            trials,
            "design-history",
            "Design search: the primary objective per trial (mean over seeds) with the best "
            "so far, and each trial's incentive_cost with the budget." + known,
        )
    made.extend(design_blocks(a, name))
    for extra in game_figures(prep, rng):  # chosen by the game id
        add(extra.figure, extra.kind, extra.caption)
    made.extend(episode_strips(prep, f"fig-{name}-episode"))  # games that render
    return made


def _outcome_table(a: Analysis, condition: str) -> Markup:
    prep, objectives = a.prep, a.prep.objectives
    part = a.final[a.final[CONDITION] == condition]
    budget = prep.tables.budget
    quiet = set(a.no_effect.get(condition, []))
    rows = []
    for candidate in prep.mechanisms:
        mine = part[part[MECHANISM] == candidate].set_index("metric")
        if mine.empty:
            continue
        label = candidate + (" (baseline)" if candidate == prep.baseline else "")
        cells: list[object] = [label]
        for o in objectives:
            if o.metric in mine.index:
                values = mine.loc[o.metric, ["mean", "ci_low", "ci_high"]].to_numpy(float)
                cells.append(ci_text(*(float(v) for v in values)))
            else:
                cells.append("–")
        for metric in MONEY:
            if metric in mine.index:
                values = mine.loc[metric, ["mean", "ci_low", "ci_high"]].to_numpy(float)
                cells.append(ci_text(*(float(v) for v in values)))
            else:
                cells.append("–")
        cells.append(badge("no effect here", "over") if candidate in quiet else "")
        if budget is not None and BUDGET_METRIC in mine.index:
            over = float(mine.loc[[BUDGET_METRIC], "mean"].to_numpy(float)[0]) > budget
            cells.append(badge("over budget", "over") if over else "within")
        rows.append(cells)
    money = [f"{m} (per step)" for m in MONEY]
    header = ["candidate", *[f"{o.title} ({o.unit})" for o in objectives], *money, "effect"]
    if budget is not None:
        header.append(f"{BUDGET_METRIC} within the budget {budget:g}/step")
    return table(header, rows, numeric=range(1, len(objectives) + len(MONEY) + 1))


def _effects_table(a: Analysis, condition: str) -> Markup:
    prep = a.prep
    part = a.effects[a.effects["condition"] == condition]
    if part.empty:
        return tag("p", "Only one candidate: nothing to compare.")
    objectives = [o for o in prep.objectives if o.metric in set(part["metric"])]
    rows, classes = [], []
    for candidate in [m for m in prep.mechanisms if m != prep.baseline]:
        cells: list[object] = [candidate]
        kinds: list[str | None] = [None]
        for o in objectives:
            hit = part[(part["candidate"] == candidate) & (part["metric"] == o.metric)]
            if hit.empty:
                cells.append("–")
                kinds.append(None)
                continue
            r = hit.iloc[0]
            cells.append(
                join(
                    [
                        f"{r['difference']:+.4g} [{r['ci_low']:+.4g}, {r['ci_high']:+.4g}] "
                        f"{r['status']}",
                        Markup("<br>"),
                        f"P = {r['poi']:.2f} [{r['poi_low']:.2f}, {r['poi_high']:.2f}]",
                    ]
                )
            )
            status = str(r["status"])
            kinds.append({"better": "better", "worse": "worse"}.get(status, "unclear"))
        rows.append(cells)
        classes.append(kinds)
    header = ["candidate", *[f"{o.title}: vs {prep.baseline}" for o in objectives]]
    return table(header, rows, numeric=range(1, len(objectives) + 1), cell_classes=classes)


def _configs(prep: Prepared) -> Markup:
    blocks = []
    seen: set[str] = set()
    for _, row in prep.tables.runs.iterrows():
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
    runs = prep.tables.runs
    config = json.loads(runs["config"].iloc[0]) if not runs.empty else {}
    learners = "+".join(str(spec.get("id")) for spec in config.get("learners", []))
    game = config.get("game", {}).get("id", "?")
    sweep = ", ".join(prep.swept) if prep.swept else "none"
    return (
        f"Game {game}, learners {learners}, {config.get('steps', '?')} steps, {prep.seeds} "
        f"seeds; {len(prep.mechanisms)} candidates; conditions (swept game/learner "
        f"parameters): {sweep}; baseline: {prep.baseline}; primary objective: {prep.primary}."
    )


def section(a: Analysis, rng: np.random.Generator) -> Markup:
    """The ``<section>`` of one experiment."""
    prep = a.prep
    parts: list[object] = [tag("h2", prep.tables.name)]
    if prep.tables.description:
        parts.append(tag("p", prep.tables.description, class_="lead"))
    parts.append(tag("p", _meta(prep), class_="lead"))
    parts.append(warnings_block(a.warnings))
    parts.append(tag("h3", "Summary"))
    parts.append(
        tag(
            "p",
            "Best candidate per objective, compared within each sweep point by the paired "
            "difference over seeds (clear = its 95% CI excludes 0 and it exceeds the "
            "practical threshold). Practical thresholds: "
            + "; ".join(
                f"{o.title} {prep.rules[o.metric].text()}"
                for o in prep.objectives
                if o.metric in prep.rules
            )
            + ".",
            class_="thresholds",
        )
    )
    for condition in prep.conditions:
        found = [v for v in a.verdicts if v.condition == condition]
        if len(prep.conditions) > 1:
            parts.append(tag("h4", condition))
        parts.append(tag("ul", join(_verdict_item(v) for v in found), class_="summary"))
        quiet = a.no_effect.get(condition, [])
        if quiet:
            text = f"No effect here (equal to {prep.baseline} within the threshold): "
            parts.append(tag("p", text + ", ".join(quiet) + ".", class_="noeffect"))
    parts.append(tag("h3", "Figures"))
    parts.extend(_figures(a, rng))
    parts.append(tag("h3", "Final outcomes: mean [95% CI]"))
    for condition in prep.conditions:
        if len(prep.conditions) > 1:
            parts.append(tag("h4", condition))
        parts.append(_outcome_table(a, condition))
    parts.append(tag("h3", f"Effects against the baseline {prep.baseline}"))
    parts.append(
        tag(
            "p",
            "Paired difference over seeds (positive = better; for Gini and cost better means "
            "lower) with its 95% CI and the status (better / worse: CI excludes 0 and beyond "
            "the threshold; equal: within the threshold; unclear), then P(a random run of the "
            "candidate beats a random run of the baseline) with its 95% CI.",
            class_="lead",
        )
    )
    for condition in prep.conditions:
        if len(prep.conditions) > 1:
            parts.append(tag("h4", condition))
        parts.append(_effects_table(a, condition))
    transcripts = transcript_section(prep.tables.runs)
    if transcripts is not None:
        parts.append(transcripts)
    parts.append(tag("h3", "Resolved configurations"))
    labels = [f"{short} = {full}" for short, full in prep.full_labels.items() if short != full]
    if labels:
        parts.append(tag("p", "Mechanism names: " + "; ".join(labels) + ".", class_="lead"))
    parts.append(_configs(prep))
    return tag("section", join(parts), class_="card", id=f"exp-{slug(prep.tables.name)}")
