"""The typer application: every command registered in ``incentive-lab --help`` order, and ``main``.

Each command lives in its own module (:mod:`.listing`, :mod:`.run`, :mod:`.show`,
:mod:`.export`, :mod:`.report`, :mod:`.design`; ``bench`` and ``demo`` in :mod:`.bench`);
what they share is in ``_common``. This module only wires them into one app.
"""

from __future__ import annotations

from typing import Annotated

import typer

from incentive_lab.cli import _logging
from incentive_lab.cli._usage import OneLineGroup
from incentive_lab.cli.bench import bench_app, demo
from incentive_lab.cli.design import design
from incentive_lab.cli.export import export
from incentive_lab.cli.listing import list_units
from incentive_lab.cli.render import render
from incentive_lab.cli.report import report
from incentive_lab.cli.run import run
from incentive_lab.cli.schelling import schelling
from incentive_lab.cli.show import show

app = typer.Typer(
    cls=OneLineGroup,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Design, train and evaluate incentive mechanisms in multi-agent learning systems.",
)


@app.callback()
def options(
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose", "-v", count=True, help="Say more: -v progress lines (INFO), -vv DEBUG."
        ),
    ] = 0,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Errors only, no progress bars.")
    ] = False,
) -> None:
    """Design, train and evaluate incentive mechanisms in multi-agent learning systems."""
    _logging.configure(verbose, quiet)


app.command("list")(list_units)
app.command()(run)
app.command()(show)
app.command()(export)
app.command()(demo)
app.add_typer(bench_app, name="bench")
app.command("report")(report)
app.command("design")(design)
app.command("schelling")(schelling)
app.command("render")(render)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
