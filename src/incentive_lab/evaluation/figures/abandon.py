"""Report figure of the abandon-the-worse imitation rule: a sweep over ``repel``.

Shown when an experiment sweeps a learner's ``repel`` (``learners.<i>.params.repel`` of
``fermi_imitation`` or ``proportional_imitation``, :mod:`incentive_lab.learners.imitation`)
over at least two values and records ``cooperation_rate``, whatever the game
(``examples/abandon_rule.yaml``). Seed 004 asks whether a player who meets a lower-paid
player of its own strategy should abandon that strategy, and whether that makes learning
faster (issue #20). The figure answers it from the stored runs, one colour per series
(sweep point; :func:`~incentive_lab.evaluation.game_series.series_of`):

* left — cooperation over time: ``cooperation_rate`` at every recorded step, mean over seeds
  with a 95% percentile-bootstrap band (seeds resampled per step, as the report's learning
  curves);
* right — time to cooperation: per run the first recorded step whose ``cooperation_rate``
  is at least :data:`THRESHOLD` (:func:`first_passage`; with ``record_every > 1`` the first
  window whose mean reaches it, so the resolution is ``record_every`` steps). A run that
  never gets there is *censored* at its last recorded step (the horizon): it is drawn as an
  open triangle at the horizon and enters the mean as the horizon, never dropped. The
  statistic is therefore the restricted mean time to cooperation ``E[min(T, τ)]`` (the
  restricted mean survival time with administrative censoring at ``τ``; Royston & Parmar,
  BMC Med. Res. Methodol. 13:152, 2013), a lower bound on the mean time whenever a run is
  censored, with a 95% percentile-bootstrap CI over seeds
  (:func:`~incentive_lab.evaluation.statistics.bootstrap_ci`). Each series is labelled with
  how many of its runs reached the threshold.

:func:`time_to_cooperation` is the table behind the right panel (also used by the tests);
:func:`abandon_figures` returns ``(figure, kind, caption)`` for the report's game figures
(:mod:`.games`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.core.types import FloatArray
from incentive_lab.evaluation.figures import comparison
from incentive_lab.evaluation.game_series import SERIES, series_curves, series_of, with_series
from incentive_lab.evaluation.report.analysis import N_RESAMPLES, Prepared
from incentive_lab.evaluation.statistics import bootstrap_ci

THRESHOLD = 0.75
"""Cooperation rate that counts as a cooperative state (``benchmarks/abandon_rule.py``)."""
METRIC = "cooperation_rate"
KIND = "abandon-rule"


def swept_repel(prep: Prepared) -> str | None:
    """The swept ``learners.<i>.params.repel`` column with at least two values, if any."""
    for column in prep.swept:
        if column.startswith("learners.") and column.endswith(".params.repel"):
            if prep.summary[column].nunique() > 1:
                return column
    return None


def first_passage(steps: FloatArray, values: FloatArray, threshold: float) -> tuple[float, bool]:
    """``(first step with value ≥ threshold, True)``, or ``(last step, False)`` if censored.

    ``steps``, ``values``: ``float64[n_records]`` of one run (any order; NaN values are
    skipped). A run without a finite record returns ``(nan, False)``.
    """
    order = np.argsort(steps, kind="stable")
    s, v = np.asarray(steps, float)[order], np.asarray(values, float)[order]
    keep = np.isfinite(v)
    s, v = s[keep], v[keep]
    if s.size == 0:
        return float("nan"), False
    hits = np.flatnonzero(v >= threshold)
    return (float(s[hits[0]]), True) if hits.size else (float(s[-1]), False)


def run_times(prep: Prepared, threshold: float = THRESHOLD) -> pd.DataFrame:
    """``run_id, series, seed_index, repel, time, reached``: one row per run (censored kept)."""
    column = swept_repel(prep)
    labels, _ = series_of(prep)
    rows = with_series(prep.metrics[prep.metrics["name"] == METRIC], labels)
    out = []
    for run_id, part in rows.groupby("run_id", sort=False):
        time, reached = first_passage(
            part["step"].to_numpy(dtype=float), part["value"].to_numpy(dtype=float), threshold
        )
        first = part.iloc[0]
        repel = float(first[column]) if column is not None else float("nan")
        out.append((run_id, first[SERIES], int(first["seed_index"]), repel, time, reached))
    columns = ["run_id", SERIES, "seed_index", "repel", "time", "reached"]
    return pd.DataFrame(out, columns=columns)


def time_to_cooperation(
    prep: Prepared, rng: np.random.Generator, threshold: float = THRESHOLD
) -> pd.DataFrame:
    """``series, repel, mean, ci_low, ci_high, reached, n, horizon`` in display order.

    ``mean``: restricted mean of the first-passage step over seeds (censored runs count as
    their horizon), with its 95% percentile-bootstrap CI; ``reached``: runs that got there;
    ``horizon``: the largest censoring step (NaN when no run is censored).
    """
    times = run_times(prep, threshold)
    times = times[np.isfinite(times["time"].to_numpy(dtype=float))]
    _, order = series_of(prep)
    out = []
    for label in order:
        part = times[times[SERIES] == label].sort_values("seed_index")
        if part.empty:
            continue
        est = bootstrap_ci(part["time"].to_numpy(dtype=float), rng, n_resamples=N_RESAMPLES)
        censored = part.loc[~part["reached"], "time"]
        horizon = float(censored.max()) if not censored.empty else float("nan")
        repel = float(part["repel"].iloc[0])
        reached = int(part["reached"].sum())
        out.append((label, repel, est.value, est.ci_low, est.ci_high, reached, len(part), horizon))
    columns = [SERIES, "repel", "mean", "ci_low", "ci_high", "reached", "n", "horizon"]
    return pd.DataFrame(out, columns=columns)


def _curves(prep: Prepared, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Series → ``step, mean, ci_low, ci_high`` of ``cooperation_rate`` (steps all seeds have)."""
    return series_curves(prep, METRIC, rng)


@comparison._styled
def abandon_rule(prep: Prepared, rng: np.random.Generator) -> Any | None:
    """Cooperation over time and time to cooperation per ``repel`` (module docstring)."""
    if swept_repel(prep) is None or METRIC not in prep.metric_names:
        return None
    curves = _curves(prep, rng)
    stats = time_to_cooperation(prep, rng)
    times = run_times(prep)
    if not curves or stats.empty:
        return None
    colours = comparison.palette(list(stats[SERIES]))
    fig = comparison._figure(12.0, 4.8)
    left, right = fig.subplots(1, 2, width_ratios=(3, 2))
    for label, curve in curves.items():
        colour = colours.get(label, "#333333")
        left.plot(curve["step"], curve["mean"], color=colour, lw=1.8, label=label)
        left.fill_between(
            curve["step"], curve["ci_low"], curve["ci_high"], color=colour, alpha=0.18, lw=0
        )
    left.axhline(THRESHOLD, color="black", ls=":", lw=1.1, label=f"threshold {THRESHOLD:g}")
    left.set_ylim(-0.03, 1.03)
    left.set_xlabel("step")
    left.set_ylabel("cooperation rate\n(mean over seeds, 95% CI)")
    left.set_title("Cooperation over time", loc="left")
    left.legend(fontsize="small", loc="lower right")
    for k, label in enumerate(stats[SERIES]):
        row = stats.iloc[k]
        mean, low, high = float(row["mean"]), float(row["ci_low"]), float(row["ci_high"])
        reached, n = int(row["reached"]), int(row["n"])
        colour = colours.get(label, "#333333")
        mine = times[times[SERIES] == label]
        jitter = np.linspace(-0.15, 0.15, len(mine)) if len(mine) > 1 else np.zeros(1)
        for dx, time, hit in zip(jitter, mine["time"], mine["reached"], strict=True):
            marker, face = ("o", colour) if hit else ("^", "none")
            right.plot(k + dx, time, marker=marker, mfc=face, mec=colour, ms=5, ls="none")
        err = [[mean - low], [high - mean]]
        right.errorbar(k, mean, yerr=err, fmt="s", color="black", ms=6, capsize=4)
        right.annotate(
            f"{'≥ ' if reached < n else ''}{mean:.0f}\n{reached}/{n} reached",
            (k, 1.0),
            xycoords=("data", "axes fraction"),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    horizon = float(times["time"].max())
    right.axhline(horizon, color="#999999", ls="--", lw=0.9)
    right.annotate(
        "horizon (last recorded step)", (0.01, horizon), xycoords=("axes fraction", "data"),
        ha="left", va="bottom", fontsize=7, color="#666666",
    )  # fmt: skip
    right.set_xticks(np.arange(len(stats)), list(stats[SERIES]), rotation=20, ha="right")
    right.set_xlim(-0.6, len(stats) - 0.4)
    right.set_ylabel(f"first step with cooperation ≥ {THRESHOLD:g}")
    right.set_title("Time to cooperation", loc="left", pad=28)
    return fig


def abandon_figures(prep: Prepared, rng: np.random.Generator) -> list[tuple[Any, str, str]]:
    """``[(figure, kind, caption)]`` when ``repel`` is swept, else ``[]``."""
    fig = abandon_rule(prep, rng)
    if fig is None:
        return []
    caption = (
        "Abandon the worse (repel sweep). Left: cooperation rate over time per series, mean "
        f"over seeds with 95% bootstrap bands; dotted: the threshold {THRESHOLD:g}. Right: "
        f"time to cooperation, the first recorded step with cooperation ≥ {THRESHOLD:g}; "
        "filled dots: runs that reached it, open triangles: runs censored at the horizon "
        "(dashed; they never reached it and count as the horizon, so a mean marked ≥ is a "
        "lower bound); black squares: restricted mean over seeds with its 95% bootstrap CI, "
        "with how many runs reached the threshold."
    )
    return [(fig, KIND, caption)]
