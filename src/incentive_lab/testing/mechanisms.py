"""``check_mechanism``: the ``core.mechanism.Mechanism`` contract, for any mechanism.

On each game, over seeded episodes that reset the game and pass each step's ``info`` to
``adjust`` as the rollout does, a mechanism must

* be a ``Mechanism`` and reject an unknown parameter by name (registered ids);
* return :class:`~incentive_lab.core.mechanism.Adjustment` s of ``float64[n]`` finite arrays
  and a finite float cost ``>= 0``, and ``update`` diagnostics as a dict of ``str → float``;
* leave its inputs untouched (read-only actions and rewards are accepted; the shaped rewards
  never let the caller's reward array be written through them) and leave the game's base
  rewards as they were (welfare is measured on base rewards: ``rewards_for`` of the played
  actions is unchanged by ``adjust``/``update``);
* keep the accounting its declarations promise: ``pays`` — shaped = base + transfers, cost =
  Σ|transfers| and money moves at the fixture's parameters; otherwise no transfers, no cost;
  ``stateless`` — after an episode it adjusts a step as a fresh mechanism does;
* repeat itself from a seed, and survive pickling (fresh, and mid-episode with its game).

The games and parameters default to the unit's entry of ``testing.fixtures``.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.mechanism import Adjustment, Mechanism
from incentive_lab.core.params import Params
from incentive_lab.core.registry import make_mechanism
from incentive_lab.core.seeding import make_rng
from incentive_lab.testing.fixtures import PICKLING, REPRODUCIBILITY, mechanism_fixture
from incentive_lab.testing.report import Checks, ContractReport
from incentive_lab.testing.units import GameLike, GameSource, Unit, game_source, unit

Step = tuple[np.ndarray, np.ndarray, Adjustment, Any]
"""``(actions, base rewards, adjustment, update diagnostics)`` of one step."""


def check_mechanism(
    mechanism_id_or_factory: str | Callable[..., Any],
    params: Any = None,
    *,
    game: GameLike | Sequence[GameLike] | None = None,
    seed: int = 0,
    steps: int = 4,
    params_model: type[Params] | None = None,
    metadata: Mapping[str, Any] | None = None,
    name: str | None = None,
) -> ContractReport:
    """Check the mechanism contract of a registered mechanism id or a mechanism factory.

    ``params``: a mapping or ``Params`` object (default: the fixture's, else the defaults);
    ``game``: one game or a list (default: the fixture's games); ``seed``: seeds the game,
    the actions and the mechanism; ``steps``: steps per episode. ``metadata`` declares
    ``pays``/``stateless`` for a bare factory (default: neither). Raises
    :class:`~incentive_lab.testing.report.ContractError` on the first broken rule.
    """
    mechanism = mechanism_id_or_factory
    mechanism_id = mechanism if isinstance(mechanism, str) else None
    fixture = mechanism_fixture(mechanism_id)
    target = unit(
        "mechanism",
        mechanism,
        params,
        fixture.params,
        params_model=params_model,
        metadata=metadata,
        name=name,
    )
    checks = Checks("mechanism", target.name)
    if game is None:
        games: Sequence[Any] = fixture.games
    elif isinstance(game, list | tuple):
        games = game
    else:
        games = [game]
    for check, reason in fixture.exemptions.items():
        checks.skip(check, reason)
    for spec in games:
        source = game_source(spec)
        if mechanism_id is not None:
            with checks.check("unknown parameter is named"):
                unknown_parameter(checks, mechanism_id, target, source.build())
        on_game(checks, target, source, seed, steps, fixture.exemptions)
    return checks.report()


def unknown_parameter(checks: Checks, mechanism_id: str, target: Unit, game: Game[Any]) -> None:
    """``make_mechanism`` with a bogus parameter raises a ``ConfigError`` naming it."""
    raw = {**target.params.model_dump(), "bogus": 1}
    try:
        make_mechanism(mechanism_id, raw, game, None)
    except ConfigError as error:
        checks.that("mechanism.params.bogus" in str(error), f"the error does not name it: {error}")
        return
    checks.fail("an unknown parameter 'bogus' was accepted")


def episode(game: Game[Any], mechanism: Any, seed: int, steps: int) -> list[Step]:
    """``steps`` steps of random actions: the game reset with ``seed``, actions ``seed + 1``."""
    game.reset(make_rng(seed))
    rng = make_rng(seed + 1)
    return [play(game, mechanism, rng) for _ in range(steps)]


def play(game: Game[Any], mechanism: Any, rng: np.random.Generator) -> Step:
    """One step of random actions through ``adjust`` and ``update``."""
    actions = rng.integers(0, game.n_actions, size=game.n_agents)
    result = game.step(actions)
    adjustment = mechanism.adjust(game, actions, result.rewards, result.info)
    stats = mechanism.update(game, actions, result.rewards, adjustment)
    return actions, result.rewards, adjustment, stats


def on_game(
    checks: Checks,
    target: Unit,
    source: GameSource,
    seed: int,
    steps: int,
    exemptions: Mapping[str, str],
) -> None:
    """Every check of the mechanism on games built by ``source``."""
    at = f" @ {source.name}"
    with checks.check("build" + at):
        game = source.build()
        mechanism = target.build(game, make_rng(seed))
        checks.that(isinstance(mechanism, Mechanism), f"built a {type(mechanism).__name__}")
    with checks.check("types and shapes" + at):
        outs = episode(game, mechanism, seed, steps)
        n = game.n_agents
        for t, (_, _, out, stats) in enumerate(outs):
            checks.that(isinstance(out, Adjustment), f"step {t}: adjust returned {out!r}")
            for label, array in (
                ("shaped_rewards", out.shaped_rewards),
                ("transfers", out.transfers),
            ):
                checks.that(
                    isinstance(array, np.ndarray) and array.dtype == np.float64,
                    f"step {t}: {label} is {type(array).__name__} {getattr(array, 'dtype', '')}",
                )
                checks.that(array.shape == (n,), f"step {t}: {label} shape {array.shape} != ({n},)")
                checks.that(np.all(np.isfinite(array)), f"step {t}: {label} not finite: {array}")
            checks.that(
                isinstance(out.cost, float) and np.isfinite(out.cost) and out.cost >= 0,
                f"step {t}: cost {out.cost!r} is not a finite float >= 0",
            )
            checks.that(
                isinstance(stats, dict)
                and all(isinstance(k, str) and isinstance(v, float) for k, v in stats.items()),
                f"step {t}: update returned {stats!r}, not a dict of str -> float",
            )
    with checks.check("inputs untouched" + at):
        inputs_untouched(checks, target, game, seed)
    with checks.check("accounting" + at):
        accounting(checks, target, outs)
    with checks.check("base rewards untouched" + at):
        game.reset(make_rng(seed))
        rng = make_rng(seed + 1)
        for t in range(steps):
            actions = rng.integers(0, game.n_actions, size=game.n_agents)
            result = game.step(actions)
            before = np.array(game.rewards_for(actions), copy=True)
            out = mechanism.adjust(game, actions, result.rewards, result.info)
            mechanism.update(game, actions, result.rewards, out)
            checks.equal(game.rewards_for(actions), before, f"step {t}: base rewards after adjust")
    if target.metadata.get("stateless", False):
        with checks.check("stateless" + at):
            stateless(checks, target, game, mechanism, seed, steps)
    if REPRODUCIBILITY not in exemptions:
        with checks.check(REPRODUCIBILITY + at):
            again = episode(game, target.build(game, make_rng(seed)), seed, steps)
            same(checks, outs, again, f"two builds with seed {seed}")
    if PICKLING not in exemptions:
        with checks.check(PICKLING + at):
            fresh = pickle.loads(pickle.dumps(target.build(game, make_rng(seed))))
            same(checks, outs, episode(game, fresh, seed, steps), "a pickled fresh build")
            mid_episode_pickle(checks, target, game, seed, steps)


def inputs_untouched(checks: Checks, target: Unit, game: Game[Any], seed: int) -> None:
    """Read-only inputs are accepted and unchanged; shaped rewards are no writable alias."""
    game.reset(make_rng(seed))
    mechanism = target.build(game, make_rng(seed))
    actions = make_rng(seed + 3).integers(0, game.n_actions, size=game.n_agents)
    result = game.step(actions)
    rewards = np.array(result.rewards, dtype=np.float64)
    kept_actions, kept_rewards = actions.copy(), rewards.copy()
    actions.flags.writeable = False
    rewards.flags.writeable = False
    out = mechanism.adjust(game, actions, rewards, result.info)
    mechanism.update(game, actions, rewards, out)
    checks.equal(actions, kept_actions, "actions after adjust/update")
    checks.equal(rewards, kept_rewards, "rewards after adjust/update")
    shaped = out.shaped_rewards
    checks.that(
        not np.shares_memory(shaped, rewards) or not shaped.flags.writeable,
        "shaped_rewards is a writable view of the caller's rewards",
    )


def accounting(checks: Checks, target: Unit, outs: list[Step]) -> None:
    """``pays``: shaped = base + transfers, cost = Σ|transfers|, money moves; else none."""
    pays = bool(target.metadata.get("pays", False))
    for t, (_, base, out, _) in enumerate(outs):
        if pays:
            checks.close(out.shaped_rewards, base + out.transfers, f"step {t}: shaped", 0, 1e-7)
            volume = float(np.abs(out.transfers).sum())
            checks.that(
                abs(out.cost - volume) <= max(1e-6 * abs(volume), 1e-12),
                f"step {t}: declared pays=True but cost {out.cost!r} != Σ|transfers| {volume!r}",
            )
        else:
            checks.equal(out.transfers, np.zeros_like(out.transfers), f"step {t}: transfers")
            checks.that(out.cost == 0.0, f"step {t}: declared pays=False but cost {out.cost!r}")
    if pays:
        checks.that(
            any(np.any(out.transfers != 0.0) for _, _, out, _ in outs),
            f"declared pays=True but no money moved in {len(outs)} steps with {target.params!r}",
        )


def stateless(
    checks: Checks, target: Unit, game: Game[Any], mechanism: Any, seed: int, steps: int
) -> None:
    """After an episode the mechanism adjusts one more step as a fresh build does."""
    episode(game, mechanism, seed, steps)
    actions = make_rng(seed + 9).integers(0, game.n_actions, size=game.n_agents)
    result = game.step(actions)
    used = mechanism.adjust(game, actions, result.rewards, result.info)
    fresh = target.build(game, make_rng(seed)).adjust(game, actions, result.rewards, result.info)
    what = "declared stateless=True but after an episode"
    checks.close(used.shaped_rewards, fresh.shaped_rewards, f"{what}: shaped", 0, 1e-7)
    checks.close(used.transfers, fresh.transfers, f"{what}: transfers", 0, 1e-7)


def mid_episode_pickle(
    checks: Checks, target: Unit, game: Game[Any], seed: int, steps: int
) -> None:
    """A mechanism pickled with its game mid-episode continues identically."""
    mechanism = target.build(game, make_rng(seed))
    game.reset(make_rng(seed))
    rng = make_rng(seed + 1)
    for _ in range(max(1, steps // 2)):
        play(game, mechanism, rng)
    clone_game, clone, clone_rng = pickle.loads(pickle.dumps((game, mechanism, rng)))
    rest = steps - max(1, steps // 2) + 1
    a = [play(game, mechanism, rng) for _ in range(rest)]
    b = [play(clone_game, clone, clone_rng) for _ in range(rest)]
    same(checks, a, b, "a clone pickled mid-episode")


def same(checks: Checks, a: list[Step], b: list[Step], what: str) -> None:
    """Identical shaped rewards, transfers and costs, step by step."""
    for t, (x, y) in enumerate(zip(a, b, strict=True)):
        checks.equal(x[2].shaped_rewards, y[2].shaped_rewards, f"{what}: step {t} shaped")
        checks.equal(x[2].transfers, y[2].transfers, f"{what}: step {t} transfers")
        checks.that(x[2].cost == y[2].cost, f"{what}: step {t} cost {x[2].cost} != {y[2].cost}")
