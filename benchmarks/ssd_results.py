"""Published sequential-social-dilemma effects at a benchmark budget (issue #18, item 6).

Three comparisons, each a baseline and one mechanism, both trained by independent PPO
(``ppo``, one shared network per game: IPPO with parameter sharing) through the package's
own experiment API (``incentive_lab.run``), so every run sits in a DuckDB store
(``--db``) and the numbers here are read back from it:

* **Coins** (small 5×5 torus, 2 players; Lerer & Peysakhovich 2017, Foerster et al. 2018):
  own-coin rate with selfish PPO (≈ 0.5 expected: coins are grabbed whatever their colour)
  vs ``team_reward`` (expected clearly higher: taking the other's coin costs the team 1).
* **Harvest** (small 16×9 map, 5 players; Perolat et al. 2017): individual rewards vs
  ``team_reward`` (``normalise: true``, every player paid its copy's mean reward) — the
  common vs individual reward comparison of SocialJax (Guo et al. 2025). Expected with
  individual rewards: the orchard is depleted (low sustainability, few apples left) and a
  lower collective return than with the common reward.
* **Cleanup** (small 12×8 map, 3 players; Hughes et al. 2018): selfish PPO vs advantageous
  inequity aversion with Hughes et al.'s temporally smoothed rewards: ``α = 0``,
  ``β = 0.05`` and trace decay ``γλ = 0.99 · 0.975`` (their advantageous-IA agents in
  Cleanup; their γ = 0.99, λ = 0.975). Expected: selfish agents rarely clean; the
  inequity-averse ones clean more and reach a higher collective return.

Budget (fixed before the first run, the same for every arm; not tuned to an outcome)
    5 seeds per arm (common random numbers: seed ``k`` of both arms shares its streams, so
    arms are also compared by paired per-seed differences). Coins: 32 copies × 2 players ×
    4,000 steps = 256k agent-steps per seed (50-step episodes); Harvest: 8 copies × 5 × 3,000
    = 120k (100-step episodes, 7×7 views); Cleanup: 12 copies × 3 × 3,000 = 108k (100-step
    episodes, 7×7 views). PPO: ``lr = 5·10⁻⁴``, ``n_steps = 128``, 4 epochs × 4 minibatches,
    γ = 0.99, λ = 0.95, ``ent_coef = 0.01``, CNN with one 16-channel 3×3 layer then two tanh
    layers of 64, float32 views, one torch thread. Planned as 35–45 minutes on 2 shared cores
    under ``nice``; the recorded run took longer (``benchmarks/README.md``: load ≈ 14–17).
    This is **far below the papers' budgets**: Perolat et al. (2017), Hughes et al. (2018)
    and SocialJax train for millions to hundreds of millions of environment steps on the
    full-size maps with 1,000-step episodes; LOLA's Coin Game runs use thousands of 50-step
    episodes. An effect absent here may appear at their budget; one present here is only
    evidence at this budget.

Reported (``--db`` store → a Markdown table on stdout and in ``<out>/ssd_results.md``)
    For every arm the mean over seeds of each run's summary (the mean of its last 20 % of
    200-step records) with its 95 % stratified bootstrap CI (``evaluation.statistics``,
    ``seed_mean_ci``: 2,000 resamples), the paired difference mechanism − baseline with its
    CI (``paired_difference``), the mean wall time per run (``duration_s`` of the store; the
    first run of the script also pays Numba's compilation) and training agent-steps/s.
    ``collective return`` is the game's ``efficiency`` (collective return per step,
    Perolat et al.) times the episode length. Curves (mean over seeds ± one standard error,
    per 200-step record) go to ``<out>/ssd_<game>.png``.

Throughput (item 7)
    ``--throughput``: each game's PPO training agent-steps/s with the environment's share of
    the wall time (``bench_deep.measure``: ``game.step``/``game.reset`` timed inside the same
    ``Simulation`` loop), at the same game and PPO settings, mechanism ``none``.

``nice -n 10 python benchmarks/ssd_results.py [--db /tmp/ssd.duckdb] [--out
benchmarks/results] [--games coins,harvest,cleanup] [--throughput] [--scale 0.05]``
(``--scale`` multiplies the steps, e.g. to check the pipeline in a minute). Runs already in
the store are not repeated (run ids are deterministic), so an interrupted script resumes.

References: Foerster et al. (2018), *Learning with opponent-learning awareness*, AAMAS;
Lerer & Peysakhovich (2017), arXiv:1707.01068; Perolat et al. (2017), *A multi-agent
reinforcement learning model of common-pool resource appropriation*, NeurIPS; Hughes et al.
(2018), *Inequity aversion improves cooperation in intertemporal social dilemmas*, NeurIPS;
Guo et al. (2025), *SocialJax: an evaluation suite for multi-agent reinforcement learning
in sequential social dilemmas*, arXiv:2503.14576.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import incentive_lab
from incentive_lab.evaluation.statistics import paired_difference, seed_mean_ci

SEEDS = 5
RECORD_EVERY = 200
SUMMARY_WINDOW = 0.2
PPO = {
    "lr": 5e-4,
    "n_steps": 128,
    "epochs": 4,
    "minibatches": 4,
    "gamma": 0.99,
    "gae_lambda": 0.95,
    "ent_coef": 0.01,
    "channels": [16],
    "hidden": 64,
    "threads": 1,
    "device": "cpu",
}
HUGHES_TRACE = 0.96525
"""Hughes et al.'s trace decay ``γλ = 0.99 · 0.975`` (written out: the product in floating
point is 0.9652499999999999, an uglier label in the store)."""


@dataclass(frozen=True)
class Comparison:
    """One game, its baseline and treatment mechanisms, and what to report."""

    game: str
    params: dict[str, Any]
    steps: int
    baseline: dict[str, Any]
    treatment: dict[str, Any]
    metrics: tuple[str, ...]
    expected: str
    curves: tuple[str, ...] = field(default=())

    @property
    def agents(self) -> int:
        """Agents in the game (players × copies)."""
        return int(self.params["n_agents"]) * int(self.params["n_copies"])


GRID = {"dtype": "float32", "format": "image"}
COMPARISONS = (
    Comparison(
        "coins",
        {**GRID, "preset": "small", "n_agents": 2, "n_copies": 32, "episode_length": 50},
        4000,
        {"id": "none"},
        {"id": "team_reward"},
        ("own_coin_rate", "collective_return", "efficiency"),
        "own-coin rate ≈ 0.5 selfish, clearly higher with team_reward",
        ("own_coin_rate", "efficiency"),
    ),
    Comparison(
        "harvest",
        {**GRID, "preset": "small", "n_agents": 5, "n_copies": 8, "episode_length": 100}
        | {"view_size": 7},
        3000,
        {"id": "none"},
        {"id": "team_reward", "params": {"normalise": True}},
        ("collective_return", "sustainability", "apples_remaining", "equality", "peace"),
        "individual rewards deplete the orchard; team_reward: higher collective return",
        ("efficiency", "sustainability", "apples_remaining"),
    ),
    Comparison(
        "cleanup",
        {**GRID, "preset": "small", "n_agents": 3, "n_copies": 12, "episode_length": 100}
        | {"view_size": 7},
        3000,
        {"id": "none"},
        {
            "id": "inequity_aversion",
            "params": {"alpha": 0.0, "beta": 0.05, "smoothing": HUGHES_TRACE},
        },
        ("collective_return", "cleaning_share", "waste_density", "equality"),
        "selfish agents rarely clean; advantageous IA: more cleaning, higher collective return",
        ("efficiency", "cleaning_share", "waste_density"),
    ),
)


def experiment(c: Comparison, scale: float) -> dict[str, Any]:
    """The experiment config (a plain dict, validated by ``incentive_lab.run``)."""
    steps = max(RECORD_EVERY, round(c.steps * scale))
    return {
        "name": f"ssd-{c.game}-{steps}",
        "game": {"id": c.game, "params": c.params},
        "mechanism": c.baseline,
        "learners": [{"id": "ppo", "params": PPO}],
        "steps": steps,
        "seeds": SEEDS,
        "record_every": RECORD_EVERY,
        "summary_window": SUMMARY_WINDOW,
        "sweep": {"mechanism": [c.baseline, c.treatment]},
    }


def per_seed(results: Any, c: Comparison) -> dict[str, dict[str, np.ndarray]]:
    """``arm → metric → float64[seeds]`` (seed-index order) from the store's summaries."""
    summary = results.summary()
    arm = summary["mechanism"].astype(str)
    out: dict[str, dict[str, np.ndarray]] = {}
    for label, part in summary.groupby(arm, sort=False):
        wide = part.pivot_table(index="seed_index", columns="name", values="value")
        table = {name: wide[name].to_numpy(np.float64) for name in wide.columns}
        if "efficiency" in table:
            table["collective_return"] = table["efficiency"] * c.params["episode_length"]
        out[str(label)] = table
    return out


def fmt(value: float, low: float, high: float) -> str:
    """``mean [low, high]`` with three significant digits."""
    return f"{value:.3g} [{low:.3g}, {high:.3g}]"


def report(c: Comparison, results: Any) -> tuple[list[str], dict[str, Any]]:
    """Markdown rows of one comparison and the same numbers as JSON."""
    seeds = per_seed(results, c)
    runs = results.runs()
    runs = runs.assign(arm=[next(iter(json.loads(p).values())) for p in runs["point"]])
    arms = list(seeds)
    base, treat = arms[0], arms[-1]
    steps = int(json.loads(runs["config"].iloc[0])["steps"])
    rows, data = [], {"game": c.game, "steps": steps, "agents": c.agents, "arms": {}}
    for label in arms:
        part = runs[runs["arm"].astype(str) == label]
        wall = float(part["duration_s"].mean())
        rate = steps * c.agents / float(part["duration_s"].median())
        cells, arm_data = [], {"wall_s": wall, "agent_steps_per_s": rate, "metrics": {}}
        for name in c.metrics:
            values = seeds[label].get(name)
            if values is None:
                cells.append("–")
                continue
            e = seed_mean_ci(values)
            cells.append(fmt(e.value, e.ci_low, e.ci_high))
            arm_data["metrics"][name] = {
                "mean": e.value,
                "ci": [e.ci_low, e.ci_high],
                "seeds": values.tolist(),
            }
        rows.append(
            f"| {c.game} | {label} | " + " | ".join(cells) + f" | {wall:.0f} | {rate:,.0f} |"
        )
        data["arms"][label] = arm_data
    diffs = []
    for name in c.metrics:
        if name in seeds[base] and name in seeds[treat]:
            d = paired_difference(seeds[treat][name], seeds[base][name], np.random.default_rng(0))
            diffs.append(fmt(d.value, d.ci_low, d.ci_high))
            data.setdefault("paired_difference", {})[name] = [d.value, d.ci_low, d.ci_high]
        else:
            diffs.append("–")
    rows.append(f"| {c.game} | {treat} − {base} (paired) | " + " | ".join(diffs) + " | | |")
    return rows, data


def plot(c: Comparison, results: Any, out: Path) -> Path:
    """Curves of ``c.curves`` per arm: mean over seeds ± one standard error."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = results.metrics()
    metrics = metrics[metrics["name"].isin(c.curves)]
    fig, axes = plt.subplots(1, len(c.curves), figsize=(3.2 * len(c.curves), 2.6), dpi=80)
    for ax, name in zip(np.atleast_1d(axes), c.curves, strict=True):
        part = metrics[metrics["name"] == name]
        for label, arm in part.groupby(part["mechanism"].astype(str), sort=False):
            stats = arm.groupby("step")["value"].agg(["mean", "std", "count"])
            se = stats["std"].fillna(0.0) / np.sqrt(stats["count"])
            ax.plot(stats.index, stats["mean"], label=str(label), lw=1.2)
            ax.fill_between(stats.index, stats["mean"] - se, stats["mean"] + se, alpha=0.25)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=7)
    np.atleast_1d(axes)[0].legend(fontsize=7)
    fig.suptitle(f"{c.game}: PPO, {SEEDS} seeds (mean ± s.e.)", fontsize=9)
    fig.tight_layout()
    path = out / f"ssd_{c.game}.png"
    fig.savefig(path)
    plt.close(fig)
    return path


def throughput(c: Comparison, steps: int) -> dict[str, float]:
    """PPO training agent-steps/s and the environment's share (``bench_deep.measure``)."""
    from bench_deep import measure  # the sibling script (benchmarks/ is on sys.path)

    return measure(c.game, c.params, "ppo", PPO, steps, warmup=PPO["n_steps"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="benchmarks/results/ssd_results.duckdb")
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument("--games", default="coins,harvest,cleanup")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--throughput", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    chosen = [c for c in COMPARISONS if c.game in args.games.split(",")]
    lines = [
        f"SSD comparisons: PPO, {SEEDS} seeds, scale {args.scale}; mean over seeds [95% CI]",
        "",
    ]
    record: dict[str, Any] = {"seeds": SEEDS, "ppo": PPO, "scale": args.scale, "games": {}}
    start = time.perf_counter()
    for c in chosen:
        t0 = time.perf_counter()
        results = incentive_lab.run(experiment(c, args.scale), db=args.db, progress=False)
        elapsed = time.perf_counter() - t0
        rows, data = report(c, results)
        data["script_wall_s"] = elapsed
        data["expected"] = c.expected
        record["games"][c.game] = data
        lines += [
            f"### {c.game} — expected: {c.expected}",
            "",
            "| game | arm | " + " | ".join(c.metrics) + " | wall/run (s) | agent-steps/s |",
            "| --- | --- | " + " | ".join("---:" for _ in c.metrics) + " | ---: | ---: |",
            *rows,
            "",
            f"wall time of the {2 * SEEDS} runs: {elapsed:.0f} s; curves: {plot(c, results, out)}",
            "",
        ]
        print("\n".join(lines[-(len(rows) + 6) :]), flush=True)
    if args.throughput:
        lines += [
            "### PPO training throughput (mechanism none)",
            "",
            "| game | agents | agent-steps/s | environment share |",
            "| --- | ---: | ---: | ---: |",
        ]
        for c in chosen:
            r = throughput(c, steps=2 * PPO["n_steps"])
            record["games"][c.game]["throughput"] = r
            lines.append(
                f"| {c.game} | {c.agents} | {r['rate']:,.0f} | {100 * r['env_share']:.1f} % |"
            )
            print(lines[-1], flush=True)
        lines.append("")
    total = time.perf_counter() - start
    lines.append(f"total wall time: {total:.0f} s ({math.ceil(total / 60)} min)")
    print(lines[-1])
    (out / "ssd_results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    record["total_wall_s"] = total
    (out / "ssd_results.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    pd.set_option("display.width", 160)
    main()
