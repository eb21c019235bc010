"""Report figures of the spatial public goods game (``spatial_public_goods``).

* :func:`cooperation_vs_r` — when the multiplier ``r`` (``game.params.r``, or ``r_c``) is
  swept: the final cooperation rate (fraction of cooperators) vs ``r``, one line per
  mechanism / other swept value, mean over seeds with a 95% stratified-bootstrap band. On
  a von Neumann lattice (``G = 5``) with Fermi imitation at ``K = 0.5`` the literature
  thresholds are marked: cooperators die out below ``r ≈ 3.74`` and defectors above
  ``r ≈ 5.49`` (Szolnoki, Perc & Szabó, PRE 80, 056109, 2009).
* :func:`lattice_snapshots` — the strategy field at the end of the first seed's run of each
  series, from the snapshot the runner stores in ``extra["snapshot"]``
  (:mod:`~incentive_lab.evaluation.snapshots`; blue = cooperator, red = defector).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from incentive_lab.evaluation.figures import comparison
from incentive_lab.evaluation.game_series import run_configs, series_of
from incentive_lab.evaluation.report.analysis import MECHANISM, N_RESAMPLES, Prepared
from incentive_lab.evaluation.seed_table import seed_summary
from incentive_lab.evaluation.snapshots import decode_snapshot

R_PARAMETERS = ("game.params.r", "game.params.r_c")
THRESHOLDS = (3.74, 5.49)
"""Extinction of cooperators / of defectors, von Neumann lattice, K = 0.5."""
COOPERATOR, DEFECTOR = "#2c6fbb", "#d1383d"
MAX_SNAPSHOTS = 8


def swept_r(prep: Prepared) -> str | None:
    """The swept multiplier column (``game.params.r`` or ``r_c``) with ≥ 2 values."""
    for column in R_PARAMETERS:
        if column in prep.swept and prep.summary[column].nunique() > 1:
            return column
    return None


def thresholds_apply(config: dict[str, Any]) -> bool:
    """Whether the 3.74 / 5.49 thresholds hold: von Neumann lattice, Fermi rule, K = 0.5."""
    params = config.get("game", {}).get("params", {})
    learners = config.get("learners", [])
    fermi = [s for s in learners if s.get("id") == "fermi_imitation"]
    return (
        params.get("graph") is None
        and params.get("neighbourhood", "von_neumann") == "von_neumann"
        and len(fermi) == len(learners) > 0
        and all(float(s.get("params", {}).get("K", 0.5)) == 0.5 for s in fermi)
    )


@comparison._styled
def cooperation_vs_r(prep: Prepared, rng: np.random.Generator) -> Any | None:
    """Cooperation vs r (module docstring); ``None`` when r is not swept."""
    column = swept_r(prep)
    if column is None or "cooperation_rate" not in prep.metric_names:
        return None
    others = [c for c in prep.swept if c != column]
    rows = prep.summary[prep.summary["name"] == "cooperation_rate"].copy()
    keys = [MECHANISM, *others]
    rows["line"] = rows[keys].astype(str).agg(", ".join, axis=1)
    if len(prep.mechanisms) == 1 and others:
        rows["line"] = rows[others].astype(str).agg(", ".join, axis=1)
    stats = seed_summary(rows, ["line", column], rng, n_resamples=N_RESAMPLES)
    lines = list(dict.fromkeys(rows["line"]))
    colours = comparison.palette(lines)
    fig = comparison._figure(8.0, 4.6)
    ax = fig.subplots()
    for line in lines:
        part = stats[stats["line"] == line].sort_values(column)
        x = part[column].to_numpy(dtype=float)
        ax.plot(x, part["mean"], marker="o", lw=1.8, color=colours[line], label=line)
        ax.fill_between(x, part["ci_low"], part["ci_high"], color=colours[line], alpha=0.18, lw=0)
    config = json.loads(prep.tables.runs["config"].iloc[0])
    if column == "game.params.r" and thresholds_apply(config):
        for value, text in zip(THRESHOLDS, ("C extinct below", "D extinct above"), strict=True):
            ax.axvline(value, color="black", ls=":", lw=1.2)
            ax.annotate(f"r = {value} ({text})", (value, 1.02), xycoords=("data", "axes fraction"),
                        ha="center", fontsize=8)  # fmt: skip
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel(f"multiplier r ({column}; unitless)")
    ax.set_ylabel("cooperation\n(fraction of cooperators)")
    ax.set_title("Cooperation vs r", loc="left", pad=16)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), title="series")
    return fig


@comparison._styled
def lattice_snapshots(prep: Prepared) -> Any | None:
    """Final strategy fields, first seed of each series; ``None`` without snapshots."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    labels, order = series_of(prep)
    _, extras = run_configs(prep)
    first: dict[str, tuple[int, dict[str, Any]]] = {}
    seeds = prep.summary.drop_duplicates("run_id").set_index("run_id")["seed_index"]
    for run_id, extra in extras.items():
        snapshot = extra.get("snapshot")
        if not isinstance(snapshot, dict) or run_id not in labels:
            continue
        seed = int(seeds.get(run_id, 0))
        label = labels[run_id]
        if label not in first or seed < first[label][0]:
            first[label] = (seed, snapshot)
    shown = [label for label in order if label in first][:MAX_SNAPSHOTS]
    if not shown:
        return None
    cols = min(4, len(shown))
    rows = -(-len(shown) // cols)
    fig = comparison._figure(3.0 * cols + 0.4, 3.2 * rows + 0.6)
    axes = fig.subplots(rows, cols, squeeze=False)
    cmap = ListedColormap([COOPERATOR, DEFECTOR])
    for k, (ax, label) in enumerate(zip(axes.flat, shown, strict=False)):
        snapshot = first[label][1]
        field = decode_snapshot(snapshot)
        image = ax.imshow(field, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
        image.set_gid(f"snapshot-{k}")  # equal fields would otherwise share an SVG id
        ax.grid(False)
        stride = int(snapshot.get("stride", 1))
        cooperation = float(np.mean(field == 0))
        ax.set_title(f"{label}\ncooperators {cooperation:.0%}", loc="left", fontsize=9)
        ax.set_xlabel(f"column (lattice sites{f', every {stride}th' if stride > 1 else ''})")
        ax.set_ylabel("row (lattice sites)")
    for ax in axes.flat[len(shown) :]:
        ax.set_visible(False)
    handles = [Patch(color=COOPERATOR, label="cooperator"), Patch(color=DEFECTOR, label="defector")]
    fig.legend(handles=handles, loc="outside upper center", ncol=2)
    return fig
