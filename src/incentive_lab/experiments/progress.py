"""The default progress display of the long calls (``run_experiment``, ``bench run``, design).

A :class:`ProgressBar` is a rich bar on a console (stderr in the CLI; a notebook's output
in Jupyter): ``description ━━━━ done/total elapsed eta remaining``. Called as
``bar(done, total)`` it is the ``progress=`` hook the library's long calls take: the bar
appears at the first call, so a config rejected before any work prints only its error line,
and ``total`` may be learnt late. Every change of ``done`` is also logged at INFO on the
``incentive_lab.progress`` logger (one line each, readable where output is a file).
``demo`` drives one bar over several experiments with a known total:
:meth:`ProgressBar.show` at once, :meth:`ProgressBar.describe` per experiment and
``bar(offset + done)``. Used as a context manager, the bar is removed when the block ends,
however it ends; after an error it leaves nothing behind, so the error is the command's one
line of output. ``disable=True`` draws nothing (the CLI's ``-q``) but still logs.

:meth:`ProgressBar.steps` is the inner bar of one long run: ``steps of this run`` with its
own ETA under the runs bar, fed by runs computed in the driver's process (``workers=1`` or
a single run; runs in worker processes report only when they finish). It disappears when
the run ends.
"""

from __future__ import annotations

import io
import logging
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

log = logging.getLogger("incentive_lab.progress")


class ProgressBar:
    """One task's bar (module docstring); ``total=None`` until the first call says it."""

    def __init__(
        self,
        description: str,
        console: Console | None = None,
        total: int | None = None,
        *,
        disable: bool = False,
    ) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=console if console is not None else Console(stderr=True),
            disable=disable,
        )
        self._description = description
        self._task = self._progress.add_task(description, total=total)
        self._steps_task: TaskID | None = None
        self._logged = -1

    def show(self) -> None:
        """Start drawing the bar (once)."""
        if not self._progress.live.is_started:
            self._progress.start()

    def __call__(self, done: int, total: int | None = None) -> None:
        """``done`` of ``total`` finished (``None``: the total stays); shows the bar."""
        self.show()
        self._progress.update(self._task, completed=done, total=total)
        if done != self._logged:
            self._logged = done
            known = self._progress.tasks[0].total
            log.info(
                "%s: %d/%s finished", self._description, done, "?" if known is None else int(known)
            )

    def steps(self, done: int, total: int) -> None:
        """``done`` of ``total`` steps of the run being computed (the inner bar)."""
        self.show()
        if self._steps_task is None:
            self._steps_task = self._progress.add_task("  steps of this run", total=total)
        self._progress.update(self._steps_task, completed=done, total=total)
        if done >= total:
            self._progress.remove_task(self._steps_task)
            self._steps_task = None

    def describe(self, description: str) -> None:
        """Change the bar's label."""
        self._description = description
        self._progress.update(self._task, description=description)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress.live.is_started:
            if error is not None:
                # an error ends the command with its one line: the bar leaves no trace, also
                # where stderr is a file (rich writes a bar's last state there when it stops)
                self._progress.live.transient = True
                console = self._progress.console
                terminal, file = console.is_terminal, console._file  # None: follow sys.stderr
                if not terminal:
                    console.file = io.StringIO()
                try:
                    self._progress.stop()
                finally:
                    console._file = file
                return
            self._progress.stop()
