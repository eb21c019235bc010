"""Phase portraits of two-player differentiable games (pgg, toy, matrix_mixed).

Games: ``differentiable_pgg``, ``differentiable_toy``, ``matrix_mixed``.

The games record ``strategy_0`` and ``strategy_1`` (each player's strategy summary, mean
over the run's copies: the contribution ``a_i = σ(θ_i)``, the raw parameter ``a_i``, or
``π_i(cooperative action)``) at every recorded window. The portrait draws, per series
(learner / mechanism sweep point), the trajectory of the mean over seeds in the
``(strategy_0, strategy_1)`` plane (bold, start ○ and end ● marked) and each seed's own
trajectory (faint).

Background: the **individual-gradient field** — at each grid point, the direction
``ṡ = J_s(θ)·g(θ)`` in which simultaneous individual gradient play moves the strategies,
with ``g_i = −∂ℓ_i/∂θ_i`` (each player descends its own unshaped loss) and ``J_s`` the
derivative of the strategy summary (a forward difference). It is computed with the game
itself, built through ``core.registry`` from the stored resolved config with one copy per
grid point, and drawn only where the strategy → parameter map is known: the toy game
(``θ = a``), the two-player public goods game (``θ = logit a`` in every project) and
two-action ``matrix_mixed`` games (``θ_i = logit(s)·e_c`` on the portrait action ``c``).
Without torch the field is omitted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.core import registry
from incentive_lab.core.errors import ConfigError
from incentive_lab.evaluation.figures import comparison
from incentive_lab.evaluation.game_series import SERIES, series_of, with_series
from incentive_lab.evaluation.report.analysis import Prepared

GAMES = ("differentiable_pgg", "differentiable_toy", "matrix_mixed")
AXES = ("strategy_0", "strategy_1")
GRID = 17
_UNITS = {
    "differentiable_pgg": "contribution a_i = σ(θ_i), 0–1",
    "differentiable_toy": "parameter a_i (unitless)",
    "matrix_mixed": "probability of the portrait action",
}


def trajectories(prep: Prepared) -> dict[str, list[pd.DataFrame]]:
    """Series → one ``step, strategy_0, strategy_1`` frame per run (recording order)."""
    labels, order = series_of(prep)
    rows = with_series(prep.metrics[prep.metrics["name"].isin(AXES)], labels)
    out: dict[str, list[pd.DataFrame]] = {}
    for label in order:
        part = rows[rows[SERIES] == label]
        runs = []
        for _, run in part.groupby("run_id", sort=False):
            table = run.pivot_table(index="step", columns="name", values="value").sort_index()
            if set(AXES) <= set(table.columns):
                runs.append(table[list(AXES)].dropna().reset_index())
        if runs:
            out[label] = runs
    return out


def mean_trajectory(runs: list[pd.DataFrame]) -> pd.DataFrame:
    """``step, strategy_0, strategy_1``: the mean over runs at the steps they all recorded."""
    merged = pd.concat(runs, ignore_index=True)
    counts = merged.groupby("step").size()
    steps = counts[counts == len(runs)].index
    mean = merged[merged["step"].isin(steps)].groupby("step")[list(AXES)].mean()
    return mean.reset_index()


def _logit(s: np.ndarray) -> np.ndarray:
    return np.log(s) - np.log1p(-s)


def _start(game_id: str, params: dict[str, Any], s: np.ndarray) -> dict[str, Any] | None:
    """Game params for ``len(s)`` copies and the map from strategies ``s: [G, 2]`` to θ."""
    if game_id == "differentiable_toy":
        return {"theta": s.reshape(-1)}
    if game_id == "differentiable_pgg":
        if int(params.get("n_players", 2)) != 2:
            return None
        dim = int(params.get("dim", 1))
        return {"theta": np.repeat(_logit(s).reshape(-1), dim)}
    if game_id == "matrix_mixed":
        return {"logits": _logit(s)}
    return None


def gradient_field(
    game_id: str, params: dict[str, Any], xs: np.ndarray, ys: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """``(points [G, 2], velocities [G, 2])`` of the individual-gradient flow, or ``None``."""
    gx, gy = np.meshgrid(xs, ys)
    s = np.column_stack([gx.ravel(), gy.ravel()])
    start = _start(game_id, params, s)
    if start is None:
        return None
    config = {k: v for k, v in params.items() if k not in ("init", "n_copies")}
    config["n_copies"] = len(s)
    try:
        game: Any = registry.make_game(game_id, config)
    except ConfigError:
        return None  # torch missing, or a game this map does not cover
    if game.n_players != 2:
        return None
    if "logits" in start:
        if game.n_actions != 2:
            return None
        theta = np.zeros((len(s), 2, 2))
        theta[:, :, game.portrait_action] = start["logits"]
        start["theta"] = theta.reshape(-1)
    theta = np.asarray(start["theta"], dtype=np.float64)
    torch = game.torch
    tensor = torch.tensor(theta, requires_grad=True)
    losses = game.losses(tensor)
    roles = game.roles[game.player_of]
    grad = np.zeros_like(theta)
    for role in (0, 1):
        (own,) = torch.autograd.grad(
            losses[torch.from_numpy(game.roles == role)].sum(), tensor, retain_graph=True
        )
        grad[roles == role] = -own.detach().numpy()[roles == role]
    h = 1e-5
    before = game.strategy_summary(theta).reshape(-1, 2)
    after = game.strategy_summary(theta + h * grad).reshape(-1, 2)
    return before, (after - before) / h


@comparison._styled
def phase_portrait(
    prep: Prepared, game_id: str, params: dict[str, Any], field: bool = True
) -> Any | None:
    """The portrait (module docstring); ``None`` without ``strategy_0/1`` records."""
    found = trajectories(prep)
    if not found:
        return None
    colours = comparison.palette(list(found))
    fig = comparison._figure(7.6, 6.2)
    ax = fig.subplots()
    every = np.concatenate([run[list(AXES)].to_numpy() for runs in found.values() for run in runs])
    bounded = game_id != "differentiable_toy"
    if bounded:
        lo, hi = np.zeros(2), np.ones(2)
    else:
        lo, hi = every.min(axis=0), every.max(axis=0)
        pad = 0.12 * np.maximum(hi - lo, 0.5)
        lo, hi = lo - pad, hi + pad
    if field:
        inset = 0.03 if bounded else 0.0
        xs = np.linspace(lo[0] + inset, hi[0] - inset, GRID)
        ys = np.linspace(lo[1] + inset, hi[1] - inset, GRID)
        flow = gradient_field(game_id, params, xs, ys)
        if flow is not None:
            (px, py), (u, v) = flow[0].T, flow[1].T
            speed = np.hypot(u, v)
            scale = np.where(speed > 0, 1.0 / np.maximum(speed, 1e-12), 0.0)
            ax.quiver(px, py, u * scale, v * scale, color="#b8b8b8", angles="xy", pivot="mid",
                      scale=GRID * 1.6, width=0.003, zorder=1,
                      label="individual-gradient direction")  # fmt: skip
    for label, runs in found.items():
        colour = colours[label]
        for run in runs:
            ax.plot(run["strategy_0"], run["strategy_1"], color=colour, lw=0.8, alpha=0.3, zorder=2)
        mean = mean_trajectory(runs)
        if mean.empty:
            continue
        ax.plot(mean["strategy_0"], mean["strategy_1"], color=colour, lw=2.4, label=label, zorder=3)
        ax.plot(*mean[list(AXES)].iloc[0], "o", ms=7, mfc="white", mec=colour, mew=2, zorder=4)
        ax.plot(*mean[list(AXES)].iloc[-1], "o", ms=8, color=colour, mec="black", zorder=4)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    unit = _UNITS.get(game_id, "strategy summary")
    ax.set_xlabel(f"player 1: strategy_0 ({unit})")
    ax.set_ylabel(f"player 2: strategy_1 ({unit})")
    ax.set_title(f"Phase portrait: {game_id} (○ start, ● end)", loc="left")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="series")
    return fig
