"""Report figures (matplotlib, Agg canvas) rendered to inline SVG strings.

Figures are built on ``matplotlib.figure.Figure`` objects (never pyplot's global state)
and written as SVG with text kept as text (``svg.fonttype = none``: the browser draws the
labels, and they are searchable), a fixed hash salt and no date, so the same data always
gives the same bytes. Element ids are prefixed per figure so several SVGs can live inline
in one HTML page without their clip paths colliding.

Figures (each candidate keeps its colour, line style and marker everywhere,
:func:`palette`, :func:`styles`; the welfare-vs-cost plot is :mod:`.pareto`):

* :func:`learning_curves` — metric vs step, mean over seeds with a 95% bootstrap band;
  rows = metrics, columns = conditions (other swept parameters);
* :func:`final_outcomes` — final value per mechanism with 95% CI error bars, one marker
  per condition;
* the objective over swept parameters is :mod:`.phase_diagram`.

Hover titles and legend toggling: :mod:`.interactive`.

matplotlib is imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import functools
import io
import re
import textwrap
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

import numpy as np
import pandas as pd

from incentive_lab.evaluation.figures.interactive import (
    add_titles,
    mark_legend,
    series,
    tip,
    value_text,
)
from incentive_lab.evaluation.report.analysis import CONDITION, MECHANISM, Objective

P = ParamSpec("P")
R = TypeVar("R")
BASELINE_COLOUR = "#6b6b6b"
_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#393b79",
)  # fmt: skip
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_DASHES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)))


def styles(mechanisms: Sequence[str]) -> dict[str, tuple[Any, str]]:
    """A line style and a marker per candidate, so identical curves stay distinguishable."""
    return {
        m: (_DASHES[k % len(_DASHES)], _MARKERS[k % len(_MARKERS)])
        for k, m in enumerate(mechanisms)
    }


_RC: Any = {
    "svg.fonttype": "none",
    "svg.hashsalt": "incentive-lab",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial"],
    "font.size": 10.0,
    "axes.titlesize": 11.0,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.8,
    "legend.frameon": False,
}


def _styled(function: Callable[P, R]) -> Callable[P, R]:
    """Run a figure builder inside the report's matplotlib style."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        import matplotlib

        matplotlib.use("Agg")
        with matplotlib.rc_context(_RC):
            return function(*args, **kwargs)

    return wrapper


def palette(mechanisms: Sequence[str]) -> dict[str, str]:
    """A colour per mechanism: the baseline ``none`` grey, the others in a fixed cycle."""
    others = [m for m in mechanisms if m != "none"]
    colours = {m: _COLOURS[k % len(_COLOURS)] for k, m in enumerate(others)}
    if "none" in mechanisms:
        colours["none"] = BASELINE_COLOUR
    return colours


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


@_styled
def to_svg(fig: Any, prefix: str) -> str:
    """The figure as an inline ``<svg>`` element, ids prefixed with ``prefix``.

    The titles, axis labels and legends of visible axes get ids ``PREFIX-title-K``,
    ``PREFIX-xlabel-K``, ``PREFIX-ylabel-K``, ``PREFIX-legend-K`` (K counts per kind), so a
    reader (and the browser test) can find them; hover titles and the series/legend ids of
    :mod:`.interactive` are written in.
    """
    _tag_parts(fig)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'id="([^"]+)"', rf'id="{prefix}-\1"', text)
    text = text.replace("url(#", f"url(#{prefix}-").replace('href="#', f'href="#{prefix}-')
    text = add_titles(text, fig, prefix)
    return text.replace("<svg ", f'<svg class="figure" role="img" aria-label="{prefix}" ', 1)


def _tag_parts(fig: Any) -> None:
    counts: dict[str, int] = {}

    def tag(artist: Any, kind: str) -> None:
        if artist is None or (hasattr(artist, "get_text") and not artist.get_text()):
            return
        k = counts.get(kind, 0)
        counts[kind] = k + 1
        artist.set_gid(f"{kind}-{k}")

    for ax in fig.axes:
        if not ax.get_visible():
            continue
        tag(ax.title if ax.get_title() else ax._left_title, "title")
        tag(ax.xaxis.label, "xlabel")
        tag(ax.yaxis.label, "ylabel")
        tag(ax.get_legend(), "legend")
    for legend in fig.legends:
        tag(legend, "legend")


WRAP = 4
"""Most condition columns side by side in the learning curves; more wrap onto more rows."""
TITLE_CHARS = 28
"""Panel titles wrap at this many characters (the axes of a 3.5-inch panel, bold 11 pt)."""


def _ylabel(objective: Objective) -> str:
    return f"{objective.title}\n({objective.unit})"


def _legend(
    fig: Any, mechanisms: Sequence[str], colours: dict[str, str], *, marked: bool = True
) -> None:
    """The candidates' legend above the panels (colour; line style and marker if marked)."""
    from matplotlib.lines import Line2D

    look = styles(mechanisms)
    handles = [
        Line2D([], [], color=colours[m], lw=2.0, ls=look[m][0], marker=look[m][1], label=m)
        if marked
        else Line2D([], [], color=colours[m], lw=6.0, label=m)
        for m in mechanisms
    ]
    # as many columns as fit the figure's width (about 11 characters per inch at this size,
    # plus the handle), so that long candidate labels do not squeeze the panels to nothing
    longest = max((len(m) for m in mechanisms), default=1)
    fits = int(fig.get_size_inches()[0] * 11 // (longest + 5))
    ncol = max(1, min(len(handles), 6, fits))
    legend = fig.legend(handles=handles, loc="outside upper center", ncol=ncol, title="candidate")
    mark_legend(legend, range(len(handles)))  # click an entry: hide/show that candidate


@_styled
def learning_curves(
    curves: dict[str, pd.DataFrame],
    objectives: Sequence[Objective],
    mechanisms: Sequence[str],
    conditions: Sequence[str],
    colours: dict[str, str],
    phases: Sequence[tuple[int, str]] = (),
    per_seed: dict[str, pd.DataFrame] | None = None,
) -> Any:
    """Rows = objectives, columns = conditions; mean line and 95% band per candidate.

    ``per_seed`` (metric → long-form rows ``mechanism, condition, seed_index, step, value``)
    adds one thin line per seed under each mean.

    Panels of one objective share their y-scale; each candidate has its own line style and
    marker (identical curves stay visible); ``phases`` are steps where a phase starts, drawn
    as dotted vertical lines labelled with the phase number.
    """
    cols = len(conditions)
    rows = len(objectives)
    per_row = 2 if cols == 1 else 1
    wide = min(cols, WRAP)  # more conditions than WRAP: an objective takes several rows
    deep = -(-cols // WRAP)
    grid_rows = -(-rows // per_row) if cols == 1 else rows * deep
    grid_cols = cols * per_row if cols == 1 else wide
    fig = _figure(min(14.0, 4.4 * grid_cols + 1), 2.9 * grid_rows + 0.9)
    axes = np.atleast_2d(fig.subplots(grid_rows, grid_cols, squeeze=False))
    look = styles(mechanisms)
    used: list[Any] = []
    for k, objective in enumerate(objectives):
        frame = curves[objective.metric]
        for c, condition in enumerate(conditions):
            ax = (
                axes[k // per_row, (k % per_row) * cols + c]
                if cols == 1
                else axes[k * deep + c // WRAP, c % WRAP]
            )
            used.append(ax)
            for j, mechanism in enumerate(mechanisms):
                part = frame[(frame[MECHANISM] == mechanism) & (frame[CONDITION] == condition)]
                if part.empty:
                    continue
                colour = colours[mechanism]
                ls, marker = look[mechanism]
                every = max(1, len(part) // 8)
                (line,) = ax.plot(
                    part["step"],
                    part["mean"],
                    color=colour,
                    lw=1.8,
                    ls=ls,
                    marker=marker,
                    ms=4.5,
                    markevery=(j % every, every),
                    label=mechanism,
                )
                band = ax.fill_between(
                    part["step"], part["ci_low"], part["ci_high"], color=colour, alpha=0.18, lw=0
                )
                series([line, band], j)
                last = part.iloc[-1]
                tip(
                    line,
                    f"{mechanism}: {objective.title} at step {last['step']:g}: "
                    + value_text(last["mean"], last["ci_low"], last["ci_high"]),
                )
                if per_seed is not None:
                    drawn = _seed_lines(
                        ax, per_seed[objective.metric], mechanism, condition, colour
                    )
                    series(drawn, j)
            title = objective.title if cols == 1 else f"{objective.title} — {condition}"
            ax.set_title(textwrap.fill(title, TITLE_CHARS), loc="left")
            ax.set_xlabel("step")
            ax.set_ylabel(_ylabel(objective))
            _phase_marks(ax, phases)
        if cols > 1:
            _share_y(used[-cols:])
    for ax in axes.flat:
        if not any(ax is u for u in used):
            ax.set_visible(False)
    _legend(fig, mechanisms, colours)
    return fig


def _seed_lines(
    ax: Any, rows: pd.DataFrame, mechanism: str, condition: str, colour: str
) -> list[Any]:
    mine = rows[(rows[MECHANISM] == mechanism) & (rows[CONDITION] == condition)]
    drawn = []
    for _, seed in mine.groupby("seed_index", sort=True):
        seed = seed.sort_values("step")
        drawn += ax.plot(seed["step"], seed["value"], color=colour, lw=0.6, alpha=0.45, zorder=1)
    return drawn


def _share_y(axes: list[Any]) -> None:
    lows, highs = zip(*(ax.get_ylim() for ax in axes), strict=True)
    for ax in axes:
        ax.set_ylim(min(lows), max(highs))


def _phase_marks(ax: Any, phases: Sequence[tuple[int, str]]) -> None:
    """Dotted lines where phases start, each labelled with its phase at the top."""
    if not phases:
        return
    for start, text in [(0, "phase 0"), *phases]:
        if start:
            ax.axvline(start, color="black", ls=":", lw=1.1, zorder=1)
        ax.annotate(
            text, (start, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -10),
            textcoords="offset points", fontsize=8, color="#444",
        )  # fmt: skip


@_styled
def final_outcomes(
    stats: pd.DataFrame,
    objectives: Sequence[Objective],
    mechanisms: Sequence[str],
    conditions: Sequence[str],
    colours: dict[str, str],
) -> Any:
    """One panel per objective: mean and 95% CI per mechanism (and condition)."""
    cols = min(2, len(objectives))
    rows = -(-len(objectives) // cols)
    fig = _figure(12.0, 0.5 + rows * (1.0 + 0.42 * len(mechanisms)))
    axes = fig.subplots(rows, cols, squeeze=False)
    width = 0.7 / max(1, len(conditions))
    positions = np.arange(len(mechanisms))[::-1]
    for k, objective in enumerate(objectives):
        ax = axes[k // cols, k % cols]
        part = stats[stats["metric"] == objective.metric]
        for c, condition in enumerate(conditions):
            offset = (c - (len(conditions) - 1) / 2) * width
            for j, (y, mechanism) in enumerate(zip(positions, mechanisms, strict=True)):
                row = part[(part[MECHANISM] == mechanism) & (part[CONDITION] == condition)]
                if row.empty:
                    continue
                mean, low, high = (
                    float(row[name].iloc[0]) for name in ("mean", "ci_low", "ci_high")
                )
                where = "" if condition == "all" else f" ({condition})"
                drawn = ax.errorbar(
                    mean, y + offset, xerr=[[mean - low], [high - mean]], fmt=_MARKERS[c % 8],
                    color=colours[mechanism], ms=6, capsize=3, lw=1.5,
                    label=condition if y == positions[0] else None,
                )  # fmt: skip
                series(drawn, j)
                tip(drawn, f"{mechanism}{where}: {objective.title} {value_text(mean, low, high)}")
        ax.set_yticks(positions, list(mechanisms))
        ax.grid(axis="y", visible=False)
        better = "higher is better" if objective.higher_is_better else "lower is better"
        ax.set_title(f"{objective.title} ({better})", loc="left")
        ax.set_xlabel(objective.unit)
        ax.set_ylabel("candidate")
        if len(conditions) > 1 and k == 0:
            ax.legend(title="sweep point", fontsize=8, loc="best")
    for ax in axes.flat[len(objectives) :]:
        ax.set_visible(False)
    _legend(fig, mechanisms, colours, marked=False)
    return fig
