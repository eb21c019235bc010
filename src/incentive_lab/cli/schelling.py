"""``incentive-lab schelling``: the Schelling diagram of a config's game, with the verdicts.

::

    incentive-lab schelling CONFIG [--seeds N] [--steps N] [--mechanism SPEC]
                            [--rewards shaped|base] [--cooperator BOT] [--defector BOT]
                            [--db PATH] [--name NAME] [--workers N]
                            [-o schelling.png|.svg] [--force]

Reads the experiment config (validated as ``incentive-lab run`` validates it; its learners
and sweep are not used): for every number ``k = 0..N`` of cooperators among the ``N``
players of each copy the game's bots play ``steps`` steps (default one episode) per seed,
under the config's mechanism or ``--mechanism`` (an id or ``{id: ..., params: {...}}``,
YAML). Every profile and seed is a run stored in the run store ``--db`` under the
experiment ``--name`` (default ``<config name>-schelling``;
``experiments.execution.schelling``): runs already stored are skipped, so the analysis
resumes and adding seeds runs only the new ones, and ``incentive-lab report`` shows the
diagram and its verdicts. The diagram is read back from the store (the same numbers as
:func:`incentive_lab.evaluation.schelling.schelling`). Prints the mean return of a
cooperator ``R_c(x)`` and of a defector ``R_d(x)`` against the number ``x`` of *other*
cooperators, with 95% bootstrap CIs over seeds, and the social-dilemma conditions of Hughes
et al. (2018) tested on seed-paired differences (``dilemma_conditions``); writes the figure
(PNG or SVG by the file name). Returns are ``shaped`` by default — what the mechanism pays,
so the verdict says whether the mechanism leaves a dilemma (with no mechanism, shaped =
base). An existing output is overwritten only if it is a Schelling figure written by this
command (or with ``--force``). Bad input prints one ``error:`` line and exits 2.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from incentive_lab.cli._common import DbOption, err, guard_output, user_errors
from incentive_lab.cli._common import out as console
from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.execution.orchestrate import DEFAULT_DB

MARKER = "incentive-lab Schelling diagram"
"""Written into the figure's metadata, so a re-run may overwrite its own file."""


class Rewards(StrEnum):
    """Which returns the diagram shows."""

    shaped = "shaped"
    base = "base"


def _is_figure(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
    except OSError:
        return False
    return MARKER.encode() in head


def _mechanism_spec(text: str) -> Any:
    import yaml

    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError:
        spec = None
    if isinstance(spec, str) or (isinstance(spec, dict) and "id" in spec):
        return spec if isinstance(spec, dict) else {"id": spec}
    raise ConfigError("mechanism", text, "a mechanism id or YAML {id: ..., params: {...}}")


def _ci(value: float, low: float, high: float, sign: bool = False) -> str:
    form = "+.4g" if sign else ".4g"
    return f"{value:{form}} [{low:{form}}, {high:{form}}]"


def _holds(ok: bool) -> str:
    return "[green]holds[/green]" if ok else "[red]does not hold[/red]"


def schelling(
    config: Annotated[Path, typer.Argument(help="Experiment YAML (its game and mechanism).")],
    seeds: Annotated[int, typer.Option("--seeds", min=1, max=1000, help="Seeds per count.")] = 5,
    steps: Annotated[
        int | None, typer.Option("--steps", min=1, help="Steps per run (default one episode).")
    ] = None,
    mechanism: Annotated[
        str | None,
        typer.Option("--mechanism", help="Mechanism id or YAML spec (default: the config's)."),
    ] = None,
    rewards: Annotated[
        Rewards, typer.Option("--rewards", help="shaped (what agents are paid) or base returns.")
    ] = Rewards.shaped,
    cooperator: Annotated[
        str, typer.Option("--cooperator", help="Cooperative bot (default: the game's).")
    ] = "cooperator",
    defector: Annotated[
        str, typer.Option("--defector", help="Defecting bot (default: the game's).")
    ] = "defector",
    out: Annotated[Path, typer.Option("--out", "-o", help="Figure file (.png or .svg).")] = Path(
        "schelling.png"
    ),
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing file that is not ours.")
    ] = False,
    db: DbOption = Path(DEFAULT_DB),
    name: Annotated[
        str | None,
        typer.Option(
            "--name", help="Experiment name in the store (default CONFIG-NAME-schelling)."
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Parallel runs (default 1).")
    ] = 1,
) -> None:
    """Schelling diagram: a cooperator's and a defector's return vs other cooperators."""
    from incentive_lab.evaluation.schelling import dilemma_conditions
    from incentive_lab.experiments.config.loading import load_config, read_yaml
    from incentive_lab.experiments.execution.schelling import run_schelling, schelling_plan

    with user_errors():
        suffix = out.suffix.lower()
        if suffix not in (".png", ".svg"):
            raise ConfigError("out", str(out), "a file name ending in .png or .svg")
        guard_output(out, "out", "Schelling figure", force, _is_figure)
        if not out.parent.is_dir():
            raise ConfigError("out", str(out), "a path whose directory exists")
        raw = read_yaml(config)
        if not isinstance(raw, dict):
            raise ConfigError("config", str(config), "a mapping with name, game, learners, ...")
        raw = {key: value for key, value in raw.items() if key != "sweep"}
        if mechanism is not None:
            raw["mechanism"] = _mechanism_spec(mechanism)
        experiment = load_config(raw)
        game = experiment.game.model_dump(mode="json")
        spec = experiment.mechanism.model_dump(mode="json")
        _check_bots(game, {"cooperator": cooperator, "defector": defector})
        plan = schelling_plan(
            name or f"{experiment.name}-schelling", game, spec, seeds=range(seeds),
            seed=experiment.seed, steps=steps, cooperator=cooperator, defector=defector,
        )  # fmt: skip
        before = _stored(db, plan)
        run_ids = run_schelling(
            plan,
            db,
            workers=workers,
            on_wait=lambda message: err.print(f"waiting: {escape(message)}", soft_wrap=True),
        )
        diagram = _read_back(db, plan.name, run_ids, rewards.value)
        check = dilemma_conditions(diagram)
        _write_figure(diagram, out, suffix[1:], spec)
    _print(diagram, check, spec)
    console.print(
        f"Stored as experiment {escape(plan.name)} in {escape(str(db))}: {len(run_ids)} runs "
        f"({len(run_ids) - before} new); `incentive-lab report --db {escape(str(db))}` shows it.",
        soft_wrap=True,
    )
    console.print(f"Figure: {escape(str(out.resolve()))}", soft_wrap=True)


def _stored(db: Path, plan: Any) -> int:
    """How many of the plan's runs ``db`` holds already (0 without a store)."""
    from incentive_lab.experiments.execution.store import RunStore

    if not db.is_file():
        return 0
    with RunStore(db, read_only=True) as store:
        return len(store.finished_ids(task.run_id for task in plan.tasks))


def _read_back(db: Path, name: str, run_ids: list[str], rewards: str) -> Any:
    """The diagram of the stored runs ``run_ids`` (shaped = base without a mechanism)."""
    import pandas as pd

    from incentive_lab.evaluation.report.analysis import ExperimentTables
    from incentive_lab.evaluation.report.schelling import diagrams
    from incentive_lab.experiments.execution.store import RunStore

    with RunStore(db, read_only=True) as store:
        runs, summary = store.runs(name), store.summary(name)
    tables = ExperimentTables(
        name=name,
        summary=summary[summary["run_id"].isin(run_ids)],
        metrics=pd.DataFrame(),
        runs=runs[runs["run_id"].isin(run_ids)],
    )
    found = {d.rewards: d for d, _ in diagrams(tables)}
    return found.get(rewards, found["base"])


def _check_bots(game: dict[str, Any], chosen: dict[str, str]) -> None:
    """The chosen bot names are the game's (when it has bots; else ``schelling`` says so)."""
    from incentive_lab.core.capabilities import Capability, provided
    from incentive_lab.core.registry import make_game
    from incentive_lab.core.scripted import COOPERATOR, DEFECTOR

    bots = provided(make_game(game["id"], game["params"]), Capability.SCRIPTED_POLICY)
    if bots is None:
        return
    names = tuple(dict.fromkeys((COOPERATOR, DEFECTOR, *bots.policies)))
    for option, name in chosen.items():
        if name not in names:
            raise ConfigError(option, name, f"a bot of {game['id']}: {', '.join(names)}")


def _write_figure(diagram: Any, out: Path, kind: str, spec: dict[str, Any]) -> None:
    from incentive_lab.evaluation.schelling import schelling_figure

    fig = schelling_figure(diagram)
    if spec["id"] != "none":
        fig.axes[0].set_title(f"Schelling diagram: {diagram.game} with {spec['id']}")
    metadata = {"Software": MARKER} if kind == "png" else {"Creator": MARKER}
    try:
        fig.savefig(out, format=kind, metadata=metadata, dpi=120)
    except OSError as error:
        raise ConfigError("out", str(out), f"a writable file ({error.strerror})") from None


def _print(diagram: Any, check: Any, spec: dict[str, Any]) -> None:
    coop, defect = diagram.intervals()
    n = diagram.n_players
    title = (
        f"{diagram.game}: {n} players, {diagram.cooperator.shape[1]} seeds, {diagram.steps} "
        f"steps, mechanism {spec['id']}, {diagram.rewards} returns per agent; "
        f"cooperator {diagram.names[0]}, defector {diagram.names[1]}"
    )
    table = Table(title=escape(title), title_justify="left")
    for header in ("x (other cooperators)", "R_c(x) [95% CI]", "R_d(x) [95% CI]", "R_d − R_c"):
        table.add_column(header, justify="right")
    for x in range(n):
        gain = check.defection_gain[x]
        table.add_row(
            str(x),
            _ci(coop[x].value, coop[x].ci_low, coop[x].ci_high),
            _ci(defect[x].value, defect[x].ci_low, defect[x].ci_high),
            _ci(gain.value, gain.ci_low, gain.ci_high, sign=True),
        )
    console.print(table)
    mc, ne = check.mutual_cooperation, check.not_exploited
    pays = check.defection_pays_at
    console.print(
        f"(1) mutual cooperation beats mutual defection, R_c({n - 1}) − R_d(0) = "
        f"{_ci(mc.value, mc.ci_low, mc.ci_high, True)}: {_holds(mc.ci_low > 0)}"
    )
    console.print(
        f"(2) mutual cooperation beats being exploited, R_c({n - 1}) − R_c(0) = "
        f"{_ci(ne.value, ne.ci_low, ne.ci_high, True)}: {_holds(ne.ci_low > 0)}"
    )
    where = f"at x = {', '.join(map(str, pays))}" if pays else "at no x"
    console.print(
        f"(3) defection pays (R_d(x) > R_c(x)) {where}: {_holds(bool(pays))}; "
        f"fear (x = 0): {'yes' if check.fear else 'no'}, greed (x = {n - 1}): "
        f"{'yes' if check.greed else 'no'}"
    )
    verdict = "a social dilemma" if check.is_dilemma else "not a social dilemma"
    console.print(
        f"Verdict: [bold]{verdict}[/bold] for these bots (a dilemma needs (1), (2) and (3); "
        "Hughes et al. 2018)."
    )
