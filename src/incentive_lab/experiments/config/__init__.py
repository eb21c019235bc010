"""Config: from a YAML file to typed, resolved runs — nothing here executes a run.

* :mod:`.schema` — the structure of an experiment config (pydantic, unknown keys refused);
* :mod:`.loading` — reading YAML (duplicate keys refused) into an :class:`ExperimentConfig`
  and its resolved sweep points;
* :mod:`.paths` — dotted paths into a config (``game.params.r_c``);
* :mod:`.sweep` — the product of swept values, each point resolved once;
* :mod:`.phases` — phase overrides turned into per-phase states;
* :mod:`.resolve` / :mod:`.resolved` — one sweep point validated against the registry into a
  frozen :class:`~.resolved.ResolvedRun` (with the capability fit checked);
* :mod:`.plan` — sweep points × seed indices as picklable ``RunTask``s;
* :mod:`.records` — run identity (``make_run_id``) and the ``RunResult`` record workers return.

The subpackages of :mod:`incentive_lab.experiments` form layers (import-linter checks them):
``search`` → ``execution`` → ``bench`` → ``config``.
"""

from incentive_lab.experiments.config.loading import ExperimentConfig, load_config, load_experiment

__all__ = ["ExperimentConfig", "load_config", "load_experiment"]
