"""The ``incentive-lab`` command line (typer + rich).

Commands (global options before the command: ``-v``/``-vv`` log progress and details
through :mod:`logging`, ``-q`` errors only and no progress bars — :mod:`._logging`)::

    incentive-lab list [games|learners|mechanisms] [--json]
    incentive-lab run CONFIG [--db PATH] [--workers N] [--backend local|ray] [--address A]
    incentive-lab show [--db PATH] [--experiment NAME] [--metric NAME ...]
    incentive-lab export [--db PATH] --out DIR [--format parquet|csv]
    incentive-lab demo [--out DIR] [--workers N]
    incentive-lab report [--db PATH] [--experiment NAME ...] [-o FILE]
    incentive-lab bench list | run NAME [--db PATH] [--workers N] [--seeds N] [--steps N]

Bad input (a malformed or invalid config, a missing file, a database file that is not an
incentive-lab DuckDB store) prints one line ``error: <field>: got <value>; <allowed>`` on
stderr and exits with status 2, leaving any existing database untouched. Anything else is a
bug and shows its traceback (status 1).

One module per command (:mod:`.listing`, :mod:`.run`, :mod:`.show`, :mod:`.export`,
:mod:`.report`, :mod:`.design`, :mod:`.bench` with ``demo``), wired into one typer app in
:mod:`.app`; ``_common`` holds the consoles, options, error handling and run + report they
share, ``_progress`` the one progress bar (run, bench run, design, demo), ``_tables`` the
rich tables. ``python -m incentive_lab.cli`` runs the same app.
"""

from incentive_lab.cli.app import app, main

__all__ = ["app", "main"]
