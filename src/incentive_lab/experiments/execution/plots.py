"""Notebook plots of one experiment's results: curves, final outcomes, the Pareto view.

``Results.plot_curves``, ``plot_outcomes`` and ``plot_pareto`` return a matplotlib
``Figure`` (shown inline by Jupyter; ``fig.savefig(...)`` elsewhere), one series per sweep
point, labelled by its coordinates (``mechanism=action_tax, game.params.r=4.5``):

- **curves**: a recorded metric against the step, the mean over seeds and a 95% band of
  ``mean ± 1.96·SE`` across seeds per step (a normal band: cheap for thousands of steps;
  the final outcomes use the bootstrap);
- **outcomes**: the final outcome (summary) per point, the mean over seeds with the 95%
  stratified-bootstrap interval that ``show`` and the report print
  (:func:`~incentive_lab.experiments.execution.results.aggregate`);
- **pareto**: each point's mean cost (``x``, default ``incentive_spend``) against its mean
  outcome (``y``, default ``social_welfare``) with both intervals; the points no other
  point dominates (higher ``y`` at no higher ``x``) are joined as the front.

The report's figures (``evaluation.figures``) are richer; these are the quick look.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.core.errors import unknown_choice


def _labels(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    if not columns:
        return pd.Series("all runs", index=frame.index)
    return (
        frame[columns]
        .astype(str)
        .apply(lambda row: ", ".join(f"{c}={row[c]}" for c in columns), axis=1)
    )


def _check_metric(frame: pd.DataFrame, metric: str) -> None:
    names = sorted(set(frame["name"]))
    if metric not in names:
        raise unknown_choice("metric", metric, names)


def _axes(ax: Any) -> tuple[Any, Any]:
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    return fig, fig.add_subplot()


def curve_table(metrics: pd.DataFrame, metric: str, columns: list[str]) -> pd.DataFrame:
    """Per point and step: ``label, step, mean, low, high, n`` (band: mean ± 1.96·SE)."""
    _check_metric(metrics, metric)
    rows = metrics[metrics["name"] == metric].assign(label=lambda f: _labels(f, columns))
    grouped = rows.groupby(["label", "step"], sort=False)["value"]
    table = grouped.agg(mean="mean", std="std", n="count").reset_index()
    se = table["std"].fillna(0.0) / np.sqrt(table["n"])
    return table.assign(low=table["mean"] - 1.96 * se, high=table["mean"] + 1.96 * se)


def curves(metrics: pd.DataFrame, metric: str, columns: list[str], ax: Any = None) -> Any:
    """The figure of :func:`curve_table`: one line and band per sweep point."""
    fig, ax = _axes(ax)
    table = curve_table(metrics, metric, columns)
    for label, part in table.groupby("label", sort=False):
        (line,) = ax.plot(part["step"], part["mean"], label=label)
        ax.fill_between(part["step"], part["low"], part["high"], alpha=0.2, color=line.get_color())
    ax.set(xlabel="step", ylabel=metric, title=f"{metric}: mean over seeds, 95% band")
    ax.legend(fontsize="small")
    return fig


def outcomes(aggregated: pd.DataFrame, metric: str, columns: list[str], ax: Any = None) -> Any:
    """Final ``metric`` per sweep point: mean and bootstrap 95% CI (horizontal dot plot)."""
    _check_metric(aggregated, metric)
    rows = aggregated[aggregated["name"] == metric].reset_index(drop=True)
    fig, ax = _axes(ax)
    labels = list(_labels(rows, columns))
    y = np.arange(len(rows))
    errors = [rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]]
    ax.errorbar(rows["mean"], y, xerr=errors, fmt="o", capsize=3)
    ax.set_yticks(y, labels)
    ax.set(xlabel=metric, title=f"final {metric}: mean and 95% bootstrap CI over seeds")
    return fig


def pareto(
    aggregated: pd.DataFrame, x: str, y: str, columns: list[str], ax: Any = None
) -> tuple[Any, np.ndarray]:
    """Mean ``x`` (cost) vs mean ``y`` (outcome) per point with CIs; returns (fig, front mask)."""
    from incentive_lab.evaluation.figures.pareto import pareto_front

    _check_metric(aggregated, x)
    _check_metric(aggregated, y)
    keys = [c for c in ["experiment", *columns] if c in aggregated.columns]
    both = pd.merge(
        aggregated[aggregated["name"] == x],
        aggregated[aggregated["name"] == y],
        on=keys,
        suffixes=("_x", "_y"),
        sort=False,
    )
    xs = both[[*keys, "mean_x", "ci_low_x", "ci_high_x"]].set_axis(
        [*keys, "mean", "ci_low", "ci_high"], axis=1
    )
    ys = both[[*keys, "mean_y", "ci_low_y", "ci_high_y"]].set_axis(
        [*keys, "mean", "ci_low", "ci_high"], axis=1
    )
    front = pareto_front(ys["mean"].to_numpy(), xs["mean"].to_numpy())
    fig, ax = _axes(ax)
    ax.errorbar(
        xs["mean"],
        ys["mean"],
        xerr=[xs["mean"] - xs["ci_low"], xs["ci_high"] - xs["mean"]],
        yerr=[ys["mean"] - ys["ci_low"], ys["ci_high"] - ys["mean"]],
        fmt="o",
        capsize=3,
        label="sweep points",
    )
    order = np.argsort(xs["mean"].to_numpy()[front])
    ax.plot(
        xs["mean"].to_numpy()[front][order],
        ys["mean"].to_numpy()[front][order],
        "--",
        label="Pareto front",
    )
    for label, px, py in zip(_labels(xs, columns), xs["mean"], ys["mean"], strict=True):
        ax.annotate(label, (px, py), fontsize="x-small", xytext=(4, 4), textcoords="offset points")
    ax.set(xlabel=f"{x} (lower is better)", ylabel=y, title=f"{y} against {x}")
    ax.legend(fontsize="small")
    return fig, front
