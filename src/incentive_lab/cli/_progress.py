"""The CLI's progress bar: the library's, drawn unless ``-q`` was given.

:class:`incentive_lab.experiments.progress.ProgressBar` on the CLI's console; ``-q`` is read
from :mod:`._logging`.
"""

from __future__ import annotations

from rich.console import Console

from incentive_lab.cli import _logging
from incentive_lab.experiments.progress import ProgressBar as _Bar


class ProgressBar(_Bar):
    """The library's bar, disabled by ``-q``."""

    def __init__(self, description: str, console: Console, total: int | None = None) -> None:
        super().__init__(description, console, total, disable=_logging.quiet())
