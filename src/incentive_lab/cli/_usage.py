"""Usage errors in one line: the typer group every command hangs from.

Click (through typer) reports a bad option or argument — an unknown option, a value that
is not an integer, a missing argument, an unknown command — as a framed box of six lines
with the usage string. The CLI promises one line for every bad input (``error: <field>:
got <value>; <allowed>``), so :class:`OneLineGroup` runs click in non-standalone mode and
prints click's own message on one line, with the command's ``--help`` as the pointer, and
exits 2. Everything else (``--help`` output, exit codes of the commands, Ctrl-C → 130)
behaves as click's standalone mode does.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup


def _base(name: str) -> type[Exception]:
    """Click's exception class ``name`` as typer uses it (typer ≥ 0.24 vendors click)."""
    return next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == name)


UsageError = _base("UsageError")
ClickException = _base("ClickException")


def given_value(error: Any, args: Sequence[str]) -> str | None:
    """The command-line value of the option a ``BadParameter`` is about (``None``: unknown)."""
    param = getattr(error, "param", None)
    for opt in getattr(param, "opts", None) or ():
        if not opt.startswith("-"):
            continue
        for k, arg in enumerate(args):
            if arg == opt and k + 1 < len(args):
                return args[k + 1]
            if arg.startswith(opt + "="):
                return arg[len(opt) + 1 :]
    return None


def usage_line(error: Any, args: Sequence[str] = ()) -> str:
    """``error: <click's message> (see '<command> --help')`` on one line, naming the value."""
    message = " ".join(error.format_message().split())
    value = given_value(error, args)
    if value is not None and repr(value) not in message:
        message = message.replace(": ", f": got {value!r}; ", 1)
    command = error.ctx.command_path if error.ctx is not None else "incentive-lab"
    return f"error: {message} (see '{command} --help')"


class OneLineGroup(TyperGroup):
    """A typer group whose usage errors are one line on stderr with exit status 2."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            value = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except UsageError as error:
            given = list(sys.argv[1:] if args is None else args)
            typer.echo(usage_line(error, given), err=True)
            sys.exit(2)
        except ClickException as error:
            message = " ".join(error.format_message().split())  # type: ignore[attr-defined]
            typer.echo(f"error: {message}", err=True)
            sys.exit(error.exit_code)  # type: ignore[attr-defined]
        except typer.Abort:
            typer.echo("Aborted.", err=True)
            sys.exit(1)
        # Non-standalone click returns an Exit's code as an int; commands return None.
        sys.exit(value if isinstance(value, int) and not isinstance(value, bool) else 0)
