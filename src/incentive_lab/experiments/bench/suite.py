"""MechBench: a named, versioned suite of mechanism-comparison scenarios.

A *scenario* is one YAML file shipped with the package (``experiments/bench/scenarios/NAME.yaml``,
read through :mod:`importlib.resources`)::

    bench:
      version: 1                       # must match the name's -vN suffix
      description: "one line"
      objective: social_welfare        # the metric the designer maximises
      budget: 300.0                    # most incentive cost per step a mechanism may spend
    experiment:                        # an ordinary experiment config (experiments.config.schema)
      name: pd-q-v1                    # = the scenario name = the file name
      game: ...; learners: ...; steps: ...; seeds: 5
      sweep: {mechanism: [{id: none}, {id: team_reward}, ...]}
      report: {thresholds: {cooperation_rate: 0.02}}   # optional practical thresholds

The experiment must sweep ``mechanism`` (the comparison); it may sweep other parameters too
(a phase diagram). Its optional ``report.thresholds`` (``experiments.config.schema``) set the
report's practical thresholds per objective; they are stored with the runs, so adding them
to a shipped scenario changes its run ids and needs a new version. Running a scenario is
running its experiment through the normal store (``incentive-lab bench run``), so runs are
resumable and the report reads them like any other.
A scenario's name carries its version (``pd-q-v1``): when its behaviour changes, a new file
``pd-q-v2`` is added and the old one stays, so stored results remain comparable.

Shrinking a scenario for a quick look (:meth:`Scenario.experiment_config`): ``seeds``
changes the number of seeds only (the same run ids for the seeds in common); ``steps``
changes every run, so the experiment gets a distinct name ``NAME-steps<N>`` and never mixes
with full-length runs in a store.

Changing a scenario (``overrides``, ``incentive-lab bench run NAME --set path=value``):
the ``--set`` overrides of ``incentive-lab run``
(:mod:`~incentive_lab.experiments.config.overrides`) applied to the scenario's experiment.
What runs is then no longer the versioned scenario, so unless an override sets ``name``
the experiment is renamed ``NAME[-steps<N>]-set-<hash>`` (8 hex digits of the SHA-256 of
the overrides as given, in order): the same overrides find their stored runs again, other
overrides never mix with them, and no table or report presents a changed scenario under
the scenario's own name.

:data:`DEMO_SCENARIOS` lists the scenarios ``incentive-lab demo`` runs (``demo.yaml``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from incentive_lab.core.errors import ConfigError, unknown_choice
from incentive_lab.experiments.config.sweep import label

_PACKAGE = "incentive_lab.experiments.bench"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*-v(\d+)$")


@dataclass(frozen=True)
class Scenario:
    """One MechBench scenario: metadata and its experiment config (a plain dict)."""

    name: str
    """Scenario id with its version suffix, e.g. ``pd-q-v1``."""
    version: int
    """Version number (the ``-vN`` suffix)."""
    description: str
    """One line for ``bench list``."""
    objective: str
    """Metric the designer maximises (``social_welfare``)."""
    budget: float | None
    """Most mean incentive cost per step a mechanism may spend (``None``: unlimited)."""
    config: dict[str, Any]
    """The experiment config (name = scenario name, sweeps ``mechanism``)."""

    @property
    def mechanisms(self) -> list[str]:
        """Labels of the compared mechanisms, in sweep order."""
        return [str(label(spec)) for spec in self.config["sweep"]["mechanism"]]

    def experiment_config(
        self,
        *,
        seeds: int | None = None,
        steps: int | None = None,
        overrides: Sequence[str] = (),
    ) -> dict[str, Any]:
        """The experiment config, optionally with other ``seeds``, ``steps`` or ``overrides``.

        ``overrides``: ``--set`` texts; a changed scenario is renamed (module docstring).
        """
        config = copy.deepcopy(self.config)
        if seeds is not None:
            if isinstance(seeds, bool) or seeds < 1:
                raise ConfigError("seeds", seeds, "a number of seeds >= 1")
            config["seeds"] = seeds
        if steps is not None:
            if isinstance(steps, bool) or steps < 1:
                raise ConfigError("steps", steps, "a number of steps >= 1")
            records = max(1, int(config["steps"]) // int(config.get("record_every") or 1))
            config["steps"] = steps
            config["record_every"] = max(1, steps // min(records, steps))
            config["name"] = f"{self.name}-steps{steps}"
        if overrides:
            from incentive_lab.experiments.config.overrides import apply_overrides, parse_override

            named = any(parse_override(text)[0] == "name" for text in overrides)
            base = config["name"]
            config = apply_overrides(config, overrides)
            if not named:
                digest = hashlib.sha256(json.dumps(list(overrides)).encode()).hexdigest()[:8]
                config["name"] = f"{base}-set-{digest}"
        return config


def _parse(name: str, raw: Any) -> Scenario:
    """Validate one scenario document (``name`` = file stem)."""
    where = f"scenario {name}"
    match = _NAME.match(name)
    if not match:
        raise ConfigError(where, name, "a lower-case name ending in -v<version>, e.g. pd-q-v1")
    if not isinstance(raw, dict) or set(raw) != {"bench", "experiment"}:
        keys = sorted(raw) if isinstance(raw, dict) else raw
        raise ConfigError(where, keys, "a mapping with exactly the keys bench, experiment")
    meta, config = raw["bench"], raw["experiment"]
    allowed = {"version", "description", "objective", "budget"}
    if not isinstance(meta, dict) or not set(meta) <= allowed or "version" not in meta:
        raise ConfigError(f"{where}.bench", meta, f"a mapping with keys {sorted(allowed)}")
    if meta["version"] != int(match.group(1)):
        raise ConfigError(f"{where}.bench.version", meta["version"], f"{match.group(1)}")
    if not isinstance(config, dict) or config.get("name") != name:
        got = config.get("name") if isinstance(config, dict) else config
        raise ConfigError(f"{where}.experiment.name", got, f"the scenario name {name!r}")
    sweep = config.get("sweep") or {}
    if not isinstance(sweep, dict) or not sweep.get("mechanism"):
        raise ConfigError(f"{where}.experiment.sweep", sweep, "a sweep over mechanism")
    budget = meta.get("budget")
    return Scenario(
        name=name,
        version=int(meta["version"]),
        description=str(meta.get("description", "")),
        objective=str(meta.get("objective", "social_welfare")),
        budget=None if budget is None else float(budget),
        config=config,
    )


@cache
def _load_all() -> tuple[Scenario, ...]:
    folder = resources.files(_PACKAGE).joinpath("scenarios")
    found = []
    for item in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if item.name.endswith(".yaml"):
            name = item.name.removesuffix(".yaml")
            found.append(_parse(name, yaml.safe_load(item.read_text(encoding="utf-8"))))
    return tuple(found)


def scenarios() -> list[Scenario]:
    """Every shipped scenario, sorted by name."""
    return list(_load_all())


def get_scenario(name: str) -> Scenario:
    """The scenario ``name``; an unknown name is a :class:`ConfigError` listing the others."""
    for scenario in _load_all():
        if scenario.name == name:
            return scenario
    raise unknown_choice("scenario", name, [s.name for s in _load_all()])


def scenario_of(experiment: str) -> Scenario | None:
    """The scenario an experiment name comes from (``pd-q-v1``, ``pd-q-v1-steps200``, …).

    Also ``pd-q-v1-set-<hash>``: its objective and budget frame the report.
    """
    for scenario in _load_all():
        if experiment == scenario.name or experiment.startswith(
            (f"{scenario.name}-steps", f"{scenario.name}-set-")
        ):
            return scenario
    return None


def demo_scenarios() -> list[Scenario]:
    """The scenarios of ``incentive-lab demo`` (listed in ``experiments/bench/demo.yaml``)."""
    text = resources.files(_PACKAGE).joinpath("demo.yaml").read_text(encoding="utf-8")
    names = (yaml.safe_load(text) or {}).get("scenarios", [])
    return [get_scenario(str(name)) for name in names]


def demo_configs() -> list[dict[str, Any]]:
    """The experiment configs ``incentive-lab demo`` runs, one per demo scenario."""
    return [scenario.experiment_config() for scenario in demo_scenarios()]
