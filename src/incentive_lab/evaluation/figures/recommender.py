"""Report figures of recommenders competing for users (issue #19): share, return, fairness.

* :func:`market_share_over_time` — each agent's share of the served users at every
  recorded step (the game's ``market_share_k``, reported when an option added after v0 is
  used, e.g. ``agents_choose: items``), mean over seeds with a 95 % t-band, one panel per
  series; agents are named by the learner that drives them.
* :func:`ctr_and_return` — two panels, one marker per series (mean over seeds with 95 %
  bootstrap CIs on both axes): *CTR vs long-term return* — the final click-through rate
  (clicks per slate shown, a short-term signal) against the long-term return, the clicks
  per user slot per round averaged over the **whole** run (``social_welfare`` at every
  recorded step), which also counts the users a recommender lost to churn; and *exposure
  Gini vs CTR* — the final provider exposure Gini against the final CTR, the
  fairness–engagement trade-off a mechanism such as ``exposure_fairness`` moves along.

Both return ``None`` when the metrics they need were not recorded. Data contract: the
report's ``Prepared`` tables (``summary``: final values per run; ``metrics``: rows
``run_id, seed_index, step, name, value``).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.evaluation.figures import comparison
from incentive_lab.evaluation.game_series import (
    SERIES,
    run_configs,
    series_of,
    series_stats,
    with_series,
)
from incentive_lab.evaluation.report.analysis import N_RESAMPLES, Prepared
from incentive_lab.evaluation.seed_table import seed_summary

SHARE = re.compile(r"^market_share_(\d+)$")
RETURN = "long_term_return"
T_975 = {2: 12.706, 3: 4.303, 4: 3.182, 5: 2.776, 6: 2.571, 7: 2.447, 8: 2.365, 9: 2.306}
"""Student t 97.5 % quantiles by number of seeds (``n − 1`` degrees of freedom); 1.96 beyond."""


def agent_names(prep: Prepared) -> dict[int, str]:
    """``agent index → learner id`` from the first run's resolved learner groups."""
    configs, _ = run_configs(prep)
    if not configs:
        return {}
    first = next(iter(configs.values()))
    names: dict[int, str] = {}
    start = 0
    for group in first.get("learners", []):
        agents = group.get("agents")
        if isinstance(agents, str) and ":" in agents:
            lo, hi = (int(x) for x in agents.split(":"))
        else:
            lo, hi = start, start + int(group.get("count", 1) or 1)
        for k in range(lo, hi):
            names[k] = str(group.get("id", "?"))
        start = hi
    return names


def _band(values: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(steps, mean, low, high)`` over seeds of rows ``step, seed_index, value``."""
    table = values.pivot_table(index="step", columns="seed_index", values="value")
    mean = table.mean(axis=1).to_numpy()
    n = table.notna().sum(axis=1).to_numpy()
    se = table.std(axis=1, ddof=1).fillna(0.0).to_numpy() / np.sqrt(np.maximum(n, 1))
    t = np.array([T_975.get(int(k), 1.96) if k > 1 else 0.0 for k in n])
    return table.index.to_numpy(), mean, mean - t * se, mean + t * se


@comparison._styled
def market_share_over_time(prep: Prepared) -> Any | None:
    """Each agent's market share over time per series (``None`` without ``market_share_k``)."""
    rows = prep.metrics[prep.metrics["name"].astype(str).str.match(SHARE)]
    if rows.empty:
        return None
    labels, order = series_of(prep)
    rows = with_series(rows, labels)
    agents = sorted({int(SHARE.match(n).group(1)) for n in rows["name"].unique()})  # type: ignore[union-attr]
    names = agent_names(prep)
    colours = comparison.palette([f"agent {k}" for k in agents])
    columns = min(2, len(order))
    panel_rows = -(-len(order) // columns)
    fig = comparison._figure(5.2 * columns + 1.0, 3.2 * panel_rows + 0.4)
    axes = fig.subplots(panel_rows, columns, squeeze=False, sharey=True).ravel()
    for ax, label in zip(axes, order, strict=False):
        part = rows[rows[SERIES] == label]
        for k in agents:
            steps, mean, low, high = _band(part[part["name"] == f"market_share_{k}"])
            colour = colours[f"agent {k}"]
            name = f"agent {k}" + (f" ({names[k]})" if k in names else "")
            ax.plot(steps, mean, color=colour, lw=1.8, label=name)
            ax.fill_between(steps, low, high, color=colour, alpha=0.18, lw=0)
        ax.set_title(label, loc="left")
        ax.set_xlabel("step")
        ax.set_ylim(0.0, 1.0)
    axes[0].set_ylabel("share of served users")
    axes[0].legend(loc="best", fontsize="small")
    for ax in axes[len(order) :]:
        ax.set_visible(False)
    fig.suptitle("Market share over time (mean over seeds, 95% t-band)", x=0.01, ha="left")
    return fig


def _return_stats(prep: Prepared, labels: dict[str, str], rng: np.random.Generator) -> Any:
    """Per series: the long-term return (mean ``social_welfare`` over recorded steps)."""
    rows = prep.metrics[prep.metrics["name"] == "social_welfare"]
    means = pd.DataFrame(rows.groupby(["run_id", "seed_index"], as_index=False)["value"].mean())
    means["name"] = RETURN
    per_run = with_series(means, labels)
    if per_run.empty:
        return None
    return seed_summary(per_run, [SERIES], rng, n_resamples=N_RESAMPLES)


def _point(stats: pd.DataFrame, label: str, metric: str) -> tuple[float, float, float] | None:
    row = stats[(stats[SERIES] == label) & (stats["metric"] == metric)]
    if row.empty:
        return None
    return tuple(float(row[c].iloc[0]) for c in ("mean", "ci_low", "ci_high"))  # type: ignore[return-value]


def _scatter(ax: Any, stats: pd.DataFrame, order: list[str], x: str, y: str) -> None:
    colours = comparison.palette(order)
    for label in order:
        px, py = _point(stats, label, x), _point(stats, label, y)
        if px is None or py is None:
            continue
        ax.errorbar(
            px[0], py[0],
            xerr=[[px[0] - px[1]], [px[2] - px[0]]], yerr=[[py[0] - py[1]], [py[2] - py[0]]],
            fmt="o", ms=7, capsize=3, lw=1.4, color=colours[label], label=label,
        )  # fmt: skip


@comparison._styled
def ctr_and_return(prep: Prepared, rng: np.random.Generator) -> Any | None:
    """CTR vs long-term return and exposure Gini vs CTR per series (module docstring)."""
    needed = ("ctr", "exposure_gini", "social_welfare")
    if any(m not in prep.metric_names for m in needed):
        return None
    labels, order = series_of(prep)
    stats = series_stats(prep, ["ctr", "exposure_gini"], rng)
    returns = _return_stats(prep, labels, rng)
    if returns is None or stats.empty:
        return None
    stats = pd.concat([stats, returns], ignore_index=True)
    fig = comparison._figure(11.0, 4.4)
    left, right = fig.subplots(1, 2)
    _scatter(left, stats, order, "ctr", RETURN)
    left.set_title("CTR vs long-term return", loc="left")
    left.set_xlabel("final CTR (clicks per slate shown)")
    left.set_ylabel("long-term return (clicks per user slot per round, whole run)")
    _scatter(right, stats, order, "exposure_gini", "ctr")
    right.set_title("Provider exposure Gini vs CTR", loc="left")
    right.set_xlabel("final provider exposure Gini (lower is fairer)")
    right.set_ylabel("final CTR")
    left.legend(loc="best", fontsize="small")
    return fig


def competition_figures(prep: Prepared, rng: np.random.Generator) -> list[tuple[Any, str, str]]:
    """``(figure, id, caption)`` of the figures above that have data (the report's hook)."""
    out: list[tuple[Any, str, str]] = []
    fig = market_share_over_time(prep)
    if fig is not None:
        caption = (
            "Market share over time: each recommender agent's share of the users served at "
            "every recorded step (mean over seeds, 95% t-band), one panel per series; users "
            "choose agents by the game's competition rule."
        )
        out.append((fig, "market-share", caption))
    fig = ctr_and_return(prep, rng)
    if fig is not None:
        caption = (
            "Left: final CTR (a short-term signal) against the long-term return, clicks per "
            "user slot per round over the whole run, which also counts users lost to churn. "
            "Right: final provider exposure Gini against final CTR. Mean over seeds with 95% "
            "bootstrap CIs on both axes, one marker per series."
        )
        out.append((fig, "ctr-return-fairness", caption))
    return out
