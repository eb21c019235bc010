"""``check_learner``: the ``core.learner.Learner`` contract, for any learner.

A learner group driving every agent of a game (``testing.play``) must

* build from ``factory(params, context, rng)`` and reject an unknown parameter by name
  (registered ids);
* ``act`` with ``int64[m]`` actions in ``0..n_actions-1`` and ``update`` with a dict of
  ``str → float`` diagnostics, step after step, across episode ends;
* where it has a ``policy``, return ``float64[m, n_actions]`` rows of non-negative numbers
  summing to 1 (a unit declaring ``has_policy=True`` must have one);
* repeat itself: two builds with the same seed choose identical actions (seeded
  reproducibility), and with another seed different ones — unless it declares
  ``stochastic=False`` (its actions do not depend on its generator);
* survive pickling: a pickled-then-unpickled learner (with its game) continues identically;
* be lifelong: nothing resets a learner, so it offers no ``reset``.

The game and parameters default to the unit's entry of ``testing.fixtures``.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import LearnerContext
from incentive_lab.core.params import Params
from incentive_lab.core.registry import make_learner
from incentive_lab.testing.fixtures import (
    PICKLING,
    REPRODUCIBILITY,
    SEED_SENSITIVITY,
    learner_fixture,
)
from incentive_lab.testing.play import Play
from incentive_lab.testing.report import Checks, ContractReport
from incentive_lab.testing.units import GameLike, GameSource, Unit, game_source, unit

POLICY_ATOL = 1e-12


def check_learner(
    learner_id_or_factory: str | Callable[..., Any],
    params: Any = None,
    *,
    game: GameLike | None = None,
    seed: int = 0,
    steps: int = 30,
    params_model: type[Params] | None = None,
    metadata: Mapping[str, Any] | None = None,
    name: str | None = None,
) -> ContractReport:
    """Check the learner contract of a registered learner id or a learner factory.

    ``params``: a mapping or ``Params`` object (default: the fixture's, else the defaults);
    ``game``: what to play (default: the fixture's game plus its shape games); ``seed``:
    seeds every build; ``steps``: steps of each drive (reproducibility compares ``2·steps``
    steps; the pickled clone continues for ``steps``). ``params_model``, ``metadata`` and
    ``name`` describe a bare factory (see ``testing.units``). Raises
    :class:`~incentive_lab.testing.report.ContractError` on the first broken rule.
    """
    learner = learner_id_or_factory
    learner_id = learner if isinstance(learner, str) else None
    fixture = learner_fixture(learner_id)
    target = unit(
        "learner",
        learner,
        params,
        fixture.params,
        params_model=params_model,
        metadata=metadata,
        name=name,
    )
    checks = Checks("learner", target.name)
    if game is None:
        main = game_source(fixture.game)
        extra = [game_source(spec) for spec in fixture.shape_games]
    else:
        main, extra = game_source(game), []
    if learner_id is not None:
        with checks.check("unknown parameter is named"):
            unknown_parameter(checks, learner_id, target, main)
    for source in (main, *extra):
        shapes(checks, target, source, seed, steps)
    repeats(checks, target, main, seed, steps, fixture.exemptions)
    return checks.report()


def unknown_parameter(checks: Checks, learner_id: str, target: Unit, source: GameSource) -> None:
    """``make_learner`` with a bogus parameter raises a ``ConfigError`` naming it."""
    game = source.build()
    raw = {**target.params.model_dump(), "bogus": 1}
    try:
        make_learner(learner_id, raw, LearnerContext.for_game(game), np.random.default_rng(0))
    except ConfigError as error:
        checks.that("learner.params.bogus" in str(error), f"the error does not name it: {error}")
        return
    checks.fail("an unknown parameter 'bogus' was accepted")


def shapes(checks: Checks, target: Unit, source: GameSource, seed: int, steps: int) -> None:
    """Act/update shapes, ranges and diagnostics for ``steps`` steps, then the policy."""
    with checks.check(f"build @ {source.name}"):
        play = Play.build(source, target, seed)
    game, learner = play.game, play.learner
    m, k = game.n_agents, game.n_actions
    with checks.check(f"act and update @ {source.name}"):
        checks.that(
            callable(getattr(learner, "act", None)) and callable(getattr(learner, "update", None)),
            f"the factory returned {type(learner).__name__}, which has no act/update",
        )
        for t in range(steps):
            actions = play.act()
            checks.that(isinstance(actions, np.ndarray), f"step {t}: act returned {actions!r}")
            checks.that(
                actions.dtype == np.int64 and actions.shape == (m,),
                f"step {t}: act returned {actions.dtype}{list(actions.shape)}, not int64[{m}]",
            )
            checks.that(
                m == 0 or (actions.min() >= 0 and actions.max() < k),
                f"step {t}: actions {actions.min()}..{actions.max()} outside 0..{k - 1}",
            )
            stats = play.step(actions)
            checks.that(isinstance(stats, dict), f"step {t}: update returned {stats!r}, not a dict")
            bad = {
                key: value
                for key, value in stats.items()
                if not isinstance(key, str) or not isinstance(value, float)
            }
            checks.that(not bad, f"step {t}: diagnostics that are not str -> float: {bad!r}")
    try:
        probs = learner.policy(play.obs)
    except NotImplementedError:
        with checks.check(f"policy declaration @ {source.name}"):
            checks.that(
                not target.metadata.get("has_policy", False),
                "declared has_policy=True but policy() raises NotImplementedError",
            )
        checks.note("no explicit policy (policy() raises NotImplementedError)")
        return
    with checks.check(f"policy rows @ {source.name}"):
        probs = np.asarray(probs)
        checks.that(probs.shape == (m, k), f"policy shape {probs.shape}, not ({m}, {k})")
        checks.that(np.all(probs >= 0), f"negative probabilities: {probs.min()}")
        checks.close(probs.sum(axis=1), np.ones(m), "policy row sums", POLICY_ATOL, 1e-7)


def repeats(
    checks: Checks,
    target: Unit,
    source: GameSource,
    seed: int,
    steps: int,
    exemptions: Mapping[str, str],
) -> None:
    """Reproducibility, pickling, seed sensitivity and lifelong play on ``source``."""
    for check, reason in exemptions.items():
        checks.skip(check, reason)
    with checks.check(f"seeded builds @ {source.name}"):
        a = Play.build(source, target, seed)
        b = Play.build(source, target, seed)
        first = a.run(steps)
        first_b = b.run(steps)
    if REPRODUCIBILITY not in exemptions:
        with checks.check(REPRODUCIBILITY):
            same_actions(checks, first, first_b, f"two builds with seed {seed}", 0)
    clone = None
    if PICKLING not in exemptions:
        with checks.check(PICKLING):
            clone = pickle.loads(pickle.dumps(a))
            checks.that(type(clone.learner) is type(a.learner), "the clone has another type")
    with checks.check(f"continued play @ {source.name}"):
        second = a.run(steps)
    if clone is not None:
        with checks.check(PICKLING):
            same_actions(checks, second, clone.run(steps), "the unpickled clone", steps)
    if REPRODUCIBILITY not in exemptions:
        with checks.check(REPRODUCIBILITY):
            same_actions(checks, second, b.run(steps), f"two builds with seed {seed}", steps)
    if SEED_SENSITIVITY not in exemptions:
        if target.metadata.get("stochastic", True):
            with checks.check(SEED_SENSITIVITY):
                other = Play.build(source, target, seed, learner_seed=seed + 1).run(2 * steps)
                checks.that(
                    not np.array_equal(other, np.concatenate([first, second])),
                    f"seeds {seed} and {seed + 1} chose identical actions for {2 * steps} steps "
                    "(a deterministic learner declares stochastic=False)",
                )
        else:
            checks.skip(SEED_SENSITIVITY, "declared stochastic=False")
    with checks.check("lifelong"):
        checks.that(
            not callable(getattr(a.learner, "reset", None)),
            "it defines reset(), which nothing calls: learners are lifelong (core.learner)",
        )
        if a.episodes == 0:
            checks.note(f"{source.name} ended no episode in {2 * steps} steps")


def same_actions(checks: Checks, a: np.ndarray, b: np.ndarray, what: str, offset: int) -> None:
    """Fail at the first step where the action sequences ``a`` and ``b`` differ."""
    checks.that(a.shape == b.shape, f"{what}: action histories of shapes {a.shape} != {b.shape}")
    differ = np.flatnonzero(np.any(a.reshape(a.shape[0], -1) != b.reshape(b.shape[0], -1), axis=1))
    if differ.size:
        t = int(differ[0])
        checks.fail(f"{what} chose different actions at step {offset + t}: {a[t]} != {b[t]}")
