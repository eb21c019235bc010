"""The HTML report and its ``report.json``: one self-contained file comparing candidates.

:func:`build` turns the stored tables of one or more experiments
(:class:`~incentive_lab.evaluation.report.analysis.ExperimentTables`) into the HTML page and
the JSON record (``docs/report.md``), both rendered from the same
:class:`~incentive_lab.evaluation.report.model.Analysis`; :func:`write_report` writes
``NAME.html`` and ``NAME.json`` beside it. The page holds

1. an overview: per experiment and sweep point, the best candidate per objective and the
   verdict (clear / tie / not clear / no effect, :mod:`~.verdicts`);
2. aggregates across scenarios when there are two or more (experiment, condition) tasks:
   IQM, median, mean and optimality gap with stratified-bootstrap CIs, performance profiles
   and the probability-of-improvement matrix (:mod:`incentive_lab.evaluation.aggregates`);
3. per experiment (:mod:`~.sections`): warnings (fewer than 5 seeds), verdicts per sweep
   point, figures, outcome tables, effects against the baseline, the resolved configs;
   a stored Schelling analysis (``incentive-lab schelling``) gets its diagram and dilemma
   verdicts instead (:mod:`~.schelling`, key ``schelling`` of the JSON record).

Statistics use one ``numpy.random.Generator`` seeded with ``seed`` (and per-row intervals
seeded with ``seed``, as ``incentive-lab show``), so the same data and seed give the same
bytes. Figures are inline SVG; the file needs no network and no JavaScript.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from incentive_lab.evaluation.figures import aggregate as aggregate_figures
from incentive_lab.evaluation.figures import comparison
from incentive_lab.evaluation.report import schelling
from incentive_lab.evaluation.report.analysis import ExperimentTables
from incentive_lab.evaluation.report.model import (
    Analysis,
    CrossScenario,
    analyse,
    cross_scenario,
    report_record,
)
from incentive_lab.evaluation.report.sections import (
    section,
    slug,
    verdict_badge,
    warnings_block,
)
from incentive_lab.evaluation.report.template import Markup, figure, join, page, table, tag

__all__ = ["ExperimentTables", "build", "build_report", "write_report"]

TITLES = ("Social welfare", "Cooperation", "Fairness (Gini)", "Incentive cost")
AGGREGATE_NAMES = {
    "iqm": "IQM",
    "median": "median",
    "mean": "mean",
    "optimality_gap": "optimality gap (lower is better)",
}


def score_text(value: float, low: float, high: float) -> str:
    """A normalised score with its CI, three decimals (``0.987 [0.968, 0.998]``)."""

    def fixed(x: float) -> str:
        return f"{round(x, 3) + 0.0:.3f}"

    return f"{fixed(value)} [{fixed(low)}, {fixed(high)}]"


def _version() -> str:
    try:
        return metadata.version("incentive-lab")
    except metadata.PackageNotFoundError:
        return "unknown"


def _overview(items: list[Analysis]) -> Markup:
    rows = []
    for a in items:
        name = a.prep.tables.name
        for condition in a.prep.conditions:
            by_title = {v.objective.title: v for v in a.verdicts if v.condition == condition}
            where = name if condition == "all" else f"{name} ({condition})"
            cells: list[object] = [tag("a", where, href=f"#exp-{slug(name)}")]
            for title in TITLES:
                v = by_title.get(title)
                cells.append(
                    "–" if v is None else join([", ".join(v.best) or "–", " ", verdict_badge(v)])
                )
            rows.append(cells)
    return table(["experiment (sweep point)", *[f"best: {t}" for t in TITLES]], rows)


def _aggregates(cross: CrossScenario | None, name: str) -> Markup:
    if cross is None:
        return Markup("")
    header = ["candidate", *AGGREGATE_NAMES.values()]
    rows = []
    for candidate, part in cross.table.groupby("candidate", sort=False):
        by = part.set_index("aggregate")
        cells: list[object] = [candidate]
        for key in AGGREGATE_NAMES:
            values = by.loc[key, ["value", "ci_low", "ci_high"]].to_numpy(float)
            cells.append(score_text(*(float(v) for v in values)))
        rows.append(cells)
    names = list(cross.scores)
    matrix = []
    for x in names:
        cells = [x]
        for y in names:
            if x == y:
                cells.append("–")
                continue
            r = cross.pairs[(cross.pairs["x"] == x) & (cross.pairs["y"] == y)].iloc[0]
            cells.append(f"{r['probability']:.2f} [{r['ci_low']:.2f}, {r['ci_high']:.2f}]")
        matrix.append(cells)
    colours = comparison.palette(names)
    ident = f"fig-{name}-performance-profile"
    svg = comparison.to_svg(aggregate_figures.profiles(cross.profiles, colours), ident)
    caption = (
        "Performance profiles: fraction of runs whose normalised score exceeds τ, with "
        "95% stratified-bootstrap bands."
    )
    parts: list[object] = [
        tag("h2", "Aggregates across scenarios"),
        tag(
            "p",
            f"{cross.metric} over {len(cross.tasks)} tasks ({'; '.join(cross.tasks)}), "
            "normalised per task between the lowest (0) and the highest (1) candidate mean; "
            "candidates are matched by label, on the largest block of candidates and tasks "
            "where every candidate ran. Definitions of Agarwal et al. (2021) / rliable: "
            "IQM = 25%-trimmed mean of all runs, median and mean of the per-task means, "
            "optimality gap = mean shortfall below 1; 95% stratified-bootstrap CIs.",
            class_="lead",
        ),
        table(header, rows, numeric=range(1, len(header))),
        figure(svg, caption, ident, "performance-profile"),
        tag("h3", "Probability of improvement P(row > column)"),
        table(["", *names], matrix, numeric=range(1, len(names) + 1)),
    ]
    return tag("section", join(parts), class_="card", id="aggregates")


def build(
    experiments: Sequence[ExperimentTables],
    *,
    title: str = "incentive-lab report",
    seed: int = 0,
    source: str = "",
) -> tuple[str, dict[str, Any]]:
    """The report of ``experiments``: ``(html, record)`` (``seed`` drives the bootstrap)."""
    rng = np.random.default_rng(seed)
    compared, analyses = schelling.split(experiments)  # Schelling analyses: own sections
    items = [analyse(tables, rng, seed) for tables in compared]
    sections = [section(a, rng) for a in items]
    sections += [schelling.schelling_section(tables, seed) for tables in analyses]
    cross = cross_scenario(items, rng)
    warned = [w for a in items for w in a.warnings]
    overview = tag(
        "section",
        join(
            [
                tag("h2", "Overview"),
                tag(
                    "p",
                    "Which candidate makes these learners do well for everyone, at what "
                    "incentive cost, and how sure are we? Best candidate per objective and "
                    "sweep point, with the verdict on its lead over the runner-up.",
                    class_="lead",
                ),
                warnings_block(sorted(set(warned))),
                _overview(items),
            ]
        ),
        class_="card",
    )
    versions: set[str] = set()
    for tables in experiments:
        if "package_version" in tables.runs.columns:
            versions |= {str(v) for v in tables.runs["package_version"].dropna().unique()}
    footer = tag(
        "p",
        f"Generated by incentive-lab {_version()}; runs produced by "
        f"incentive-lab {', '.join(sorted(versions)) or 'unknown'}. Seeds are the "
        "replication unit; each interval is the mean over seeds with a 95% stratified "
        f"percentile-bootstrap CI (2000 resamples, seed {seed}), the same as "
        "`incentive-lab show`; sweep points are never pooled.",
    )
    subtitle = f"{len(experiments)} experiment(s)" + (f" from {source}" if source else "")
    top = [overview, _aggregates(cross, "all")] if items else []
    html = page(title, subtitle, join([*top, *sections]), footer)
    record = report_record(items, cross, seed=seed, version=_version())
    if analyses:
        record["schelling"] = [schelling.schelling_record(t, seed) for t in analyses]
    return html, record


def build_report(experiments: Sequence[ExperimentTables], **options: Any) -> str:
    """The report of ``experiments`` as an HTML string (:func:`build`)."""
    return build(experiments, **options)[0]


def json_path(path: str | Path) -> Path:
    """Where the JSON record of the report at ``path`` goes: ``NAME.json`` beside it."""
    target = Path(path)
    if target.suffix == ".json":
        return target.with_suffix(".report.json")
    return target.with_suffix(".json")


def write_report(path: str | Path, experiments: Sequence[ExperimentTables], **options: Any) -> Path:
    """Write the HTML to ``path`` and the JSON record beside it; return the HTML's path."""
    target = Path(path)
    html, record = build(experiments, **options)
    target.write_text(html, encoding="utf-8")
    json_path(target).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return target
