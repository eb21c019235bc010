"""``check_game``: the ``core.game.Game`` contract, for any game.

A game must

* have ``n_agents >= 1``, ``n_actions >= 2`` and ``copies: int64[n]``; ``reset``/``step``
  return observations of the declared space (``int64[n]`` for a discrete space; for a box
  ``[n, ...]`` of the box's own dtype — ``float64`` for every box game except where a game
  offers a smaller one, e.g. the gridworlds' ``dtype: uint8 | float32``), ``float64[n]``
  finite rewards, ``bool`` episode flags and finite metrics;
* answer counterfactual queries consistently with the step just played: ``rewards_for`` equals
  the step's rewards (deterministic games), ``welfare`` is their sum, ``deviation`` to the
  played actions is the identity, its (vectorised) override agrees with the base class's
  reference loop, and queries change nothing;
* repeat an episode from the same seed, and continue identically after pickling
  mid-episode;
* describe itself and keep its metadata consistent (cooperative action, action names and
  pure equilibria within range);
* reject a joint action of the wrong shape or out of range with a ``ConfigError`` naming
  ``actions``;
* pass PettingZoo's own API and seed tests as a ``ParallelEnv`` (and its AEC conversion),
  with each of ``mechanisms`` (see ``testing.pettingzoo``).
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium import spaces

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game
from incentive_lab.core.seeding import make_rng
from incentive_lab.testing.fixtures import REPRODUCIBILITY
from incentive_lab.testing.pettingzoo import MECHANISMS, parallel_env_checks
from incentive_lab.testing.report import Checks, ContractReport
from incentive_lab.testing.units import GameLike, game_source


def check_game(
    game_or_id: GameLike,
    params: Any = None,
    *,
    seed: int = 0,
    steps: int = 20,
    mechanisms: Sequence[str] = MECHANISMS,
    cycles: int = 12,
) -> ContractReport:
    """Check the game contract of ``game_or_id`` (an id, a spec, an instance or a factory).

    ``params``: parameters of a game id (default: ``fixtures.game_params``); ``seed``: seeds
    the episodes and random actions; ``steps``: steps of each episode checked;
    ``mechanisms``: the mechanisms of the PettingZoo conformance runs (``()`` skips them);
    ``cycles``: PettingZoo's ``num_cycles``. Raises
    :class:`~incentive_lab.testing.report.ContractError` on the first broken rule.
    """
    source = game_source(game_or_id, params)
    checks = Checks("game", source.name)
    build = source.build
    with checks.check("reset and step shapes"):
        shapes(checks, build(), seed, steps)
    with checks.check("counterfactuals agree with the step"):
        counterfactuals(checks, build(), seed, steps)
    with checks.check(REPRODUCIBILITY):
        first, second = trajectory(build(), seed, steps), trajectory(build(), seed, steps)
        checks.that(len(first) == len(second), f"{len(first)} != {len(second)} arrays")
        for k, (a, b) in enumerate(zip(first, second, strict=True)):
            checks.equal(a, b, f"array {k} of two episodes with seed {seed}")
    with checks.check("pickle mid-episode"):
        pickled(checks, build(), seed, steps)
    with checks.check("describe and metadata"):
        metadata(checks, build())
    with checks.check("bad actions rejected"):
        bad_actions(checks, build(), seed)
    for mechanism in mechanisms:
        parallel_env_checks(checks, source, mechanism, cycles)
    return checks.report()


def random_actions(game: Game[Any], rng: np.random.Generator) -> np.ndarray:
    """Uniform random ``int64[n]`` actions."""
    return rng.integers(game.n_actions, size=game.n_agents, dtype=np.int64)


def observations(checks: Checks, game: Game[Any], obs: Any, when: str) -> None:
    """``obs`` fits the game's observation space, row by row."""
    space = game.observation_space
    obs = np.asarray(obs)
    want: tuple[int, ...] = (game.n_agents,)
    dtype: type[np.generic] = np.int64
    if not isinstance(space, spaces.Discrete):
        checks.that(isinstance(space, spaces.Box), f"observation space {space} (Discrete/Box)")
        want, dtype = (game.n_agents, *(space.shape or ())), np.dtype(space.dtype).type
    checks.that(
        obs.shape == want and obs.dtype == dtype,
        f"{when}: observations {obs.dtype}{list(obs.shape)}, not {np.dtype(dtype)}{list(want)}",
    )
    outside = [i for i, o in enumerate(obs) if not space.contains(o.astype(space.dtype))]
    checks.that(not outside, f"{when}: observations of agents {outside[:5]} outside {space}")


def shapes(checks: Checks, game: Game[Any], seed: int, steps: int) -> None:
    """Sizes, copies and the arrays of ``reset`` and ``steps`` random steps."""
    n = game.n_agents
    checks.that(n >= 1 and game.n_actions >= 2, f"n_agents={n}, n_actions={game.n_actions}")
    copies = np.asarray(game.copies)
    checks.that(
        copies.shape == (n,) and copies.dtype == np.int64,
        f"copies is {copies.dtype}{list(copies.shape)}, not int64[{n}]",
    )
    observations(checks, game, game.reset(make_rng(seed)), "reset")
    rng = make_rng(seed + 1)
    for t in range(steps):
        result = game.step(random_actions(game, rng))
        observations(checks, game, result.obs, f"step {t}")
        rewards = result.rewards
        checks.that(
            isinstance(rewards, np.ndarray)
            and rewards.shape == (n,)
            and rewards.dtype == np.float64,
            f"step {t}: rewards {getattr(rewards, 'dtype', type(rewards))} "
            f"{list(np.shape(rewards))}, not float64[{n}]",
        )
        checks.that(np.all(np.isfinite(rewards)), f"step {t}: rewards not finite: {rewards}")
        flags = (result.terminated, result.truncated)
        checks.that(all(isinstance(f, bool) for f in flags), f"step {t}: flags {flags!r}")
        for name, value in result.info.get("metrics", {}).items():
            checks.that(np.isfinite(float(value)), f"step {t}: metric {name} = {value!r}")
        if result.terminated or result.truncated:
            game.reset(rng)


def counterfactuals(checks: Checks, game: Game[Any], seed: int, steps: int) -> None:
    """``rewards_for``, ``welfare`` and ``deviation`` agree with the step just played."""
    rng = make_rng(seed + 2)
    game.reset(rng)
    for t in range(steps):
        actions = random_actions(game, rng)
        result = game.step(actions)
        rewards = game.rewards_for(actions)
        if not game.metadata.stochastic:
            checks.close(rewards, result.rewards, f"step {t}: rewards_for vs step", 1e-12)
        welfare = game.welfare(actions)
        checks.that(
            abs(welfare - rewards.sum()) <= 1e-9,
            f"step {t}: welfare {welfare!r} != Σ rewards_for {rewards.sum()!r}",
        )
        same = game.deviation(actions, actions)
        checks.close(same.own, rewards, f"step {t}: deviation to the played actions", 1e-12, 1e-7)
        checks.close(
            same.copy_welfare, game.copy_welfare(rewards), f"step {t}: copy_welfare", 1e-9, 1e-7
        )
        alternative = random_actions(game, rng)
        fast = game.deviation(actions, alternative)
        reference = Game.deviation(game, actions, alternative)  # the base-class loop
        checks.close(fast.own, reference.own, f"step {t}: deviation.own vs loop", 1e-9, 1e-7)
        checks.close(
            fast.copy_welfare,
            reference.copy_welfare,
            f"step {t}: deviation.copy_welfare vs loop",
            1e-9,
            1e-7,
        )
        checks.equal(game.rewards_for(actions), rewards, f"step {t}: rewards_for after queries")
        if result.terminated or result.truncated:
            game.reset(rng)


def trajectory(game: Game[Any], seed: int, steps: int) -> list[np.ndarray]:
    """Observations and rewards of ``steps`` random steps from ``reset(seed)``."""
    rng = make_rng(seed + 7)
    out = [np.asarray(game.reset(rng)).copy()]
    actions_rng = make_rng(seed + 8)
    for _ in range(steps):
        result = game.step(random_actions(game, actions_rng))
        out += [np.asarray(result.obs).copy(), np.asarray(result.rewards).copy()]
        if result.terminated or result.truncated:
            out.append(np.asarray(game.reset(rng)).copy())
    return out


def pickled(checks: Checks, game: Game[Any], seed: int, steps: int) -> None:
    """A game pickled after 3 steps continues like the original for ``steps`` steps.

    At an episode end both are reset with equal generators and go on.
    """
    rng = make_rng(seed + 3)
    game.reset(rng)
    for _ in range(3):
        game.step(random_actions(game, rng))
    clone = pickle.loads(pickle.dumps(game))
    checks.that(clone.params == game.params, f"params {clone.params!r} != {game.params!r}")
    actions_rng = make_rng(seed + 4)
    for t in range(steps):
        actions = random_actions(game, actions_rng)
        a, b = game.step(actions), clone.step(actions)
        checks.equal(a.obs, b.obs, f"step {t}: observations of the clone")
        checks.equal(a.rewards, b.rewards, f"step {t}: rewards of the clone")
        flags_a, flags_b = (a.terminated, a.truncated), (b.terminated, b.truncated)
        checks.that(flags_a == flags_b, f"step {t}: flags {flags_a} != clone's {flags_b}")
        if a.terminated or a.truncated:
            checks.equal(game.reset(make_rng(seed + 5)), clone.reset(make_rng(seed + 5)), "reset")


def metadata(checks: Checks, game: Game[Any]) -> None:
    """``describe()`` is text; metadata refers to valid actions."""
    text = game.describe()
    checks.that(isinstance(text, str) and text.strip(), f"describe() returned {text!r}")
    meta, k = game.metadata, game.n_actions
    if meta.cooperative_action is not None:
        checks.that(
            0 <= meta.cooperative_action < k, f"cooperative_action {meta.cooperative_action}"
        )
    if meta.action_names:
        checks.that(len(meta.action_names) == k, f"{len(meta.action_names)} action names for {k}")
    for equilibrium in meta.pure_equilibria:
        checks.that(all(0 <= a < k for a in equilibrium), f"pure equilibrium {equilibrium}")


def bad_actions(checks: Checks, game: Game[Any], seed: int) -> None:
    """A wrong-length or out-of-range joint action raises a ``ConfigError`` on ``actions``."""
    game.reset(make_rng(seed))
    for label, actions in (
        ("one action too many", np.zeros(game.n_agents + 1, dtype=np.int64)),
        ("action n_actions", np.full(game.n_agents, game.n_actions, dtype=np.int64)),
    ):
        try:
            game.step(actions)
        except ConfigError as error:
            checks.that(
                "actions" in str(error), f"{label}: the error does not name actions: {error}"
            )
            continue
        checks.fail(f"{label} was accepted")
