"""``-v``/``-q``: how much the CLI says, through the standard :mod:`logging` module.

The library logs under the ``incentive_lab`` logger (joining a Ray cluster, design trials,
each run's progress) and never configures logging itself; the CLI attaches one stderr
handler to that logger:

* default — warnings and errors only, and progress bars;
* ``-v`` — also INFO (e.g. ``12/40 runs finished``, useful where stderr is a log file);
* ``-vv`` — also DEBUG;
* ``-q`` — errors only and no progress bars (the results tables still go to stdout).
"""

from __future__ import annotations

import logging
import sys

LOGGER = "incentive_lab"

_state = {"quiet": False}


def configure(verbose: int, quiet: bool) -> None:
    """Set the level of the ``incentive_lab`` logger and whether progress bars show."""
    level = logging.ERROR if quiet else {0: logging.WARNING, 1: logging.INFO}.get(verbose, 10)
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if getattr(handler, "_incentive_lab_cli", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler._incentive_lab_cli = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    _state["quiet"] = quiet


def quiet() -> bool:
    """Whether ``-q`` was given (no progress bars)."""
    return _state["quiet"]
