"""The design page's blocks below its optimisation history (HTML, from the analysis).

:func:`design_blocks`: Optuna's parameter importances (PED-ANOVA) when known, then, per
re-evaluated trial (:mod:`.reevaluation`), the table of its estimates on fresh seeds beside
those on the search seeds, and the figure of the two
(:func:`incentive_lab.evaluation.figures.design.reevaluation`).
"""

from __future__ import annotations

from incentive_lab.evaluation.figures import comparison, design
from incentive_lab.evaluation.report.model import Analysis
from incentive_lab.evaluation.report.reevaluation import Reevaluated, objectives_of
from incentive_lab.evaluation.report.template import Markup, ci_text, figure, table, tag


def design_blocks(a: Analysis, name: str) -> list[Markup]:
    """Importances and re-evaluations of a design search (empty for other experiments)."""
    made: list[Markup] = []
    if a.prep.tables.importances:
        rows = [[k, f"{v:.3f}"] for k, v in a.prep.tables.importances.items()]
        made.append(tag("h4", "Parameter importance (Optuna PED-ANOVA)"))
        made.append(table(["parameter", "importance"], rows, numeric=[1]))
    for item in a.reevaluations:
        made.extend(reevaluation_block(a, item, name))
    return made


def reevaluation_block(a: Analysis, item: Reevaluated, name: str) -> list[Markup]:
    """The chosen trial on fresh seeds: a table and a figure beside its search estimate."""
    rows = []
    objectives = objectives_of(a.prep)
    for o in objectives:
        if o.metric not in item.fresh:
            continue
        fresh, n = item.fresh[o.metric]
        cells: list[object] = [o.title, ci_text(fresh.value, fresh.ci_low, fresh.ci_high), n]
        if o.metric in item.search:
            old, m = item.search[o.metric]
            cells += [
                ci_text(old.value, old.ci_low, old.ci_high),
                m,
                f"{fresh.value - old.value:+.4g}",
            ]
        else:
            cells += ["–", "–", "–"]
        rows.append(cells)
    ident = f"fig-{name}-design-reevaluation-{item.trial}"
    svg = comparison.to_svg(design.reevaluation(item, objectives), ident)
    seeds = ", ".join(str(s) for s in item.seeds)
    return [
        tag("h4", f"Chosen trial re-evaluated on fresh seeds: {item.candidate}"),
        tag(
            "p",
            f"Trial {item.trial} (the best feasible trial) run again on seed indices {seeds}, "
            "which the search never used: its estimate on the search seeds is optimistic "
            "(it was chosen for doing well on them); the fresh seeds' mean [95% CI] is not.",
            class_="lead",
        ),
        table(
            [
                "objective",
                "fresh seeds: mean [95% CI]",
                "n",
                "search seeds: mean [95% CI]",
                "n",
                "fresh − search",
            ],
            rows,
            numeric=range(1, 6),
        ),
        figure(
            svg,
            "The chosen trial per objective: its estimate on the search seeds and on fresh "
            "seeds, with 95% stratified-bootstrap CIs.",
            ident,
            "design-reevaluation",
        ),
    ]
