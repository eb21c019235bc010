"""Schelling diagrams: whether a game (with a mechanism) is a social dilemma for its bots.

A Schelling diagram (Schelling 1973; used for sequential social dilemmas by Hughes et al.
2018, *Inequity aversion improves cooperation in intertemporal social dilemmas*, §2, and by
SocialJax) plots, for each number ``x`` of *other* cooperators among ``N`` players, the mean
return ``R_c(x)`` of a cooperator and ``R_d(x)`` of a defector. A profile with ``k``
cooperators gives ``R_c(k − 1)`` and ``R_d(k)``, so the ``N + 1`` profiles ``k = 0..N`` give
both curves at ``x = 0..N−1``.

Running it (:func:`schelling`)
    For every ``k`` and seed the game is built from ``params`` with the ``scripted`` learner
    (capability ``scripted_policy``) playing the cooperator on players ``0..k−1`` and the
    defector on ``k..N−1`` of *every* copy (rows are player-major in the gridworld games), an
    optional mechanism, and the one loop (``rollout``) for ``steps`` steps (default one
    episode). The replication unit is the seed; the copies of one run are averaged. Seed
    ``s`` uses ``core.seeding.run_seed(seed, s)`` for every ``k`` (common random numbers).
    Returns are per agent over the run, on *base* rewards (``rewards="shaped"``: what the
    mechanism pays the agents, to check the dilemma a mechanism leaves).

The dilemma conditions (:func:`dilemma_conditions`, Hughes et al. 2018 after Macy & Flache
2002), each tested on the seed-paired differences with a stratified-bootstrap CI
(``evaluation.statistics.paired_difference``; a condition holds when the interval lies above
0): (1) mutual cooperation beats mutual defection, ``R_c(N−1) > R_d(0)``; (2) mutual
cooperation beats being exploited, ``R_c(N−1) > R_c(0)``; (3) defection pays at some ``x``,
``R_d(x) > R_c(x)`` — *fear* when it does at ``x = 0``, *greed* at ``x = N−1``.

:func:`schelling_figure` draws both curves with their confidence bands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from incentive_lab.core.capabilities import Capability, provided
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.registry import make_game, make_learner, make_mechanism
from incentive_lab.core.scripted import COOPERATOR, DEFECTOR
from incentive_lab.core.seeding import make_rng, run_seed
from incentive_lab.core.types import FloatArray, IntArray
from incentive_lab.evaluation.statistics import Estimate, bootstrap_ci, paired_difference
from incentive_lab.rollout import LearnerGroup, Simulation, StepRecord

COOPERATOR_COLOUR, DEFECTOR_COLOUR = "#2c6fbb", "#d1383d"
PROFILE_SIDES = ("collective", "cooperator", "defector")
"""The three returns of one profile run (:func:`profile_returns`)."""
SUMMARY_PREFIX = "schelling/"
"""Stored summary names of a profile run: ``schelling/<base|shaped>/<side>``."""


@dataclass(frozen=True)
class SchellingDiagram:
    """Returns of cooperators and defectors against the number of other cooperators.

    ``cooperator[x, s]`` / ``defector[x, s]``: mean return of a cooperator / defector with
    ``x`` other cooperators in seed ``s`` (``float64[N, S]``); ``collective[k, s]``: mean
    return per agent in the profile with ``k`` cooperators (``float64[N + 1, S]``).
    """

    game: str
    n_players: int
    cooperator: FloatArray
    defector: FloatArray
    collective: FloatArray
    steps: int
    rewards: str
    names: tuple[str, str] = (COOPERATOR, DEFECTOR)
    """The bots' names (for labels)."""
    confidence: float = 0.95

    @property
    def others(self) -> IntArray:
        """``int64[N]``: ``x = 0..N−1``."""
        return np.arange(self.n_players, dtype=np.int64)

    def intervals(self, seed: int = 0) -> tuple[list[Estimate], list[Estimate]]:
        """Mean over seeds with its bootstrap CI, per ``x``: ``(cooperator, defector)``."""
        rng = np.random.default_rng(seed)

        def curve(values: FloatArray) -> list[Estimate]:
            return [bootstrap_ci(row, rng, confidence=self.confidence) for row in values]

        return curve(self.cooperator), curve(self.defector)


@dataclass(frozen=True)
class DilemmaCheck:
    """The conditions of :func:`dilemma_conditions` with their paired-difference estimates."""

    mutual_cooperation: Estimate
    """``R_c(N−1) − R_d(0)``."""
    not_exploited: Estimate
    """``R_c(N−1) − R_c(0)``."""
    defection_gain: list[Estimate] = field(default_factory=list)
    """``R_d(x) − R_c(x)`` for ``x = 0..N−1``."""

    @property
    def defection_pays_at(self) -> list[int]:
        """The ``x`` where ``R_d(x) > R_c(x)`` (interval above 0)."""
        return [x for x, e in enumerate(self.defection_gain) if e.ci_low > 0]

    @property
    def fear(self) -> bool:
        """Defection pays when nobody else cooperates."""
        return 0 in self.defection_pays_at

    @property
    def greed(self) -> bool:
        """Defection pays when everybody else cooperates."""
        return len(self.defection_gain) - 1 in self.defection_pays_at

    @property
    def is_dilemma(self) -> bool:
        """Conditions (1), (2) and (3) of the module docstring all hold."""
        return (
            self.mutual_cooperation.ci_low > 0
            and self.not_exploited.ci_low > 0
            and bool(self.defection_pays_at)
        )


class _Returns:
    """A recorder (``rollout.Recorder``) summing base and shaped rewards per agent."""

    def __init__(self, n: int) -> None:
        self.base = np.zeros(n)
        self.shaped = np.zeros(n)

    def record(self, record: StepRecord) -> None:
        self.base += record.base_rewards
        self.shaped += record.shaped_rewards


def player_count(copies: IntArray) -> int:
    """Players per copy of a game whose rows are player-major (``copies[i·C + c] = c``)."""
    n_copies = int(copies.max()) + 1
    players = copies.shape[0] // n_copies
    if not np.array_equal(copies, np.tile(np.arange(n_copies), players)):
        raise ConfigError("game", "copies", "player-major rows (row i·C + c is player i of copy c)")
    return players


def profile_returns(returns: FloatArray, k: int, players: int) -> FloatArray:
    """``float64[3]``: ``(collective, cooperator, defector)`` mean returns of one run.

    ``returns``: ``float64[n]`` returns per agent, rows player-major (``n = players · C``),
    players ``0..k−1`` the cooperators; an absent side (``k = 0`` or ``k = players``) is nan.
    """
    per_agent = np.asarray(returns, dtype=np.float64).reshape(players, -1).mean(axis=1)
    return np.array(
        [
            per_agent.mean(),
            per_agent[:k].mean() if k > 0 else np.nan,
            per_agent[k:].mean() if k < players else np.nan,
        ]
    )


def profile_groups(
    k: int, players: int, copies: int, names: tuple[str, str]
) -> list[tuple[int, int, str]]:
    """``(start, stop, bot)`` of the learner groups of the profile with ``k`` cooperators."""
    bounds = ((0, k * copies, names[0]), (k * copies, players * copies, names[1]))
    return [(start, stop, name) for start, stop, name in bounds if stop > start]


def _run(
    game_id: str,
    params: Mapping[str, Any],
    k: int,
    names: tuple[str, str],
    mechanism: tuple[str, Mapping[str, Any]],
    sequence: np.random.SeedSequence,
    steps: int | None,
    players: int,
) -> tuple[FloatArray, int]:
    """``([base, shaped] returns per agent, steps)`` of one run with ``k`` cooperators.

    Built as the runner builds a stored run (``experiments.execution.runner``): the
    sequence spawns ``[game, mechanism, group 0, group 1]`` (one group when ``k`` is 0 or
    ``N``), so a profile stored by ``incentive-lab schelling`` is this run bit for bit.
    """
    game = make_game(game_id, dict(params))
    copies = game.n_agents // players
    bounds = profile_groups(k, players, copies, names)
    game_seq, mechanism_seq, *group_seqs = sequence.spawn(2 + len(bounds))
    groups = []
    for (start, stop, name), seq in zip(bounds, group_seqs, strict=True):
        context = LearnerContext.for_game(game, start, stop)
        learner = make_learner("scripted", {"policy": name}, context, make_rng(seq))
        groups.append(LearnerGroup(start, stop, learner))
    built = make_mechanism(mechanism[0], dict(mechanism[1]), game, make_rng(mechanism_seq))
    simulation = Simulation(game, groups, built, make_rng(game_seq))
    horizon = steps if steps is not None else int(game.max_steps or 1000)
    returns = _Returns(game.n_agents)
    simulation.run(horizon, returns)
    return np.stack([returns.base, returns.shaped]), horizon


def assemble(
    game: str,
    profiles: FloatArray,
    steps: int,
    rewards: str,
    names: tuple[str, str],
    confidence: float = 0.95,
) -> SchellingDiagram:
    """The diagram of ``profiles[k, s] = (collective, cooperator, defector)`` (``[N+1, S, 3]``).

    Row ``k`` is the profile with ``k`` cooperators, column ``s`` a seed
    (:func:`profile_returns` of each run).
    """
    players = profiles.shape[0] - 1
    return SchellingDiagram(
        game=game,
        n_players=players,
        cooperator=np.ascontiguousarray(profiles[1:, :, 1]),
        defector=np.ascontiguousarray(profiles[:players, :, 2]),
        collective=np.ascontiguousarray(profiles[:, :, 0]),
        steps=steps,
        rewards=rewards,
        names=names,
        confidence=confidence,
    )


def schelling(
    game: str,
    params: Mapping[str, Any] | None = None,
    *,
    seeds: int | Sequence[int] = 5,
    steps: int | None = None,
    mechanism: str | Mapping[str, Any] | None = None,
    cooperator: str = COOPERATOR,
    defector: str = DEFECTOR,
    rewards: Literal["base", "shaped"] = "base",
    seed: int = 0,
    confidence: float = 0.95,
) -> SchellingDiagram:
    """The Schelling diagram of ``game`` (an id) with ``params`` (module docstring).

    ``seeds``: how many seed indices (or which); ``steps``: steps per run (default one
    episode); ``mechanism``: an id or ``{"id": ..., "params": {...}}`` (default none);
    ``cooperator``/``defector``: the bots' names; ``seed``: the experiment seed.
    """
    params = dict(params or {})
    indices = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    if not indices:
        raise ConfigError("seeds", seeds, "at least one seed")
    if mechanism is None:
        spec: tuple[str, Mapping[str, Any]] = ("none", {})
    elif isinstance(mechanism, str):
        spec = (mechanism, {})
    else:
        spec = (str(mechanism["id"]), dict(mechanism.get("params") or {}))
    row = 0 if rewards == "base" else 1
    labels = bot_labels(game, params, cooperator, defector)
    players = player_count(make_game(game, dict(params)).copies)
    profiles = np.zeros((players + 1, len(indices), 3))
    horizon = 0
    for k in range(players + 1):
        for s, index in enumerate(indices):
            returns, horizon = _run(
                game, params, k, (cooperator, defector), spec, run_seed(seed, index), steps, players
            )
            profiles[k, s] = profile_returns(returns[row], k, players)
    return assemble(game, profiles, horizon, rewards, labels, confidence)


def bot_labels(
    game: str, params: Mapping[str, Any], cooperator: str = COOPERATOR, defector: str = DEFECTOR
) -> tuple[str, str]:
    """The bots' names for labels: the game's own for the generic ``cooperator``/``defector``."""
    bots = provided(make_game(game, dict(params)), Capability.SCRIPTED_POLICY)
    if bots is None:
        raise ConfigError("game.id", game, "a game offering scripted_policy")
    return (
        bots.cooperator if cooperator == COOPERATOR else cooperator,
        bots.defector if defector == DEFECTOR else defector,
    )


def stored_diagram(
    game: str,
    rows: Sequence[tuple[int, int, str, float]],
    steps: int,
    rewards: str,
    names: tuple[str, str],
    confidence: float = 0.95,
) -> SchellingDiagram | None:
    """The diagram of stored profile runs, or ``None`` if no seed has every profile.

    ``rows``: ``(k, seed_index, summary name, value)`` of the runs'
    ``schelling/<rewards>/<side>`` entries (``experiments.execution.schelling``). Seeds
    missing a profile (a run not yet stored) are left out; seeds are in index order.
    """
    found: dict[tuple[int, int], dict[str, float]] = {}
    for k, index, name, value in rows:
        prefix = f"{SUMMARY_PREFIX}{rewards}/"
        if name.startswith(prefix):
            found.setdefault((int(k), int(index)), {})[name[len(prefix) :]] = float(value)
    if not found:
        return None
    players = max(k for k, _ in found)
    seeds = sorted(
        s for s in {index for _, index in found} if all((k, s) in found for k in range(players + 1))
    )
    if players < 1 or not seeds:
        return None
    profiles = np.full((players + 1, len(seeds), 3), np.nan)
    for k in range(players + 1):
        for j, s in enumerate(seeds):
            for side, name in enumerate(PROFILE_SIDES):
                profiles[k, j, side] = found[(k, s)].get(name, np.nan)
    return assemble(game, profiles, steps, rewards, names, confidence)


def dilemma_conditions(diagram: SchellingDiagram, seed: int = 0) -> DilemmaCheck:
    """Test the conditions of Hughes et al. (2018) with seed-paired bootstrap CIs."""
    rng = np.random.default_rng(seed)
    c, d, last = diagram.cooperator, diagram.defector, diagram.n_players - 1

    def diff(x: FloatArray, y: FloatArray) -> Estimate:
        return paired_difference(x, y, rng, confidence=diagram.confidence)

    return DilemmaCheck(
        mutual_cooperation=diff(c[last], d[0]),
        not_exploited=diff(c[last], c[0]),
        defection_gain=[diff(d[x], c[x]) for x in range(diagram.n_players)],
    )


def schelling_figure(diagram: SchellingDiagram, seed: int = 0) -> Any:
    """A matplotlib ``Figure``: ``R_c(x)`` and ``R_d(x)`` with their CI bands."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.0, 3.6), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = diagram.others
    for estimates, label, colour in zip(
        diagram.intervals(seed),
        (f"cooperator ({diagram.names[0]})", f"defector ({diagram.names[1]})"),
        (COOPERATOR_COLOUR, DEFECTOR_COLOUR),
        strict=True,
    ):
        mean = [e.value for e in estimates]
        ax.fill_between(
            x, [e.ci_low for e in estimates], [e.ci_high for e in estimates],
            color=colour, alpha=0.2, linewidth=0,
        )  # fmt: skip
        ax.plot(x, mean, color=colour, marker="o", label=label)
    ax.set_xticks(x)
    ax.set_xlabel("number of other cooperators")
    what = "base" if diagram.rewards == "base" else "shaped"
    ax.set_ylabel(f"mean return per agent ({what}, {diagram.steps} steps)")
    ax.set_title(f"Schelling diagram: {diagram.game}")
    ax.legend()
    return fig
