"""Schelling analyses in the report: the diagram with its CIs and the dilemma verdicts.

An experiment stored by ``incentive-lab schelling`` (``experiments.execution.schelling``:
one run per profile of ``k`` cooperators and seed, point ``schelling.cooperators``, summary
entries ``schelling/<base|shaped>/<side>``) is not a comparison of candidates: the report
gives it its own section (:func:`schelling_section`) instead of the candidate analysis.

Per reward kind — ``base`` (the game's own rewards: is the game a dilemma for these bots?)
and, when the analysis has a mechanism, ``shaped`` (what the mechanism pays: does it leave a
dilemma?) — the section shows the Schelling diagram (Hughes et al. 2018: the mean return of
a cooperator ``R_c(x)`` and of a defector ``R_d(x)`` against the number ``x`` of other
cooperators, 95% bootstrap bands over seeds, ``evaluation.schelling.schelling_figure``), the
table of both curves and of ``R_d(x) − R_c(x)`` with seed-paired CIs, and the verdict on the
three conditions of ``evaluation.schelling.dilemma_conditions``. Only seeds with every
profile stored are used. :func:`schelling_record` is the same in ``report.json`` (key
``schelling``). Intervals use their own generator seeded with the report's seed, so the
same store and seed give the same bytes, and adding an analysis never changes the other
experiments' numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from incentive_lab.evaluation.figures import comparison
from incentive_lab.evaluation.report.analysis import ExperimentTables
from incentive_lab.evaluation.report.template import Markup, badge, figure, join, table, tag
from incentive_lab.evaluation.schelling import (
    SUMMARY_PREFIX,
    DilemmaCheck,
    SchellingDiagram,
    bot_labels,
    dilemma_conditions,
    schelling_figure,
    stored_diagram,
)
from incentive_lab.evaluation.statistics import Estimate

POINT = "schelling.cooperators"
"""The sweep coordinate of a profile run (``experiments.execution.schelling.POINT``)."""


def is_schelling(tables: ExperimentTables) -> bool:
    """Whether ``tables`` hold a stored Schelling analysis (module docstring)."""
    names = tables.summary.get("name")
    if names is None or tables.runs.empty or "point" not in tables.runs.columns:
        return False
    return bool(names.astype(str).str.startswith(SUMMARY_PREFIX).any())


def _json(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value)


def diagrams(tables: ExperimentTables) -> list[tuple[SchellingDiagram, dict[str, Any]]]:
    """``(diagram, run config)`` per reward kind shown (module docstring)."""
    runs = tables.runs.set_index("run_id", drop=False)
    counts = {
        rid: int(_json(p).get(POINT, -1)) for rid, p in zip(runs.index, runs["point"], strict=True)
    }
    configs = {rid: _json(c) for rid, c in zip(runs.index, runs["config"], strict=True)}
    summary = tables.summary[tables.summary["run_id"].isin(counts)]
    rows = [
        (counts[rid], int(index), str(name), float(value))
        for rid, index, name, value in summary[["run_id", "seed_index", "name", "value"]]
        .itertuples(index=False)
    ]  # fmt: skip
    if not rows:
        return []
    by_count = sorted(counts, key=lambda rid: (counts[rid], rid))
    lowest, highest = configs[by_count[0]], configs[by_count[-1]]
    config = lowest
    game, params = str(config["game"]["id"]), dict(config["game"]["params"])
    cooperator = str(highest["learners"][0]["params"]["policy"])  # k = N: all cooperate
    defector = str(lowest["learners"][-1]["params"]["policy"])  # k = 0: all defect
    names = bot_labels(game, params, cooperator, defector)
    kinds = ["base"] if config["mechanism"]["id"] == "none" else ["base", "shaped"]
    out = []
    for kind in kinds:
        diagram = stored_diagram(game, rows, int(config["steps"]), kind, names)
        if diagram is not None:
            out.append((diagram, config))
    return out


def _number(value: float) -> float | None:
    """A finite float, or ``None`` (``report.json`` writes non-finite numbers as null)."""
    x = float(value)
    return x if math.isfinite(x) else None


def _estimate(e: Estimate) -> dict[str, float | None]:
    return {"value": _number(e.value), "ci_low": _number(e.ci_low), "ci_high": _number(e.ci_high)}


def _ci(e: Estimate, sign: bool = False) -> str:
    form = "+.4g" if sign else ".4g"
    return f"{e.value:{form}} [{e.ci_low:{form}}, {e.ci_high:{form}}]"


def _record(diagram: SchellingDiagram, check: DilemmaCheck, seed: int) -> dict[str, Any]:
    coop, defect = diagram.intervals(seed)
    return {
        "rewards": diagram.rewards,
        "players": diagram.n_players,
        "seeds": int(diagram.cooperator.shape[1]),
        "steps": diagram.steps,
        "cooperator": diagram.names[0],
        "defector": diagram.names[1],
        "curves": [
            {
                "others": x,
                "cooperator": _estimate(coop[x]),
                "defector": _estimate(defect[x]),
                "defection_gain": _estimate(check.defection_gain[x]),
            }
            for x in range(diagram.n_players)
        ],
        "mutual_cooperation": _estimate(check.mutual_cooperation),
        "not_exploited": _estimate(check.not_exploited),
        "defection_pays_at": check.defection_pays_at,
        "fear": check.fear,
        "greed": check.greed,
        "is_dilemma": check.is_dilemma,
    }


def schelling_record(tables: ExperimentTables, seed: int = 0) -> dict[str, Any]:
    """The analysis in ``report.json``: game, mechanism and one record per reward kind."""
    found = diagrams(tables)
    config = found[0][1] if found else {}
    return {
        "name": tables.name,
        "game": config.get("game", {}).get("id"),
        "mechanism": config.get("mechanism", {}).get("id"),
        "diagrams": [_record(d, dilemma_conditions(d, seed), seed) for d, _ in found],
    }


def _holds(ok: bool) -> Markup:
    return badge("holds", "clear") if ok else badge("does not hold", "unclear")


def _block(diagram: SchellingDiagram, mechanism: str, ident: str, seed: int) -> list[Markup]:
    check = dilemma_conditions(diagram, seed)
    coop, defect = diagram.intervals(seed)
    n = diagram.n_players
    fig = schelling_figure(diagram, seed)
    what = "the game's base rewards" if diagram.rewards == "base" else "shaped rewards"
    title = f"Schelling diagram: {diagram.game}" + (
        f" with {mechanism} ({diagram.rewards})" if mechanism != "none" else ""
    )
    fig.axes[0].set_title(title)
    caption = (
        f"Schelling diagram of {diagram.game} ({what}): mean return per agent over "
        f"{diagram.steps} steps of a cooperator ({diagram.names[0]}) and of a defector "
        f"({diagram.names[1]}) against the number of other cooperators among {n} players; "
        f"mean over {diagram.cooperator.shape[1]} seeds with 95% bootstrap bands."
    )
    rows = [
        [x, _ci(coop[x]), _ci(defect[x]), _ci(check.defection_gain[x], sign=True)] for x in range(n)
    ]
    mc, ne, pays = check.mutual_cooperation, check.not_exploited, check.defection_pays_at
    where = f"at x = {', '.join(map(str, pays))}" if pays else "at no x"
    items = [
        (
            f"(1) mutual cooperation beats mutual defection, R_c({n - 1}) − R_d(0) = "
            f"{_ci(mc, True)}: ",
            _holds(mc.ci_low > 0),
            "",
        ),
        (
            f"(2) mutual cooperation beats being exploited, R_c({n - 1}) − R_c(0) = "
            f"{_ci(ne, True)}: ",
            _holds(ne.ci_low > 0),
            "",
        ),
        (
            f"(3) defection pays (R_d(x) > R_c(x)) {where}: ",
            _holds(bool(pays)),
            f"; fear (x = 0): {'yes' if check.fear else 'no'}, greed (x = {n - 1}): "
            f"{'yes' if check.greed else 'no'}",
        ),
    ]
    conditions = tag("ul", join(tag("li", join(item)) for item in items), class_="summary")
    verdict = "a social dilemma" if check.is_dilemma else "not a social dilemma"
    return [
        tag("h3", f"{diagram.rewards.capitalize()} returns"),
        figure(comparison.to_svg(fig, ident), caption, ident, "schelling"),
        table(
            ["x (other cooperators)", "R_c(x) [95% CI]", "R_d(x) [95% CI]", "R_d − R_c [95% CI]"],
            rows,
            numeric=range(4),
        ),
        conditions,
        tag(
            "p",
            f"Verdict: {verdict} for these bots ({what}; a dilemma needs (1), (2) and (3), "
            "Hughes et al. 2018; each condition holds when the 95% CI of its seed-paired "
            "difference lies above 0).",
            class_="thresholds",
        ),
    ]


def schelling_section(tables: ExperimentTables, seed: int = 0) -> Markup:
    """The ``<section>`` of one stored Schelling analysis (module docstring)."""
    from incentive_lab.evaluation.report.sections import slug

    found = diagrams(tables)
    name = slug(tables.name)
    parts: list[object] = [tag("h2", f"{tables.name}: Schelling diagram")]
    if not found:
        parts.append(tag("p", "No seed has every profile stored yet.", class_="lead"))
    else:
        config = found[0][1]
        mechanism = str(config["mechanism"]["id"])
        parts.append(
            tag(
                "p",
                f"Game {config['game']['id']} with mechanism {mechanism}: for every number k of "
                "cooperators among the players of each copy, the game's scripted bots play "
                f"{config['steps']} steps per seed (incentive-lab schelling; each profile is a "
                "stored run).",
                class_="lead",
            )
        )
        for diagram, _ in found:
            ident = f"fig-{name}-schelling-{diagram.rewards}"
            parts.extend(_block(diagram, mechanism, ident, seed))
    return tag("section", join(parts), class_="card", id=f"exp-{name}")


def split(
    experiments: Sequence[ExperimentTables],
) -> tuple[list[ExperimentTables], list[ExperimentTables]]:
    """``(candidate comparisons, Schelling analyses)`` in their given order."""
    marks = [is_schelling(t) for t in experiments]
    return (
        [t for t, m in zip(experiments, marks, strict=True) if not m],
        [t for t, m in zip(experiments, marks, strict=True) if m],
    )
