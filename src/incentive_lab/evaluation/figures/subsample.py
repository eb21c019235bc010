"""SUB-SAMPLE-Q's optimality gap vs k (``global_local`` experiments sweeping ``k``).

Theory (Anand & Qu 2024, arXiv 2403.00222): the policy learned from ``k`` of ``n`` local
agents has an optimality gap ``≤ C·√((n − k + 1)/(n·k)) + ε``, which vanishes at ``k = n``
up to the Bellman noise ε.

Measured gap
    In a store experiment sweeping ``learners.<g>.params.k`` the final ``mean_reward`` of
    each run is the deployed policy's mean per-step reward. The gap at ``k`` for seed ``s``
    is ``R(k_ref, s) − R(k, s)`` with ``k_ref`` the largest swept ``k`` (``k = n``
    recovers exact value iteration) — paired by seed: seeds are common random numbers
    across ``k`` (same initial states and streams), so the paired differences have small
    standard errors. 95% CIs: percentile bootstrap over seeds (paired across ``k``).

Reference curve
    ``f(k) = √((n − k + 1)/(n·k))`` with ``C`` fitted by least squares on the mean gaps,
    ``C = Σ_k g_k f_k / Σ_k f_k²`` (:func:`fit_c`). With several values of ``n`` or other
    swept parameters, each gets its own curve.

A second panel shows the planning time per ``k`` (the learner's ``learning_seconds``
diagnostic), when it was recorded.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.evaluation.figures import comparison
from incentive_lab.evaluation.report.analysis import MECHANISM, N_RESAMPLES, Prepared
from incentive_lab.evaluation.statistics import stratified_resamples

REWARD = "mean_reward"


def reference_curve(k: np.ndarray, n: int) -> np.ndarray:
    """``√((n − k + 1)/(n·k))``."""
    k = np.asarray(k, dtype=float)
    result: np.ndarray = np.sqrt((n - k + 1) / (n * k))
    return result


def fit_c(k: np.ndarray, gap: np.ndarray, n: int) -> float:
    """Least-squares ``C`` of ``gap ≈ C·√((n − k + 1)/(n·k))``."""
    f = reference_curve(k, n)
    return float(np.dot(gap, f) / np.dot(f, f))


def swept_k(prep: Prepared) -> str | None:
    """The swept ``learners.<g>.params.k`` column with ≥ 2 numeric values."""
    for column in prep.swept:
        if column.startswith("learners.") and column.endswith(".params.k"):
            values = prep.summary[column].dropna().unique()
            if len(values) > 1 and all(isinstance(v, int | float) for v in values):
                return column
    return None


def paired_gaps(rewards: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(ks, gaps[n_seeds, n_k])`` from a ``seed_index × k`` table of final rewards.

    Seeds missing any ``k`` are dropped; the reference is the largest ``k``.
    """
    table = rewards.dropna(axis=0, how="any").sort_index(axis=1)
    ks = table.columns.to_numpy(dtype=float)
    data = table.to_numpy(dtype=float)
    return ks, data[:, [-1]] - data


def gap_groups(prep: Prepared, column: str) -> list[tuple[str, int, pd.DataFrame]]:
    """``(label, n, seed × k rewards)`` per mechanism and other swept values."""
    others = [c for c in prep.swept if c != column]
    rows = prep.summary[prep.summary["name"] == REWARD]
    configs = {str(r["run_id"]): json.loads(r["config"]) for _, r in prep.tables.runs.iterrows()}
    out = []
    for key, part in rows.groupby([MECHANISM, *others], sort=False, dropna=False):
        labels = key if isinstance(key, tuple) else (key,)
        parts = [str(labels[0])] if len(prep.mechanisms) > 1 else []
        parts += [f"{c.rsplit('.', 1)[-1]}={v}" for c, v in zip(others, labels[1:], strict=True)]
        config = configs.get(str(part["run_id"].iloc[0]), {})
        n = int(config.get("game", {}).get("params", {}).get("n_agents", 0))
        table = part.pivot_table(index="seed_index", columns=column, values="value")
        out.append((", ".join(parts) or "all", n, table))
    return out


@comparison._styled
def gap_vs_k(prep: Prepared, params: dict[str, Any], rng: np.random.Generator) -> Any | None:
    """Gap vs k with CIs and the fitted reference curve; ``None`` when k is not swept."""
    column = swept_k(prep)
    if column is None or REWARD not in prep.metric_names:
        return None
    groups = gap_groups(prep, column)
    timing = [n for n in prep.metric_names if n.endswith("/learning_seconds")]
    colours = comparison.palette([label for label, _, _ in groups])
    fig = comparison._figure(12.0 if timing else 7.5, 4.6)
    axes = fig.subplots(1, 2 if timing else 1, squeeze=False)[0]
    ax = axes[0]
    for label, n, table in groups:
        ks, gaps = paired_gaps(table)
        if gaps.shape[0] == 0 or len(ks) < 2:
            continue
        mean = gaps.mean(axis=0)
        boot = stratified_resamples(gaps, N_RESAMPLES, rng).mean(axis=1)
        low, high = np.quantile(boot, [0.025, 0.975], axis=0)
        colour = colours[label]
        name = "measured gap" if label == "all" else f"{label}: measured gap"
        ax.errorbar(ks, mean, yerr=[mean - low, high - mean], fmt="o-", color=colour, lw=1.8,
                    capsize=3, label=name)  # fmt: skip
        n = n or int(ks.max())
        c = fit_c(ks, mean, n)
        dense = np.linspace(ks.min(), ks.max(), 100)
        ax.plot(dense, c * reference_curve(dense, n), ls="--", color=colour, lw=1.3,
                label=f"C·√((n−k+1)/(nk)), n = {n}, C = {c:.3g}")  # fmt: skip
    ax.axhline(0.0, color="black", lw=0.8)
    ax.set_xlabel(f"k, sub-sampled local agents ({column})")
    ax.set_ylabel("optimality gap\n(mean reward per step vs largest k)")
    ax.set_title("SUB-SAMPLE-Q gap vs k (mean, 95% CI)", loc="left")
    ax.legend(fontsize=8, loc="upper right")
    if timing:
        _timing(axes[1], prep, column, timing[0], colours, rng)
    return fig


def _timing(
    ax: Any, prep: Prepared, column: str, metric: str, colours: dict[str, str],
    rng: np.random.Generator,
) -> None:  # fmt: skip
    rows = prep.summary[prep.summary["name"] == metric]
    table = rows.pivot_table(index="seed_index", columns=column, values="value").sort_index(axis=1)
    data = table.dropna(axis=0, how="any").to_numpy(dtype=float)
    if data.shape[0] == 0:
        return
    ks = table.columns.to_numpy(dtype=float)
    boot = stratified_resamples(data, N_RESAMPLES, rng).mean(axis=1)
    low, high = np.quantile(boot, [0.025, 0.975], axis=0)
    mean = data.mean(axis=0)
    ax.errorbar(ks, mean, yerr=[mean - low, high - mean], fmt="o-", color="#444444", capsize=3)
    ax.set_yscale("log")
    ax.set_xlabel(f"k, sub-sampled local agents ({column})")
    ax.set_ylabel("planning time (seconds, log scale)")
    ax.set_title(f"Learning time vs k ({metric})", loc="left")
