"""incentive-lab: design, train and evaluate incentive mechanisms for learning agents."""

__version__ = "0.1.0"


def run(config_or_yaml_path: object, db: str = "incentive-lab.duckdb", **kwargs: object) -> object:
    """Run an experiment from a YAML path, a dict or a config; return its ``Results``.

    Same as :func:`incentive_lab.experiments.orchestrate.run_experiment` (imported lazily so
    ``import incentive_lab`` stays light).
    """
    from incentive_lab.experiments.orchestrate import run_experiment

    return run_experiment(config_or_yaml_path, db=db, **kwargs)  # type: ignore[arg-type]
