"""Report figures of the allocation games: auctions (``auction``) and routing (``congestion``).

Auctions
    :func:`bid_curves` — the learned bid as a function of the private value, one line per
    series (payment rule): the final ``bid_fraction_bucket_<k>`` (mean bid fraction of the
    bidders whose value fell in bucket ``k``) times the bucket midpoint
    ``v_k = low + (k + ½)(high − low)/B``, mean over seeds with 95% CI bars; with the
    truthful line ``b = v`` and, for one item and uniform values on ``[low, high]``, the
    symmetric first-price equilibrium ``b(v) = low + (n−1)/n·(v − low)`` (``v/2`` for two
    bidders on ``[0, 1]``; Krishna, *Auction Theory*, ch. 2).
    :func:`auction_outcomes` — revenue per auction (``mechanism/revenue``) and allocative
    efficiency (``efficiency``) per series with 95% CIs.

Congestion
    :func:`congestion_flows` — per network (one row of panels per distinct game config):
    stacked bars of the final share of agents on each path (``path_share_<p>``) per series,
    next to the theoretical Wardrop and optimal splits computed by the game itself (built
    through ``core.registry`` from the stored config); and the price of anarchy per series
    with 95% CIs, with the Wardrop flow's PoA (dashed) and the optimum 1 (solid).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from incentive_lab.core import registry
from incentive_lab.evaluation.figures import comparison
from incentive_lab.evaluation.game_series import SERIES, run_configs, series_of, series_stats
from incentive_lab.evaluation.report.analysis import Prepared

BUCKET = "bid_fraction_bucket_"
SHARE = "path_share_"
_MARKERS = ("o", "s", "^", "D", "v", "P")
_FLOW = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1")


def bucket_table(stats: pd.DataFrame, low: float, high: float, buckets: int) -> pd.DataFrame:
    """``series, bucket, value, bid, bid_low, bid_high`` from per-bucket fraction statistics."""
    part = stats[stats["metric"].str.startswith(BUCKET)].copy()
    part["bucket"] = part["metric"].str.removeprefix(BUCKET).astype(int)
    part["value"] = low + (part["bucket"] + 0.5) * (high - low) / buckets
    for target, source in (("bid", "mean"), ("bid_low", "ci_low"), ("bid_high", "ci_high")):
        part[target] = part[source].astype(float) * part["value"]
    return part.sort_values([SERIES, "bucket"])[
        [SERIES, "bucket", "value", "bid", "bid_low", "bid_high"]
    ]


def first_price_equilibrium(values: np.ndarray, n: int, low: float = 0.0) -> np.ndarray:
    """Symmetric first-price equilibrium bid for i.i.d. uniform values on ``[low, high]``."""
    return low + (n - 1) / n * (np.asarray(values, dtype=float) - low)


def _value_range(params: dict[str, Any]) -> tuple[float, float]:
    values = params.get("values") or {}
    return float(values.get("low", 0.0)), float(values.get("high", 1.0))


@comparison._styled
def bid_curves(prep: Prepared, params: dict[str, Any], rng: np.random.Generator) -> Any | None:
    """Bid vs value per series (module docstring); ``None`` without bucket metrics."""
    names = [n for n in prep.metric_names if n.startswith(BUCKET)]
    if not names:
        return None
    _, order = series_of(prep)
    low, high = _value_range(params)
    buckets = int(params.get("n_value_buckets", 10))
    table = bucket_table(series_stats(prep, names, rng), low, high, buckets)
    n = int(params.get("n_bidders", 2))
    colours = comparison.palette(order)
    fig = comparison._figure(7.6, 5.0)
    ax = fig.subplots()
    v = np.linspace(low, high, 50)
    ax.plot(v, v, ls=":", color="black", lw=1.3, label="truthful (b = v)")
    if int(params.get("n_items", 1)) == 1 and not params.get("item_weights"):
        ax.plot(v, first_price_equilibrium(v, n, low), ls="--", color="#555555", lw=1.3,
                label=f"first-price equilibrium ((n−1)/n·v, n = {n})")  # fmt: skip
    for k, label in enumerate(order):  # shrinking lines: identical rules stay visible
        part = table[table[SERIES] == label]
        if part.empty:
            continue
        err = [part["bid"] - part["bid_low"], part["bid_high"] - part["bid"]]
        ax.errorbar(part["value"], part["bid"], yerr=err, color=colours[label],
                    marker=_MARKERS[k % len(_MARKERS)], ms=max(3.0, 7 - 1.2 * k),
                    lw=max(1.0, 2.6 - 0.5 * k), capsize=2.5, label=label)  # fmt: skip
    ax.set_xlabel("private value v (bucket midpoint, value units)")
    ax.set_ylabel("learned bid b (value units)")
    ax.set_title("Bid vs value per payment rule", loc="left")
    ax.legend(fontsize=8, loc="upper left")
    return fig


def expected_revenue(n: int, low: float = 0.0, high: float = 1.0) -> float:
    """Revenue equivalence: E[second-highest of n uniform values] = low + (n−1)/(n+1)·span."""
    return low + (n - 1) / (n + 1) * (high - low)


def _errorbar_panel(
    ax: Any,
    stats: pd.DataFrame,
    metric: str,
    order: list[str],
    colours: dict[str, str],
    names: list[str] | None = None,
) -> None:
    positions = np.arange(len(order))[::-1]
    for y, label in zip(positions, order, strict=True):
        row = stats[(stats[SERIES] == label) & (stats["metric"] == metric)]
        if row.empty:
            continue
        mean, low, high = (float(row[c].iloc[0]) for c in ("mean", "ci_low", "ci_high"))
        ax.errorbar(mean, y, xerr=[[mean - low], [high - mean]], fmt="o", ms=7, capsize=3,
                    color=colours[label], lw=1.6)  # fmt: skip
    ax.set_yticks(positions, names or order)
    ax.grid(axis="y", visible=False)


@comparison._styled
def auction_outcomes(
    prep: Prepared, params: dict[str, Any], rng: np.random.Generator
) -> Any | None:
    """Revenue per auction and efficiency per series with 95% CIs."""
    panels = [
        (m, title, unit)
        for m, title, unit in (
            ("mechanism/revenue", "Revenue", "designer revenue per auction (value units)"),
            ("efficiency", "Efficiency", "allocated / best possible value (0–1)"),
        )
        if m in prep.metric_names
    ]
    if not panels:
        return None
    _, order = series_of(prep)
    stats = series_stats(prep, [m for m, _, _ in panels], rng)
    colours = comparison.palette(order)
    fig = comparison._figure(5.0 * len(panels) + 1.5, 1.2 + 0.45 * len(order))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    simple = (
        int(params.get("n_items", 1)) == 1
        and not params.get("item_weights")
        and not params.get("reserve")
    )
    for ax, (metric, title, unit) in zip(axes, panels, strict=True):
        _errorbar_panel(ax, stats, metric, order, colours)
        ax.set_title(f"{title} (mean, 95% CI)", loc="left")
        ax.set_xlabel(unit)
        if metric == "efficiency":
            ax.axvline(1.0, color="black", lw=1.0, label="efficient allocation")
            ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.3))
        elif simple:
            n, low, high = int(params.get("n_bidders", 2)), *_value_range(params)
            revenue = expected_revenue(n, low, high)
            ax.axvline(revenue, color="black", ls=":", lw=1.2,
                       label=f"equilibrium revenue (n−1)/(n+1) = {revenue:.3g}")  # fmt: skip
            ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.3))
    return fig


def _networks(prep: Prepared) -> list[tuple[str, Any, list[str]]]:
    """``(panel title, game, series labels)`` per distinct congestion game config."""
    labels, order = series_of(prep)
    configs, _ = run_configs(prep)
    groups: dict[str, list[str]] = {}
    for run_id, config in configs.items():
        key = json.dumps(config["game"]["params"], sort_keys=True)
        if run_id in labels and labels[run_id] not in groups.setdefault(key, []):
            groups[key].append(labels[run_id])
    decoded = {key: json.loads(key) for key in groups}
    varying = {
        k
        for p in decoded.values()
        for k in p
        if len({repr(q.get(k)) for q in decoded.values()}) > 1
    }
    out = []
    for key, members in groups.items():
        params = decoded[key]
        title = ", ".join(f"{k}={params.get(k)}" for k in sorted(varying)) or str(
            params.get("preset") or "network"
        )
        game = registry.make_game("congestion", params)
        out.append((title, game, [s for s in order if s in members]))
    return out


@comparison._styled
def congestion_flows(prep: Prepared, rng: np.random.Generator) -> Any | None:
    """Path shares and price of anarchy per network (module docstring)."""
    shares = sorted(
        (n for n in prep.metric_names if n.startswith(SHARE)), key=lambda n: int(n[len(SHARE) :])
    )
    if not shares or "price_of_anarchy" not in prep.metric_names:
        return None
    stats = series_stats(prep, [*shares, "price_of_anarchy"], rng)
    networks = _networks(prep)
    rows = len(networks)
    height = max(2.6, 0.42 * max(len(m) + 2 for _, _, m in networks) + 1.2)
    fig = comparison._figure(12.0, height * rows + 0.3)
    axes = fig.subplots(rows, 2, squeeze=False, width_ratios=[1.35, 1.0])
    for (title, game, members), (ax_share, ax_poa) in zip(networks, axes, strict=True):
        demand = float(game.params.total_demand)
        bars = [
            (s, [_mean(stats, s, f"{SHARE}{p}") for p in range(game.n_actions)]) for s in members
        ]
        bars += [("Wardrop (theory)", list(game.wardrop_flow / demand)),
                 ("optimum (theory)", list(game.optimal_flow / demand))]  # fmt: skip
        positions = np.arange(len(bars))[::-1]
        left = np.zeros(len(bars))
        for p, path in enumerate(game.metadata.action_names):
            width = np.array([values[p] for _, values in bars])
            hatch = ["" if k < len(members) else "//" for k in range(len(bars))]
            for y, w, lft, h in zip(positions, width, left, hatch, strict=True):
                label = f"path {p}: {path}" if y == positions[0] else None
                ax_share.barh(y, w, left=lft, color=_FLOW[p % len(_FLOW)], hatch=h,
                              edgecolor="white", label=label)  # fmt: skip
            left += width
        names = [_local(name, title) for name, _ in bars]
        ax_share.set_yticks(positions, names)
        ax_share.set_xlim(0, 1)
        ax_share.grid(axis="y", visible=False)
        ax_share.set_xlabel("share of agents on the path (fraction of the flow)")
        ax_share.set_title(f"Flow per path — {title}", loc="left")
        ax_share.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(0.0, -0.22), ncol=2)
        part = stats[stats[SERIES].isin(members)]
        local = comparison.palette(names[: len(members)])
        colours = {m: local[n] for m, n in zip(members, names, strict=False)}
        _errorbar_panel(ax_poa, part, "price_of_anarchy", members, colours, names[: len(members)])
        ax_poa.axvline(1.0, color="black", lw=1.2, label="optimum (PoA = 1)")
        nash, best = game.metadata.nash_value, game.metadata.social_optimum
        edges = [1.0, *part.loc[part["metric"] == "price_of_anarchy", "ci_high"].astype(float)]
        if nash is not None and best:
            edges.append(nash / best)
            ax_poa.axvline(nash / best, color="#b22222", ls="--", lw=1.2,
                           label=f"Wardrop flow (PoA = {nash / best:.3g})")  # fmt: skip
        lo = min(1.0, *part.loc[part["metric"] == "price_of_anarchy", "ci_low"].astype(float))
        hi = max(edges)
        pad = max(0.08 * (hi - lo), 0.02)
        ax_poa.set_xlim(lo - pad, hi + pad)
        ax_poa.ticklabel_format(axis="x", useOffset=False)
        ax_poa.set_xlabel("price of anarchy (total latency / optimal total latency)")
        ax_poa.set_title("Price of anarchy (mean, 95% CI)", loc="left")
        ax_poa.legend(fontsize=7.5, loc="lower right")
    return fig


def _local(label: str, title: str) -> str:
    """``label`` without the parts the panel title already states."""
    known = set(title.split(", "))
    kept = [part for part in label.split(", ") if part not in known]
    return ", ".join(kept) or label


def _mean(stats: pd.DataFrame, series: str, metric: str) -> float:
    row = stats[(stats[SERIES] == series) & (stats["metric"] == metric)]
    return float(row["mean"].iloc[0]) if not row.empty else 0.0
